// The outbox's state machine (pwa/lib/outbox.js) on an in-memory IndexedDB: what is kept, sent,
// retried or handed back to the resident for each answer the council's server can give.
import { emptyDatabase } from './browser-globals.js';
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as outbox from '../../pwa/lib/outbox.js';
import { database } from '../../pwa/lib/db.js';
import { setTimeout as sleep } from 'node:timers/promises';

const TOKEN = 'device-token';

/** A report as the form saves it, with `photos` JPEGs of `size` bytes each. */
function report(description, { photos = 0, size = 1000 } = {}) {
  return {
    client_id: crypto.randomUUID(),
    fields: { category: 'graffiti', description },
    photos: Array.from({ length: photos }, (_, i) => ({ name: `photo-${i + 1}.jpg`, type: 'image/jpeg', data: new ArrayBuffer(size) })),
    summary: { category_name: 'Graffiti', place: 'High Street' },
  };
}

/**
 * The server's side of each upload, in order: a status with a body, or 'no signal'. Records what
 * it was sent.
 * @param {Array<{status: number, json?: any, headers?: Record<string, string>} | 'no signal'>} answers
 */
function server(answers) {
  const received = [];
  /** @type {import('../../pwa/lib/outbox.js').Transport} */
  const transport = async (url, init) => {
    const answer = answers[received.length] ?? answers[answers.length - 1];
    received.push({ url, headers: init.headers, form: init.body });
    if (answer === 'no signal') throw new TypeError('Failed to fetch');
    const headers = new Headers(answer.headers || {});
    return { status: answer.status, headers, json: answer.json ?? null };
  };
  return { transport, received };
}

const accepted = (reference = 'WCC-1234') => ({ status: 201, json: { reference, url: `/r/${reference}` } });

/** Save reports a few milliseconds apart: the outbox keeps them in the order they were saved. */
async function saveAll(...reports) {
  const saved = [];
  for (const one of reports) {
    saved.push(await outbox.save(one));
    await sleep(3);
  }
  return saved;
}

async function everything() {
  const db = await database();
  return { outbox: await db.getAll('outbox'), sent: await db.getAll('sent') };
}

beforeEach(async () => {
  await emptyDatabase();
  await (await database()).put('kv', { token: TOKEN }, 'device');
});

describe('save', () => {
  test('keeps the report waiting, with how many photos and how many bytes it holds', async () => {
    const saved = await outbox.save(report('Paint on the wall', { photos: 2, size: 1500 }));
    const [item] = (await everything()).outbox;
    assert.equal(item.client_id, saved.client_id);
    assert.equal(item.state, 'waiting');
    assert.equal(item.attempts, 0);
    assert.deepEqual(item.summary, { category_name: 'Graffiti', place: 'High Street', photo_count: 2, photo_bytes: 3000 });
    assert.equal(item.photos[1].data.byteLength, 1500);
    assert.equal(await outbox.count(), 1);
  });

  test('a corrected report replaces the refused one in the same step', async () => {
    const [refused] = await saveAll(report('First try'));
    const corrected = await outbox.save(report('Second try'), refused.client_id);
    assert.deepEqual((await outbox.list()).map((i) => i.client_id), [corrected.client_id]);
  });

  test('the report being written is forgotten as it is saved', async () => {
    await (await database()).put('kv', { description: 'half written' }, 'draft');
    await outbox.save(report('Done'), undefined, { finishesDraft: true });
    assert.equal(await (await database()).get('kv', 'draft'), undefined);
  });

  test('lists oldest first; a discarded report is gone', async () => {
    const [first, second] = await saveAll(report('One'), report('Two'));
    assert.deepEqual((await outbox.list()).map((i) => i.fields.description), ['One', 'Two']);
    await outbox.discard(first.client_id);
    assert.deepEqual((await outbox.list()).map((i) => i.client_id), [second.client_id]);
  });
});

