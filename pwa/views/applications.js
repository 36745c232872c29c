// @ts-check
/**
 * Applications near me: planning and licensing applications around the phone's location (or the
 * middle of the council's area), filtered by regime, type (from the council's list) and status, each with its one clear deadline. The last
 * list is kept on the phone and shown with no signal. `/applications?reference=…` is one
 * application (views/applications-detail.js), also found by the reference on a site notice or letter.
 */
import { h, shellSettings } from '../lib/dom.js';
import { currentPosition } from '../lib/geo.js';
import * as applications from '../lib/applications.js';

/** @type {Array<[any, string]>} */
const RADII = [[250, '250 metres'], [500, '500 metres'], [1000, '1 kilometre'], [2000, '2 kilometres']];
/** @type {Array<[any, string]>} */
const STATUSES = [['', 'Any status'], ['received', 'Received'], ['validated', 'Validated'], ['under_consultation', 'Under consultation'],
  ['decided', 'Decided'], ['withdrawn', 'Withdrawn'], ['appealed', 'Appealed']];

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/** @param {number} metres */
function distance(metres) {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km away` : `${Math.max(10, Math.round(metres / 10) * 10)} m away`;
}

/** @param {string} id @param {string} label @param {Array<[any, string]>} options @param {any} chosen */
function select(id, label, options, chosen) {
  return h('div.field', null, h('label', { for: id }, label),
    h('select', { id, name: id }, options.map(([value, text]) => h('option', { value: String(value), selected: String(value) === String(chosen ?? '') }, text))));
}

/**
 * The council's types (each list from the server names them) as choices; a type chosen before but
 * no longer listed stays chosen, by its code.
 * @param {Array<{regime: string, code: string, name: string}>} types @param {string | undefined} chosen
 * @returns {Array<[any, string]>}
 */
function typeChoices(types, chosen) {
  /** @type {Array<[any, string]>} */
  const choices = [['', 'Every type'], ...types.map((t) => /** @type {[any, string]} */ ([t.code, `${t.name} (${t.regime})`]))];
  if (chosen && !types.some((t) => t.code === chosen)) choices.push([chosen, chosen]);
  return choices;
}

/** @param {any} application @param {string} today */
function item(application, today) {
  const due = applications.deadline(application, today);
  return h('li.item', null,
    h('h2', null, h('a', { href: applications.appPath(application.reference) }, application.address || application.reference)),
    application.place ? h('p.place', null, application.place) : null,
    h('p', null, `${application.type?.name || 'Application'} · ${application.reference}`,
      application.distance_m !== undefined ? ` · ${distance(application.distance_m)}` : ''),
    h('p', null, h('span', { class: `tag ${due.open ? 'tag--attention' : ''}` }, application.status?.name || 'Received'),
      application.illustrative ? h('span.tag', null, 'Illustrative') : null),
    h('p', null, h('strong', null, due.text)),
    due.open ? h('p.hint', null, due.lateText) : null);
}

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  const reference = ctx.query.get('reference');
  if (reference) {
    const detail = await import('./applications-detail.js');
    return detail.render(main, ctx, reference);
  }
  document.title = 'Applications near you – Report It';
  const map = shellSettings('reportit-map');
  const centre = Array.isArray(map.centre) ? { latitude: map.centre[0], longitude: map.centre[1] } : { latitude: 51.4975, longitude: -0.1357 };
  const saved = await applications.lastList();
  /** @type {import('../lib/applications.js').Filters} */
  const filters = { near: centre, radius: 1000, ...(saved?.filters || {}) };
  let where = saved?.filters?.near && (saved.filters.near.latitude !== centre.latitude || saved.filters.near.longitude !== centre.longitude) ? 'the place you chose last time' : "the middle of the council's area";

  const note = h('p.hint', { id: 'applications-note', 'aria-live': 'polite' });
  const placeNote = h('p.hint', { id: 'place-note', 'aria-live': 'polite' }, `Showing applications around ${where}.`);
  const list = h('div', { id: 'applications-list' });
  const form = /** @type {HTMLFormElement} */ (h('form', { id: 'application-filters', role: 'search', 'aria-label': 'Filter the list', novalidate: true },
    select('regime', 'Planning or licensing', /** @type {Array<[any, string]>} */ ([['', 'Both'], ['planning', 'Planning'], ['licensing', 'Licensing']]), filters.regime),
    select('status', 'Status', STATUSES, filters.status),
    select('type', 'Type of application', typeChoices(saved?.types || [], filters.type), filters.type),
    select('radius', 'How far around', RADII, filters.radius),
    h('button', { type: 'submit' }, 'Show applications')));

  const typeSelect = /** @type {HTMLSelectElement} */ (form.querySelector('#type'));
  const draw = (/** @type {{applications: any[], total: number, savedAt: string | null, types?: any[]}} */ result) => {
    if (result.types?.length) {
      const chosen = typeSelect.value;
      typeSelect.replaceChildren(...typeChoices(result.types, chosen || undefined).map(([value, text]) => h('option', { value: String(value), selected: String(value) === chosen }, text)));
    }
    const today = applications.localToday();
    list.replaceChildren(result.applications.length
      ? h('ul.items', null, result.applications.map((a) => item(a, today)))
      : h('p', null, 'No applications match, around this place. Try a bigger distance or fewer filters.'));
    if (result.total > result.applications.length) list.append(h('p.hint', null, `Showing the nearest ${result.applications.length} of ${result.total}.`));
    note.textContent = result.savedAt ? `Offline — showing the list saved on this phone on ${when(result.savedAt)}.` : `${result.total} application${result.total === 1 ? '' : 's'} found.`;
  };
  const load = async () => {
    note.textContent = 'Looking…';
    try {
      draw(await applications.nearby(filters));
    } catch (error) {
      note.textContent = /** @type {Error} */ (error).message;
    }
  };
  const locate = h('button.secondary', { type: 'button', id: 'use-my-location', 'aria-describedby': 'place-note', onclick: async () => {
    placeNote.textContent = 'Finding where you are…';
    try {
      const fix = await currentPosition();
      filters.near = { latitude: fix.latitude, longitude: fix.longitude };
      where = 'where you are';
      placeNote.textContent = 'Showing applications around where you are.';
      await load();
    } catch (error) {
      placeNote.textContent = /** @type {Error} */ (error).message;
    }
  } }, 'Use my location');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    filters.regime = String(data.get('regime') || '') || undefined;
    filters.status = String(data.get('status') || '') || undefined;
    filters.type = String(data.get('type') || '') || undefined;
    filters.radius = Number(data.get('radius')) || 1000;
    load();
  });
  const byReference = /** @type {HTMLFormElement} */ (h('form', { id: 'find-application', role: 'search', 'aria-label': 'Find an application by its reference', novalidate: true },
    h('div.field', null, h('label', { for: 'find-reference' }, 'Reference'),
      h('p.hint', { id: 'find-reference-hint' }, 'As on the site notice or the council\'s letter, for example 24/01234/FULL.'),
      h('input', { type: 'text', id: 'find-reference', name: 'reference', 'aria-describedby': 'find-reference-hint', autocomplete: 'off', spellcheck: 'false' })),
    h('button.secondary', { type: 'submit' }, 'Find the application')));
  byReference.addEventListener('submit', (event) => {
    event.preventDefault();
    const reference = String(new FormData(byReference).get('reference') || '').trim();
    if (reference) ctx.navigate(`/applications?reference=${encodeURIComponent(reference)}`);
  });
  main.append(
    h('h1', null, 'Planning and licensing applications near you'),
    h('p', null, 'What people have asked the council for permission to build, change or license, and until when you can comment.'),
    placeNote, h('div.field', null, locate),
    h('details', { open: Boolean(filters.regime || filters.status || filters.type) }, h('summary', null, 'Filter the list'), form),
    note, list,
    h('h2', null, 'Know the reference?'), byReference);
  if (saved) draw(saved);
  await load();
}
