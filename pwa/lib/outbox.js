// @ts-check
/**
 * The outbox: reports are saved here first and sent second, by the page or the service worker
 * (this same module runs in both), never by both at once (a Web Lock), one report per request,
 * with the report's client_id as its Idempotency-Key so a repeat can never make a second report.
 *
 * A report with photos goes in parts (photo-upload.js): the report first, naming each photo by its
 * SHA-256, so officers see it at once; then a preview of each photo; then each photo resumably.
 * The item stays in the outbox, with each photo's progress (`parts`), until every photo is in.
 *
 * An item's life: waiting → sending → (accepted: moved to `sent`) | waiting again with a later
 * next_attempt_at (no signal, 429, 5xx, a 2xx without a report, a damaged upload) | attention (any
 * other 4xx: the resident must change it).
 * Nothing is ever dropped without the resident asking.
 */
import { database } from './db.js';
import { deviceToken } from './device.js';
import { fetchHttp, sendPhotos } from './photo-upload.js';
import { sha256Hex } from './photos.js';

/**
 * @typedef {{name: string, type: string, data: ArrayBuffer}} StoredPhoto
 * @typedef {{field: string, message: string}} FieldError
 * @typedef {{category_name?: string, place?: string, photo_count?: number, photo_bytes?: number, photo_problems?: string[],
 *   closes_on?: string | null, late_comments?: string, regime?: string}} ItemSummary
 *   photo_count and photo_bytes are set on save, so screens can say "2 photos, 1.2 MB" without
 *   reading the photos (items saved by older versions may lack photo_bytes). A representation's
 *   holds its application's deadline and regime (representation.js).
 * @typedef {{
 *   client_id: string, created_at: string, fields: Record<string, any>, photos: StoredPhoto[],
 *   summary: ItemSummary, state: 'waiting' | 'sending' | 'attention', attempts: number,
 *   next_attempt_at: number, not_before: number, last_error: string, errors: FieldError[],
 *   parts?: import('./photo-upload.js').Parts, kind?: 'report' | 'representation'
 * }} OutboxItem
 *   parts: a report sent in parts: its photos' hashes, then (once stored) its reference and each photo's progress
 *   kind: absent for a report; 'representation' for a comment on an application (representation.js):
 *   `fields` = {reference, body}, sent as JSON to /api/applications/{reference}/representations
 * @typedef {{client_id: string, report: any, sent_at: string, sent_by: string, summary: Record<string, any>}} SentItem
 * @typedef {{status: number, headers: {get(name: string): string | null}, json: any}} SendResult
 * @typedef {(url: string, init: {headers: Record<string, string>, body: FormData, signal?: AbortSignal}) => Promise<SendResult>} Transport
 * @typedef {{transport?: Transport, http?: import('./photo-upload.js').Http, force?: boolean, by?: string,
 *   signal?: AbortSignal, onProgress?: (sent: number, total: number) => void}} FlushOptions
 *   transport: sends the report itself; http: everything after it (previews, photos' parts)
 */

export const LOCK = 'reportit-outbox';
export const SYNC_TAG = 'reportit-outbox';
export { deviceToken };  // app.js, account.js, api.js and the worker ask the outbox for it
/** A stalled upload gives up after this long, so it releases the outbox lock and is retried. */
export const UPLOAD_TIMEOUT = 120000;
const DAMAGED_RETRIES = 3;
const CHANNEL = 'reportit-outbox';
const BASE_DELAY = 2000;
const MAX_DELAY = 5 * 60 * 1000;

/** Tell every page (and the worker) that the outbox or My reports changed. */
export function announce(detail = {}) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: 'outbox-changed', ...detail });
  channel.close();
}

/** @param {(message: any) => void} listener */
export function listen(listener) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event) => listener(event.data);
  return () => channel.close();
}

/** @param {unknown} error */
export function isQuotaError(error) {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}

