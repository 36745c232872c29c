// The one clear deadline the app shows for an application (pwa/lib/applications.js), worked out on
// the phone so a list kept offline is still right the next day; the same words as the server's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadline, dayWords, listUrl } from '../../pwa/lib/applications.js';

const planning = (extra = {}) => ({ regime: 'planning', status: { code: 'under_consultation' }, deadline: { late_comments: 'considered' },
  consultation: { closes_on: '2026-12-11' }, ...extra });
const licensing = (extra = {}) => ({ regime: 'licensing', status: { code: 'under_consultation' }, deadline: { late_comments: 'refused' },
  consultation: { closes_on: '2026-12-11' }, ...extra });

test('days left, tomorrow and today, with the weekday and date', () => {
  assert.equal(deadline(planning(), '2026-12-05').text, 'Comments close in 6 days, on Friday 11 December.');
  assert.equal(deadline(planning(), '2026-12-10').text, 'Comments close tomorrow, Friday 11 December.');
  assert.equal(deadline(licensing(), '2026-12-11').text, 'Representations close today, Friday 11 December.');
});

test('after the deadline planning comments still count until the decision, licensing ones do not', () => {
  const late = deadline(planning(), '2026-12-14');
  assert.equal(late.text, 'The consultation closed on Friday 11 December; comments still count until the decision.');
  assert.equal(late.open, true);
  const refused = deadline(licensing(), '2026-12-14');
  assert.equal(refused.text, 'Representations closed on Friday 11 December.');
  assert.equal(refused.open, false);
  assert.match(refused.lateText, /cannot be accepted/);
});

test('a council that words a type its own way (its TOML) is repeated offline, the day filled in', () => {
  const own = licensing({ deadline: { late_comments: 'refused', late_text: 'Late ones are not accepted: call 020 7641 6500.',
    closed_text: 'Representations ended on {day} ({{by law}}).' } });
  assert.equal(deadline(own, '2026-12-05').lateText, 'Late ones are not accepted: call 020 7641 6500.');
  assert.equal(deadline(own, '2026-12-14').text, 'Representations ended on Friday 11 December ({by law}).');
  assert.equal(deadline(own, '2026-12-14').open, false);
});

test('decided, withdrawn and not yet open say so instead of a date', () => {
  assert.equal(deadline(planning({ status: { code: 'decided' }, decision: 'Granted', decision_date: '2026-12-20' }), '2026-12-21').text,
    'Decided on Sunday 20 December: Granted.');
  assert.match(deadline(planning({ status: { code: 'withdrawn' } }), '2026-12-01').text, /withdrawn/);
  assert.equal(deadline(planning({ status: { code: 'received' }, consultation: {} }), '2026-12-01').text, 'Comments open when the consultation starts.');
});

test('another year is named', () => {
  assert.equal(dayWords('2027-01-08', '2026-12-30'), 'Friday 8 January 2027');
});

test('the list asks around the place with the filters chosen', () => {
  const url = new URL(listUrl({ near: { latitude: 51.4975, longitude: -0.1357 }, radius: 500, regime: 'licensing' }), 'http://x');
  assert.equal(url.searchParams.get('near'), '51.497500,-0.135700');
  assert.equal(url.searchParams.get('radius'), '500');
  assert.equal(url.searchParams.get('regime'), 'licensing');
});
