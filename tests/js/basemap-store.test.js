// The basemap kept on the phone (pwa/lib/basemap-store.js): ranges kept as 200s under their own
// keys and handed back as 206s; ranges cut from the whole file once a warden kept it; other
// versions forgotten. Cache Storage is the platform's: here a small in-memory one with its API.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

const ORIGIN = 'http://127.0.0.1';
/** @type {Map<string, Map<string, Response>>} */
const stores = new Map();
const absolute = (key) => new URL(typeof key === 'string' ? key : key.url, ORIGIN).href;
globalThis.caches = {
  async open(name) {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name);
    return {
      async match(key) { const hit = store.get(absolute(key)); return hit ? hit.clone() : undefined; },
      async put(key, response) { store.set(absolute(key), response.clone()); },
      async delete(key) { return store.delete(absolute(key)); },
      async keys() { return [...store.keys()].map((url) => new Request(url)); },
    };
  },
  async delete(name) { return stores.delete(name); },
};

const store = await import('../../pwa/lib/basemap-store.js');
const PATH = '/basemap/0123456789abcdef.pmtiles';
const FILE = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));

beforeEach(() => stores.clear());

function served(start, end) {
  const body = FILE.slice(start, end + 1);
  return new Response(body, { status: 206, headers: {
    'Content-Type': 'application/vnd.pmtiles', 'Content-Range': `bytes ${start}-${end}/${FILE.length}`, 'ETag': '"0123456789abcdef"',
  } });
}

test('only a single bytes=a-b range is understood', () => {
  assert.deepEqual(store.parseRange('bytes=0-16383'), { start: 0, end: 16383 });
  assert.equal(store.parseRange('bytes=5-'), null);
  assert.equal(store.parseRange('bytes=0-1,5-9'), null);
  assert.equal(store.parseRange('bytes=9-5'), null);
  assert.equal(store.parseRange(null), null);
});

test('a range the server sent is handed back as the same 206, by its own key only', async () => {
  await store.keepRange(PATH, { start: 100, end: 199 }, served(100, 199));
  const again = await store.keptRange(PATH, { start: 100, end: 199 });
  assert.equal(again.status, 206);
  assert.equal(again.headers.get('Content-Range'), 'bytes 100-199/1000');
  assert.equal(again.headers.get('ETag'), '"0123456789abcdef"');
  assert.deepEqual(new Uint8Array(await again.arrayBuffer()), FILE.slice(100, 200));
  assert.equal(await store.keptRange(PATH, { start: 100, end: 150 }), null);
});

test('once the whole file is kept any range is cut from it, the end clamped to the file', async () => {
  const cache = await caches.open(store.CACHE);
  await cache.put(PATH, new Response(FILE, { headers: { 'Content-Type': 'application/vnd.pmtiles', 'ETag': '"0123456789abcdef"' } }));
  assert.ok(await store.isWholeKept(PATH));
  const middle = await store.keptRange(PATH, { start: 10, end: 19 });
  assert.equal(middle.status, 206);
  assert.equal(middle.headers.get('Content-Range'), 'bytes 10-19/1000');
  assert.deepEqual(new Uint8Array(await middle.arrayBuffer()), FILE.slice(10, 20));
  const first = await store.keptRange(PATH, { start: 0, end: 16383 });
  assert.equal(first.headers.get('Content-Range'), 'bytes 0-999/1000');
  assert.equal(Number(first.headers.get('Content-Length')), 1000);
  assert.equal(await store.keptRange(PATH, { start: 1000, end: 1100 }), null);
  await store.forgetWhole(PATH);
  assert.equal(await store.isWholeKept(PATH), false);
});

test('a new version of the file forgets what was kept of the others', async () => {
  const old = '/basemap/ffffffffffffffff.pmtiles';
  await store.keepRange(old, { start: 0, end: 9 }, served(0, 9));
  await store.keepRange(PATH, { start: 0, end: 9 }, served(0, 9));
  await store.forgetOtherVersions(PATH);
  assert.equal(await store.keptRange(old, { start: 0, end: 9 }), null);
  assert.ok(await store.keptRange(PATH, { start: 0, end: 9 }));
});
