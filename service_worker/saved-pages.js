// @ts-check
/// <reference lib="webworker" />
/**
 * The permanent pages, kept for reading with no signal: /r/{reference} (a report, with its photos)
 * and /a/{reference} (an application: every alert, representation receipt and decision message
 * links to it, and so does My reports). From the network when there is a signal, each kept as it
 * came (the 50 last opened of each kind); with no signal the kept copy, saying when it was saved
 * (an application's deadline words are that day's), else the app's "No signal" page.
 */
import { RUNTIME, offlinePage, sw } from './scope.js';

/**
 * An application's reference contains slashes and comes escaped or not (an alert's link escapes
 * them, My reports' does not) and in any case: all name one kept copy.
 * @param {string} path
 */
function applicationKey(path) {
  let reference = path.slice('/a/'.length);
  try {
    reference = decodeURIComponent(reference);
  } catch { /* a stray % is part of what was asked */ }
  return '/a/' + reference.trim().toUpperCase().split('/').map(encodeURIComponent).join('/');
}

const KINDS = [
  { page: /^\/r\/[0-9A-Za-z-]+$/, key: (/** @type {string} */ path) => path },
  { page: /^\/a\/./, key: applicationKey },
];
const KEEP_PAGES = 50;
/** Photos of kept report pages: their URLs name their content, so a kept copy is never stale. */
const PHOTO = /^\/media\/[0-9a-f]{64}\.jpg$/;
const KEEP_PHOTOS = 200;
const SAVED_AT = 'X-Reportit-Saved-At';

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || request.method !== 'GET') return;
  const kind = KINDS.find((k) => k.page.test(url.pathname));
  if (kind) event.respondWith(permanentPage(request, kind, event));
  else if (PHOTO.test(url.pathname)) event.respondWith(networkThenKept(request));
});

/**
 * @param {Request} request @param {typeof KINDS[number]} kind @param {FetchEvent} event
 */
async function permanentPage(request, kind, event) {
  const cache = await caches.open(RUNTIME);
  const key = kind.key(new URL(request.url).pathname);
  try {
    const response = await fetch(request);
    if (response.ok) {
      const headers = new Headers(response.headers);
      headers.set(SAVED_AT, new Date().toISOString());
      await cache.put(key, new Response(response.clone().body, { status: response.status, headers }));
      await prune(cache, kind.page, KEEP_PAGES);
      event.waitUntil(keepPageParts(cache, response.clone()));
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return markedAsKept(kept);
    if (request.mode === 'navigate') return offlinePage();
    throw error;
  }
}

/**
 * A kept page is only readable offline with its stylesheet and photos: keep them with it.
 * @param {Cache} cache @param {Response} page
 */
async function keepPageParts(cache, page) {
  const html = await page.text();
  const urls = new Set([...html.matchAll(/(?:src|href)="(\/(?:static|media)\/[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
  for (const url of urls) {
    if (await caches.match(url)) continue;
    const response = await fetch(url).catch(() => null);
    if (response && response.ok) await cache.put(url, response);
  }
  await prune(cache, PHOTO, KEEP_PHOTOS);
}

/** The network, else the copy kept with a report page. @param {Request} request */
async function networkThenKept(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const kept = await caches.match(request, { cacheName: RUNTIME });
    if (kept) return kept;
    throw error;
  }
}

/** Keep the `most` last kept of what `paths` matches (cache keys are in insertion order).
 * @param {Cache} cache @param {RegExp} paths @param {number} most */
async function prune(cache, paths, most) {
  const kept = (await cache.keys()).filter((key) => paths.test(new URL(key.url).pathname));
  for (const old of kept.slice(0, Math.max(0, kept.length - most))) await cache.delete(old);
}

/**
 * The kept page, saying at its top that it is a copy and from when.
 * @param {Response} kept
 */
async function markedAsKept(kept) {
  const savedAt = kept.headers.get(SAVED_AT) || kept.headers.get('Date');
  const when = savedAt ? new Date(savedAt).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : '';
  const note = `<p class="notice" id="saved-copy" role="note">Offline — showing the copy saved on this phone${when ? ` on ${when}` : ''}. `
    + 'It may have changed since.</p>';
  const html = (await kept.text()).replace(/<main\b[^>]*>/, (main) => main + note);
  const headers = new Headers(kept.headers);
  headers.delete('Content-Length');
  headers.delete('Content-Encoding');
  headers.set('X-Reportit-From-Cache', '1');
  return new Response(html, { status: kept.status, headers });
}
