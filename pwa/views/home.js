// @ts-check
/** The start screen. */
import { h } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { waitingWords } from '../lib/sending.js';
import { unfinishedReport } from './unfinished.js';

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  const council = document.querySelector('.site-header__council')?.textContent || 'the council';
  document.title = `Report It – ${council}`;
  const waiting = waitingWords(await outbox.list());
  const unfinished = await unfinishedReport(ctx, { heading: 'h2', discarded: () => {
    unfinished?.remove();
    (/** @type {HTMLElement} */ (main.querySelector('#start'))).focus();
  } });
  main.append(
    h('h1', null, 'Report a problem in the street'),
    unfinished || '',
    h('p', null, `Tell ${council} about potholes, fly-tipping, broken street lights, noise and more. It works with no signal: your report is sent by itself when there is one.`),
    h('a.button', { href: '/report', id: 'start' }, 'Start a report'),
    waiting ? h('div.notice', null, h('p', null, `${waiting} `, h('a', { href: '/outbox' }, 'See your outbox'))) : '',
    h('h2', null, 'Your reports'),
    h('p', null, h('a', { href: '/mine' }, 'See the reports you sent and what the council did')),
    h('h2', null, 'Alerts near you'),
    h('p', null, h('a', { href: '/alerts' }, 'Hear about planning and licensing applications and problems reported near you')),
    h('h2', null, 'Planning and licensing near you'),
    h('p', null, h('a', { href: '/applications', id: 'applications-near-me' }, 'See applications near you and until when you can comment')),
  );
}
