// Places on the phone (pwa/lib/places.js): the street list the server sends (encoded polylines,
// server/reportit/places/street_list.py) decoded, searched as the resident types, and the nearest
// street and the ward of a point worked out with no signal.
import './browser-globals.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePolyline, nearest, parseStreetList, partnerFor, placeWords, searchStreets } from '../../pwa/lib/places.js';

// As the server encodes them (street_list.encode).
const RAW = {
  version: 'test',
  authorities: ['Transport for London', 'Westminster City Council'],
  streets: [
    ['Regency Street', 'Westminster', 1, ['sohyHndYvQkH']],
    ['Regent Street', 'West End', 1, ['opkyHrgYsIvQ{JnK']],
  ],
  wards: [['West End', [['w}jyHnh\\?_yFgmE??~xFfmE?']]]],
  partners: [{ authorities: ['transport for london', 'tfl'], groups: ['streets'], signpost: 'tfl' }],
};

test("Google's encoded polyline decodes to longitude, latitude pairs", () => {
  const decoded = Array.from(decodePolyline('_p~iF~ps|U_ulLnnqC_mqNvxq`@'));
  assert.deepEqual(decoded.map((v) => Math.round(v * 1e5) / 1e5), [-120.2, 38.5, -120.95, 40.7, -126.453, 43.252]);
});

test('typing part of a name offers the streets whose words start with it, best first', () => {
  const list = parseStreetList(RAW);
  assert.deepEqual(searchStreets(list, 'rege').map((s) => s.name), ['Regency Street', 'Regent Street']);
  assert.deepEqual(searchStreets(list, 'reg str').map((s) => s.name), ['Regency Street', 'Regent Street']);
  assert.deepEqual(searchStreets(list, 'street rege').map((s) => s.name), ['Regency Street', 'Regent Street']);
  assert.deepEqual(searchStreets(list, 'regent').map((s) => s.name), ['Regent Street']);
  assert.deepEqual(searchStreets(list, 'oxford'), []);
  assert.deepEqual(searchStreets(list, '   '), []);
});

test('the nearest street and the ward of a point, in words', () => {
  const list = parseStreetList(RAW);
  const found = nearest(list, 51.51265, -0.1385);
  assert.equal(found.street?.name, 'Regent Street');
  assert.ok(found.metres < 5, `${found.metres} m`);
  assert.equal(found.ward, 'West End');
  assert.equal(placeWords(found.street?.name || '', found.ward), 'Regent Street, West End ward');
  const far = nearest(list, 51.53, -0.20);  // kilometres from any street, outside the ward
  assert.equal(far.street, null);
  assert.equal(far.ward, '');
  assert.equal(placeWords('', ''), '');
  assert.equal(placeWords('', 'St James’s Ward'), 'St James’s Ward');
});

test("a partner's street sends only its groups of problems to the partner's signpost", () => {
  const list = parseStreetList(RAW);
  const categories = [{ code: 'tfl', group: 'elsewhere', signpost: { partner: 'Transport for London' } }];
  assert.equal(partnerFor(list, 'Transport for London', { code: 'pothole', group: 'streets' }, categories)?.code, 'tfl');
  assert.equal(partnerFor(list, 'Transport for London', { code: 'noise_construction', group: 'noise' }, categories), null);
  assert.equal(partnerFor(list, 'Westminster City Council', { code: 'pothole', group: 'streets' }, categories), null);
});
