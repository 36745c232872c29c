"""The basemap: one PMTiles file of vector tiles the council supplies (`REPORTIT_BASEMAP`), served
with HTTP range requests (serving.py), drawn by the app and the console with Leaflet and
protomaps-leaflet (libraries.py serves the vendored copies), and the builder of an illustrative one
from GeoJSON streets and areas (builder.py, `reportit basemap build`)."""
