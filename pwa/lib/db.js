// @ts-check
/**
 * The app's IndexedDB database, opened with idb (vendored: pwa/vendor/idb), shared by the page and
 * the service worker. Callers use idb's promise API on what `database()` gives them.
 *
 * Stores: `outbox` (reports not yet accepted by the server, keyed by client_id), `sent` (the
 * server's copy of each report sent from this device, keyed by client_id), `kv` (device token,
 * cached categories, the draft, the push endpoint the server holds and a push subscription change
 * not yet told to it), `shared` (photos shared into the app, waiting for the form).
 *
 * The name, version and stores are what phones already hold: changing them needs an upgrade step
 * that keeps every queued report.
 */
import { openDB } from '../vendor/idb/index.js';

export const NAME = 'reportit';
export const VERSION = 1;

/** @typedef {import('../vendor/idb/index.js').IDBPDatabase} Database */

/** @type {Promise<Database> | null} */
let opening = null;

/** The open database (opened once, and again after the browser closed it). @returns {Promise<Database>} */
export function database() {
  if (opening) return opening;
  opening = openDB(NAME, VERSION, {
    upgrade(db) {
      for (const store of ['outbox', 'sent']) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: 'client_id' });
      }
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('shared')) db.createObjectStore('shared', { autoIncrement: true });
    },
    // Another tab or worker wants a newer version: step aside, and open again next time.
    blocking() {
      opening?.then((db) => db.close());
      opening = null;
    },
    // Safari may close the connection when the app is in the background: open again next time.
    terminated() {
      opening = null;
    },
  });
  opening.catch(() => { opening = null; });
  return opening;
}
