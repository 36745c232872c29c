// Leaflet's ES module, served at /vendor/leaflet/ from the xstatic-leaflet Python package, which
// ships no types: the type check (tsconfig.json maps the URL here) takes it as it is.
declare const L: any;
export = L;