/**
 * Save a finished report. If `replaces` is given, that outbox item is removed in the same
 * transaction (a report the resident corrected after the server refused it).
 * Rejects with a QuotaExceededError DOMException when the phone is full; nothing saved before is touched.
 * @param {{client_id: string, fields: Record<string, any>, photos: StoredPhoto[], summary: Record<string, any>, kind?: 'report' | 'representation'}} report
 * @param {string} [replaces]
 * @param {{finishesDraft?: boolean}} [options] finishesDraft: the report is the one being written
 *   (draft.js's copy in kv `draft`): remove that copy in the same transaction, so a report sent
 *   just before the app is closed is never offered again as unfinished.
 */
export async function save(report, replaces, { finishesDraft = false } = {}) {
  /** @type {OutboxItem} */
  const item = {
    ...(report.kind ? { kind: report.kind } : {}),
    client_id: report.client_id,
    created_at: new Date().toISOString(),
    fields: report.fields,
    photos: report.photos,
    summary: {
      ...report.summary,
      photo_count: report.photos.length,
      photo_bytes: report.photos.reduce((sum, photo) => sum + photo.data.byteLength, 0),
    },
    state: 'waiting',
    attempts: 0,
    next_attempt_at: 0,
    not_before: 0,
    last_error: '',
    errors: [],
  };
  const db = await database();
  const tx = db.transaction(finishesDraft ? ['outbox', 'kv'] : ['outbox'], 'readwrite');
  const store = tx.objectStore('outbox');
  await Promise.all([
    replaces && replaces !== item.client_id ? store.delete(replaces) : null,
    store.put(item),
    finishesDraft ? tx.objectStore('kv').delete('draft') : null,
    tx.done,
  ]);
  announce();
  return item;
}

/** @returns {Promise<OutboxItem[]>} oldest first */
export async function list() {
  /** @type {OutboxItem[]} */
  const items = await (await database()).getAll('outbox');
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** How many reports are waiting (without reading them and their photos). @returns {Promise<number>} */
export async function count() {
  return (await database()).count('outbox');
}

/** @param {string} clientId @returns {Promise<OutboxItem | undefined>} */
export async function get(clientId) {
  return (await database()).get('outbox', clientId);
}

/** @param {string} clientId */
export async function discard(clientId) {
  await (await database()).delete('outbox', clientId);
  announce();
}

/** @returns {Promise<SentItem[]>} newest first */
export async function sent() {
  /** @type {SentItem[]} */
  const items = await (await database()).getAll('sent');
  return items.sort((a, b) => b.sent_at.localeCompare(a.sent_at));
}

/** @param {string} clientId @returns {Promise<SentItem | undefined>} */
export async function sentItem(clientId) {
  return (await database()).get('sent', clientId);
}

/** Replace local copies with the server's current view of this device's reports. @param {any[]} reports */
export async function refreshSent(reports) {
  const byReference = new Map(reports.map((r) => [r.reference, r]));
  const tx = (await database()).transaction('sent', 'readwrite');
  for await (const at of tx.store) {
    const fresh = at.value.report?.reference && byReference.get(at.value.report.reference);
    if (fresh) await at.update({ ...at.value, report: fresh });
  }
  await tx.done;
  announce({ refreshed: true });
}

/** @param {Record<string, any>} fields @param {StoredPhoto[]} photos */
export function formData(fields, photos) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  photos.forEach((photo, i) => form.append('photo', new Blob([photo.data], { type: photo.type }), photo.name || `photo-${i + 1}.jpg`));
  return form;
}

/** @type {Transport} */
async function fetchTransport(url, init) {
  // A stalled upload must end (releasing the lock) so it can be retried; so must one the caller
  // stops. (A timer rather than AbortSignal.timeout/any, which older Safari and Chrome lack.)
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), UPLOAD_TIMEOUT);
  const stop = () => controller.abort();
  init.signal?.addEventListener('abort', stop);
  try {
    const response = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, credentials: 'same-origin', signal: controller.signal });
    const json = await response.json().catch(() => null);
    return { status: response.status, headers: response.headers, json };
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener('abort', stop);
  }
}

