// @ts-check
/// <reference lib="webworker" />
/**
 * Report It's service worker (a module worker).
 *
 * - Precaches the app shell under the server's content-derived VERSION; deletes older caches on
 *   activate. A new version waits until the resident presses "reload" (never swaps code under a
 *   half-filled form).
 * - Answers navigations with the shell only for the app's own routes.
 * - Keeps categories, My reports and visited /r/{reference} pages (with their stylesheet and
 *   photos) readable offline, and /find (precached).
 * - Sends the outbox on Background Sync, using the same outbox module as the page.
 * - Shows status notifications from Web Push; a tap opens the report's permanent page.
 * - Keeps the server's copy of the push subscription current when the push service changes it.
 */
import { APP_ROUTES, PRECACHE, VERSION } from '/precache-manifest.js';
import * as outbox from '/app/lib/outbox.js';
import * as db from '/app/lib/db.js';

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const SHELL_PREFIX = 'reportit-shell-';
const SHELL = SHELL_PREFIX + VERSION;
const RUNTIME = 'reportit-runtime';
const appRoutes = APP_ROUTES.map((pattern) => new RegExp(pattern));
const NETWORK_FIRST = [/^\/api\/categories$/, /^\/api\/me\/reports$/, /^\/r\/[0-9A-Za-z-]+$/, /^\/find$/];
const REPORT_PAGE = /^\/r\//;
const KEEP_REPORT_PAGES = 50;
/** Photos of saved report pages: their URLs name their content, so a saved copy is never stale. */
const PHOTO = /^\/media\/[0-9a-f]{64}\.jpg$/;
const KEEP_PHOTOS = 200;

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) =>
    cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })))));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_PREFIX) && name !== SHELL) await caches.delete(name);
    }
    await sw.clients.claim();
  })());
  // Reports queued while the previous version was active are this version's job now. Not awaited:
  // the browser holds every fetch (the reload the resident asked for) until activation ends.
  const flush = () => outbox.flush({ by: 'sw', force: true }).catch(() => undefined);
  const sync = /** @type {any} */ (sw.registration).sync;
  if (sync) sync.register(outbox.SYNC_TAG).catch(flush);
  else flush();
  retryPushChange();  // a push subscription change the server has not heard about yet, if any
});

/** Stops the sending under way when the resident asks for a new version (see 'stop-sending'). */
let stopSending = new AbortController();

sw.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') sw.skipWaiting();
  // The app started, or came back online, with a push subscription change not yet told (pages send
  // this only while one is noted, so it never holds up a new version taking over).
  if (event.data && event.data.type === 'retry-push-change') event.waitUntil(retryPushChange());
  if (event.data && event.data.type === 'stop-sending') {
    // Sent to the old worker: the browser activates the new one only once the old one has no
    // event in progress, and a sync may be waiting on a slow upload. The report is kept and sent
    // again by the new worker.
    stopSending.abort();
    stopSending = new AbortController();
  }
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/share-target') {
    event.respondWith(receiveShare(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate' && appRoutes.some((route) => route.test(url.pathname))) {
    event.respondWith(fromShell('/', request));
  } else if (NETWORK_FIRST.some((route) => route.test(url.pathname))) {
    event.respondWith(networkFirst(request, event));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromShell(url.pathname, request));
  } else if (url.pathname.startsWith('/vendor/') || url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(request));  // both are addressed by version or content
  } else if (PHOTO.test(url.pathname)) {
    event.respondWith(networkThenSaved(request));
  }
});

/** @param {string} path @param {Request} request */
async function fromShell(path, request) {
  const cached = await caches.match(path, { cacheName: SHELL });
  return cached || fetch(request);
}

/** @param {Request} request @param {FetchEvent} event */
async function networkFirst(request, event) {
  const cache = await caches.open(RUNTIME);
  const path = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      if (REPORT_PAGE.test(path)) {
        await pruneReportPages(cache);
        event.waitUntil(savePageParts(cache, response.clone()));
      }
    }
    return response;
  } catch (error) {
    // The copy saved on the last visit, else the one precached with this version (/find).
    const cached = await cache.match(request, { ignoreVary: true }) || await caches.match(path, { cacheName: SHELL });
    if (cached) return markedAsSaved(cached);
    if (request.mode === 'navigate') return offlinePage();
    throw error;
  }
}

/**
 * A saved report page is only readable offline with its stylesheet and photos: save them with it.
 * @param {Cache} cache @param {Response} page
 */
