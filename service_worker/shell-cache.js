// @ts-check
/// <reference lib="webworker" />
/**
 * The app shell and what is kept for reading offline.
 *
 * - Precaches the app shell under the server's content-derived VERSION; deletes older caches on
 *   activate. A new version waits until the resident presses "reload" (never swaps code under a
 *   half-filled form).
 * - Answers navigations with the shell only for the app's own routes.
 * - Keeps categories and My reports readable offline, and /find (precached); the permanent pages
 *   are saved-pages.js's.
 * - Keeps the map libraries (/vendor/, whose URLs carry no version) under the server's digest of
 *   them: when a new worker brings new libraries, what this phone kept is fetched again (or, with
 *   no signal, carried over as it was), never shadowing the new ones.
 */
import { PRECACHE, VENDOR_VERSION, VERSION } from '/precache-manifest.js';
import { RUNTIME, appRoutes, offlinePage, sw } from './scope.js';

const SHELL_PREFIX = 'reportit-shell-';
const SHELL = SHELL_PREFIX + VERSION;
const VENDOR_PREFIX = 'reportit-vendor-';
const VENDOR = VENDOR_PREFIX + VENDOR_VERSION;
const CARRIED_OVER = 'X-Reportit-Carried-Over';
const NETWORK_FIRST = [/^\/api\/categories$/, /^\/api\/me\/reports$/, /^\/find$/];

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) =>
    cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })))));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_PREFIX) && name !== SHELL) await caches.delete(name);
      if (name.startsWith(VENDOR_PREFIX) && name !== VENDOR) {
        await renewLibraries(await caches.open(name), () => true);
        await caches.delete(name);
      }
    }
    // Versions before the libraries had a cache of their own kept them with everything else.
    await renewLibraries(await caches.open(RUNTIME), (request) => new URL(request.url).pathname.startsWith('/vendor/'));
    await sw.clients.claim();
  })());
});

sw.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || request.method !== 'GET') return;
  if (request.mode === 'navigate' && appRoutes.some((route) => route.test(url.pathname))) {
    event.respondWith(fromShell('/', request));
  } else if (NETWORK_FIRST.some((route) => route.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromShell(url.pathname, request));
  } else if (url.pathname.startsWith('/vendor/')) {
    event.respondWith(cacheFirst(request, VENDOR, { cache: 'no-cache' }));  // kept under VENDOR_VERSION
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(request, RUNTIME));  // addressed by content
  }
});

/** @param {string} path @param {Request} request */
async function fromShell(path, request) {
  const cached = await caches.match(path, { cacheName: SHELL });
  return cached || fetch(request);
}

/** @param {Request} request */
async function networkFirst(request) {
  const cache = await caches.open(RUNTIME);
  const path = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // The copy saved on the last visit, else the one precached with this version (/find).
    const cached = await cache.match(request, { ignoreVary: true }) || await caches.match(path, { cacheName: SHELL });
    if (cached) return markedAsSaved(cached);
    if (request.mode === 'navigate') return offlinePage();
    throw error;
  }
}

/** A saved copy, marked so the page can say it is not fresh. @param {Response} cached */
function markedAsSaved(cached) {
  const headers = new Headers(cached.headers);
  headers.set('X-Reportit-From-Cache', '1');
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

/**
 * @param {Request} request @param {string} cacheName
 * @param {RequestInit} [init] how to fetch on a miss ('no-cache': past the browser's HTTP cache,
 *   which may hold a library of the version before)
 */
async function cacheFirst(request, cacheName, init) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request) || (cacheName === RUNTIME ? await caches.match(request) : undefined);
  if (cached?.headers.has(CARRIED_OVER)) {  // kept from an older version with no signal: renew it now if we can
    fetch(request, init).then((fresh) => fresh.ok && cache.put(request, fresh)).catch(() => undefined);
  }
  if (cached) return cached;
  const response = await fetch(request, init);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/**
 * The libraries kept under an older digest, into this worker's cache: fetched again (a worker
 * activates with a signal, as a rule), or kept as they were when the fetch fails, so a warden who
 * keeps the borough's map for no signal never loses its libraries to an update.
 * @param {Cache} old @param {(request: Request) => boolean} isLibrary
 */
async function renewLibraries(old, isLibrary) {
  const renewed = await caches.open(VENDOR);
  for (const request of (await old.keys()).filter(isLibrary)) {
    if (await renewed.match(request)) {
      await old.delete(request);
      continue;
    }
    try {
      const response = await fetch(request.url, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await renewed.put(request, response);
    } catch {
      const kept = await old.match(request);
      if (!kept) continue;
      const headers = new Headers(kept.headers);
      headers.set(CARRIED_OVER, '1');  // cacheFirst fetches it again when next used with a signal
      await renewed.put(request, new Response(await kept.blob(), { status: kept.status, headers }));
    }
    await old.delete(request);
  }
}
