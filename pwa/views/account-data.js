// @ts-check
/** My data: download it (JSON, or a page to read), and delete the account, saying exactly what goes and what stays. */
import { h } from '../lib/dom.js';
import * as account from '../lib/account.js';
import { appendAll, backToAccount, busy, field, showErrors } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */

// What deleting the account does, word for word as the server says it (accounts/erase.py): shown
// before the server is asked, and when the answer has no lists.
const DELETED = [
  'your account: email address, name and phone number',
  'your saved places',
  'the link between your reports and your phones, and the contact details on your reports',
  'the photos of reports in private categories',
  'your follows, push subscriptions and email updates',
  'your alerts (the places, wards and applications you watch) and any alerts not yet sent to you',
  'the link between your comments on applications and your account and phones, and any receipts for them not yet sent',
];
const KEPT = [
  'your reports, their public photos and status history, with no name, email, phone or device: the council '
    + 'must keep them as a public record',
  'your comments on planning and licensing applications (representations), with the name, full address and '
    + 'email address you gave: they are part of the legal record the council decides applications on. The public '
    + 'register never shows your name, full address or email address',
  'a note that an account was erased, with no email address',
];

/** @param {Ctx} ctx */
async function signedInOrBack(ctx) {
  if (await account.knownAccount()) return true;
  await ctx.navigate('/account', { replace: true });
  return false;
}

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  if (!(await signedInOrBack(ctx))) return;
  const title = 'Your data';
  document.title = `${title} – Report It`;
  const status = h('p', { id: 'download-status', role: 'status' });
  /** @param {'json' | 'html'} format @param {string} label */
  const download = (format, label) => {
    const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: `download-${format}`, onclick: () => busy(button, async () => {
      status.textContent = 'Getting your data…';
      try {
        const name = await account.downloadMyData(format);
        status.textContent = `Saved as ${name}.`;
      } catch (error) {
        status.textContent = account.isOffline(error) ? account.OFFLINE_CHANGE : 'We could not get your data just now. Try again later.';
      }
    }) }, label));
    return button;
  };
  appendAll(main, backToAccount(), h('h1', null, title),
    h('p', { id: 'data-contents' }, 'A copy of everything the council holds about your account: your details, saved places '
      + 'and phones (and whether they get notifications); your reports, follows and alerts; your comments on planning and '
      + 'licensing applications; the updates and alerts sent to you; and your account\'s history.'),
    download('json', 'Download my data (JSON file)'),
    download('html', 'Download a copy to read (web page)'),
    status,
    h('h2', null, 'Delete your account'),
    h('p', null, 'Your reports stay as the council\'s public record, without your name or contact details. Your comments on '
      + 'applications stay with the name and address you gave, as part of the legal record. ',
      h('a', { href: '/account?screen=delete' }, 'Delete my account')));
}

/** @param {string} heading @param {string[]} lines @param {string} id */
function listOf(heading, lines, id) {
  return [h('h2', { id: `${id}-title` }, heading), h('ul', { id, 'aria-labelledby': `${id}-title` }, lines.map((line) => h('li', null, line)))];
}

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function renderDelete(main, ctx) {
  if (!(await signedInOrBack(ctx))) return;
  const title = 'Delete your account';
  document.title = `${title} – Report It`;
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    busy(/** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]')), async () => {
      const confirm = String(new FormData(form).get('confirm') || '').trim();
      if (confirm.toLowerCase() !== account.CONFIRM_PHRASE) {
        showErrors(top, form, [{ field: 'confirm', message: `Type "${account.CONFIRM_PHRASE}" to confirm. Nothing has been deleted.` }], title);
        return;
      }
      /** @type {{deleted: string[], kept: string[]}} */
      let summary;
      try {
        if (!navigator.onLine) throw new TypeError('offline');
        summary = await account.deleteAccount(confirm);
      } catch (error) {
        showErrors(top, form, account.problemMessages(error, { confirm: 'confirm' }, 'confirm'), title);
        return;
      }
      deleted(main, summary);
      ctx.announce('Your account is deleted.');
    });
  } },
  field('confirm', `To confirm, type "${account.CONFIRM_PHRASE}"`, { type: 'text', autocomplete: 'off' }),
  h('button.warning', { type: 'submit' }, 'Delete my account')));
  appendAll(main, backToAccount(), top, h('h1', null, title),
    h('p', null, 'This cannot be undone. Every phone signed in to your account is signed out.'),
    ...listOf('What is deleted', DELETED, 'what-is-deleted'),
    ...listOf('What the council keeps', KEPT, 'what-is-kept'),
    h('p', null, 'Reports waiting to be sent from this phone are still sent. This phone keeps its own list of the reports it sent until you remove the app.'),
    form);
}

/** After the deletion: what the server says it did. @param {HTMLElement} main @param {{deleted: string[], kept: string[]}} summary */
function deleted(main, summary) {
  document.title = 'Your account is deleted – Report It';
  main.replaceChildren(h('h1', { tabindex: '-1' }, 'Your account is deleted'),
    ...listOf('What was deleted', summary.deleted || DELETED, 'what-was-deleted'),
    ...listOf('What the council keeps', summary.kept || KEPT, 'what-is-kept'),
    h('p', null, h('a', { href: '/' }, 'Back to the start')));
  /** @type {HTMLElement} */ (main.querySelector('h1')).focus();
}
