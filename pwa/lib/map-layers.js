// @ts-check
/**
 * The ground under the app's and the console's maps, in order of preference: the council's basemap
 * (vector tiles from its PMTiles file, drawn by protomaps-leaflet; kept on the phone for offline
 * use by the service worker), else raster tiles from `tile_url`, else none (the caller says the map
 * is not available). Libraries are vendored copies served at /vendor/, loaded only when a map is.
 */
import { GROUND, labelRules, paintRules } from './map-style.js';

/**
 * @typedef {{url: string, bytes: number, min_zoom: number, max_zoom: number,
 *   bounds: [number, number, number, number], attribution: string, illustrative: boolean}} Basemap
 * @typedef {{basemap?: Basemap | null, tile_url?: string, tile_attribution?: string}} Ground
 */

/** @param {Ground} settings */
export function hasGround(settings) {
  return Boolean(settings.basemap || settings.tile_url);
}

/** Leaflet, with its stylesheet added to the page once. @returns {Promise<any>} */
export async function loadLeaflet() {
  if (!document.querySelector('link[data-leaflet]')) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/vendor/leaflet/leaflet.css';
    css.dataset.leaflet = '';
    document.head.append(css);
  }
  return import('/vendor/leaflet/leaflet-src.esm.js');
}

/**
 * Add the ground to a Leaflet map; `element`'s data-map-state is "drawing" while tiles of the view
 * are on their way and "drawn" once they all are (data-map-zoom: the zoom they were drawn at).
 * @param {any} L @param {any} map @param {HTMLElement} element @param {Ground} settings
 */
export async function addGround(L, map, element, settings) {
  let layer = null;
  if (settings.basemap) {
    const P = (await import('/vendor/protomaps-leaflet/protomaps-leaflet.esm.js')).default;
    const basemap = settings.basemap;
    layer = P.leafletLayer({
      url: basemap.url, paintRules: paintRules(P), labelRules: labelRules(P), backgroundColor: GROUND,
      maxDataZoom: basemap.max_zoom, maxZoom: 19,
      attribution: basemap.attribution || '',
    });
    element.style.background = GROUND;
  } else if (settings.tile_url) {
    layer = L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || '', maxZoom: 19 });
  }
  if (!layer) return;
  const drawn = () => {
    element.dataset.mapState = 'drawn';
    element.dataset.mapZoom = String(map.getZoom());
  };
  // Drawn: the view has stopped moving and all its tiles are in. A view whose tiles are all still
  // there (zooming back out) loads nothing, so moveend says it; tiles of a moving view do not count.
  let moving = false;
  layer.on('loading', () => { element.dataset.mapState = 'drawing'; });
  layer.on('load', () => { if (!moving) drawn(); });
  map.on('movestart zoomstart', () => { moving = true; element.dataset.mapState = 'drawing'; });
  layer.addTo(map);
  map.on('moveend', () => {
    moving = false;
    if (!layer.isLoading()) drawn();
  });
}
