// A phone updated from the version before idb keeps its queued reports: the database those
// versions made (same name, version and stores) opens as it is, and what waited in it is sent.
import './browser-globals.js';
import test from 'node:test';
import assert from 'node:assert/strict';

/** The database as the app made it before idb (its own open() and upgrade), with one report queued. */
function openAsBefore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('reportit', 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of ['outbox', 'sent']) db.createObjectStore(store, { keyPath: 'client_id' });
      db.createObjectStore('kv');
      db.createObjectStore('shared', { autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

test('reports queued by the version before idb are still there, and are sent', async () => {
  const before = await openAsBefore();
  await new Promise((resolve, reject) => {
    const tx = before.transaction(['outbox', 'kv'], 'readwrite');
    tx.objectStore('outbox').put({
      client_id: 'queued-before', created_at: '2026-01-01T10:00:00.000Z', fields: { category: 'graffiti', description: 'Old' },
      photos: [{ name: 'a.jpg', type: 'image/jpeg', data: new ArrayBuffer(10) }],
      summary: { category_name: 'Graffiti', photo_count: 1 }, state: 'waiting', attempts: 2,
      next_attempt_at: 0, not_before: 0, last_error: 'No signal.', errors: [],
    });
    tx.objectStore('kv').put({ token: 'old-token' }, 'device');
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  before.close();

  const outbox = await import('../../pwa/lib/outbox.js');
  assert.deepEqual((await outbox.list()).map((i) => i.client_id), ['queued-before']);
  assert.equal(await outbox.count(), 1);
  const sent = [];
  const result = await outbox.flush({
    transport: async (url, init) => {
      sent.push([init.headers['Idempotency-Key'], init.headers.Authorization, init.body.getAll('photo_sha256').length]);
      return { status: 201, headers: new Headers(), json: { reference: 'WCC-0001' } };
    },
  });
  assert.equal(result.sent, 1);
  assert.deepEqual(sent, [['queued-before', 'Bearer old-token', 1]]);
  assert.deepEqual((await outbox.sent()).map((i) => [i.client_id, i.summary.category_name]), [['queued-before', 'Graffiti']]);
});