/** @param {number} attempts */
export function backoff(attempts) {
  const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** Math.max(0, attempts - 1));
  return Math.round(delay * (0.5 + Math.random()));  // jitter: phones coming back online together spread out
}

/** @param {string | null} header @returns {number} milliseconds, 0 when absent */
function retryAfter(header) {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const when = Date.parse(header);
  return Number.isNaN(when) ? 0 : Math.max(0, when - Date.now());
}

/** @param {any} json */
function problemMessages(json) {
  /** @type {FieldError[]} */
  const errors = Array.isArray(json?.errors) ? json.errors.map((/** @type {any} */ e) => ({ field: String(e.field), message: String(e.message) })) : [];
  const message = errors.length ? errors.map((e) => e.message).join(' ') : String(json?.detail || json?.title || 'The council could not accept this report.');
  return { errors, message };
}

/** @param {OutboxItem} item */
async function update(item) {
  await (await database()).put('outbox', item);
  announce({ client_id: item.client_id, state: item.state });
}

/** @param {OutboxItem} item @returns {Promise<FormData>} the report, naming its photos */
async function reportForm(item) {
  if (!item.photos.length) return formData(item.fields, []);
  const form = formData(item.fields, []);
  const hashes = item.parts?.hashes || [];
  item.photos.forEach((photo, i) => {
    form.append('photo_sha256', hashes[i]);
    form.append('photo_size', String(photo.data.byteLength));
  });
  return form;
}

/** @param {OutboxItem} item @param {any} report @param {string} by */
async function moveToSent(item, report, by) {
  /** @type {SentItem} */
  const done = { client_id: item.client_id, report, sent_at: new Date().toISOString(), sent_by: by, summary: item.summary };
  const tx = (await database()).transaction(['outbox', 'sent'], 'readwrite');
  await Promise.all([tx.objectStore('sent').put(done), tx.objectStore('outbox').delete(item.client_id), tx.done]);
  announce({ client_id: item.client_id, state: 'sent', reference: report.reference, kind: item.kind || 'report' });
}

/** @param {OutboxItem} item @param {number} status @param {number} wait @returns {OutboxItem} */
function waitAgain(item, status, wait) {
  const attempts = item.attempts + 1;
  return {
    ...item, state: 'waiting', attempts,
    next_attempt_at: Date.now() + Math.max(wait, backoff(attempts)),
    not_before: wait ? Date.now() + wait : 0,
    last_error: status === 429 ? 'The council is busy. It will be sent automatically.' : 'The council could not take it just now. It will be sent automatically.',
  };
}

/**
 * Send one item; resolves with the item as it was kept (waiting again, or needing attention), or
 * null when the server accepted it (it is in `sent` now).
 * @param {OutboxItem} item @param {Required<Pick<FlushOptions, 'transport' | 'http' | 'by'>> & FlushOptions} options
 */
