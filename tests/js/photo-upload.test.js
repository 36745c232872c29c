// A report with photos on a bad link (pwa/lib/outbox.js and photo-upload.js against a small
// resumable-uploads server written here): the report first, each photo resumed from the server's
// offset after a drop, nothing sent twice, progress kept in IndexedDB.
import { emptyDatabase } from './browser-globals.js';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as outbox from '../../pwa/lib/outbox.js';
import { afterFailure, nextChunk, photoProgress, progressWords, MIN_CHUNK, MAX_CHUNK, START_CHUNK } from '../../pwa/lib/photo-upload.js';
import { database } from '../../pwa/lib/db.js';

/** @param {number} size @param {number} seed */
function photo(size, seed) {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) data[i] = (i * 31 + seed) & 0xff;
  return { name: `p${seed}.jpg`, type: 'image/jpeg', data: data.buffer };
}

const sha = (/** @type {ArrayBuffer | Uint8Array} */ bytes) => createHash('sha256').update(new Uint8Array(bytes)).digest('hex');

/**
 * The council's server, as far as the app can tell: reports by Idempotency-Key, then each declared
 * photo's bytes by HEAD and PATCH. `dropAfter(request)` cuts a PATCH after that many of its bytes
 * arrived (the server keeps them, as ours does), then the phone sees no signal.
 */
function council({ dropAfter = () => -1, held = new Set() } = {}) {
  const reports = new Map();
  /** @type {Map<string, {length: number, bytes: number[], complete: boolean}>} */
  const uploads = new Map();
  const log = [];
  /** @type {import('../../pwa/lib/outbox.js').Transport} */
  const transport = async (url, init) => {
    const key = init.headers['Idempotency-Key'];
    log.push('POST report');
    if (!reports.has(key)) {
      const hashes = init.body.getAll('photo_sha256');
      const sizes = init.body.getAll('photo_size').map(Number);
      const reference = `REF${reports.size}`;
      reports.set(key, {
        reference,
        uploads: hashes.map((h, i) => {
          const complete = held.has(h);
          uploads.set(h, { length: sizes[i], bytes: [], complete });
          return { position: i, sha256: h, length: sizes[i], upload_url: `/api/reports/${reference}/photos/${h}`, preview_url: `/p/${h}`, complete, has_preview: false };
        }),
      });
    }
    const stored = reports.get(key);
    return { status: 201, headers: new Headers(), json: { reference: stored.reference, photos: [], uploads: stored.uploads } };
  };
  let patches = 0;
  /** @type {import('../../pwa/lib/photo-upload.js').Http} */
  const http = async (url, init) => {
    const h = url.split('/').pop();
    const upload = uploads.get(h);
    if (init.method === 'GET') return { status: 200, headers: new Headers(), json: { reference: url.split('/').pop(), photos: [] } };
    if (init.method === 'HEAD') {
      log.push(`HEAD ${upload.bytes.length}`);
      return { status: 204, headers: new Headers({ 'Upload-Offset': String(upload.complete ? upload.length : upload.bytes.length), 'Upload-Complete': upload.complete ? '?1' : '?0' }), json: null };
    }
    const offset = Number(init.headers['Upload-Offset']);
    if (offset !== upload.bytes.length) {
      return { status: 409, headers: new Headers(), json: { type: 'https://iana.org/assignments/http-problem-types#mismatching-upload-offset', 'expected-offset': upload.bytes.length } };
    }
    const body = new Uint8Array(await init.body.arrayBuffer());
    log.push(`PATCH ${offset}+${body.length}`);
    const cut = dropAfter(patches++);
    if (cut >= 0) {
      upload.bytes.push(...body.slice(0, cut));
      throw new TypeError('Failed to fetch');
    }
    upload.bytes.push(...body);
    if (init.headers['Upload-Complete'] === '?1') {
      upload.complete = true;
      return { status: 200, headers: new Headers(), json: { position: 0 } };
    }
    return { status: 204, headers: new Headers({ 'Upload-Offset': String(upload.bytes.length) }), json: null };
  };
  return { transport, http, reports, uploads, log };
}

beforeEach(async () => {
  await emptyDatabase();
  await (await database()).put('kv', { token: 'device-token' }, 'device');
});

