// @ts-check
/**
 * Sending the outbox from the page, for the app shell and the screens that offer to send.
 *
 * The page sends on start, when the signal returns, when the app comes back to the foreground,
 * after each save, and on a jittered backoff timer (iOS has no Background Sync); the service
 * worker sends on Background Sync. A Web Lock in outbox.js keeps them from sending at once.
 * While the page sends, the upload's progress is given to whoever subscribed (the "sending" screen).
 */
import * as outbox from './outbox.js';
import { xhrTransport } from './api.js';

/** @typedef {{sent: number, total: number}} Progress bytes of the upload under way */

/** @type {Progress | null} */
let current = null;
/** @type {Set<(progress: Progress | null) => void>} */
const listeners = new Set();

/** The upload under way from this page, or null when it is not sending. */
export function progress() {
  return current;
}

/**
 * Be told each time the upload moves on (and null when it ends).
 * @param {(progress: Progress | null) => void} listener
 * @returns {() => void} stop listening
 */
export function onProgress(listener) {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** @param {Progress | null} value */
function setProgress(value) {
  current = value;
  for (const listener of listeners) listener(value);
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;

/**
 * Send what is due now (all of it when `force`), then again when the next one is due. With no
 * network at all the page does not try by itself (each try would flip the screens to "Sending…"
 * and back): the signal's return sends. A resident who asks ("Try sending now") is always tried,
 * since a phone can be wrong about having no network.
 * @param {boolean} force
 * @param {{asked?: boolean}} [options]
 */
export async function flushFromPage(force, { asked = false } = {}) {
  if (!asked && navigator.onLine === false) return;
  const transport = xhrTransport((sent, total) => setProgress({ sent, total }));
  // A report with photos: the report goes in one small request, then its photos' parts, whose
  // progress (over all its photos) is what the sending screen shows.
  const onProgress = (/** @type {number} */ sent, /** @type {number} */ total) => setProgress({ sent, total });
  const result = await outbox.flush({ transport, onProgress, force, by: 'page' }).finally(() => { current = null; });
  if (result.waiting) requestBackgroundSync();  // so the worker sends them even if the app is closed
  clearTimeout(retryTimer);
  if (result.nextAttemptAt) retryTimer = setTimeout(() => flushFromPage(false), Math.max(1000, result.nextAttemptAt - Date.now()));
}

/**
 * Whether this browser sends what waits with the app closed (Background Sync: Chromium's). Safari
 * and Firefox send only while the app is open: the words residents read say which.
 */
export function sendsWhenClosed() {
  return 'serviceWorker' in navigator && 'SyncManager' in globalThis;
}

/** Words for when what waits is sent, true on this browser.
 * @param {'it' | 'photos'} [what] the report (or comment), or the photos of a report the council has */
export function whenSentWords(what = 'it') {
  const [it, itself] = what === 'photos' ? ['The rest of the photos will', 'by themselves'] : ['It will', 'by itself'];
  return sendsWhenClosed()
    ? `${it} be sent ${itself} as soon as there is a signal. You can close the app: nothing will be lost.`
    : `${it} be sent as soon as there is a signal while the app is open, or the next time you open it. Nothing will be lost.`;
}

/**
 * "2 reports and 1 comment are waiting to be sent." for what is in the outbox: a comment on an
 * application is not a report, and is not counted as one ('' when nothing waits).
 * @param {{kind?: string}[]} items the outbox's items
 */
export function waitingWords(items) {
  const comments = items.filter((item) => item.kind === 'representation').length;
  const reports = items.length - comments;
  const parts = [
    reports ? `${reports} ${reports === 1 ? 'report' : 'reports'}` : '',
    comments ? `${comments} ${comments === 1 ? 'comment' : 'comments'}` : '',
  ].filter(Boolean);
  if (!parts.length) return '';
  return `${parts.join(' and ')} ${items.length === 1 ? 'is' : 'are'} waiting to be sent.`;
}

/** Ask the service worker to send when the signal returns, even if the app is closed by then. */
export async function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const sync = registration && /** @type {any} */ (registration).sync;
  if (sync) await sync.register(outbox.SYNC_TAG).catch(() => undefined);
}

/** Chromium drops a sync after three failed tries: ask again each time the app starts with reports waiting. */
export async function resumeBackgroundSync() {
  if (!('serviceWorker' in navigator) || !(await outbox.count())) return;
  await navigator.serviceWorker.ready;
  await requestBackgroundSync();
}

/** After a report is saved: both ways of sending, and (once) ask to keep our storage. */
export async function afterSave() {
  requestBackgroundSync();
  flushFromPage(true).catch(() => undefined);
  if (navigator.storage && navigator.storage.persist && !localStorage.getItem('reportit:asked-persist')) {
    localStorage.setItem('reportit:asked-persist', '1');
    navigator.storage.persisted().then((yes) => (yes ? true : navigator.storage.persist())).catch(() => undefined);
  }
}
