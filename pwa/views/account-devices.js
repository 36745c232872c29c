// @ts-check
/** The phones and browsers signed in to the account: when each was first and last seen; sign out one or all. */
import { h } from '../lib/dom.js';
import * as account from '../lib/account.js';
import { appendAll, backToAccount, busy, when } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */

const TITLE = 'Phones and browsers signed in';

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  document.title = `${TITLE} – Report It`;
  const top = h('div');
  appendAll(main, backToAccount(), top, h('h1', null, TITLE));
  /** @type {import('../lib/account.js').Device[]} */
  let list;
  try {
    list = await account.devices();
  } catch (error) {
    const status = /** @type {{status?: number}} */ (error).status;
    if (status === 403) {
      await ctx.navigate('/account', { replace: true });
      return;
    }
    main.append(h('div.notice', null, h('p', null, account.isOffline(error) ? account.OFFLINE_CHANGE : 'We could not get the list just now. Try again later.')));
    return;
  }
  /** @param {unknown} error */
  const failed = (error) => {
    top.replaceChildren(h('div.notice.notice--stop', { role: 'alert', tabindex: '-1' },
      h('p', null, account.isOffline(error) ? account.OFFLINE_CHANGE : 'That did not work. Try again.')));
    /** @type {HTMLElement} */ (top.firstChild).focus();
  };
  /** @param {import('../lib/account.js').Device} device */
  const item = (device) => {
    const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', onclick: () => busy(button, async () => {
      try {
        if (device.this_device) await account.signOut();
        else await account.removeDevice(device.id);
      } catch (error) {
        failed(error);
        return;
      }
      if (device.this_device) {
        await ctx.navigate('/account', { replace: true });
        ctx.announce('Signed out on this phone.');
        return;
      }
      await ctx.navigate('/account?screen=devices', { replace: true });
      ctx.announce(`Signed out ${device.browser}.`);
    }) }, 'Sign out', h('span.visually-hidden', null, ` ${device.browser}${device.this_device ? ' (this phone)' : ''}`)));
    return h('li.item', null,
      h('h2', null, device.browser, device.this_device ? ' (this phone)' : ''),
      h('dl.summary', null,
        h('div.summary__row', null, h('dt', null, 'First seen'), h('dd', null, when(device.first_seen))),
        h('div.summary__row', null, h('dt', null, 'Last seen'), h('dd', null, when(device.last_seen))),
        h('div.summary__row', null, h('dt', null, 'Signed in'), h('dd', null, when(device.signed_in_at)))),
      button);
  };
  const everywhere = /** @type {HTMLButtonElement} */ (h('button.warning', { type: 'button', id: 'sign-out-everywhere', onclick: () => busy(everywhere, async () => {
    try {
      await account.signOut(true);
    } catch (error) {
      failed(error);
      return;
    }
    await ctx.navigate('/account', { replace: true });
    ctx.announce('Signed out on every phone and browser.');
  }) }, 'Sign out everywhere'));
  appendAll(main, 
    h('p', null, 'Signing a phone out does not delete anything: its reports stay in your account, and anything it has not sent yet is still sent.'),
    h('ul.items', { id: 'devices' }, list.map(item)),
    everywhere);
}
