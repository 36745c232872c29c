// @ts-check
/**
 * My Account: a resident signs in with a code sent by email (no password); staff keep their
 * password sign-in one link away. Reporting never needs any of this.
 *
 * One route, /account, with `?screen=` for the screens under it (code, profile, email, devices,
 * data, delete, staff): the app shell and the service worker already own /account.
 */
import { h } from '../lib/dom.js';
import { whoIsSignedIn } from '../lib/api.js';
import * as account from '../lib/account.js';
import { appendAll, busy, field, showErrors, when } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */

/** @type {Record<string, () => Promise<{render: (main: HTMLElement, ctx: Ctx) => Promise<void> | void}>>} */
const SCREENS = {
  code: () => import('./account-code.js'),
  email: () => import('./account-code.js').then((m) => ({ render: m.renderEmailChange })),
  profile: () => import('./account-profile.js'),
  devices: () => import('./account-devices.js'),
  data: () => import('./account-data.js'),
  delete: () => import('./account-data.js').then((m) => ({ render: m.renderDelete })),
};

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  const screen = ctx.query.get('screen') || '';
  if (screen === 'staff') {
    (await import('./account-staff.js')).signInForm(main, ctx);
    return;
  }
  if (Object.hasOwn(SCREENS, screen)) {
    await (await SCREENS[screen]()).render(main, ctx);
    return;
  }
  const staff = await whoIsSignedIn();
  if (staff) {
    (await import('./account-staff.js')).signedIn(main, ctx, staff, storageNote());
    return;
  }
  const state = await account.currentMe().catch(() => null);
  if (state && state.me.account) signedIn(main, ctx, state);
  else signInByEmail(main, ctx, Boolean(state?.offline));
}

/** How much room the app takes on this phone. */
function storageNote() {
  const note = h('p.hint');
  if (navigator.storage && navigator.storage.estimate) {
    navigator.storage.estimate().then(({ usage = 0 }) => navigator.storage.persisted().then((kept) => {
      note.textContent = `This app uses ${Math.max(1, Math.round(usage / 1e6))} MB on this phone${kept ? ', and the phone will not clear it' : ''}.`;
    })).catch(() => undefined);
  }
  return note;
}

/** @param {HTMLElement} main @param {Ctx} ctx @param {boolean} offline */
function signInByEmail(main, ctx, offline) {
  document.title = 'My Account – Report It';
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    busy(button, async () => {
      const email = String(new FormData(form).get('email') || '').trim();
      if (!email) {
        showErrors(top, form, [{ field: 'email', message: 'Enter your email address.' }], 'My Account');
        return;
      }
      try {
        if (!navigator.onLine) throw new TypeError('offline');
        await account.askCode(email);
      } catch (error) {
        showErrors(top, form, account.problemMessages(error, { email: 'email' }, 'email', account.OFFLINE_SIGN_IN), 'My Account');
        return;
      }
      await ctx.navigate('/account?screen=code');
    });
  } },
  field('email', 'Email address', { type: 'email', autocomplete: 'email' }, 'We will email you a 6-digit code. No password needed.'),
  h('button', { type: 'submit' }, 'Send me a code')));
  appendAll(main, top, h('h1', null, 'My Account'),
    h('p', null, 'You do not need an account to report a problem. Sign in to see your reports on every phone you use, and to fill in your contact details for you.'),
    offline ? h('div.notice', { id: 'offline-notice' }, h('p', null, account.OFFLINE_SIGN_IN)) : null,
    form,
    h('p', null, h('a', { href: '/account?screen=staff' }, 'Council staff? Sign in with your password')),
    storageNote());
}

/** @param {HTMLElement} main @param {Ctx} ctx @param {import("../lib/account.js").MeState} state */
function signedIn(main, ctx, state) {
  document.title = 'My Account – Report It';
  const me = /** @type {import("../lib/account.js").Account} */ (state.me.account);
  const top = h('div');
  const places = me.places || [];
  /** @param {string} label @param {any} value @param {string} [href] @param {string} [linkText] */
  const row = (label, value, href, linkText) => h('div.summary__row', null,
    h('dt', null, label), h('dd', null, value || 'Not given'),
    href ? h('dd.summary__change', null, h('a', { href }, linkText || 'Change', h('span.visually-hidden', null, ` ${label.toLowerCase()}`))) : null);
  const signOut = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'sign-out', onclick: () => busy(signOut, async () => {
    try {
      await account.signOut();
    } catch (error) {
      top.replaceChildren(h('div.notice.notice--stop', { role: 'alert', tabindex: '-1' },
        h('p', null, account.isOffline(error) ? account.OFFLINE_CHANGE : 'Signing out did not work. Try again.')));
      /** @type {HTMLElement} */ (top.firstChild).focus();
      return;
    }
    await ctx.navigate('/account', { replace: true });
    ctx.announce('Signed out. Reports waiting to be sent are still on this phone.');
  }) }, 'Sign out on this phone'));
  appendAll(main, top, h('h1', null, 'My Account'),
    state.offline ? h('div.notice', { id: 'offline-notice' }, h('p', null,
      `You're offline: showing what this phone knew on ${when(state.at)}. Changes need a connection.`)) : null,
    h('p', null, 'Signed in as ', h('strong', null, me.email), '. Your reports and updates are the same on every phone you sign in on.'),
    h('dl.summary', null,
      row('Name', me.name, '/account?screen=profile'),
      row('Phone number', me.phone, '/account?screen=profile'),
      row('Saved places', places.length ? places.map((p) => `${p.label}: ${p.address || 'a point on the map'}`).join('\n') : '', '/account?screen=profile'),
      row('Email address', me.email, '/account?screen=email')),
    h('ul', null,
      h('li', null, h('a', { href: '/mine' }, 'My reports, from every phone')),
      h('li', null, h('a', { href: '/account?screen=devices' }, 'Phones and browsers signed in')),
      h('li', null, h('a', { href: '/account?screen=data' }, 'Download my data, or delete my account'))),
    notifications(),
    signOut,
    h('p.hint', null, 'Signing out does not delete anything: reports waiting to be sent stay on this phone and are sent as usual.'),
    storageNote());
}

/** "Get notifications on this phone": a second phone hears of every report the account follows. */
function notifications() {
  const section = h('section', { 'aria-labelledby': 'notifications-title' }, h('h2', { id: 'notifications-title' }, 'Notifications on this phone'));
  const status = h('p', { id: 'notifications-status', role: 'status' });
  const on = () => { status.textContent = 'This phone gets a notification when the council updates your reports.'; };
  import('../lib/push.js').then(async (push) => {
    if (push.updatesSupport() !== 'push') {
      section.append(h('p', null, 'This phone cannot get notifications from the app. We will email your updates instead if you give your email on a report.'));
      return;
    }
    section.append(status);
    if (await push.hasSubscription()) {
      on();
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'notify-this-phone', onclick: () => busy(button, async () => {
      try {
        if ((await push.subscribeThisPhone()) === 'denied') {
          status.textContent = 'Notifications are blocked for this app. Allow them in your phone\'s settings, then try again.';
          return;
        }
      } catch (error) {
        status.textContent = account.isOffline(error) ? account.OFFLINE_CHANGE : 'That did not work. Try again later.';
        return;
      }
      button.remove();
      on();
    }) }, 'Get notifications on this phone'));
    section.append(button);
  }).catch(() => undefined);
  return section;
}
