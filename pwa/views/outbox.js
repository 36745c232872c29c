// @ts-check
/** The outbox: every report not yet accepted by the council, its state and last error. */
import { h, readableReference } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { photoProgress, progressWords } from '../lib/photo-upload.js';
import { load } from '../lib/draft.js';
import { afterSave, flushFromPage, requestBackgroundSync, sendsWhenClosed } from '../lib/sending.js';
import { deadlineWarning } from '../lib/representation.js';
import { codeAgain, canPutRight, putRight } from './outbox-representation.js';
import { appPath, localToday } from '../lib/applications.js';
import { knownAccount } from '../lib/account.js';

/** @typedef {import('./report.js').Ctx} Ctx */

const STATES = {
  waiting: ['Waiting for signal', 'tag'],
  sending: ['Sending', 'tag tag--sending'],
  attention: ['Needs your attention', 'tag tag--attention'],
};

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  document.title = 'Outbox – Report It';
  const list = h('div', { id: 'outbox-list' });
  let stale = false;
  const draw = async () => {
    const items = await outbox.list();
    const sent = (await outbox.sent()).slice(0, 5);
    const account = await knownAccount().catch(() => null);  // a signed-in phone's comments need no code
    // Never pull the rug from under a keyboard user: catch up once focus leaves the list.
    stale = list.contains(document.activeElement) && document.activeElement !== document.body;
    if (stale) return;
    list.replaceChildren(...[
      items.length ? h('ul.items', null, items.map((item) => itemView(item, ctx, draw, account))) : h('p', null, 'Nothing is waiting to be sent.'),
      sent.length ? h('h2', null, 'Sent recently') : null,
      sent.length ? h('ul.items', null, sent.map((s) => h('li.item', null,
        h('h3', null, s.summary?.category_name || s.report?.category?.name || 'Report'),
        s.report?.location?.words || s.summary?.place ? h('p.place', null, `Where: ${s.report?.location?.words || s.summary?.place}`) : null,
        h('p', null, h('span.tag.tag--sent', null, 'Sent'), ` ${when(s.sent_at)} · reference `,
          // A representation's application opens in the app, which works with no signal (its /a/ page does not).
          h('a', { href: s.report?.kind === 'representation' ? appPath(s.report.reference) : s.report?.private ? '/mine'
            : s.report?.url || `/r/${s.report?.reference}` }, readableReference(s.report?.reference))),
        s.summary?.photo_problems?.length ? h('div.notice', null, h('p', null, 'The council could not use every photo:'),
          h('ul', null, s.summary.photo_problems.map((/** @type {string} */ m) => h('li', null, m)))) : null))) : null,
    ].filter(Boolean));
  };
  list.addEventListener('focusout', (event) => {
    if (stale && !list.contains(/** @type {Node | null} */ (event.relatedTarget))) setTimeout(draw);
  });
  main.append(
    h('h1', null, 'Outbox'),
    h('p', null, `Reports and comments on applications are kept here until the council has them. ${sendsWhenClosed()
      ? 'They are sent by themselves when there is a signal.'
      : 'They are sent when there is a signal while the app is open.'}`),
    h('button.secondary', { type: 'button', id: 'send-now', onclick: () => { requestBackgroundSync(); flushFromPage(true, { asked: true }); } }, 'Try sending now'),
    list,
  );
  await draw();
  ctx.watch(() => { draw(); });
}

/** @param {outbox.OutboxItem} item */
function photoCount(item) {
  return item.summary?.photo_count ?? item.photos.length;
}

/**
 * @param {outbox.OutboxItem} item @param {Ctx} ctx @param {() => Promise<void>} redraw
 * @param {{email: string} | null} account the account this phone is signed in to, if any
 */
function itemView(item, ctx, redraw, account) {
  const [label, cls] = STATES[item.state] || STATES.waiting;
  const title = item.summary?.category_name || 'Report';
  const confirm = h('div');
  const photos = photoProgress(item);  // the report is with the council; its photos are on their way
  const isRepresentation = item.kind === 'representation';
  const warning = isRepresentation ? deadlineWarning(item, localToday()) : '';
  const written = isRepresentation ? item.fields.body?.text : '';
  const li = h('li.item', { id: `item-${item.client_id}` },
    h('h2', null, title),
    item.summary?.place ? h('p.place', null, `Where: ${item.summary.place}`) : null,
    h('p', null, h('span', { class: cls }, label), ` · saved ${when(item.created_at)}${photoCount(item) ? ` · ${photoCount(item)} photo${photoCount(item) > 1 ? 's' : ''}` : ''}`),
    photos ? h('p.photo-progress', null, `Report received by the council (reference `,
      h('a', { href: `/r/${item.parts?.reference}` }, readableReference(item.parts?.reference)), `). ${progressWords(photos)}.`) : null,
    warning ? h('p.notice', { id: `deadline-${item.client_id}` }, h('strong', null, warning)) : null,
    written ? h('div', null, h('p', null, 'What you wrote:'), h('blockquote', { id: `written-${item.client_id}` }, h('p', null, written))) : null,
    item.last_error ? h(item.state === 'attention' ? 'div.notice.notice--stop' : 'p.hint', null,
      item.state === 'attention' && item.errors.length
        ? h('ul', null, item.errors.map((e) => h('li', null, e.message)))
        : h('p', null, item.last_error)) : null,
    item.state === 'attention' ? h('div', null,
      // A refused Idempotency-Key means the council holds different content under this report's
      // key: changing it cannot help, only sending it again as a new report can.
      isRepresentation && item.errors.some((e) => e.field === 'code') ? codeAgain(item, ctx, account)
      : isRepresentation && canPutRight(item) ? putRight(item, ctx)
      : isRepresentation ? h('a', { href: appPath(item.fields.reference) }, 'Open the application', h('span.visually-hidden', null, ` ${item.fields.reference}`))
      : item.errors.some((e) => e.field === 'Idempotency-Key')
        ? h('button', { type: 'button', onclick: async () => {
          const again = await outbox.save({ client_id: crypto.randomUUID(), fields: item.fields, photos: item.photos, summary: item.summary }, item.client_id);
          await ctx.navigate(`/sent/${again.client_id}`);
          afterSave();
        } }, 'Send as a new report', h('span.visually-hidden', null, `: ${title}`))
        : h('button', { type: 'button', onclick: async () => {
          await load(item);
          await ctx.navigate('/report/check');
        } }, 'Change this report', h('span.visually-hidden', null, `: ${title}`)),
      h('button.warning', { type: 'button', onclick: () => {
        confirm.replaceChildren(h('div.notice.notice--stop', null,
          h('p', { id: `confirm-${item.client_id}`, tabindex: '-1' }, `Delete this ${isRepresentation ? 'representation' : 'report'}? It has not been sent${item.state === 'attention' && isRepresentation ? ' (or the council could not accept it)' : ''}, and it cannot be brought back.`),
          h('button.warning', { type: 'button', onclick: async () => {
            await outbox.discard(item.client_id);
            ctx.announce(isRepresentation ? 'Comment deleted.' : 'Report deleted.');
            (/** @type {HTMLElement} */ (document.querySelector('h1'))).focus();
            await redraw();
          } }, 'Yes, delete it'),
          h('button.secondary', { type: 'button', onclick: () => { confirm.replaceChildren(); } }, 'No, keep it')));
        (/** @type {HTMLElement} */ (confirm.querySelector('p'))).focus();
      } }, isRepresentation ? 'Delete this representation' : 'Delete this report', h('span.visually-hidden', null, `: ${title}`)),
      confirm) : null);
  return li;
}
