// Leaflet's ES module, vendored from npm into server/reportit/basemap/vendor/ (served at /vendor/leaflet/), which
// ships no types: the type check (tsconfig.json maps the URL here) takes it as it is.
declare const L: any;
export = L;
