// What the app's lib/ modules expect from a browser and Node 20 lacks: IndexedDB (fake-indexeddb,
// an implementation of the spec that keeps everything in memory) and localStorage.
import 'fake-indexeddb/auto';

const stored = new Map();
globalThis.localStorage = /** @type {Storage} */ (/** @type {unknown} */ ({
  getItem: (key) => (stored.has(key) ? stored.get(key) : null),
  setItem: (key, value) => { stored.set(key, String(value)); },
  removeItem: (key) => { stored.delete(key); },
  clear: () => stored.clear(),
}));

/** Empty every store of the app's database between tests. */
export async function emptyDatabase() {
  const { database } = await import('../../pwa/lib/db.js');
  const db = await database();
  for (const store of db.objectStoreNames) await db.clear(store);
}