describe('flush', () => {
  test('an accepted report moves to sent, sent once with its key, token and photos', async () => {
    const saved = await outbox.save(report('Pothole', { photos: 2 }));
    const { transport, received } = server([accepted('WCC-0001')]);
    const result = await outbox.flush({ transport, by: 'page' });
    assert.deepEqual(result, { sent: 1, waiting: 0, attention: 0, nextAttemptAt: 0 });
    assert.equal(received.length, 1);
    assert.equal(received[0].url, '/api/reports');
    assert.equal(received[0].headers['Idempotency-Key'], saved.client_id);
    assert.equal(received[0].headers.Authorization, `Bearer ${TOKEN}`);
    assert.equal(received[0].form.getAll('photo').length, 0, 'the report goes first, its photos after it');
    assert.equal(received[0].form.getAll('photo_sha256').length, 2);
    assert.equal(received[0].form.get('description'), 'Pothole');
    const { outbox: left, sent } = await everything();
    assert.deepEqual(left, []);
    assert.equal(sent[0].client_id, saved.client_id);
    assert.equal(sent[0].report.reference, 'WCC-0001');
    assert.equal(sent[0].sent_by, 'page');
    assert.equal(sent[0].summary.photo_count, 2);
  });

  test('no signal: the report waits with a later attempt, and the rest are not tried', async () => {
    await saveAll(report('One'), report('Two'));
    const { transport, received } = server(['no signal']);
    const before = Date.now();
    const result = await outbox.flush({ transport });
    assert.equal(received.length, 1);
    assert.equal(result.sent, 0);
    assert.equal(result.waiting, 2);
    const [one, two] = await outbox.list();
    assert.equal(one.state, 'waiting');
    assert.equal(one.attempts, 1);
    assert.ok(one.next_attempt_at > before);
    assert.match(one.last_error, /No signal/);
    assert.equal(two.attempts, 0);
    assert.equal(result.nextAttemptAt, 0, 'the untried report is due now');
  });

  test('a report waiting for its next attempt is sent only when forced (the signal came back)', async () => {
    await outbox.save(report('Later'));
    await outbox.flush({ transport: server(['no signal']).transport });
    const quiet = server([accepted()]);
    assert.equal((await outbox.flush({ transport: quiet.transport })).sent, 0);
    assert.equal(quiet.received.length, 0);
    assert.equal((await outbox.flush({ transport: quiet.transport, force: true })).sent, 1);
  });

  test('a 5xx keeps it waiting; a Retry-After holds it back even when forced', async () => {
    await outbox.save(report('Busy'));
    const busy = server([{ status: 503, headers: { 'Retry-After': '120' } }]);
    const result = await outbox.flush({ transport: busy.transport, force: true });
    const [item] = await outbox.list();
    assert.equal(item.state, 'waiting');
    assert.ok(item.not_before >= Date.now() + 100000);
    assert.equal(result.nextAttemptAt, Math.max(item.next_attempt_at, item.not_before));
    const again = server([accepted()]);
    await outbox.flush({ transport: again.transport, force: true });
    assert.equal(again.received.length, 0, 'sent before the server said it could take it');
    assert.equal(await outbox.count(), 1);
  });

  test('a 429 says the council is busy', async () => {
    await outbox.save(report('Rate limited'));
    await outbox.flush({ transport: server([{ status: 429 }]).transport });
    const [item] = await outbox.list();
    assert.equal(item.state, 'waiting');
    assert.match(item.last_error, /busy/);
  });

  test('a 2xx without a reference is not proof: it waits and is sent again', async () => {
    await outbox.save(report('Cut short'));
    await outbox.flush({ transport: server([{ status: 200, json: null }]).transport });
    assert.equal((await outbox.list())[0].state, 'waiting');
    assert.equal((await outbox.flush({ transport: server([accepted()]).transport, force: true })).sent, 1);
  });

  test('a 4xx with field errors needs the resident: kept, with the messages, and not sent again', async () => {
    await saveAll(report('Too far away'), report('Fine'));
    const { transport, received } = server([
      { status: 422, json: { title: 'Invalid report', errors: [{ field: 'latitude', message: 'That place is outside our area' }] } },
      accepted('WCC-0002'),
    ]);
    const result = await outbox.flush({ transport });
    assert.equal(received.length, 2, 'a refused report must not stop the others');
    assert.deepEqual({ sent: result.sent, waiting: result.waiting, attention: result.attention }, { sent: 1, waiting: 0, attention: 1 });
    const [item] = await outbox.list();
    assert.equal(item.state, 'attention');
    assert.equal(item.last_error, 'That place is outside our area');
    assert.deepEqual(item.errors, [{ field: 'latitude', message: 'That place is outside our area' }]);
    const later = server([accepted()]);
    await outbox.flush({ transport: later.transport, force: true });
    assert.equal(later.received.length, 0);
  });

  test('a 400 with no field errors is a damaged upload: sent again, up to three times', async () => {
    await outbox.save(report('Damaged'));
    const damaged = { status: 400, json: { title: 'Bad request' } };
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await outbox.flush({ transport: server([damaged]).transport, force: true });
      assert.equal((await outbox.list())[0].state, 'waiting', `attempt ${attempt}`);
    }
    await outbox.flush({ transport: server([damaged]).transport, force: true });
    assert.equal((await outbox.list())[0].state, 'attention');
  });

  test('a 401 forgets the device token so the phone registers again', async () => {
    await outbox.save(report('Unknown device'));
    await outbox.flush({ transport: server([{ status: 401 }]).transport });
    assert.equal((await outbox.list())[0].state, 'waiting');
    assert.equal(await (await database()).get('kv', 'device'), undefined);
  });

  test('a report saved while the flush runs is sent by the same flush', async () => {
    await outbox.save(report('First'));
    const received = [];
    /** @type {import('../../pwa/lib/outbox.js').Transport} */
    const transport = async (url, init) => {
      received.push(init.body.get('description'));
      if (received.length === 1) await outbox.save(report('Saved meanwhile'));
      return { status: 201, headers: new Headers(), json: { reference: `WCC-${received.length}` } };
    };
    const result = await outbox.flush({ transport });
    assert.deepEqual(received, ['First', 'Saved meanwhile']);
    assert.equal(result.sent, 2);
  });

  test('nothing is dropped: every report is either still in the outbox or sent', async () => {
    const saved = (await saveAll(...['A', 'B', 'C', 'D'].map((text) => report(text, { photos: 1 })))).map((i) => i.client_id);
    const answers = [accepted('WCC-A'), { status: 422, json: { errors: [{ field: 'description', message: 'Too long' }] } }, accepted('WCC-C'), 'no signal'];
    await outbox.flush({ transport: server(answers).transport });
    const { outbox: left, sent } = await everything();
    assert.deepEqual([...left, ...sent].map((i) => i.client_id).sort(), [...saved].sort());
    assert.deepEqual(left.map((i) => [i.fields.description, i.state]).sort(), [['B', 'attention'], ['D', 'waiting']]);
    assert.equal(left.find((i) => i.fields.description === 'D').photos.length, 1, 'a report kept waiting keeps its photos');
  });

  test('a stopped flush sends nothing more', async () => {
    await outbox.save(report('Stopped'));
    const stop = new AbortController();
    stop.abort();
    const { transport, received } = server([accepted()]);
    const result = await outbox.flush({ transport, signal: stop.signal });
    assert.equal(received.length, 0);
    assert.equal(result.waiting, 1);
  });
});

describe('sent reports', () => {
  test('the server’s newer copy replaces the one kept on the phone', async () => {
    await outbox.save(report('Refresh me'));
    await outbox.flush({ transport: server([accepted('WCC-0009')]).transport });
    await outbox.refreshSent([{ reference: 'WCC-0009', status: { code: 'fixed' } }, { reference: 'WCC-9999' }]);
    const [item] = await outbox.sent();
    assert.deepEqual(item.report, { reference: 'WCC-0009', status: { code: 'fixed' } });
    assert.equal((await outbox.sent()).length, 1);
  });
});

describe('backoff', () => {
  test('doubles from two seconds, with jitter, up to five minutes', () => {
    for (let i = 0; i < 20; i += 1) {
      const first = outbox.backoff(1);
      assert.ok(first >= 1000 && first <= 3000, `${first}`);
      const late = outbox.backoff(30);
      assert.ok(late >= 150000 && late <= 450000, `${late}`);
    }
  });
});
