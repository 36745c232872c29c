// @ts-check
/**
 * The report journey's place in words (the location step renders these): a street type-ahead that
 * works with no signal, "Near Regent Street, West End ward" after a fix (worked out on the phone,
 * then confirmed by the server), a partner's signpost when the street is theirs, and "Is it one of
 * these?" — open reports of the same problem close by, to follow instead of reporting again.
 */
import { h, phoneLink } from '../lib/dom.js';
import { draft, loadCategories, reset } from '../lib/draft.js';
import { describeOnServer, nearbyReports, nearest, partnerFor, placeWords, searchStreets, streetList } from '../lib/places.js';

/**
 * A street name field offering the council's streets as the resident types ("rege" → Regent
 * Street), from the list kept on the phone. Choosing one calls `onChoose` with its name.
 * @param {(name: string) => void} onChoose
 */
export function streetField(onChoose) {
  const options = h('datalist', { id: 'street-options' });
  const count = h('p.hint', { id: 'street-count', 'aria-live': 'polite' });
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', id: 'street-search', list: 'street-options', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'street-search-hint street-count',
  }));
  const offer = async () => {
    let list;
    try {
      list = await streetList();
    } catch {
      count.textContent = 'The list of streets is not on this phone yet. Describe the place in words below.';
      return;
    }
    const found = searchStreets(list, input.value);
    options.replaceChildren(...found.map((s) => h('option', { value: s.name }, s.locality ? `${s.name}, ${s.locality}` : s.name)));
    count.textContent = !input.value.trim() ? '' : found.length ? `${found.length} ${found.length === 1 ? 'street matches' : 'streets match'}` : 'No streets match';
    const chosen = list.streets.find((s) => s.name.toLowerCase() === input.value.trim().toLowerCase());
    if (chosen) onChoose(chosen.name);
  };
  input.addEventListener('input', offer);
  streetList().catch(() => undefined);  // fetched now, while there may be a signal: kept for when there is none
  return h('div.field', { id: 'street-field' },
    h('label', { for: 'street-search' }, 'Street'),
    h('p.hint', { id: 'street-search-hint' }, 'Start typing the street’s name and choose it from the list. This works with no signal.'),
    input, options, count);
}

/**
 * Where a point is, in words, with its accuracy: the phone's own answer at once, the server's
 * when there is a signal. A street a partner looks after shows the partner's signpost instead.
 * @param {import('../lib/draft.js').DraftPoint} point @param {string} accuracyWords e.g. "Your location, accurate to about 12 metres"
 * @returns {HTMLElement}
 */
export function placeLine(point, accuracyWords) {
  const line = h('p', { id: 'place-words' }, `${accuracyWords}.`);
  const partner = h('div', { id: 'partner-place' });
  const box = h('div', null, line, partner);
  /** @param {string} words @param {string} how */
  const say = (words, how) => {
    if (!words) return;
    line.replaceChildren(h('strong', null, `Near ${words}`), `. ${accuracyWords}.`, how ? h('span.hint', null, ` ${how}`) : '');
    point.words = `Near ${words}`;
  };
  (async () => {
    const categories = (await loadCategories().catch(() => ({ categories: [] }))).categories;
    try {
      const list = await streetList();
      const found = nearest(list, point.latitude, point.longitude);
      say(placeWords(found.street ? found.street.name : '', found.ward), '');
      showPartner(partner, found.street ? found.street.name : '', partnerFor(list, found.street?.authority || '', draft.category, categories));
    } catch { /* no street list on this phone yet: the server may still say */ }
    try {
      const server = await describeOnServer(point.latitude, point.longitude, draft.category?.code || '');
      say(server.words, '');
      const signpost = server.partner ? categories.find((/** @type {any} */ c) => c.code === server.partner.category) : null;
      showPartner(partner, server.street?.name || '', signpost);
    } catch { /* no signal: the phone's answer stands */ }
  })();
  return box;
}

/** @param {HTMLElement} box @param {string} street @param {any} signpost a signpost category, or null */
function showPartner(box, street, signpost) {
  if (!signpost) {
    box.replaceChildren();
    return;
  }
  const s = signpost.signpost;
  box.replaceChildren(h('div.notice.notice--stop', { id: 'partner-signpost', role: 'alert', tabindex: '-1' },
    h('h2', null, `${s.partner} deals with this street`),
    h('p', null, `${street} is looked after by ${s.partner}, not the council, so problems like this there are theirs to fix.`),
    h('p', null, s.message),
    s.phone ? h('p', null, 'Phone: ', phoneLink(s.phone)) : null,
    s.url ? h('p', null, h('a', { href: s.url, rel: 'noopener' }, `Report it on the ${s.partner} website`)) : null,
    h('p', null, 'If the problem is somewhere else, choose a different place.')));
}