describe('a report with photos on a bad link', () => {
  test('the report goes first, then each photo in parts; every byte arrives once', async () => {
    const photos = [photo(40000, 1), photo(30000, 2), photo(20000, 3)];
    await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council();
    const result = await outbox.flush({ transport: server.transport, http: server.http });
    assert.equal(result.sent, 1);
    assert.equal(server.log[0], 'POST report');
    for (const p of photos) {
      const got = server.uploads.get(sha(p.data));
      assert.equal(sha(new Uint8Array(got.bytes)), sha(p.data));
      assert.equal(got.complete, true);
    }
    const sentBytes = server.log.filter((l) => l.startsWith('PATCH')).reduce((sum, l) => sum + Number(l.split('+')[1]), 0);
    assert.equal(sentBytes, 90000, 'nothing sent twice');
    assert.deepEqual(await outbox.list(), []);
  });

  test('after a drop, the photo carries on from the offset the server holds, and the report is not sent again', async () => {
    const photos = [photo(50000, 4), photo(50000, 5)];
    const saved = await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council({ dropAfter: (n) => (n === 2 ? 5000 : -1) });  // the third part is cut after 5 KB
    const first = await outbox.flush({ transport: server.transport, http: server.http });
    assert.equal(first.waiting, 1);
    const kept = await outbox.get(saved.client_id);
    assert.equal(kept.state, 'waiting');
    assert.equal(kept.parts.reference, 'REF0');
    const progress = photoProgress(kept);
    assert.equal(progress.sent, 0);
    assert.ok(progress.bytesLeft < 100000 && progress.bytesLeft > 50000, `${progress.bytesLeft} left`);
    // On this fast link parts grew 16 → 32 → 64 KB; the cut halved the next one.
    assert.equal(kept.parts.chunk, afterFailure(4 * START_CHUNK), 'the part size halved after the drop');

    const second = await outbox.flush({ transport: server.transport, http: server.http, force: true });
    assert.equal(second.sent, 1);
    assert.equal(server.log.filter((l) => l === 'POST report').length, 1, 'the report was stored once and not sent again');
    const heads = server.log.filter((l) => l.startsWith('HEAD'));
    assert.ok(heads.some((l) => Number(l.split(' ')[1]) > 0), 'asked the server where to carry on');
    for (const p of photos) assert.equal(sha(new Uint8Array(server.uploads.get(sha(p.data)).bytes)), sha(p.data));
    const sentBytes = server.log.filter((l) => l.startsWith('PATCH')).reduce((sum, l) => sum + Number(l.split('+')[1]), 0);
    const resent = sentBytes - 100000;
    assert.ok(resent <= 32 * 1024, `only the part cut short is sent again (${resent} bytes)`);
  });

  test('a photo the council holds already is not sent at all', async () => {
    const photos = [photo(10000, 6), photo(10000, 7)];
    await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council({ held: new Set([sha(photos[0].data)]) });
    await outbox.flush({ transport: server.transport, http: server.http });
    assert.equal(server.uploads.get(sha(photos[0].data)).bytes.length, 0);
    assert.equal(sha(new Uint8Array(server.uploads.get(sha(photos[1].data)).bytes)), sha(photos[1].data));
  });
});

describe('part size and progress words', () => {
  test('grows with a fast link, shrinks after failures, stays within bounds', () => {
    assert.equal(nextChunk(START_CHUNK, START_CHUNK, 100), START_CHUNK * 2);
    assert.equal(nextChunk(MAX_CHUNK, MAX_CHUNK, 10), MAX_CHUNK);
    assert.equal(nextChunk(START_CHUNK, 16 * 1024, 8000), MIN_CHUNK);  // 2 KB/s: 8 KB parts
    assert.equal(afterFailure(START_CHUNK), MIN_CHUNK);
    assert.equal(afterFailure(MIN_CHUNK), MIN_CHUNK);
  });

  test('says "2 of 3 photos sent, 40 KB left"', () => {
    assert.equal(progressWords({ sent: 2, total: 3, bytesLeft: 40 * 1024 }), '2 of 3 photos sent, 40 KB left');
    assert.equal(progressWords({ sent: 1, total: 1, bytesLeft: 0 }), '1 of 1 photo sent');
  });
});

