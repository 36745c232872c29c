// @ts-check
/** My reports: those sent from this phone, with their status and timeline; readable with no signal. */
import { h, readableReference } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { myReports } from '../lib/api.js';

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  document.title = 'My reports – Report It';
  const list = h('div', { id: 'my-reports' });
  const note = h('p.hint', { 'aria-live': 'polite' });
  const draw = async () => {
    const sent = await outbox.sent();
    if (list.contains(document.activeElement)) return;
    const shown = sent.filter((s) => s.report?.reference);
    list.replaceChildren(shown.length ? h('ul.items', null, shown.map(({ report, sent_at: sentAt }) => h('li.item', null,
      h('h2', null, report.category?.name || 'Report'),
      h('p', null, 'Reference ', h('strong', null, readableReference(report.reference)), ` · sent ${when(sentAt)}`),
      h('p', null, h('span', { class: `tag ${report.status?.kind === 'fixed' ? 'tag--sent' : ''}` }, report.status?.name || 'Received')),
      report.duplicate_of ? h('p', null, 'Reported already as ', h('a', { href: report.duplicate_of.url }, `report ${report.duplicate_of.reference_spoken}`)) : null,
      h('details', null, h('summary', null, 'Timeline', h('span.visually-hidden', null, ` for ${readableReference(report.reference)}`)),
        h('ol.timeline', null, (report.history || []).map((/** @type {any} */ step) => h('li', null,
          h('strong', null, step.status_name), ` – ${when(step.at)}`, step.message ? h('p', null, step.message) : null)))),
      h('p', null, h('a', { href: report.url || `/r/${report.reference}` }, 'Open the report page', h('span.visually-hidden', null, ` for ${readableReference(report.reference)}`))))))
      : h('p', null, 'You have not sent any reports from this phone yet. ', h('a', { href: '/report' }, 'Report a problem')));
  };
  main.append(h('h1', null, 'My reports'), note, list);
  await draw();
  ctx.watch(() => { draw(); });
  if ((await outbox.sent()).length) {
    myReports().then(async ({ reports, savedAt }) => {
      if (savedAt) {
        note.textContent = `Showing saved copy from ${when(savedAt)} — you're offline.`;
        return;
      }
      await outbox.refreshSent(reports);
      note.textContent = 'Up to date.';
    }).catch(() => { note.textContent = 'No signal: showing what was saved on this phone.'; });
  }
}
