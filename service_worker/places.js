// @ts-check
/// <reference lib="webworker" />
/**
 * Places kept for use with no signal:
 *
 * - /api/streets (every street and ward, for the type-ahead and "Near Regent Street, West End
 *   ward"): answered from the saved copy at once, and refreshed behind it with If-None-Match, so
 *   the copy changes only when the council's streets or wards did. It is kept before the app first
 *   asks for it: fetched once the worker is installed, checked again each time the app is opened
 *   (each run of the worker: a 304 when nothing changed) and when a warden keeps the whole borough's
 *   map, so the type-ahead works with no signal even where the location step was never opened.
 *   None of this holds up installing or opening the app, and a server with no street list (or no
 *   signal) leaves the phone as it was.
 * - /api/reports/nearby ("Is it one of these?"): from the network, the last copy for the same
 *   area (the app asks by area, so the URL names it) when there is no signal.
 */
import { BASEMAP_PATH } from '/app/lib/basemap-store.js';
import { appRoutes, sw } from './scope.js';

const PLACES = 'reportit-places';
const STREETS = '/api/streets';
const NEARBY = '/api/reports/nearby';
const KEEP_AREAS = 50;

/** This run's check of the street list (a worker is started again when the app is next opened). @type {Promise<boolean> | null} */
let checked = null;

/** Once a run; again on the app's next page when it could not be done (no signal, a server error). */
function checkStreetsOnce() {
  if (!checked) {
    checked = keepStreetList().then((kept) => {
      if (!kept) checked = null;
      return kept;
    });
  }
  return checked;
}

// Not waited for: activating (and so every request of the app) is never held up by the network.
sw.addEventListener('activate', () => { checkStreetsOnce(); });

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || request.method !== 'GET') return;
  if (url.pathname === STREETS) event.respondWith(streetList(event));
  else if (url.pathname === NEARBY) event.respondWith(nearby(request));
  else if (request.mode === 'navigate' && appRoutes.some((route) => route.test(url.pathname))) event.waitUntil(checkStreetsOnce());
  else if (BASEMAP_PATH.test(url.pathname) && !request.headers.has('Range')) event.waitUntil(keepStreetList());  // "Keep the whole borough"
});

/** Keep the server's street list on this phone (the copy it has when unchanged): whether it is. */
async function keepStreetList() {
  const cache = await caches.open(PLACES);
  try {
    const response = await refreshStreets(cache, await cache.match(STREETS));
    return Boolean(response && response.ok);
  } catch {
    return false;  // no signal: what the phone kept stands
  }
}

/** @param {FetchEvent} event */
async function streetList(event) {
  const cache = await caches.open(PLACES);
  const saved = await cache.match(STREETS);
  const refresh = refreshStreets(cache, saved);
  if (saved) {
    event.waitUntil(refresh.catch(() => undefined));
    return saved;
  }
  try {
    return await refresh || noSignal();
  } catch {
    return noSignal();
  }
}

/** The street list from the server when it changed since the saved copy (which it replaces).
 * @param {Cache} cache @param {Response | undefined} saved @returns {Promise<Response | undefined>} */
async function refreshStreets(cache, saved) {
  const etag = saved && saved.headers.get('ETag');
  const response = await fetch(STREETS, { headers: etag ? { 'If-None-Match': etag } : {}, cache: 'no-store' });
  if (response.status === 304) return saved;
  if (!response.ok) return response;
  await cache.put(STREETS, response.clone());
  return response;
}

/** @param {Request} request */
async function nearby(request) {
  const cache = await caches.open(PLACES);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      const areas = (await cache.keys()).filter((key) => new URL(key.url).pathname === NEARBY);
      for (const old of areas.slice(0, Math.max(0, areas.length - KEEP_AREAS))) await cache.delete(old);
    }
    return response;
  } catch {
    const saved = await cache.match(request);
    if (!saved) return noSignal();
    const headers = new Headers(saved.headers);
    headers.set('X-Reportit-From-Cache', '1');
    return new Response(saved.body, { status: saved.status, headers });
  }
}

function noSignal() {
  return new Response(JSON.stringify({ title: 'No signal', status: 503, detail: 'There is no signal and no saved copy yet.' }),
    { status: 503, headers: { 'Content-Type': 'application/problem+json' } });
}
