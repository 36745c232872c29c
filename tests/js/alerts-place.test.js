// An alert's place in words on the phone (pwa/views/alerts-place.js): the street near its point
// (a new alert's name), the middle of a street chosen in the street search, and the list's words.
import './browser-globals.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreetList } from '../../pwa/lib/places.js';
import { describe } from '../../pwa/lib/alerts.js';
import { streetMiddle, streetNear, wordsNear } from '../../pwa/views/alerts-place.js';

// As the server encodes them (street_list.encode); the same streets as places.test.js.
const LIST = parseStreetList({
  version: 'test', authorities: ['Transport for London', 'Westminster City Council'], partners: [],
  streets: [['Regency Street', 'Westminster', 1, ['sohyHndYvQkH']], ['Regent Street', 'West End', 1, ['opkyHrgYsIvQ{JnK']]],
  wards: [['West End', [['w}jyHnh\\?_yFgmE??~xFfmE?']]]],
});

test('a point is named after the street near it, and said with its ward', () => {
  assert.equal(streetNear(LIST, 51.51265, -0.1385), 'Regent Street');
  assert.equal(wordsNear(LIST, 51.51265, -0.1385), 'Regent Street, West End ward');
  assert.equal(streetNear(LIST, 51.535, -0.21), '');  // no street within 250 m: the form says "Near me"
  assert.equal(streetNear(null, 51.51265, -0.1385), '');  // no street list on this phone yet
});

test('a street chosen in the search is watched around a point on it', () => {
  const middle = streetMiddle(LIST, 'Regent Street');
  assert.ok(middle);
  assert.equal(streetNear(LIST, middle.latitude, middle.longitude), 'Regent Street');
  assert.equal(streetMiddle(LIST, 'Oxford Street'), null);
});

test('the list says where a place alert is', () => {
  const alert = { id: 1, label: 'Work', latitude: 51.51265, longitude: -0.1385, radius: 500, application: '',
    kinds: /** @type {any} */ (['planning']), categories: [], email: /** @type {any} */ ('immediate'), created_at: '', updated_at: '' };
  assert.equal(describe(alert, wordsNear(LIST, 51.51265, -0.1385)),
    'Within 500 metres of Regent Street, West End ward: new planning applications');
  assert.equal(describe(alert), 'Within 500 metres: new planning applications');
});