async function sendOne(item, { transport, http, by, signal, onProgress }) {
  /** @param {OutboxItem} changed */
  const leave = async (changed) => {
    await update(changed);
    return changed;
  };
  /** The item as far as it got: what a failure keeps. */
  let current = { ...item, state: /** @type {const} */ ('sending') };
  await update(current);
  const noSignal = () => {
    const attempts = current.attempts + 1;
    return leave({ ...current, state: 'waiting', attempts, next_attempt_at: Date.now() + backoff(attempts), last_error: 'No signal. It will be sent automatically.' });
  };
  if (item.photos.length && !item.parts?.hashes?.length) {
    current = { ...current, parts: { hashes: await Promise.all(item.photos.map((photo) => sha256Hex(photo.data))) } };
    await update(current);
  }
  /** @type {string} */
  let token;
  try {
    token = await deviceToken();
  } catch {
    return noSignal();
  }
  if (item.kind === 'representation') {
    /** @type {SendResult} */
    let result;
    try {
      const path = String(item.fields.reference).split('/').map(encodeURIComponent).join('/');
      result = await http(`/api/applications/${path}/representations`, {
        method: 'POST',
        headers: { 'Idempotency-Key': item.client_id, Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: new Blob([JSON.stringify(item.fields.body)], { type: 'application/json' }),
        signal,
      });
    } catch {
      return noSignal();
    }
    if (result.status >= 200 && result.status < 300 && result.json?.id) {
      await moveToSent(item, { ...result.json, kind: 'representation', url: `/a/${item.fields.reference}` }, by);
      return null;
    }
    if (result.status === 401) await (await database()).delete('kv', 'device');
    // Too many wrong codes for this address: sending it again by itself cannot help; the resident
    // needs a new code (the Outbox offers one).
    const codeLocked = result.status === 429 && Array.isArray(result.json?.errors) && result.json.errors.some((/** @type {any} */ e) => e.field === 'code');
    if (!codeLocked && (result.status >= 200 && result.status < 300 || result.status === 401 || result.status === 408 || result.status === 429 || result.status >= 500)) {
      return leave(waitAgain(item, result.status, retryAfter(result.headers.get('Retry-After'))));
    }
    // Refused (too late for a licensing application, decided, withdrawn, a field to put right):
    // kept, with the council's words, for the resident to read.
    const { errors, message } = problemMessages(result.json);
    return leave({ ...item, state: 'attention', attempts: item.attempts + 1, last_error: message, errors });
  }
  if (!current.parts?.reference) {
    /** @type {SendResult} */
    let result;
    try {
      result = await transport('/api/reports', {
        headers: { 'Idempotency-Key': item.client_id, Authorization: `Bearer ${token}`, Accept: 'application/json' },
        body: await reportForm(current),
        signal,
      });
    } catch (error) {
      return noSignal();
    }
    // A 2xx without a report (a body cut short, a captive portal, a wrong proxy) is not proof the
    // council has it: keep it and send again; the Idempotency-Key makes a repeat harmless.
    if (result.status >= 200 && result.status < 300 && result.json?.reference) {
      if (!item.photos.length || !Array.isArray(result.json.uploads)) {
        await moveToSent(item, result.json, by);
        return null;
      }
      current = { ...current, attempts: 0, last_error: '', parts: { ...current.parts, hashes: current.parts?.hashes || [], reference: result.json.reference, report: result.json, uploads: result.json.uploads } };
      await update(current);
    } else {
      const attempts = item.attempts + 1;
      if (result.status === 401) await (await database()).delete('kv', 'device');  // register again next time
      const noReport = result.status >= 200 && result.status < 300;
      // A 400 with no field errors is a damaged upload, not something the resident can fix: send again.
      const damaged = result.status === 400 && !Array.isArray(result.json?.errors) && attempts <= DAMAGED_RETRIES;
      if (noReport || damaged || result.status === 401 || result.status === 408 || result.status === 429 || result.status >= 500) {
        return leave(waitAgain(item, result.status, retryAfter(result.headers.get('Retry-After'))));
      }
      const { errors, message } = problemMessages(result.json);
      return leave({ ...item, state: 'attention', attempts, last_error: message, errors });
    }
  }
  const parts = /** @type {import('./photo-upload.js').Parts} */ (current.parts);
  /** @type {import('./photo-upload.js').PhotosOutcome} */
  let outcome;
  try {
    outcome = await sendPhotos({ parts, photos: item.photos }, {
      http, token, signal, onProgress,
      keep: async () => { current = { ...current, parts }; await update(current); },
    });
  } catch {
    return noSignal();
  }
  if (outcome.outcome === 'later') {
    if (outcome.status === 401) await (await database()).delete('kv', 'device');
    return leave(waitAgain(current, outcome.status, outcome.wait));
  }
  // The item leaves the Outbox only once every photo is in or the council refused it.
  const unsettled = (parts.uploads || []).some((u) => !u.complete && !u.failed);
  if (unsettled) return leave(waitAgain(current, 0, 0));
  // Every photo is in (or was refused, which the report's page then shows): the council's copy now.
  const fresh = await http(`/api/reports/${parts.reference}`, { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }).catch(() => null);
  // A photo the council could not use is said on the Outbox's "Sent recently", not dropped unsaid.
  const problems = (parts.uploads || []).filter((u) => u.failed).map((u) => /** @type {string} */ (u.failed));
  const kept = problems.length ? { ...item, summary: { ...item.summary, photo_problems: problems } } : item;
  await moveToSent(kept, fresh?.status === 200 && fresh.json?.reference ? fresh.json : parts.report, by);
  return null;
}

/**
 * Send every report that is due. Safe to call from anywhere at any time: callers queue on a lock.
 * @param {FlushOptions} [options]
 *   force: ignore the backoff (the network just came back), but never a server's Retry-After.
 *   signal: stop waiting for the lock, and stop the upload under way (it is kept and sent later).
 * @returns {Promise<{sent: number, waiting: number, attention: number, nextAttemptAt: number}>}
 */
export async function flush(options = {}) {
  const run = () => flushLocked(options);
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return options.signal ? navigator.locks.request(LOCK, { signal: options.signal }, run) : navigator.locks.request(LOCK, run);
  }
  return run();
}

