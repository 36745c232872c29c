// The report being written (pwa/lib/draft.js): kept on the phone as the resident goes, brought back
// after a reload, forgotten when discarded or sent, and turned into what the outbox sends.
import { emptyDatabase } from './browser-globals.js';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as drafts from '../../pwa/lib/draft.js';
import { database } from '../../pwa/lib/db.js';

const { draft } = drafts;
const GRAFFITI = { code: 'graffiti', name: 'Graffiti', questions: [] };

function photo(text = 'jpeg bytes') {
  return { name: 'wall.jpg', type: 'image/jpeg', blob: new Blob([text], { type: 'image/jpeg' }), place: { latitude: 51.5, longitude: -0.14 } };
}

beforeEach(async () => {
  drafts.reset();
  await emptyDatabase();
});

test('nothing is kept before a problem is chosen', async () => {
  draft.description = 'typed before choosing';
  await drafts.keep('/report');
  assert.equal(await drafts.kept(), undefined);
});

test('a kept draft comes back after a reload, photos and all, on the screen it was left on', async () => {
  draft.category = GRAFFITI;
  draft.description = 'Paint on the bus stop';
  draft.point = { latitude: 51.5, longitude: -0.14, accuracy: 12, source: 'device' };
  drafts.addPhoto(photo('first photo'));
  await drafts.keep('/report/description');

  const saved = await drafts.kept();
  assert.equal(saved.path, '/report/description');
  assert.equal('url' in saved.photos[0], false, 'a blob: URL means nothing after a reload');

  drafts.reset();  // what a reload leaves: an empty form...
  await drafts.keep();
  assert.equal(drafts.isEmpty(), true);
  await (await database()).put('kv', saved, 'draft');  // ...and the copy on the phone
  assert.equal(await drafts.resume(), '/report/description');
  assert.equal(draft.category.code, 'graffiti');
  assert.equal(draft.description, 'Paint on the bus stop');
  assert.deepEqual(draft.point, { latitude: 51.5, longitude: -0.14, accuracy: 12, source: 'device' });
  assert.equal(draft.photos.length, 1);
  assert.equal(await draft.photos[0].blob.text(), 'first photo');
  assert.match(draft.photos[0].url, /^blob:/);
});

test('a discarded draft is gone from the phone', async () => {
  draft.category = GRAFFITI;
  await drafts.keep('/report/photos');
  assert.ok(await drafts.kept());
  drafts.reset();
  assert.equal(await drafts.kept(), undefined);
  assert.equal(draft.category, null);
  assert.equal(await drafts.resume(), '/report', 'nothing to carry on with: a new report');
});

test('removing a photo keeps the rest', async () => {
  draft.category = GRAFFITI;
  const first = drafts.addPhoto(photo('one'));
  drafts.addPhoto(photo('two'));
  drafts.removePhoto(first);
  const saved = await drafts.kept();
  assert.equal(saved.photos.length, 1);
  assert.equal(await saved.photos[0].blob.text(), 'two');
});

test('the report sent is the draft, photos as bytes, with a summary for the outbox', async () => {
  draft.category = GRAFFITI;
  draft.answers = {};
  draft.description = 'Tags on the wall';
  draft.location_text = 'Outside 12 High Street';
  drafts.addPhoto(photo('12345'));
  const report = await drafts.toReport();
  assert.match(report.client_id, /^[0-9a-f-]{36}$/);
  assert.equal(report.fields.category, 'graffiti');
  assert.equal(report.fields.answers, undefined);
  assert.equal(report.fields.location_source, 'text');
  assert.equal(report.fields.latitude, undefined);
  assert.equal(report.photos[0].data.byteLength, 5);
  assert.deepEqual(report.summary, { category_name: 'Graffiti', photo_count: 1, place: 'Outside 12 High Street' });
});

test('a warden’s "report another" keeps the problem and place, not the photos or words', async () => {
  draft.category = GRAFFITI;
  draft.point = { latitude: 51.5, longitude: -0.14, accuracy: null, source: 'map' };
  draft.description = 'First one';
  drafts.addPhoto(photo());
  drafts.another({ category: draft.category, point: draft.point, location_text: '' });
  assert.equal(draft.category.code, 'graffiti');
  assert.equal(draft.point.source, 'map');
  assert.equal(draft.description, '');
  assert.deepEqual(draft.photos, []);
});

test('a refused report comes back into the form, replacing itself when sent again', async () => {
  await (await database()).put('kv', { groups: [], categories: [GRAFFITI] }, 'categories');
  globalThis.fetch = async () => { throw new TypeError('no signal'); };  // the categories kept on the phone are used
  await drafts.load({
    client_id: 'refused-1', created_at: '', state: 'attention', attempts: 1, next_attempt_at: 0, not_before: 0, last_error: '', errors: [],
    summary: {}, fields: { category: 'graffiti', description: 'Again', latitude: 51.5, longitude: -0.14, accuracy: '8', location_source: 'photo' },
    photos: [{ name: 'a.jpg', type: 'image/jpeg', data: new TextEncoder().encode('abc').buffer }],
  });
  assert.equal(draft.replaces, 'refused-1');
  assert.equal(draft.category.code, 'graffiti');
  assert.deepEqual(draft.point, { latitude: 51.5, longitude: -0.14, accuracy: 8, source: 'photo' });
  assert.equal(await draft.photos[0].blob.text(), 'abc');
});