describe('the council refuses a photo', () => {
  test('a photo that arrived damaged is sent again from the start; one that is not a photo is given up, the report kept', async () => {
    const photos = [photo(9000, 8), photo(9000, 9)];
    const saved = await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council();
    let damagedOnce = false;
    /** @type {import('../../pwa/lib/photo-upload.js').Http} */
    const http = async (url, init) => {
      const h = url.split('/').pop();
      if (init.method === 'PATCH' && init.headers['Upload-Complete'] === '?1') {
        if (h === sha(photos[0].data) && !damagedOnce) {
          damagedOnce = true;
          server.uploads.get(h).bytes = [];
          return { status: 422, headers: new Headers(), json: { type: 'tag:reportit,2026:photo-damaged', errors: [{ field: 'photo', message: 'Arrived damaged' }] } };
        }
        if (h === sha(photos[1].data)) {
          return { status: 422, headers: new Headers(), json: { errors: [{ field: 'photo', message: "Photo 2: This file isn't a photo we can use." }] } };
        }
      }
      return server.http(url, init);
    };
    const result = await outbox.flush({ transport: server.transport, http });
    assert.equal(result.sent, 1, 'the report is the council\'s whatever became of a photo');
    assert.equal(sha(new Uint8Array(server.uploads.get(sha(photos[0].data)).bytes)), sha(photos[0].data));
    assert.equal(server.uploads.get(sha(photos[0].data)).complete, true);
    assert.deepEqual(await outbox.list(), []);
    const sent = await outbox.sentItem(saved.client_id);
    assert.equal(sent.report.reference, 'REF0');
    assert.deepEqual(sent.summary.photo_problems, ["Photo 2: This file isn't a photo we can use."]);
  });
});

describe('a part the council did not take is not a refusal of the photo', () => {
  test('a last part cut short and answered 400 is resumed from the server\'s offset, not given up', async () => {
    const photos = [photo(9000, 10)];
    const saved = await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council();
    let cut = false;
    /** @type {import('../../pwa/lib/photo-upload.js').Http} */
    const http = async (url, init) => {
      if (init.method === 'PATCH' && init.headers['Upload-Complete'] === '?1' && !cut) {
        cut = true;  // the body ended early: the server kept 3000 bytes and said the length was wrong
        const upload = server.uploads.get(url.split('/').pop());
        const body = new Uint8Array(await init.body.arrayBuffer());
        upload.bytes.push(...body.slice(0, 3000));
        return { status: 400, headers: new Headers(), json: { type: 'https://iana.org/assignments/http-problem-types#inconsistent-upload-length', title: 'Photo incomplete' } };
      }
      return server.http(url, init);
    };
    const result = await outbox.flush({ transport: server.transport, http });
    assert.equal(result.sent, 1);
    const got = server.uploads.get(sha(photos[0].data));
    assert.equal(got.complete, true);
    assert.equal(sha(new Uint8Array(got.bytes)), sha(photos[0].data));
    const sent = await outbox.sentItem(saved.client_id);
    assert.equal(sent.summary.photo_problems, undefined, 'no photo was given up');
  });

  test('a photo the server keeps answering 4xx to stays in the Outbox, tried again later', async () => {
    const photos = [photo(9000, 11)];
    const saved = await outbox.save({ client_id: crypto.randomUUID(), fields: { category: 'pothole' }, photos, summary: {} });
    const server = council();
    /** @type {import('../../pwa/lib/photo-upload.js').Http} */
    const http = async (url, init) => {
      if (init.method === 'PATCH') return { status: 400, headers: new Headers(), json: { title: 'Something odd' } };
      return server.http(url, init);
    };
    const result = await outbox.flush({ transport: server.transport, http });
    assert.equal(result.sent, 0);
    const kept = await outbox.get(saved.client_id);
    assert.equal(kept.state, 'waiting', 'kept, with the phone\'s copy of the photo');
    assert.equal(kept.photos.length, 1);
    assert.ok(!kept.parts.uploads[0].failed);
    assert.equal(await outbox.sentItem(saved.client_id), undefined);
    const patches = server.log.filter((l) => l.startsWith('HEAD')).length;
    assert.ok(patches > 1 && patches <= 7, `asked the server's offset again a bounded number of times (${patches})`);
  });
});
