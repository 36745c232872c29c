// @ts-check
/**
 * A report's photos, sent after the report itself (outbox.js sends the report first, naming each
 * photo by its SHA-256 and size): a small preview of each, then each photo by the IETF resumable
 * uploads draft. HEAD asks the council's server how much it holds; PATCH sends the next part from
 * there. Where each photo stands (its offset, complete or not) is kept on the outbox item in
 * IndexedDB after every part, so a drop, a closed app or a restarted phone carries on from the
 * server's offset, from the page or the service worker alike.
 *
 * The part size follows the link: it starts small, grows towards what the link carried in about
 * four seconds, and halves after a failure, so a slow link loses little when it drops.
 */
import { makePreview } from './photos.js';

/**
 * @typedef {{status: number, headers: {get(name: string): string | null}, json: any}} HttpResult
 * @typedef {{method: string, headers: Record<string, string>, body?: Blob | null, signal?: AbortSignal, timeout?: number}} HttpInit
 * @typedef {(url: string, init: HttpInit) => Promise<HttpResult>} Http
 * @typedef {{position: number, sha256: string, length: number, upload_url: string, preview_url: string,
 *   complete: boolean, has_preview: boolean, offset?: number, failed?: string, damaged?: number, no_preview?: boolean,
 *   puzzled?: number}} Upload
 *   failed: the council refused the photo itself (the resident is told); puzzled: 4xx answers in a row
 *   that were no such refusal (the phone asks the server's offset and carries on, a bounded number of times)
 * @typedef {{hashes: string[], reference?: string, report?: any, uploads?: Upload[], chunk?: number}} Parts
 *   hashes: each photo's SHA-256, in the item's photo order; the rest once the report is stored.
 * @typedef {{outcome: 'done'} | {outcome: 'later', status: number, wait: number}} PhotosOutcome
 */

export const MIN_CHUNK = 8 * 1024;
export const START_CHUNK = 16 * 1024;
export const MAX_CHUNK = 1024 * 1024;  // the server's max-append-size
const TARGET_MS = 4000;
const DAMAGED_RETRIES = 3;
const PUZZLED_RETRIES = 5;  // unexplained 4xx answers to one photo before it waits for a later try
export const PARTIAL_UPLOAD = 'application/partial-upload';
const DAMAGED = 'tag:reportit,2026:photo-damaged';

/** @param {number} value */
function roundKb(value) {
  return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.round(value / 1024) * 1024));
}

/**
 * The next part's size after `bytes` went in `ms`: what the link carries in about four seconds,
 * at most double the last. @param {number} current @param {number} bytes @param {number} ms
 */
export function nextChunk(current, bytes, ms) {
  const wanted = ms > 0 ? (bytes / ms) * TARGET_MS : current * 2;
  return roundKb(Math.min(wanted, current * 2));
}

/** After a part failed: half the size. @param {number} current */
export function afterFailure(current) {
  return roundKb(current / 2);
}

/** How long one part may take before it is given up (and resumed): at least 1 KB/s. @param {number} size */
export function partTimeout(size) {
  return Math.max(30000, size);
}

/**
 * Where an outbox item's photos stand, or null before its report is stored.
 * @param {{parts?: Parts, photos?: {data: ArrayBuffer}[]}} item
 * @returns {{sent: number, total: number, bytesLeft: number} | null}
 */
export function photoProgress(item) {
  const uploads = item.parts?.uploads;
  if (!uploads || !uploads.length) return null;
  const sent = uploads.filter((u) => u.complete).length;
  const bytesLeft = uploads.filter((u) => !u.complete && !u.failed).reduce((sum, u) => sum + u.length - (u.offset || 0), 0);
  return { sent, total: uploads.length, bytesLeft };
}

/** "2 of 3 photos sent, 40 KB left" @param {{sent: number, total: number, bytesLeft: number}} progress */
export function progressWords({ sent, total, bytesLeft }) {
  const left = bytesLeft >= 1024 * 1024 ? `${(bytesLeft / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytesLeft / 1024))} KB`;
  return `${sent} of ${total} photo${total === 1 ? '' : 's'} sent${bytesLeft > 0 ? `, ${left} left` : ''}`;
}

/** @type {Http} */
export async function fetchHttp(url, { method, headers, body, signal, timeout = 60000 }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const stop = () => controller.abort();
  signal?.addEventListener('abort', stop);
  try {
    const response = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: controller.signal });
    const json = method === 'HEAD' || response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, headers: response.headers, json };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

