// @ts-check
/// <reference lib="webworker" />
/**
 * Sending the outbox from the worker: on Background Sync (the signal is back, even with the app
 * closed) and when a new version activates, with the same outbox module as the page (a Web Lock
 * keeps the two from sending at once).
 */
import * as outbox from '/app/lib/outbox.js';
import { sw } from './scope.js';

sw.addEventListener('activate', () => {
  // Reports queued while the previous version was active are this version's job now. Not awaited:
  // the browser holds every fetch (the reload the resident asked for) until activation ends.
  const flush = () => outbox.flush({ by: 'sw', force: true }).catch(() => undefined);
  const sync = /** @type {any} */ (sw.registration).sync;
  if (sync) sync.register(outbox.SYNC_TAG).catch(flush);
  else flush();
});

/** Stops the sending under way when the resident asks for a new version (see 'stop-sending'). */
let stopSending = new AbortController();

sw.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'stop-sending') {
    // Sent to the old worker: the browser activates the new one only once the old one has no
    // event in progress, and a sync may be waiting on a slow upload. The report is kept and sent
    // again by the new worker.
    stopSending.abort();
    stopSending = new AbortController();
  }
});

sw.addEventListener('sync', (event) => {
  const sync = /** @type {Event & {tag: string, waitUntil(p: Promise<any>): void}} */ (event);
  if (sync.tag !== outbox.SYNC_TAG) return;
  sync.waitUntil(outbox.flush({ by: 'sw', force: true, signal: stopSending.signal }).then((result) => {
    // Rejecting asks the browser to try this sync again later.
    if (result.waiting) throw new Error(`${result.waiting} reports still waiting`);
  }));
});
