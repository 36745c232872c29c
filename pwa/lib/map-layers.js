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
 * A tile that could not be read leaves it "incomplete" (no signal, and a part this phone has not
 * kept), or "outdated" when the council replaced its basemap file: the file's URL is 404 then; the
 * map says so, with a button to reload, and the app's service worker is asked to fetch the new
 * version (which names the new file).
 * @param {any} L @param {any} map @param {HTMLElement} element @param {Ground} settings
 */
export async function addGround(L, map, element, settings) {
  let layer = null;
  /** @type {'' | 'incomplete' | 'outdated'} what went wrong with tiles of the view being drawn */
  let failed = '';
  let outdated = false;
  if (settings.basemap) {
    const P = (await import('/vendor/protomaps-leaflet/protomaps-leaflet.esm.js')).default;
    const basemap = settings.basemap;
    const source = basemapSource(basemap.url, (gone) => {
      failed = gone ? 'outdated' : (failed || 'incomplete');
      if (gone && !outdated) {
        outdated = true;
        element.dataset.mapState = 'outdated';
        showOutdated(element);
      }
    });
    // The library reads a URL with its own fetching; given an archive (its PMTiles class, which it
    // does not export by name), it reads through our source instead.
    const PMTiles = new P.PmtilesSource(basemap.url, false).p.constructor;
    layer = P.leafletLayer({
      url: new PMTiles(source), paintRules: paintRules(P), labelRules: labelRules(P), backgroundColor: GROUND,
      maxDataZoom: basemap.max_zoom, maxZoom: 19,
      attribution: basemap.attribution || '',
    });
    element.style.background = GROUND;
  } else if (settings.tile_url) {
    layer = L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || '', maxZoom: 19 });
    layer.on('tileerror', () => { failed = failed || 'incomplete'; });
  }
  if (!layer) return;
  const drawn = () => {
    element.dataset.mapState = outdated ? 'outdated' : failed || 'drawn';
    element.dataset.mapZoom = String(map.getZoom());
  };
  const drawing = () => {
    failed = '';
    element.dataset.mapState = outdated ? 'outdated' : 'drawing';
  };
  // Drawn: the view has stopped moving and all its tiles are in. A view whose tiles are all still
  // there (zooming back out) loads nothing, so moveend says it; tiles of a moving view do not count.
  let moving = false;
  layer.on('loading', drawing);
  layer.on('load', () => { if (!moving) drawn(); });
  map.on('movestart zoomstart', () => { moving = true; drawing(); });
  layer.addTo(map);
  map.on('moveend', () => {
    moving = false;
    if (!layer.isLoading()) drawn();
  });
}

/**
 * The basemap file for protomaps-leaflet (a PMTiles "source": byte ranges of it), reading it as
 * the library would, and telling `onFailed` of every range that could not be read: `gone` when the
 * file's URL is 404 (the council replaced the file; this page names the old one).
 * @param {string} url @param {(gone: boolean) => void} onFailed
 */
function basemapSource(url, onFailed) {
  return {
    getKey: () => url,
    /** @param {number} offset @param {number} length @param {AbortSignal} [signal] */
    async getBytes(offset, length, signal) {
      let response;
      try {
        response = await fetch(url, { signal, headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
      } catch (error) {
        if (/** @type {Error} */ (error).name !== 'AbortError') onFailed(false);
        throw error;
      }
      if (response.status === 404) onFailed(true);
      else if (!response.ok) onFailed(false);
      if (!response.ok) throw new Error(`The map file answered ${response.status}`);
      const etag = response.headers.get('ETag');
      return {
        data: await response.arrayBuffer(),
        etag: etag && !etag.startsWith('W/') ? etag : undefined,
        cacheControl: response.headers.get('Cache-Control') || undefined,
        expires: response.headers.get('Expires') || undefined,
      };
    },
  };
}

/** "The council has updated its map", over the map, with a button that reloads. @param {HTMLElement} element */
function showOutdated(element) {
  checkForNewVersion().catch(() => undefined);
  const notice = document.createElement('div');
  notice.className = 'map-outdated';
  notice.id = `${element.id || 'map'}-outdated`;
  Object.assign(notice.style, {
    position: 'absolute', zIndex: '1000', left: '0.5rem', right: '0.5rem', top: '0.5rem', padding: '0.75rem',
    background: '#fff', color: '#0b0c0c', border: '2px solid #0b0c0c', font: 'inherit', cursor: 'auto',
  });
  const text = document.createElement('p');
  text.setAttribute('role', 'status');
  text.style.margin = '0 0 0.5rem';
  text.textContent = 'The council has updated its map. Reload to see it.';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Reload';
  button.addEventListener('click', () => {
    button.disabled = true;
    reloadWithNewVersion().catch(() => location.reload());
  });
  // Clicks and drags on the notice are not the map's (Leaflet listens on its container).
  for (const type of ['click', 'dblclick', 'mousedown', 'pointerdown', 'touchstart', 'wheel']) {
    notice.addEventListener(type, (event) => event.stopPropagation());
  }
  notice.append(text, button);
  element.append(notice);
}

/** Ask the app's service worker to fetch its new version (which names the new file). */
async function checkForNewVersion() {
  const registration = await navigator.serviceWorker?.getRegistration();
  await registration?.update();
  return registration;
}

/**
 * Reload onto the new version: the app's pages come from its service worker, so the new worker
 * takes over first (as the update banner's "Reload" does); a report being written is kept on the
 * phone and offered again after the reload. The console's pages (no app settings in them) come
 * from the server: a plain reload.
 */
async function reloadWithNewVersion() {
  const isApp = Boolean(document.querySelector('meta[name=reportit-map]'));
  const registration = isApp && navigator.serviceWorker?.controller ? await checkForNewVersion().catch(() => undefined) : undefined;
  const next = registration && (registration.waiting || registration.installing);
  if (!next) {
    location.reload();
    return;
  }
  await new Promise((resolve) => {
    if (next.state === 'installed') resolve(undefined);
    next.addEventListener('statechange', () => { if (next.state !== 'installing') resolve(undefined); });
  });
  if (next.state === 'redundant') {
    location.reload();
    return;
  }
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
  navigator.serviceWorker.controller?.postMessage({ type: 'stop-sending' });
  next.postMessage({ type: 'skip-waiting' });
}
