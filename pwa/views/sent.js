// @ts-check
/** After pressing Send: saved, sending (with progress), sent (reference, link, updates) or needs attention. */
import { h, formatBytes, readableReference } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { another } from '../lib/draft.js';
import { updatesSupport, getUpdates } from '../lib/push.js';
import { whoIsSignedIn } from '../lib/api.js';
import { emailForm, emailPromise } from './email-updates.js';
import { lastSavedPlace, steps } from '../lib/journey.js';
import { progress, whenSentWords } from '../lib/sending.js';
import { photoProgress, progressWords } from '../lib/photo-upload.js';

/** @typedef {import('./report.js').Ctx} Ctx */

/** @type {Record<string, string>} */
const ANNOUNCEMENTS = {
  sent: 'Your report has been sent.',
  attention: 'Your report needs your attention.',
  missing: 'Report not found.',
  received: 'The council has received your report. Its photos are still being sent.',
};

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  const clientId = ctx.params[1];
  let shownScreen = '';
  let shownState = '';
  const bar = /** @type {HTMLProgressElement} */ (h('progress', { max: 100, value: 0, id: 'upload-progress', 'aria-label': 'Sending your report' }));
  const status = h('div', { id: 'sending-status' });
  const staff = await whoIsSignedIn();

  const draw = async () => {
    const waiting = await outbox.get(clientId);
    const done = waiting ? null : await outbox.sentItem(clientId);
    const state = done ? 'sent' : waiting ? waiting.state : 'missing';
    const upload = progress();
    if (state === 'sending' && upload) {
      bar.value = Math.round((upload.sent / Math.max(1, upload.total)) * 100);
      bar.textContent = `${bar.value}%`;
    }
    // Waiting and sending are one screen: a try with no signal flips between them every few
    // seconds, and that must neither move a keyboard user's focus nor be read out each time.
    // Once the council has the report (its photos still on their way) the screen says so, once.
    const photos = waiting ? photoProgress(waiting) : null;
    const screen = state === 'attention' || state === 'sent' || state === 'missing' ? state : photos ? 'received' : 'waiting';
    const shown = `${state}:${photos ? photos.sent : ''}`;
    if ((screen === 'waiting' || screen === 'received') && shown !== shownState) {
      status.replaceChildren(...pendingStatus(/** @type {outbox.OutboxItem} */ (waiting), photos, bar));
    }
    shownState = shown;
    if (screen === shownScreen) return;
    const first = !shownScreen;
    shownScreen = screen;
    main.replaceChildren(...[].concat(screen === 'sent' ? sentScreen(/** @type {any} */ (done), staff, ctx)
      : screen === 'missing' ? [h('h1', null, 'Report not found'), h('p', null, h('a', { href: '/outbox' }, 'Go to your outbox'))]
        : pendingScreen(/** @type {outbox.OutboxItem} */ (waiting), status, staff, ctx)).filter(Boolean));
    if (first) return;
    ctx.announce(screen === 'waiting' ? `Your report is saved on this phone. ${whenSentWords()}` : ANNOUNCEMENTS[screen] || '');
    // The old screen (and whatever had focus on it) is gone: start again at the new heading.
    const heading = /** @type {HTMLElement | null} */ (main.querySelector('h1'));
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  };
  await draw();
  ctx.watch(() => { draw(); });
}

/** @param {outbox.OutboxItem} item @param {HTMLElement} status what is happening to it now @param {any} staff @param {Ctx} ctx */
function pendingScreen(item, status, staff, ctx) {
  if (item.state === 'attention') {
    document.title = 'Report saved – Report a problem';
    return [h('h1', null, 'Your report needs your attention'),
      h('div.notice.notice--stop', null, h('p', null, item.last_error)),
      h('p', null, h('a', { href: '/outbox' }, 'Go to your outbox to change or delete it'))];
  }
  const reference = item.parts?.uploads?.length ? item.parts.reference : '';
  document.title = reference ? 'Report received – Report a problem' : 'Report saved – Report a problem';
  return [
    reference
      ? h('div.panel', null, h('h1', null, 'Report received by the council'),
        h('p', null, 'Your reference is'), h('p.reference', null, readableReference(reference)))
      : h('div.panel', null, h('h1', null, 'Report saved on this phone')),
    status,
    h('p', null, h('a', { href: '/outbox' }, 'See your outbox')),
    ...whatNext(staff, ctx),
  ];
}

