// @ts-check
/** "Enter the 6-digit code we sent to …": signing in, and confirming a new email address. */
import { h } from '../lib/dom.js';
import * as account from '../lib/account.js';
import { appendAll, backToAccount, busy, field, showErrors } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  const pending = await account.pendingCode();
  if (!pending) {
    await ctx.navigate('/account', { replace: true });
    return;
  }
  const changing = pending.purpose === 'change_email';
  const title = changing ? 'Confirm your new email address' : 'Check your email';
  document.title = `${title} – Report It`;
  const top = h('div');
  const sent = h('p', { id: 'code-sent', 'aria-live': 'polite' });
  const fields = { code: 'code', email: 'code' };
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    busy(/** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]')), async () => {
      const code = String(new FormData(form).get('code') || '').replace(/[\s-]/g, '');
      if (!/^[0-9]{6}$/.test(code)) {
        showErrors(top, form, [{ field: 'code', message: 'Enter the 6-digit code from the email.' }], title);
        return;
      }
      try {
        if (!navigator.onLine) throw new TypeError('offline');
        if (changing) await account.verifyNewEmail(pending.email, code);
        else await account.verifyCode(pending.email, code);
      } catch (error) {
        const offline = changing ? account.OFFLINE_CHANGE : account.OFFLINE_SIGN_IN;
        showErrors(top, form, account.problemMessages(error, fields, 'code', offline), title);
        return;
      }
      await ctx.navigate('/account', { replace: true });
      ctx.announce(changing ? `Your email address is now ${pending.email}.` : `Signed in as ${pending.email}.`);
    });
  } },
  field('code', 'Code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]*', maxlength: 9, class: 'code-input' },
    'The code works once, for 10 minutes. You can also open the link in the email on this phone.'),
  h('button', { type: 'submit' }, changing ? 'Confirm' : 'Sign in')));
  const again = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'send-new-code', onclick: () => busy(again, async () => {
    try {
      if (!navigator.onLine) throw new TypeError('offline');
      await account.askCode(pending.email, pending.purpose);
    } catch (error) {
      showErrors(top, form, account.problemMessages(error, fields, 'code', changing ? account.OFFLINE_CHANGE : account.OFFLINE_SIGN_IN), title);
      return;
    }
    showErrors(top, form, [], title);
    sent.textContent = `We sent a new code to ${pending.email}. Use the newest email.`;
    /** @type {HTMLElement} */ (form.querySelector('#code')).focus();
  }) }, 'Send a new code'));
  appendAll(main, backToAccount(), top, h('h1', null, title),
    h('p', null, `Enter the 6-digit code we sent to ${pending.email}.`),
    h('p.hint', null, 'No email? Check your spam folder, or send a new code.'),
    form, sent, again,
    h('p', null, h('a', { href: changing ? '/account?screen=email' : '/account' }, 'Use a different email address')));
}

/** The new address, before its code. @param {HTMLElement} main @param {Ctx} ctx */
export async function renderEmailChange(main, ctx) {
  const me = await account.knownAccount();
  if (!me) {
    await ctx.navigate('/account', { replace: true });
    return;
  }
  const title = 'Change your email address';
  document.title = `${title} – Report It`;
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    busy(/** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]')), async () => {
      const email = String(new FormData(form).get('email') || '').trim();
      try {
        if (!navigator.onLine) throw new TypeError('offline');
        await account.askCode(email, 'change_email');
      } catch (error) {
        showErrors(top, form, account.problemMessages(error, { email: 'email' }, 'email'), title);
        return;
      }
      await ctx.navigate('/account?screen=code');
    });
  } },
  field('email', 'New email address', { type: 'email', autocomplete: 'email' }, `Now ${me.email}. We will send a code to the new address to check it is yours.`),
  h('button', { type: 'submit' }, 'Send a code')));
  appendAll(main, backToAccount(), top, h('h1', null, title), form);
}
