// @ts-check
/**
 * One application in the app: its one clear deadline, whether late comments count, what is
 * proposed and its history. Kept on the phone when opened, so it reads with no signal.
 */
import { appendTo, h } from '../lib/dom.js';
import * as applications from '../lib/applications.js';
import { followApplication } from '../lib/alerts.js';
import { knownAccount } from '../lib/account.js';
import { sent } from '../lib/outbox.js';
import { hasSubscription, subscribeThisPhone, updatesSupport } from '../lib/push.js';
import { commentSection } from './representation-form.js';

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const WHAT = 'a new consultation date, a hearing, the decision';

/**
 * What following gives on this phone, truthfully: alerts reach a phone as notifications, or by
 * email to the account it is signed in to or to the address confirmed with a comment on it; a
 * phone with none of these hears nothing, so it is offered the ways that work (notifications where
 * they can still be allowed, and signing in).
 * @param {HTMLElement} status @param {string} reference the application's
 */
async function sayHowAlertsReach(status, reference) {
  if (await hasSubscription().catch(() => false)) {
    status.replaceChildren(`You will get alerts about this application: ${WHAT}.`);
    return;
  }
  const signedIn = await knownAccount().catch(() => null);
  if (signedIn) {
    status.replaceChildren(`You will get alerts about this application: ${WHAT}. This phone does not take notifications, so they come to your other phones, or by email to ${signedIn.email}.`);
    return;
  }
  // A comment sent from here confirmed an email address: the council emails it the application's
  // changes (the decision included) while the phone follows it.
  const commented = (await sent().catch(() => [])).some((s) => s.report?.kind === 'representation' && s.report.reference === reference);
  if (commented) {
    status.replaceChildren(`You will get alerts about this application: ${WHAT}. This phone does not take notifications, so they are emailed to the address you gave with your comment.`);
    return;
  }
  const signIn = h('a', { href: '/account' }, 'Sign in under Account');
  const canAsk = updatesSupport() === 'push' && Notification.permission !== 'denied';
  status.replaceChildren(`You are following this application, but its alerts cannot reach this phone: notifications are off for this app and you are not signed in. `,
    signIn, ' to get them by email', canAsk ? ', or turn notifications on.' : '.');
  if (!canAsk) return;
  const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'application-notify', onclick: async () => {
    button.disabled = true;
    const result = await subscribeThisPhone().catch(() => 'failed');
    button.remove();
    if (result === 'on') status.replaceChildren(`You will get alerts about this application: ${WHAT}.`);
    else status.replaceChildren('Notifications could not be turned on. You can allow them in your browser settings, or ', signIn, ' to get alerts by email.');
    status.focus();  // the pressed button is gone: keep a keyboard user's place here
  } }, 'Get alerts as notifications on this phone'));
  status.after(button);
}

/**
 * "Get alerts about this application": follows it (pwa/lib/alerts.js), so its changes (consultation
 * extended, hearing date, decision) reach this phone.
 * @param {any} application
 */
function alertsSlot(application) {
  const status = h('p.hint', { id: 'application-alerts-status', 'aria-live': 'polite', tabindex: '-1' });
  const button = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'application-follow' }, 'Get alerts about this application'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await followApplication(application.reference);
      await sayHowAlertsReach(status, application.reference);
      status.focus();  // the button stays disabled: keep keyboard users where the news is
    } catch (error) {
      status.textContent = /** @type {{status?: number}} */ (error).status ? String(/** @type {Error} */ (error).message)
        : 'No signal: alerts can be set up once there is one.';
      button.disabled = false;
    }
  });
  return h('div', { id: 'application-alerts', 'data-reference': application.reference }, button, status);
}

/** @param {string} label @param {any} value */
function row(label, value) {
  return value ? h('div.summary__row', null, h('dt', null, label), h('dd', null, value)) : null;
}

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx @param {string} reference */
export async function render(main, ctx, reference) {
  document.title = `Application ${reference} – Report It`;
  const back = h('p', null, h('a.back-link', { href: '/applications' }, 'Applications near you'));
  let found;
  try {
    found = await applications.one(reference);
  } catch (error) {
    main.append(back, h('h1', null, `Application ${reference}`), h('p', null, /** @type {Error} */ (error).message));
    return;
  }
  if (!found) {
    main.append(back, h('h1', null, 'We cannot find that application'),
      h('p', null, `There is no application with the reference ${reference}. Check it against the council's letter or the site notice.`));
    return;
  }
  const { application, savedAt } = found;
  const today = applications.localToday();
  const due = applications.deadline(application, today);
  const open = !['decided', 'withdrawn', 'appealed'].includes(application.status?.code);
  appendTo(main, back,
    savedAt ? h('p.notice', { id: 'application-saved' }, `Offline — showing the copy saved on this phone on ${when(savedAt)}.`) : null,
    application.illustrative ? h('p.notice', null, h('strong', null, 'Illustrative: '), 'this is demo data, not a real application.') : null,
    h('p.caption', null, `${application.regime === 'planning' ? 'Planning' : 'Licensing'} application ${application.reference}`),
    h('h1', null, application.address || application.reference),
    application.place ? h('p', { id: 'application-place' }, application.place) : null,
    h('div.panel', { id: 'application-deadline' },
      h('h2', null, 'Deadline'),
      h('p', null, h('strong', null, due.text)),
      open ? h('p', null, due.lateText) : null),
    alertsSlot(application),
    await commentSection(application, { closes_on: application.consultation?.closes_on || application.deadline?.closes_on || null,
      late_comments: application.deadline?.late_comments || (application.regime === 'planning' ? 'considered' : 'refused'),
      open: open && due.open }, ctx),
    h('dl.summary', null,
      row('Reference', application.reference),
      row('Type', application.type?.name),
      row('Status', application.status?.name),
      row('Hearing', application.hearing_date ? applications.dayWords(application.hearing_date, today) : null),
      row('Decision', application.decision)),
    h('h2', null, 'What is proposed'),
    h('p', null, application.description || 'The council has not given a description.'),
    application.documentation_url ? h('p', null, h('a', { href: application.documentation_url, rel: 'noopener' }, "Plans and documents on the council's website")) : null,
    h('p', null, h('a', { href: `/a/${application.reference.split('/').map(encodeURIComponent).join('/')}` }, 'The permanent page of this application', h('span.visually-hidden', null, ` ${application.reference}`))),
    h('h2', null, 'History'),
    h('ol.timeline', { id: 'application-history' }, (application.history || []).map((/** @type {any} */ version) => h('li', null,
      h('strong', null, version.summary), ` – ${when(version.at)}`))));
}
