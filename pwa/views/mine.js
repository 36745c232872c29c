// @ts-check
/**
 * My reports: those sent from this phone, with their status and timeline; readable with no signal.
 * Signed in to My Account, also the account's reports from its other phones, and the reports it follows.
 */
import { h, readableReference } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { myReports } from '../lib/api.js';
import * as account from '../lib/account.js';
import { waitingWords } from '../lib/sending.js';

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

/** @param {string} words e.g. "1 report is waiting to be sent." */
function waitingNotice(words) {
  return h('div.notice', { id: 'waiting-to-send' }, h('p', null, `${words} `, h('a', { href: '/outbox' }, 'See your outbox')));
}

/** Reports the account follows but did not make (from any of its phones). @param {{reference: string}[]} followed */
function followedList(followed) {
  return h('section', { 'aria-labelledby': 'following-title' },
    h('h2', { id: 'following-title' }, 'Reports you follow'),
    h('ul', { id: 'following' }, followed.map((f) => h('li', null,
      h('a', { href: `/r/${f.reference}` }, `Report ${readableReference(f.reference)}`)))));
}

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  document.title = 'My reports – Report It';
  const list = h('div', { id: 'my-reports' });
  const note = h('p.hint', { 'aria-live': 'polite', id: 'my-reports-note' });
  const draw = async () => {
    const sent = await outbox.sent();
    const queued = await outbox.list();
    // Comments on applications are kept in the outbox too, but they are not reports: the Outbox
    // and the application's page show them, My reports does not.
    const waiting = queued.filter((item) => item.kind !== 'representation').length;
    if (list.contains(document.activeElement)) return;
    const shown = sent.filter((s) => s.report?.reference && s.report.kind !== 'representation').map(({ report, sent_at: sentAt }) => ({ report, sentAt, elsewhere: false }));
    const here = new Set(shown.map(({ report }) => report.reference));
    // Signed in: the account's reports from its other phones (the server's copy, kept on this phone).
    for (const report of await account.accountReports()) {
      if (!here.has(report.reference)) shown.push({ report, sentAt: report.created_at, elsewhere: true });
    }
    shown.sort((a, b) => String(b.sentAt).localeCompare(String(a.sentAt)));
    const followed = (await account.knownFollows()).filter((f) => !f.reporter);
    list.replaceChildren(...[
      queued.length ? waitingNotice(waitingWords(queued)) : null,
      shown.length ? h('ul.items', null, shown.map(({ report, sentAt, elsewhere }) => h('li.item', null,
        h('h2', null, report.category?.name || 'Report'),
        h('p', null, 'Reference ', h('strong', null, readableReference(report.reference)), ` · sent ${when(sentAt)}${elsewhere ? ' from another phone' : ''}`),
        h('p', null, h('span', { class: `tag ${report.status?.kind === 'fixed' ? 'tag--sent' : ''}` }, report.status?.name || 'Received')),
        report.location?.words ? h('p.place', null, `Where: ${report.location.words}`) : null,
        report.duplicate_of ? h('p', null, 'Reported already as ', h('a', { href: report.duplicate_of.url }, `report ${report.duplicate_of.reference_spoken}`)) : null,
        h('details', null, h('summary', null, 'Timeline', h('span.visually-hidden', null, ` for ${readableReference(report.reference)}`)),
          h('ol.timeline', null, (report.history || []).map((/** @type {any} */ step) => h('li', null,
            h('strong', null, step.status_name), ` – ${when(step.at)}`, step.message ? h('p', null, step.message) : null)))),
        report.private ? privateDetails(report) : pageLink(report))))
        : waiting ? null : h('p', null, 'You have not sent any reports from this phone yet. ', h('a', { href: '/report' }, 'Report a problem')),
      followed.length ? followedList(followed) : null,
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
    const signedIn = Boolean(await account.refreshAccount());  // signed out from another phone: forget its copies
    if (signedIn) account.follows().then(() => draw()).catch(() => undefined);
    if (!(await outbox.sent()).length && !signedIn) {
      note.textContent = navigator.onLine ? '' : OFFLINE;
      return;
    }
    try {
      const { reports, savedAt } = await myReports();
      if (savedAt || !navigator.onLine) {
        note.textContent = savedAt ? `Offline — showing what was saved on this phone (copy from ${when(savedAt)}).` : OFFLINE;
        return;
      }
      await account.rememberAccountReports(reports);
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
