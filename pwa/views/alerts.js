// @ts-check
/**
 * Alerts: what this resident watches, with Edit and Delete; "Add an alert" opens the form
 * (views/alerts-form.js, `/alerts?screen=new` or `?screen=edit&id=N`, so the shell needs one route).
 */
import { h } from '../lib/dom.js';
import * as alerts from '../lib/alerts.js';
import { hasSubscription, subscribeThisPhone, updatesSupport } from '../lib/push.js';
import { streetList } from '../lib/places.js';
import { wordsNear } from './alerts-place.js';

const TITLE = 'Alerts';

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  const screen = ctx.query.get('screen');
  if (screen === 'new' || screen === 'edit') {
    const form = await import('./alerts-form.js');
    return form.render(main, ctx);
  }
  document.title = `${TITLE} – Report It`;
  main.append(h('h1', null, TITLE),
    h('p', null, 'Hear about planning and licensing applications, and problems reported, near the places you care about.'));
  const status = h('div', { role: 'status' });
  main.append(status);
  let found;
  try {
    found = await alerts.listAlerts();
  } catch (error) {
    status.append(h('p', null, /** @type {{status?: number}} */ (error).status
      ? 'We could not load your alerts just now. Try again in a minute.'
      : "You're offline. Your alerts are kept by the council: open this screen again when you have signal."));
    return;
  }
  main.append(await notificationsOffer(found.email));
  if (!found.alerts.length) {
    main.append(h('p', null, 'You have no alerts yet.'));
  } else {
    const places = await streetList().catch(() => null);  // to say where each place is
    const near = (/** @type {alerts.Alert} */ alert) => alert.latitude === null || alert.longitude === null ? ''
      : wordsNear(places, alert.latitude, alert.longitude);
    main.append(h('ul.alert-list', null, found.alerts.map((alert) => h('li.alert-list__item', null,
      h('h2', null, alert.label || (alert.application ? `Application ${alert.application}` : 'Alert')),
      h('p', null, alerts.describe(alert, near(alert))),
      alert.application ? null : h('a.button.secondary', { href: `/alerts?screen=edit&id=${alert.id}`,
        'aria-label': `Change ${alert.label || 'alert'}` }, 'Change'),
      h('button.secondary', { type: 'button', 'aria-label': `Delete ${alert.label || 'alert'}`, onclick: async () => {
        try {
          await alerts.deleteAlert(alert.id);
          ctx.announce(`Deleted ${alert.label || 'the alert'}.`);
          await ctx.navigate('/alerts', { replace: true });
        } catch {
          status.replaceChildren(h('p', null, 'We could not delete that alert. Check your signal and try again.'));
        }
      } }, 'Delete')))));
  }
  main.append(h('a.button', { href: '/alerts?screen=new', id: 'add-alert' }, 'Add an alert'));
}

/** How alerts will reach this phone, and the button to turn notifications on. @param {string | null} email */
async function notificationsOffer(email) {
  const box = h('div.notice');
  const byEmail = email ? ` If none of your phones takes notifications, we email ${email}.`
    : ' Sign in under Account to get alerts by email when none of your phones takes notifications.';
  if (updatesSupport() === 'push' && !(await hasSubscription().catch(() => false))) {
    const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', onclick: async () => {
      button.disabled = true;
      const result = await subscribeThisPhone().catch(() => 'failed');
      box.replaceChildren(h('p', null, result === 'on' ? 'Notifications are on for this phone.'
        : 'Notifications could not be turned on. You can allow them in your browser settings.'));
    } }, 'Get alerts as notifications on this phone'));
    box.append(h('p', null, `Alerts arrive as notifications.${byEmail}`), button);
  } else {
    box.append(h('p', null, `Alerts arrive as notifications on your phones.${byEmail}`));
  }
  return box;
}
