// The words for what waits in the outbox: a comment on an application is not counted as a report.
import './browser-globals.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { waitingWords } from '../../pwa/lib/sending.js';

const report = {};
const comment = { kind: 'representation' };

test('nothing waiting says nothing', () => {
  assert.equal(waitingWords([]), '');
});

test('reports and comments are counted apart', () => {
  assert.equal(waitingWords([report]), '1 report is waiting to be sent.');
  assert.equal(waitingWords([comment]), '1 comment is waiting to be sent.');
  assert.equal(waitingWords([report, report]), '2 reports are waiting to be sent.');
  assert.equal(waitingWords([report, report, comment]), '2 reports and 1 comment are waiting to be sent.');
  assert.equal(waitingWords([comment, comment]), '2 comments are waiting to be sent.');
});