/** @param {number} status */
function worthRetrying(status) {
  return status === 401 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The council refused the photo itself: not ours to send (403), given up (410), or not a photo it
 * can use (422, other than "damaged on the way", which is sent again). Only these give a photo up.
 * @param {HttpResult} result
 */
export function refusesThePhoto(result) {
  return result.status === 403 || result.status === 410 || (result.status === 422 && result.json?.type !== DAMAGED);
}

/** @param {HttpResult} result @returns {PhotosOutcome} */
function later(result) {
  const seconds = Number(result.headers.get('Retry-After'));
  return { outcome: 'later', status: result.status, wait: Number.isFinite(seconds) ? seconds * 1000 : 0 };
}

/** @param {any} json */
function message(json) {
  const first = Array.isArray(json?.errors) && json.errors[0];
  return String(first?.message || json?.detail || json?.title || 'The council could not use this photo.');
}

/**
 * Send the previews, then the photos, of an item whose report is stored. Network failures throw
 * (the caller keeps the item waiting); the server's refusals come back as an outcome.
 * @param {{parts: Parts, photos: {data: ArrayBuffer, type: string}[]}} item
 * @param {{http: Http, token: string, signal?: AbortSignal, keep: () => Promise<void>,
 *   onProgress?: (sent: number, total: number) => void}} options keep: write the item's progress to IndexedDB
 * @returns {Promise<PhotosOutcome>}
 */
export async function sendPhotos(item, { http, token, signal, keep, onProgress }) {
  const { parts } = item;
  const uploads = parts.uploads || [];
  const auth = { Authorization: `Bearer ${token}` };
  /** @param {Upload} upload */
  const photo = (upload) => {
    const index = parts.hashes.indexOf(upload.sha256);
    return new Blob([item.photos[index].data], { type: item.photos[index].type || 'image/jpeg' });
  };
  const total = uploads.reduce((sum, u) => sum + u.length, 0);
  const report = () => onProgress?.(uploads.reduce((sum, u) => sum + (u.complete ? u.length : u.offset || 0), 0), total);

  for (const upload of uploads) {  // first every preview: evidence for an officer within seconds
    if (upload.complete || upload.has_preview || upload.no_preview || upload.failed) continue;
    const preview = await makePreview(photo(upload));
    if (!preview) {
      upload.no_preview = true;
      continue;
    }
    const answer = await http(upload.preview_url, { method: 'PUT', headers: { ...auth, 'Content-Type': 'image/jpeg' }, body: preview, signal });
    if (answer.status >= 200 && answer.status < 300) upload.has_preview = true;
    else if (worthRetrying(answer.status)) return later(answer);
    else upload.no_preview = true;  // the photo itself still goes
    await keep();
  }

  for (const upload of uploads) {
    if (upload.complete || upload.failed) continue;
    const data = photo(upload);
    /** Ask the server how much it holds; an outcome when the photo cannot go on now. @returns {Promise<PhotosOutcome | null>} */
    const ask = async () => {
      const asked = await http(upload.upload_url, { method: 'HEAD', headers: auth, signal });
      if (asked.status >= 300) {
        if (refusesThePhoto(asked)) {
          upload.failed = message(asked.json);
          await keep();
          return null;
        }
        upload.puzzled = (upload.puzzled || 0) + 1;
        await keep();
        return later(asked);  // kept in the Outbox and tried again later, never given up for this
      }
      upload.offset = Number(asked.headers.get('Upload-Offset')) || 0;
      upload.complete = asked.headers.get('Upload-Complete') === '?1';
      await keep();
      report();
      return null;
    };
    const stop = await ask();
    if (stop) return stop;
    while (!upload.complete && !upload.failed) {
      const size = parts.chunk || START_CHUNK;
      const start = upload.offset || 0;
      const end = Math.min(upload.length, start + size);
      const last = end >= upload.length;
      const began = Date.now();
      /** @type {HttpResult} */
      let answer;
      try {
        answer = await http(upload.upload_url, {
          method: 'PATCH',
          headers: { ...auth, 'Content-Type': PARTIAL_UPLOAD, 'Upload-Offset': String(start), 'Upload-Complete': last ? '?1' : '?0' },
          body: data.slice(start, end),
          signal,
          timeout: partTimeout(size),
        });
      } catch (error) {
        parts.chunk = afterFailure(size);
        await keep();
        throw error;
      }
      if (answer.status === 204) {
        upload.offset = Number(answer.headers.get('Upload-Offset'));
        if (upload.offset > start) upload.puzzled = 0;
        parts.chunk = nextChunk(size, upload.offset - start, Date.now() - began);
      } else if (answer.status === 200 || answer.status === 201) {
        upload.complete = true;
        upload.offset = upload.length;
        parts.chunk = nextChunk(size, end - start, Date.now() - began);
      } else if (answer.status === 409 && Number.isFinite(answer.json?.['expected-offset'])) {
        upload.offset = answer.json['expected-offset'];  // the server holds more (or less): carry on from there
      } else if (answer.status === 400 && String(answer.json?.type).endsWith('#completed-upload')) {
        upload.complete = true;
      } else if (answer.json?.type === DAMAGED && (upload.damaged = (upload.damaged || 0) + 1) <= DAMAGED_RETRIES) {
        upload.offset = 0;  // arrived different from the phone's copy: the server dropped it, send it again
      } else if (worthRetrying(answer.status)) {
        await keep();
        return later(answer);
      } else if (refusesThePhoto(answer) || answer.json?.type === DAMAGED) {
        upload.failed = message(answer.json);  // the resident is told, on the Outbox's "Sent recently"
      } else {
        // Any other 4xx (a part cut short by an older server, a length it did not expect, a part too
        // large): not a refusal of the photo. Ask where the server stands and carry on from there.
        upload.puzzled = (upload.puzzled || 0) + 1;
        parts.chunk = afterFailure(size);
        if (upload.puzzled > PUZZLED_RETRIES) {
          await keep();
          return later(answer);  // the item waits in the Outbox for a later try
        }
        const stop = await ask();
        if (stop) return stop;
        continue;
      }
      await keep();
      report();
    }
  }
  return { outcome: 'done' };
}
