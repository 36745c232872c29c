// Alerts as the app calls them (pwa/lib/alerts.js): following an application is one POST the
// application's page makes, and an alert is described in a resident's words.
import { emptyDatabase } from './browser-globals.js';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as alerts from '../../pwa/lib/alerts.js';
import { database } from '../../pwa/lib/db.js';

/** @type {Array<{url: string, init: RequestInit}>} */
let calls = [];

beforeEach(async () => {
  await emptyDatabase();
  await (await database()).put('kv', { device_id: 'phone', token: 'phone-token' }, 'device');  // registered
  calls = [];
  globalThis.fetch = async (url, init = {}) => {
    calls.push({ url: String(url), init });
    return new Response(JSON.stringify({ id: 7, application: '24/01234/FULL', kinds: ['changes'] }),
      { status: 201, headers: { 'Content-Type': 'application/json' } });
  };
});

test('following an application posts its reference, asking for its changes', async () => {
  const alert = await alerts.followApplication('24/01234/FULL');
  assert.equal(alert.id, 7);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, '/api/me/alerts');
  assert.equal(calls[0].init.method, 'POST');
  assert.deepEqual(JSON.parse(String(calls[0].init.body)), { application: '24/01234/FULL', kinds: ['changes'] });
  assert.equal(new Headers(calls[0].init.headers).get('Authorization'), 'Bearer phone-token');
});

test('the estimate asks with the place, the distance and what to hear about', async () => {
  await alerts.estimate({ latitude: 51.5, longitude: -0.14, radius: 500, kinds: ['planning', 'problems'], categories: ['pothole'] });
  const url = new URL(calls[0].url, 'http://app');
  assert.equal(url.pathname, '/api/me/alerts/estimate');
  assert.equal(url.searchParams.get('kinds'), 'planning,problems');
  assert.equal(url.searchParams.get('radius'), '500');
  assert.equal(url.searchParams.get('categories'), 'pothole');
});

test('an alert is described in words', () => {
  const base = { id: 1, label: 'Home', latitude: 51.5, longitude: -0.14, area: null, categories: [], email: 'immediate',
    created_at: '', updated_at: '' };
  assert.equal(alerts.describe({ ...base, radius: 1000, application: '', kinds: ['planning', 'problems'] }),
    'Within 1 kilometre: new planning applications, new problems reported nearby');
  assert.equal(alerts.describe({ ...base, radius: null, application: '24/01234/FULL', kinds: ['changes'] }),
    'Changes to application 24/01234/FULL');
});
