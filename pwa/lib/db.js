// @ts-check
/**
 * IndexedDB behind a tiny promise API, shared by the page and the service worker.
 *
 * Stores: `outbox` (reports not yet accepted by the server, keyed by client_id), `sent` (the
 * server's copy of each report sent from this device, keyed by client_id), `kv` (device token,
 * cached categories, the push endpoint the server holds and a push subscription change not yet
 * told to it), `shared` (photos shared into the app, waiting for the form).
 */

const NAME = 'reportit';
const VERSION = 1;

/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** @returns {Promise<IDBDatabase>} */
export function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of ['outbox', 'sent']) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: 'client_id' });
      }
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('shared')) db.createObjectStore('shared', { autoIncrement: true });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Safari may close the connection when the app is in the background: open again next time.
      db.onclose = () => { opening = null; };
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

/** @param {IDBRequest | IDBTransaction} target */
function settle(target) {
  return new Promise((resolve, reject) => {
    if (target instanceof IDBTransaction) {
      target.oncomplete = () => resolve(undefined);
      // A failed request's error event bubbles here before the transaction has its own error.
      target.onerror = (event) => reject(/** @type {IDBRequest} */ (event.target).error || target.error);
      target.onabort = () => reject(target.error || new DOMException('Transaction aborted', 'AbortError'));
    } else {
      target.onsuccess = () => resolve(target.result);
      target.onerror = () => reject(target.error);
    }
  });
}

/**
 * Run `work` in one transaction over `stores`; resolves with work's result once committed.
 * @template T
 * @param {string[]} stores
 * @param {IDBTransactionMode} mode
 * @param {(tx: IDBTransaction) => T} work
 * @returns {Promise<T>}
 */
export async function transaction(stores, mode, work) {
  const db = await open();
  const tx = db.transaction(stores, mode);
  const done = settle(tx);
  let result;
  try {
    result = work(tx);
  } catch (error) {
    tx.abort();
    throw error;
  }
  await done;
  return result;
}

/** @param {string} store @param {IDBValidKey} key @returns {Promise<any>} */
export async function get(store, key) {
  const db = await open();
  return settle(db.transaction(store).objectStore(store).get(key));
}

/** @param {string} store @returns {Promise<any[]>} */
export async function all(store) {
  const db = await open();
  return settle(db.transaction(store).objectStore(store).getAll());
}

/** @param {string} store @param {any} value @param {IDBValidKey} [key] */
export function put(store, value, key) {
  return transaction([store], 'readwrite', (tx) => { tx.objectStore(store).put(value, key); });
}

/** @param {string} store @param {IDBValidKey} key */
export function remove(store, key) {
  return transaction([store], 'readwrite', (tx) => { tx.objectStore(store).delete(key); });
}
