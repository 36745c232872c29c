// @ts-check
/** My reports: those sent from this phone, with their status and timeline; readable with no signal. */
import { h, readableReference } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { myReports } from '../lib/api.js';

const OFFLINE = 'Offline — showing what was saved on this phone.';

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A private report has no public page: its details are shown here instead. @param {any} report */
function privateDetails(report) {
  const photos = report.photos || [];
  return h('div.private-report', null,
    h('p', null, h('strong', null, 'Private: '), 'only you and council staff can see this report.'),
    report.description ? h('p', null, report.description) : null,
    report.location?.description ? h('p', null, `Where: ${report.location.description}`) : null,
    photos.length ? h('ul.photos', { 'aria-label': `Photos sent with ${report.reference}` }, photos.map((/** @type {any} */ photo, /** @type {number} */ i) =>
      h('li', null, h('img', { src: photo.thumbnail_url, alt: `Photo ${i + 1} of ${photos.length}` })))) : null);
}

/** @param {any} report */
function pageLink(report) {
  return h('p', null, h('a', { href: report.url || `/r/${report.reference}` }, 'Open the report page', h('span.visually-hidden', null, ` for ${report.reference}`)));
}

/** @param {number} waiting */
function waitingNotice(waiting) {
  return h('div.notice', { id: 'waiting-to-send' }, h('p', null,
    `${waiting} ${waiting === 1 ? 'report is' : 'reports are'} waiting to be sent. `, h('a', { href: '/outbox' }, 'See your outbox')));
}

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  document.title = 'My reports – Report It';
  const list = h('div', { id: 'my-reports' });
  const note = h('p.hint', { 'aria-live': 'polite', id: 'my-reports-note' });
  const draw = async () => {
    const sent = await outbox.sent();
    const waiting = (await outbox.list()).length;
    if (list.contains(document.activeElement)) return;
    const shown = sent.filter((s) => s.report?.reference);
    list.replaceChildren(...[
      waiting ? waitingNotice(waiting) : null,
      shown.length ? h('ul.items', null, shown.map(({ report, sent_at: sentAt }) => h('li.item', null,
        h('h2', null, report.category?.name || 'Report'),
        h('p', null, 'Reference ', h('strong', null, readableReference(report.reference)), ` · sent ${when(sentAt)}`),
        h('p', null, h('span', { class: `tag ${report.status?.kind === 'fixed' ? 'tag--sent' : ''}` }, report.status?.name || 'Received')),
        report.duplicate_of ? h('p', null, 'Reported already as ', h('a', { href: report.duplicate_of.url }, `report ${report.duplicate_of.reference_spoken}`)) : null,
        h('details', null, h('summary', null, 'Timeline', h('span.visually-hidden', null, ` for ${readableReference(report.reference)}`)),
          h('ol.timeline', null, (report.history || []).map((/** @type {any} */ step) => h('li', null,
            h('strong', null, step.status_name), ` – ${when(step.at)}`, step.message ? h('p', null, step.message) : null)))),
        report.private ? privateDetails(report) : pageLink(report))))
        : waiting ? null : h('p', null, 'You have not sent any reports from this phone yet. ', h('a', { href: '/report' }, 'Report a problem')),
    ].filter(Boolean));
  };
  main.append(h('h1', null, 'My reports'), note, list);
  await draw();
  ctx.watch(() => { draw(); });
  // Say so when the signal goes (or comes back) while this screen is open.
  const signal = () => {
    if (!note.isConnected) {
      window.removeEventListener('offline', signal);
      window.removeEventListener('online', signal);
      return;
    }
    if (navigator.onLine) refresh();
    else note.textContent = OFFLINE;
  };
  const refresh = async () => {
    if (!(await outbox.sent()).length) {
      note.textContent = navigator.onLine ? '' : OFFLINE;
      return;
    }
    try {
      const { reports, savedAt } = await myReports();
      if (savedAt || !navigator.onLine) {
        note.textContent = savedAt ? `Offline — showing what was saved on this phone (copy from ${when(savedAt)}).` : OFFLINE;
        return;
      }
      await outbox.refreshSent(reports);
      note.textContent = 'Up to date.';
    } catch {
      note.textContent = OFFLINE;
    }
  };
  window.addEventListener('offline', signal);
  window.addEventListener('online', signal);
  refresh();
}
