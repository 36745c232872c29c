// @ts-check
/// <reference lib="webworker" />
/**
 * The basemap offline: every range of the PMTiles file the map reads is answered from what this
 * phone keeps (the ranges it has seen, or the whole file a warden chose to keep) before the
 * network, since a versioned file never changes. What the network sends is kept for next time.
 * The keeping itself is pwa/lib/basemap-store.js, shared with the page's "Keep the whole borough".
 */
import { BASEMAP_PATH, forgetOtherVersions, keepRange, keptRange, parseRange } from '/app/lib/basemap-store.js';
import { sw } from './scope.js';

/** The file whose older versions were already deleted by this worker. */
let current = '';

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || request.method !== 'GET' || !BASEMAP_PATH.test(url.pathname)) return;
  const range = parseRange(request.headers.get('Range'));
  if (range) event.respondWith(rangeOfBasemap(url.pathname, range, request, event));
});

/**
 * @param {string} path @param {{start: number, end: number}} range @param {Request} request
 * @param {FetchEvent} event
 */
async function rangeOfBasemap(path, range, request, event) {
  const kept = await keptRange(path, range);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 206) {
    const copy = response.clone();
    event.waitUntil((async () => {
      if (current !== path) {
        current = path;
        await forgetOtherVersions(path);
      }
      await keepRange(path, range, copy);
    })());
  }
  return response;
}
