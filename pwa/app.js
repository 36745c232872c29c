// @ts-check
/**
 * Boot and routing for the resident app.
 *
 * Sending: lib/sending.js sends the outbox from the page; this module calls it on start, when the
 * signal returns (`online`) and when the app comes back to the foreground, and redraws the screen
 * as the upload moves on. Views take what they need from lib/, never from here.
 */
import * as outbox from './lib/outbox.js';
import { flushFromPage, onProgress, resumeBackgroundSync } from './lib/sending.js';
import { readableReference } from './lib/dom.js';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));

/** @type {Array<[RegExp, () => Promise<any>]>} */
const ROUTES = [
  [/^\/$/, () => import('./views/home.js')],
  [/^\/report(\/[a-z-]*)?$/, () => import('./views/report.js')],
  [/^\/sent\/([0-9a-f-]+)$/, () => import('./views/sent.js')],
  [/^\/outbox$/, () => import('./views/outbox.js')],
  [/^\/mine$/, () => import('./views/mine.js')],
  [/^\/account$/, () => import('./views/account.js')],
  [/^\/alerts$/, () => import('./views/alerts.js')],
  [/^\/applications$/, () => import('./views/applications.js')],
];

/** @type {(() => void) | null} */
let onOutboxChange = null;

/** @param {string} message */
export function announce(message) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = message; }, 50);
}

/**
 * Show a screen. Focus goes to its heading (or its error summary), so screen readers start there.
 * @param {string} [path]
 */
export async function render(path = location.pathname) {
  onOutboxChange = null;
  unsentTyping = false;
  const match = ROUTES.find(([pattern]) => pattern.test(path));
  if (!match) {
    location.assign(path);
    return;
  }
  const params = path.match(match[0]) || [];
  const view = await match[1]();
  main.replaceChildren();
  await view.render(main, { path, params, query: new URLSearchParams(location.search), navigate, announce, watch });
  for (const link of document.querySelectorAll('.site-nav a')) {
    if (link.getAttribute('href') === path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showUpdateWhenFree();
  focusScreen();
}

export function focusScreen() {
  const target = /** @type {HTMLElement | null} */ (main.querySelector('.error-summary') || main.querySelector('h1'));
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
  window.scrollTo(0, 0);
}

/** @param {string} url @param {{replace?: boolean}} [options] */
export function navigate(url, options = {}) {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  return render(new URL(url, location.origin).pathname);
}

/** Re-render part of the current screen when the outbox changes. @param {() => void} listener */
function watch(listener) {
  onOutboxChange = listener;
}

document.addEventListener('click', (event) => {
  const link = /** @type {HTMLElement} */ (event.target).closest('a');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || link.target || link.hasAttribute('download')) return;
  if (!ROUTES.some(([pattern]) => pattern.test(url.pathname))) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

// ---- Outbox: badge, flushing, progress ---------------------------------------------------------

async function updateBadge() {
  const waiting = await outbox.count();
  const badge = /** @type {HTMLElement} */ (document.getElementById('unsent-badge'));
  badge.hidden = waiting === 0;
  badge.textContent = waiting ? `${waiting}` : '';
  badge.setAttribute('aria-label', `${waiting} not sent yet`);
  const nav = /** @type {any} */ (navigator);
  if (nav.setAppBadge) (waiting ? nav.setAppBadge(waiting) : nav.clearAppBadge()).catch(() => undefined);
}

onProgress(() => { if (onOutboxChange) onOutboxChange(); });

/**
 * A push subscription change the worker noted but could not tell the server (no signal then, and
 * a browser without Background Sync to wake it when the signal returned): ask it to try now.
 */
async function resumePushChange() {
  if (!('serviceWorker' in navigator)) return;
  const { database } = await import('./lib/db.js');
  if (!(await (await database()).get('kv', 'push-change'))) return;
  const registration = await navigator.serviceWorker.ready;
  if (registration.active) registration.active.postMessage({ type: 'retry-push-change' });
}

outbox.listen((message) => {
  updateBadge();
  if (message.state === 'sent') {
    announce(message.kind === 'representation' ? `Your comment on ${message.reference} has reached the council.`
      : `Report sent. Reference ${readableReference(message.reference)}.`);
  }
  if (onOutboxChange) onOutboxChange();
});

/** A push said a report changed: fetch this device's reports again, so every screen shows it. */
async function refreshMyReports() {
  if (!(await outbox.sent()).length) return;
  const { myReports } = await import('./lib/api.js');
  const { reports, savedAt } = await myReports();
  if (!savedAt) await outbox.refreshSent(reports);
}

const UPDATE_CHECK_EVERY = 30 * 60 * 1000;
let lastUpdateCheck = Date.now();

window.addEventListener('online', () => { flushFromPage(true); resumePushChange().catch(() => undefined); });
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return;
  flushFromPage(false);
  if ('serviceWorker' in navigator && Date.now() - lastUpdateCheck > UPDATE_CHECK_EVERY) {
    lastUpdateCheck = Date.now();
    navigator.serviceWorker.getRegistration().then((registration) => registration?.update()).catch(() => undefined);
  }
});

// ---- Service worker: registration, and "a new version is ready" --------------------------------

/** @type {ServiceWorker | null} */
let updateReady = null;
let reloadAsked = false;

/** @param {ServiceWorker} waiting */
function offerUpdate(waiting) {
  updateReady = waiting;
  showUpdateWhenFree();
}

/**
 * Something typed into a form on this screen and not sent yet (a comment, an alert, a profile):
 * reloading would lose it. Set by typing, cleared when the form is emptied (sent) or another screen
 * shows.
 *
 * Every form holds the banner back unless it is a search or filter, marked `role="search"` (on the
 * form or a container; the HTML `<search>` element counts too): typing there is not work, and the
 * list it filters comes back after a reload. The exception is the thing to mark, not the rule, so a
 * new screen's form holds "Reload" until someone decides it may not: forgetting the mark on a filter
 * only delays the banner, whereas forgetting a mark on a form of work would lose a resident's words.
 */
let unsentTyping = false;
const NOT_WORK = 'search, [role="search"]';
document.addEventListener('input', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.closest?.('form') && !target.closest(NOT_WORK)) unsentTyping = true;
});
document.addEventListener('reset', () => {
  unsentTyping = false;
  setTimeout(showUpdateWhenFree);
}, true);