/**
 * "Is it one of these?": open reports of the same problem within about 50 metres, with photos.
 * Returns false when there are none (or none can be known), so the journey goes on.
 * @param {HTMLElement} main @param {{navigate: (url: string, o?: any) => Promise<void>, announce: (m: string) => void}} ctx
 * @param {string} nextStep where "No, report a new problem" goes
 */
export async function offerNearby(main, ctx, nextStep) {
  if (!draft.point || !draft.category) return false;
  let reports;
  try {
    reports = await nearbyReports(draft.point.latitude, draft.point.longitude, draft.category.code);
  } catch {
    return false;
  }
  if (!reports.length) return false;
  document.title = 'Is it one of these? – Report a problem';
  const status = h('div', { 'aria-live': 'polite', id: 'follow-status' });
  main.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Is it one of these?'),
    h('p', null, `Someone has already reported ${reports.length === 1 ? 'this problem' : 'these problems'} near here. If one is yours, follow it to hear when it is fixed instead of reporting it again.`),
    status,
    h('ul.items', { id: 'nearby-reports' }, reports.map((r) => h('li.item', { id: `nearby-${r.reference}` },
      h('h2', null, r.category.name),
      h('p', null, `${r.place ? `${r.place} · ` : ''}${r.distance_m} metres away · ${r.status.name} · reported ${new Date(r.created_at).toLocaleDateString('en-GB', { day: 'numeric', month: 'long' })}`),
      r.description ? h('p', null, r.description) : null,
      r.photos.length ? h('ul.photos', null, r.photos.slice(0, 3).map((/** @type {string} */ url, /** @type {number} */ i) =>
        h('li', null, h('img', { src: url, alt: `Photo ${i + 1} of the report near ${r.place || 'here'}`, loading: 'lazy' })))) : null,
      h('button', { type: 'button', class: 'follow-nearby', 'data-reference': r.reference, onclick: () => follow(r, status, ctx) },
        'This is my problem – follow it', h('span.visually-hidden', null, ` (${r.category.name}, ${r.distance_m} metres away)`))))),
    h('button.secondary', { type: 'button', id: 'report-new-problem', onclick: () => ctx.navigate(nextStep) }, 'No, report a new problem'),
  );
  (/** @type {HTMLElement} */ (main.querySelector('h1'))).focus();
  return true;
}

/** Follow the report and ask for its updates on this phone; no new report is made.
 * @param {any} report @param {HTMLElement} status @param {{announce: (m: string) => void}} ctx */
async function follow(report, status, ctx) {
  const { getUpdates, updatesSupport } = await import('../lib/push.js');
  const { request } = await import('../lib/api.js');
  status.replaceChildren(h('p', null, 'Following…'));
  try {
    if (updatesSupport() === 'push' && (await getUpdates(report.reference)) === 'on') {
      done(status, report, 'We will send a notification to this phone when it changes.');
    } else {
      await request(`/api/reports/${encodeURIComponent(report.reference)}/follow`, { method: 'POST', auth: true });
      // No notifications: email is the other way to hear back, as the Sent screen offers.
      const { emailForm } = await import('./email-updates.js');
      done(status, report, 'Notifications are off on this phone, so we cannot send them to it. Open the report’s page to see how it is going, or get its updates by email.',
        emailForm(report.reference));
    }
    ctx.announce(`You are following report ${report.reference}.`);
  } catch {
    status.replaceChildren(h('p.field-error', { role: 'alert' }, 'You could not follow it just now: there may be no signal. Try again when there is one.'));
  }
}

/** @param {HTMLElement} status @param {any} report @param {string} how @param {HTMLElement} [more] e.g. the email form */
function done(status, report, how, more) {
  reset();  // nothing more to report: the draft is done with
  const list = document.getElementById('nearby-reports');
  const other = document.getElementById('report-new-problem');
  list?.remove();
  other?.remove();
  status.replaceChildren(h('div.notice.notice--ok', { id: 'following-nearby', tabindex: '-1' },
    h('h2', null, 'You are following this report'),
    h('p', null, how),
    more,
    h('p', null, h('a', { href: `/r/${report.reference}` }, 'See the report'), ' · ', h('a', { href: '/' }, 'Back to the start'))));
  (/** @type {HTMLElement} */ (status.firstChild)).focus();
}
