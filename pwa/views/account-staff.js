// @ts-check
/** Staff sign-in for street wardens and council staff (a password, a session cookie), reached from My Account. */
import { h } from '../lib/dom.js';
import { signIn, signOut } from '../lib/api.js';
import { appendAll, backToAccount, field, showErrors } from './account-forms.js';
import { offlineMap } from './offline-map.js';

/** @typedef {import('./report.js').Ctx} Ctx */

/** Signed in as staff. @param {HTMLElement} main @param {Ctx} ctx @param {{email: string, role: string}} staff @param {HTMLElement} storage */
export function signedIn(main, ctx, staff, storage) {
  document.title = 'Account – Report It';
  appendAll(main, h('h1', null, 'Account'),
    h('p', null, `You are signed in as ${staff.email} (${staff.role}).`),
    h('p', null, 'Reports you send are filed under your staff account. After sending, "Report another here" keeps the problem and the place.'),
    h('button.secondary', { type: 'button', onclick: async () => {
      await signOut().catch(() => undefined);
      await ctx.navigate('/account', { replace: true });
      ctx.announce('Signed out.');
    } }, 'Sign out'), offlineMap(), storage);
}

/** The password form. @param {HTMLElement} main @param {Ctx} ctx */
export function signInForm(main, ctx) {
  document.title = 'Staff sign-in – Report It';
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const data = new FormData(form);
    const email = String(data.get('email') || '').trim();
    const password = String(data.get('password') || '');
    try {
      await signIn(email, password);
    } catch (error) {
      const body = /** @type {any} */ (error).body || {};
      const errors = (body.errors || []).map((/** @type {any} */ e) => ({ field: e.field === 'password' ? 'password' : 'email', message: e.message }));
      if (!errors.length) errors.push({ field: 'email', message: body.detail || 'Sign-in failed. Check your email address and password.' });
      showErrors(top, form, errors, 'Staff sign-in');
      return;
    }
    await ctx.navigate('/account', { replace: true });
    ctx.announce('Signed in.');
  } },
  field('email', 'Email address', { type: 'email', autocomplete: 'username' }),
  field('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
  h('button', { type: 'submit' }, 'Sign in')));
  appendAll(main, backToAccount(), top, h('h1', null, 'Staff sign-in'),
    h('p', null, 'For council staff and street wardens, with the password the council gave you. Residents do not need a password: they sign in with a code sent by email.'), form);
}