/** @typedef {Omit<OutboxItem, 'photos'>} ItemState an item as the flush keeps it in memory: without its photos */

/** @param {OutboxItem} item @returns {ItemState} */
function withoutPhotos({ photos, ...state }) {
  return state;
}

/**
 * Each item's photos are read from IndexedDB once to find it and once more only when it is sent,
 * not on every turn of the loop (a queue of reports with photos would be read over and over).
 * Items saved while the flush runs are picked up before it ends.
 * @param {FlushOptions} options
 */
async function flushLocked({ transport = fetchTransport, http = fetchHttp, force = false, by = 'page', signal, onProgress }) {
  const db = await database();
  let sentCount = 0;
  /** @type {Map<IDBValidKey, ItemState | null>} what the flush knows of each item (null: sent) */
  const known = new Map();
  let stopped = false;
  while (!stopped && !signal?.aborted) {
    const fresh = (await db.getAllKeys('outbox')).filter((key) => !known.has(key));
    if (!fresh.length) break;
    /** @type {ItemState[]} */
    const queue = [];
    for (const key of fresh) {
      const item = await db.get('outbox', key);
      if (item) queue.push(withoutPhotos(item));
      known.set(key, item ? withoutPhotos(item) : null);
    }
    queue.sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const candidate of queue) {
      const now = Date.now();
      const due = candidate.state !== 'attention' && candidate.not_before <= now && (force || candidate.next_attempt_at <= now);
      if (!due) continue;
      if (signal?.aborted) break;
      const item = await get(candidate.client_id);  // with its photos; deleted or changed meanwhile?
      if (!item || item.state === 'attention') continue;
      const kept = await sendOne(item, { transport, http, by, signal, onProgress });
      if (!kept) sentCount += 1;
      known.set(item.client_id, kept && withoutPhotos(kept));
      if (kept?.state === 'waiting') {  // no signal: the rest would fail too
        stopped = true;
        break;
      }
    }
  }
  /** @type {ItemState[]} */
  const left = [];
  for (const key of await db.getAllKeys('outbox')) {
    let state = known.get(key);
    if (!state) {
      const item = await db.get('outbox', key);
      state = item ? withoutPhotos(item) : null;
    }
    if (state) left.push(state);
  }
  const waiting = left.filter((i) => i.state !== 'attention');
  return {
    sent: sentCount,
    waiting: waiting.length,
    attention: left.length - waiting.length,
    nextAttemptAt: waiting.length ? Math.min(...waiting.map((i) => Math.max(i.next_attempt_at, i.not_before))) : 0,
  };
}
