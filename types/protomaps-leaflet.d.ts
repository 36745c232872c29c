// protomaps-leaflet's bundle made an ES module by `make vendor-protomaps-leaflet` (served at
// /vendor/protomaps-leaflet/); the type check takes it as it is.
declare const protomapsL: any;
export default protomapsL;