async function savePageParts(cache, page) {
  const html = await page.text();
  const urls = new Set([...html.matchAll(/(?:src|href)="(\/(?:static|media)\/[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
  for (const url of urls) {
    if (await caches.match(url)) continue;
    const response = await fetch(url).catch(() => null);
    if (response && response.ok) await cache.put(url, response);
  }
  const photos = (await cache.keys()).filter((key) => PHOTO.test(new URL(key.url).pathname));
  for (const old of photos.slice(0, Math.max(0, photos.length - KEEP_PHOTOS))) await cache.delete(old);
}

/** The network, else the copy saved with a report page. @param {Request} request */
async function networkThenSaved(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match(request, { cacheName: RUNTIME });
    if (cached) return cached;
    throw error;
  }
}

/** A saved copy, marked so the page can say it is not fresh. @param {Response} cached */
function markedAsSaved(cached) {
  const headers = new Headers(cached.headers);
  headers.set('X-Reportit-From-Cache', '1');
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

/** Keep the most recently visited report pages only (cache keys are in insertion order). @param {Cache} cache */
async function pruneReportPages(cache) {
  const pages = (await cache.keys()).filter((key) => REPORT_PAGE.test(new URL(key.url).pathname));
  for (const old of pages.slice(0, Math.max(0, pages.length - KEEP_REPORT_PAGES))) await cache.delete(old);
}

/** @param {Request} request */
async function cacheFirst(request) {
  const cache = await caches.open(RUNTIME);
  const cached = await caches.match(request);  // this version's precache, or saved since
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

function offlinePage() {
  const html = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    + '<title>No signal</title><link rel="stylesheet" href="/app/styles/app.css"></head><body><main class="page">'
    + '<h1>No signal</h1><p>This page has not been saved on your phone yet. Try again when you have a signal.</p>'
    + '<p><a href="/mine">See your reports</a></p></main></body></html>';
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/** Photos shared from the gallery, and the words shared with them (the share sheet's title and
 * text): keep them, then open the photos step, which picks them up. @param {Request} request */
async function receiveShare(request) {
  try {
    const form = await request.formData();
    const files = form.getAll('photos').filter((f) => f instanceof File).slice(0, 5);
    const photos = await Promise.all(files.map(async (file) => ({
      name: /** @type {File} */ (file).name, type: /** @type {File} */ (file).type, data: await /** @type {File} */ (file).arrayBuffer(),
    })));
    const words = ['title', 'text'].map((name) => String(form.get(name) || '').trim()).filter(Boolean);
    const text = [...new Set(words)].join('\n');
    if (photos.length || text) await db.put('shared', { photos, text, at: Date.now() });
    return Response.redirect('/report/photos?shared=1', 303);
  } catch {
    return Response.redirect('/report/photos?shared=failed', 303);
  }
}

sw.addEventListener('sync', (event) => {
  const sync = /** @type {Event & {tag: string, waitUntil(p: Promise<any>): void}} */ (event);
  if (sync.tag === PUSH_SYNC_TAG) {
    sync.waitUntil(tellPushChange());  // rejecting asks the browser to try again later
    return;
  }
  if (sync.tag !== outbox.SYNC_TAG) return;
  sync.waitUntil(retryPushChange());  // the signal is back for push subscription changes too
  sync.waitUntil(outbox.flush({ by: 'sw', force: true, signal: stopSending.signal }).then((result) => {
    // Rejecting asks the browser to try this sync again later.
    if (result.waiting) throw new Error(`${result.waiting} reports still waiting`);
  }));
});

/** @param {any} message */
async function tellPages(message) {
  for (const client of await sw.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
}

sw.addEventListener('push', (event) => {
  /** @type {any} */
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { notification: { title: 'Report It', body: event.data ? event.data.text() : '' } };
  }
  const n = payload.notification || payload;
  const data = { ...(n.data || {}), navigate: n.navigate || '' };
  event.waitUntil((async () => {
    // My reports first (briefly waited for), so a tap on the notification finds it current.
    const saved = updateSavedReport(data, n.body).catch((error) => console.error('Could not update the saved report', error));
    await Promise.race([saved, new Promise((resolve) => setTimeout(resolve, SAVED_REPORT_WAIT_MS))]);
    await Promise.all([
      sw.registration.showNotification(n.title || 'Report It', {
        body: n.body || '', tag: n.tag, lang: n.lang, data, icon: '/app/icons/icon-192.png', badge: '/app/icons/icon-192.png',
      }),
      saved.then(() => tellPages({ type: 'report-updated', reference: data.reference })),
    ]);
  })());
});

/** How long a notification waits for the saved copy of its report (IndexedDB is normally quicker by far). */
const SAVED_REPORT_WAIT_MS = 2000;
const STATUS_KINDS = ['open', 'closed', 'fixed'];

/**
 * Bring this phone's saved copy of a report (the `sent` store My reports shows with no signal) to
 * the status a push announces, as the server would show it: the status, a history step with the
 * officer's public message (the body, when the server says it is one) and `updated_at`. A report
 * not sent from this phone, or a payload without the status's name, changes nothing; a push
 * delivered again adds no second step.
 * @param {any} data the notification's data: {reference, status, status_name, status_kind, body_is_message}
 * @param {unknown} body the notification's body
 * @returns {Promise<void>}
 */
async function updateSavedReport(data, body) {
  const { reference, status: code, status_name: name } = data || {};
  if (![reference, code, name].every((value) => typeof value === 'string' && value)) return;
  const status = { code, name, kind: STATUS_KINDS.includes(data.status_kind) ? data.status_kind : 'open' };
  const message = data.body_is_message === true && typeof body === 'string' ? body : '';
  const at = new Date().toISOString();
  await db.transaction(['sent'], 'readwrite', (tx) => {
    const cursor = tx.objectStore('sent').openCursor();
    cursor.onsuccess = () => {
      const item = cursor.result;
      if (!item) return;
      const report = item.value.report;
      if (report && report.reference === reference) {
        const history = Array.isArray(report.history) ? report.history : [];
        const last = history[history.length - 1];
        const repeated = Boolean(last) && last.status === code && sameMessage(last.message || '', message);
        if (!repeated || report.status?.code !== code) {
          const steps = repeated ? history : [...history, { status: code, status_name: name, message, at }];
          item.update({ ...item.value, report: { ...report, status, history: steps, updated_at: at } });
        }
      }
      item.continue();
    };
  });
}

/**
 * Whether a saved history message is the one a push carries. A long message is cut to fit the
 * push (ending in an ellipsis): the saved copy may already hold it whole, from the server.
 * @param {string} saved @param {string} pushed
 */
function sameMessage(saved, pushed) {
  if (saved === pushed) return true;
  return pushed.endsWith('…') && saved.startsWith(pushed.slice(0, -1).trimEnd());
}

/** The permanent page a notification points at, kept on this origin (an absolute URL). @param {any} data */
export function notificationTarget(data) {
  const raw = (data && (data.url || data.navigate)) || '/mine';
  const url = new URL(raw, sw.location.origin);
  return url.origin === sw.location.origin ? url.href : new URL('/mine', sw.location.origin).href;
}

/** @param {string} href */
function pathAndQuery(href) {
  const url = new URL(href);
  return url.pathname + url.search;
}

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = notificationTarget(event.notification.data);
  const work = (async () => {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const same = windows.find((client) => pathAndQuery(client.url) === pathAndQuery(target));
    if (same) return same.focus();
    // The app's own pages move themselves (reliable everywhere); other pages are navigated.
    const app = windows.find((client) => appRoutes.some((route) => route.test(new URL(client.url).pathname)));
    if (app) {
      app.postMessage({ type: 'open', url: target });
      return app.focus().catch(() => app);
    }
    if (windows[0]) {
      const moved = await windows[0].navigate(target).catch(() => null);
      if (moved) return moved.focus().catch(() => moved);
    }
    return sw.clients.openWindow(target);
  })();
  event.waitUntil(Promise.all([work, tellPages({ type: 'report-updated' })]));
});

// ---- The push service changes the subscription ------------------------------------------------
//
// A push service may expire or rotate a subscription; the browser then fires pushsubscriptionchange
// (with oldSubscription/newSubscription where it can; Chromium may give neither). The change is
// noted on the phone first (kv 'push-change': the endpoints the server must forget), then told to
// the server: PUT the subscription the browser holds now, DELETE each old endpoint. With no signal
// (or the server down) the note stays and is told later: on the Background Sync asked for then
// (PUSH_SYNC_TAG, fired when the signal returns), the outbox's sync, the next activation, or when
// the app starts or comes back online (a 'retry-push-change' message: browsers without Background Sync).

const PUSH_SYNC_TAG = 'reportit-push-subscription';
const PUSH_LOCK = 'reportit-push-subscription';
/** kv key: {id, forget: string[]}, a change the server has not been told about yet. */
const PUSH_CHANGE = 'push-change';
/** kv key: {endpoint}, the subscription last given to the server (by the page's push.js or this worker). */
const PUSH_TOLD = 'push-endpoint';

sw.addEventListener('pushsubscriptionchange', (event) => {
  const change = /** @type {ExtendableEvent & {oldSubscription?: PushSubscription | null, newSubscription?: PushSubscription | null}} */ (event);
  change.waitUntil((async () => {
    await notePushChange(change.oldSubscription?.endpoint || '');
    await tellPushChange(change.newSubscription || null).catch(async (error) => {
      await askForPushSync();
      throw error;
    });
  })());
});

/**
 * Note the change, merged with any change not told yet, in one transaction: what the server must
 * forget is the old endpoint if the browser gave it, and the one this worker last gave the server.
 * @param {string} oldEndpoint
 */
function notePushChange(oldEndpoint) {
  return db.transaction(['kv'], 'readwrite', (tx) => {
    const kv = tx.objectStore('kv');
    const pending = kv.get(PUSH_CHANGE);
    const told = kv.get(PUSH_TOLD);
    told.onsuccess = () => {  // requests in one transaction complete in order: `pending` is done too
      const forget = new Set(pending.result ? pending.result.forget : []);
      for (const endpoint of [oldEndpoint, told.result?.endpoint]) if (endpoint) forget.add(endpoint);
      kv.put({ id: crypto.randomUUID(), forget: [...forget] }, PUSH_CHANGE);
    };
  });
}

/**
 * Tell the server about the noted change, if there is one. Resolves once it is told (or the server
 * refused it for good, which is logged); rejects when it must be tried again.
 * @param {PushSubscription | null} [given] the event's newSubscription, when the browser gave one
 */
function tellPushChange(given = null) {
  const run = async () => {
    const change = await db.get('kv', PUSH_CHANGE);
    if (!change) return;
    const subscription = await heldSubscription(given);
    const token = await outbox.deviceToken();
    if (subscription) await pushSubscriptionRequest('PUT', token, subscription.toJSON());
    for (const endpoint of change.forget) {
      if (endpoint !== subscription?.endpoint) await pushSubscriptionRequest('DELETE', token, { endpoint });
    }
    await db.transaction(['kv'], 'readwrite', (tx) => {
      const kv = tx.objectStore('kv');
      const now = kv.get(PUSH_CHANGE);
      // A change noted meanwhile stays: its own event tells it, after this (the lock).
      now.onsuccess = () => { if (now.result && now.result.id === change.id) kv.delete(PUSH_CHANGE); };
      if (subscription) kv.put({ endpoint: subscription.endpoint }, PUSH_TOLD);
      else kv.delete(PUSH_TOLD);
    });
  };
  return navigator.locks ? navigator.locks.request(PUSH_LOCK, run) : run();
}

/**
 * The subscription the browser holds now, subscribing again if it holds none; null when the
 * resident no longer allows notifications (then only the old endpoints are forgotten).
 * @param {PushSubscription | null} given
 * @returns {Promise<PushSubscription | null>}
 */
async function heldSubscription(given) {
  const manager = sw.registration.pushManager;
  const held = given || await manager.getSubscription();
  if (held) return held;
  if (await manager.permissionState({ userVisibleOnly: true }) !== 'granted') return null;
  const response = await fetch('/api/push/public-key');
  if (!response.ok) throw new Error(`no push key from the council: ${response.status}`);
  const { public_key: publicKey } = await response.json();
  return manager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) });
}

/**
 * PUT or DELETE on /api/me/push-subscription. Throws (try again later) on no signal, 408, 429 and
 * 5xx; any other refusal is for good (the server will not take this subscription), so it is logged
 * and passed over rather than retried for ever.
 * @param {'PUT' | 'DELETE'} method @param {string} token @param {any} body
 */
async function pushSubscriptionRequest(method, token, body) {
  const response = await fetch('/api/me/push-subscription', {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.ok) return;
  const detail = `${method} push subscription: ${response.status} ${await response.text().catch(() => '')}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(detail);
  console.error(`The council refused a push subscription change: ${detail}`);
}

/** Be woken when the signal returns (Background Sync; where there is none, the next activation tries). */
async function askForPushSync() {
  const sync = /** @type {any} */ (sw.registration).sync;
  if (sync) await sync.register(PUSH_SYNC_TAG).catch(() => undefined);
}

/** Tell a noted change now if possible, never failing the caller's event. */
function retryPushChange() {
  return tellPushChange().catch(askForPushSync);
}

/** @param {string} text */
function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
