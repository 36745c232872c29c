// @ts-check
/// <reference lib="webworker" />
/**
 * Places kept for use with no signal:
 *
 * - /api/streets (every street and ward, for the type-ahead and "Near Regent Street, West End
 *   ward"): answered from the saved copy at once, and refreshed behind it with If-None-Match, so
 *   the copy changes only when the council's streets or wards did.
 * - /api/reports/nearby ("Is it one of these?"): from the network, the last copy for the same
 *   area (the app asks by area, so the URL names it) when there is no signal.
 */
import { sw } from './scope.js';

const PLACES = 'reportit-places';
const STREETS = '/api/streets';
const NEARBY = '/api/reports/nearby';
const KEEP_AREAS = 50;

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || request.method !== 'GET') return;
  if (url.pathname === STREETS) event.respondWith(streetList(event));
  else if (url.pathname === NEARBY) event.respondWith(nearby(request));
});

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