/**
 * Sending (with its progress) or waiting to be sent; once the council has the report, how far its
 * photos have got. An error from an earlier try is not shown while a try is going on.
 * @param {outbox.OutboxItem} item @param {{sent: number, total: number, bytesLeft: number} | null} photos
 * @param {HTMLProgressElement} bar
 */
function pendingStatus(item, photos, bar) {
  const sending = item.state === 'sending';
  if (photos) {
    bar.setAttribute('aria-label', 'Sending the photos');
    return [
      h('p', null, `The council has your report. ${progressWords(photos)}.`),
      sending ? bar : h('p', null, whenSentWords('photos')),
      !sending && item.last_error ? h('p.hint', null, item.last_error) : null,
    ].filter(Boolean);
  }
  const size = item.summary?.photo_bytes ?? item.photos.reduce((sum, p) => sum + p.data.byteLength, 0);
  return [
    sending
      ? h('div', null, h('p', null, `Sending your report${size ? ` (${formatBytes(size)})` : ''}…`), bar)
      : h('p', null, whenSentWords()),
    !sending && item.last_error ? h('p.hint', null, item.last_error) : null,
  ].filter(Boolean);
}

/**
 * "What next", on the saved screen as on the sent one: a street warden files many reports in one
 * place, often with no signal for hours, so "Report another here" does not wait for the council.
 * @param {any} staff @param {Ctx} ctx
 */
function whatNext(staff, ctx) {
  const keep = lastSavedPlace();
  return [
    h('h2', null, 'What next'),
    staff && keep ? h('button', { type: 'button', id: 'report-another-here', onclick: () => {
      another(keep);
      // The answers start afresh with the photos: ask the problem's questions again, if it has any.
      ctx.navigate(`/report/${steps()[0]}`);
    } }, 'Report another here') : null,
    h('p', null, h('a', { href: '/report' }, 'Report another problem')),
  ];
}

/** @param {outbox.SentItem} sent @param {any} staff @param {Ctx} ctx */
function sentScreen(sent, staff, ctx) {
  document.title = 'Report sent – Report a problem';
  const report = sent.report || {};
  const updates = h('div', { id: 'updates' });
  const support = updatesSupport();
  const email = report.contact && report.contact.email;
  if (support === 'push') {
    const button = h('button.secondary', { type: 'button', id: 'get-updates', onclick: async () => {
      button.setAttribute('disabled', '');
      try {
        const result = await getUpdates(report.reference);
        const said = h('p', { role: 'status', tabindex: '-1' }, result === 'on'
          ? 'You will get a notification when the council updates this report.'
          : 'Notifications are turned off for this app, so we cannot send them to this phone.');
        updates.replaceChildren(said);
        // Blocked notifications must not be the end of it: email is the other way to hear back.
        if (result !== 'on') updates.append(email ? emailPromise(email) : emailForm(report.reference));
        said.focus();  // the pressed button is gone: keep a keyboard user's place here
      } catch {
        button.removeAttribute('disabled');
        updates.append(h('p.field-error', { role: 'alert' }, 'We could not turn on updates just now. Try again later from My reports.'));
      }
    } }, 'Get updates');
    updates.append(h('h2', null, 'Get updates about this report?'), h('p', null, 'We can send a notification to this phone when the council changes its status.'), button);
  } else {
    updates.append(h('h2', null, 'Get updates about this report?'),
      support === 'ios-install' ? h('p', null, 'To get notifications on an iPhone or iPad, add Report It to your Home Screen: tap the Share button, then "Add to Home Screen", and open it from there.') : null,
      email ? emailPromise(email) : emailForm(report.reference));
  }
  return [
    h('div.panel', null,
      h('h1', null, 'Report sent'),
      h('p', null, 'Your reference is'),
      h('p.reference', null, readableReference(report.reference))),
    // A private report has no page for anyone but staff: say where the resident can see it instead.
    report.private
      ? h('div.notice', { id: 'private-report' }, h('p', null, 'This report is private: only you and council staff can see it. ',
        h('a', { href: '/mine' }, 'See it in My reports'), '.'))
      : h('p', null, 'The permanent link to your report: ', h('a', { href: report.url || `/r/${report.reference}` }, report.url || `/r/${report.reference}`)),
    staff ? null : updates,  // staff file reports under their own account: they see them already
    ...whatNext(staff, ctx),
    h('p', null, h('a', { href: '/mine' }, 'See your reports')),
  ];
}
