// @ts-check
/** Staff sign-in for street wardens (a session cookie), and what this phone keeps. */
import { h, errorSummary, fieldError } from '../lib/dom.js';
import { whoIsSignedIn, signIn, signOut } from '../lib/api.js';

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  document.title = 'Account – Report It';
  const staff = await whoIsSignedIn();
  const storage = h('p.hint');
  if (navigator.storage && navigator.storage.estimate) {
    navigator.storage.estimate().then(({ usage = 0 }) => navigator.storage.persisted().then((kept) => {
      storage.textContent = `This app uses ${Math.max(1, Math.round(usage / 1e6))} MB on this phone${kept ? ', and the phone will not clear it' : ''}.`;
    })).catch(() => undefined);
  }
  if (staff) {
    main.append(h('h1', null, 'Account'),
      h('p', null, `You are signed in as ${staff.email} (${staff.role}).`),
      h('p', null, 'Reports you send are filed under your staff account. After sending, "Report another here" keeps the problem and the place.'),
      h('button.secondary', { type: 'button', onclick: async () => {
        await signOut().catch(() => undefined);
        main.replaceChildren();
        await render(main, ctx);
        (/** @type {HTMLElement} */ (main.querySelector('h1'))).focus();
      } }, 'Sign out'), storage);
    return;
  }
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const data = new FormData(form);
    const email = String(data.get('email') || '').trim();
    const password = String(data.get('password') || '');
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    try {
      await signIn(email, password);
    } catch (error) {
      const body = /** @type {any} */ (error).body || {};
      const errors = (body.errors || []).map((/** @type {any} */ e) => ({ field: e.field === 'password' ? 'password' : 'email', message: e.message }));
      if (!errors.length) errors.push({ field: 'email', message: body.detail || 'Sign-in failed. Check your email address and password.' });
      for (const e of errors) form.querySelector(`#${e.field}`)?.before(fieldError(`${e.field}-error`, e.message));
      top.replaceChildren(errorSummary(errors));
      document.title = 'Error: Account – Report It';
      (/** @type {HTMLElement} */ (top.firstChild)).focus();
      return;
    }
    main.replaceChildren();
    await render(main, ctx);
    ctx.announce('Signed in.');
    (/** @type {HTMLElement} */ (main.querySelector('h1'))).focus();
  } },
  h('div.field', null, h('label', { for: 'email' }, 'Email address'), h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', spellcheck: 'false' })),
  h('div.field', null, h('label', { for: 'password' }, 'Password'), h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password' })),
  h('button', { type: 'submit' }, 'Sign in')));
  main.append(top, h('h1', null, 'Staff sign-in'),
    h('p', null, 'For council staff and street wardens. Residents do not need an account.'), form, storage);
}
