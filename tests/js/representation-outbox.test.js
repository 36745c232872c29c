// Representations in the reports' outbox (pwa/lib/outbox.js, kind 'representation'): sent as JSON
// once, with the item's client_id as Idempotency-Key; kept for a signal; a refusal (too late for a
// licensing application) kept with the council's words for the resident to read.
import { emptyDatabase } from './browser-globals.js';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as outbox from '../../pwa/lib/outbox.js';
import { database } from '../../pwa/lib/db.js';
import { deadlineWarning, problems } from '../../pwa/lib/representation.js';

const BODY = { sentiment: 'object', grounds: ['public_nuisance'], text: 'Too loud', name: 'Ada', address: '1 A Street' };

function item() {
  return { kind: 'representation', client_id: crypto.randomUUID(), fields: { reference: '26/01234/LIPN', body: BODY }, photos: [],
    summary: { category_name: 'Comment on application 26/01234/LIPN', closes_on: '2026-12-01', late_comments: 'refused' } };
}

/** @param {Array<{status: number, json?: any} | 'no signal'>} answers */
function server(answers) {
  const received = [];
  const http = async (url, init) => {
    const answer = answers[received.length] ?? answers[answers.length - 1];
    received.push({ url, headers: init.headers, body: init.body ? JSON.parse(await init.body.text()) : null });
    if (answer === 'no signal') throw new TypeError('Failed to fetch');
    return { status: answer.status, headers: new Headers(), json: answer.json ?? null };
  };
  const transport = async () => { throw new Error('a representation never goes to /api/reports'); };
  return { http, transport, received };
}

beforeEach(async () => {
  await emptyDatabase();
  await (await database()).put('kv', { token: 'tok' }, 'device');
});

test('written offline, it waits, then is sent once as JSON with its Idempotency-Key', async () => {
  const saved = await outbox.save(item());
  assert.equal(saved.kind, 'representation');
  const { http, transport, received } = server(['no signal', { status: 201, json: { id: 7, reference: '26/01234/LIPN', late: false } }]);
  let result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.waiting, 1);
  result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.sent, 1);
  assert.equal(received.length, 2);
  assert.equal(received[1].url, '/api/applications/26/01234/LIPN/representations');
  assert.equal(received[1].headers['Idempotency-Key'], saved.client_id);
  assert.deepEqual(received[1].body, BODY);
  const db = await database();
  assert.equal((await db.getAll('outbox')).length, 0);
  const [sent] = await db.getAll('sent');
  assert.equal(sent.report.url, '/a/26/01234/LIPN');
  assert.equal(sent.report.kind, 'representation');
});

test('a licensing refusal after the deadline stays in the Outbox with the plain explanation', async () => {
  await outbox.save(item());
  const detail = 'The period for representations on this application ended on Tuesday 1 December, and by law the council cannot accept representations after it.';
  const { http, transport } = server([{ status: 409, json: { title: 'Too late for representations', detail } }]);
  const result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.attention, 1);
  const [kept] = await (await database()).getAll('outbox');
  assert.equal(kept.state, 'attention');
  assert.equal(kept.last_error, detail);
  // Never sent again by itself.
  const again = await outbox.flush({ http, transport, force: true });
  assert.equal(again.sent, 0);
});

test('a server error keeps it waiting', async () => {
  await outbox.save(item());
  const { http, transport } = server([{ status: 503 }]);
  const result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.waiting, 1);
});

test('the app warns while one is queued close to its deadline', () => {
  const queued = item();
  assert.equal(deadlineWarning(queued, '2026-11-20'), '');
  assert.match(deadlineWarning(queued, '2026-11-30'), /deadline is tomorrow .*late representations cannot be accepted/);
  assert.match(deadlineWarning(queued, '2026-12-01'), /deadline is today/);
  assert.match(deadlineWarning(queued, '2026-12-03'), /cannot be accepted/);
  assert.match(deadlineWarning({ summary: { ...queued.summary, late_comments: 'considered' } }, '2026-12-03'), /still count until the decision/);
});

test('too many wrong codes is not tried again by itself: it waits for the resident to type a new code', async () => {
  await outbox.save(item());
  const message = 'Too many wrong codes have been typed for this email address. Try again in 5 hours.';
  const { http, transport, received } = server([{ status: 429, json: { title: 'Too many wrong codes', detail: message, errors: [{ field: 'code', message }] } }]);
  const result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.attention, 1);
  const [kept] = await (await database()).getAll('outbox');
  assert.deepEqual(kept.errors, [{ field: 'code', message }]);
  await outbox.flush({ http, transport, force: true });
  assert.equal(received.length, 1);
});

test('a busy council (429 without a field) still waits and is sent later', async () => {
  await outbox.save(item());
  const { http, transport } = server([{ status: 429, json: { title: 'Too many requests' } }]);
  const result = await outbox.flush({ http, transport, force: true });
  assert.equal(result.waiting, 1);
});

test('what the form and the Outbox check with no signal: each field, a licensing objective, and the length', () => {
  assert.deepEqual(problems(BODY, 'licensing'), []);
  assert.deepEqual(problems({ ...BODY, grounds: [] }, 'planning'), []);
  assert.deepEqual(problems({ ...BODY, grounds: [] }, 'licensing').map((e) => e.field), ['grounds']);
  assert.deepEqual(problems({ ...BODY, sentiment: '', text: '', name: '', address: '' }, 'planning').map((e) => e.field),
    ['sentiment', 'text', 'name', 'address']);
  assert.match(problems({ ...BODY, text: 'x'.repeat(6001) }, 'planning')[0].message, /Keep it to 6000 characters \(6001 now\)/);
});