/** The banner waits while the resident is filling in a report or a form: reloading would lose it. */
function showUpdateWhenFree() {
  if (!updateReady || location.pathname.startsWith('/report') || unsentTyping) return;
  const waiting = updateReady;
  const banner = /** @type {HTMLElement} */ (document.getElementById('update-banner'));
  banner.hidden = false;
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('update-reload'));
  button.onclick = () => {
    button.disabled = true;
    reloadAsked = true;
    navigator.serviceWorker.controller?.postMessage({ type: 'stop-sending' });
    waiting.postMessage({ type: 'skip-waiting' });
  };
}

/** @param {unknown} url */
function isOwnUrl(url) {
  try {
    return typeof url === 'string' && new URL(url, location.origin).origin === location.origin;
  } catch {
    return false;
  }
}

async function startServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadAsked) location.reload();  // only after the resident pressed "Reload"
  });
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'report-updated') {
      if (onOutboxChange) onOutboxChange();
      refreshMyReports().catch(() => undefined);
    }
    if (event.data && event.data.type === 'open' && isOwnUrl(event.data.url)) {
      location.assign(new URL(event.data.url, location.origin).href);  // a tapped notification
    }
  });
  const registration = await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/', updateViaCache: 'none' });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    if (!installing) return;
    installing.addEventListener('statechange', () => {
      if (installing.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(installing);
    });
  });
}

document.getElementById('js-required')?.remove();
render().catch((error) => {
  main.replaceChildren();
  const h1 = document.createElement('h1');
  h1.textContent = 'Sorry, something went wrong';
  const p = document.createElement('p');
  p.textContent = 'Close the app and open it again. Reports you saved are safe.';
  main.append(h1, p);
  console.error(error);
});
updateBadge();
// Register this phone once, while there is a signal, so the worker can send from the first report.
outbox.deviceToken().catch(() => undefined);
// Keep the category list on the phone from the first visit, so the next report can be made offline.
import('./lib/draft.js').then(({ loadCategories }) => loadCategories()).catch(() => undefined);
startServiceWorker().catch((error) => console.warn('service worker', error));
resumeBackgroundSync().catch(() => undefined);
resumePushChange().catch(() => undefined);
flushFromPage(true).catch(() => undefined);
