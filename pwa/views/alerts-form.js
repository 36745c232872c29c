// @ts-check
/**
 * Add or change an alert: a place (this phone's location, a saved place from My Account, a street
 * from the street search, or a point typed in) and a distance, or (once the council has imported
 * its wards) a ward, "my ward" found from this phone's location; what to hear about (and which
 * problems), and how to be emailed; "about N a week" is shown before saving. A new alert is named
 * after its place (the saved place's name, the nearest street, "Near me", the ward) until the
 * resident types a name of their own.
 */
import { h } from '../lib/dom.js';
import * as alerts from '../lib/alerts.js';
import { categories } from '../lib/api.js';
import { problemMessages } from '../lib/account.js';
import { currentPosition, roundCoordinate } from '../lib/geo.js';
import { streetList, wardAt } from '../lib/places.js';
import { busy, field, showErrors } from './account-forms.js';
import { savedPlaces, streetMiddle, streetNear } from './alerts-place.js';
import { streetField } from './report-place.js';

/** The server's field names, as this form's input ids. */
const FIELDS = {
  label: 'alert-label', latitude: 'alert-latitude', longitude: 'alert-longitude', radius: 'alert-radius',
  kinds: 'alert-kind-planning', categories: 'alert-categories', email: 'alert-email-immediate', ward: 'alert-ward',
};
const ESTIMATE_DELAY_MS = 400;

/** @param {HTMLElement} main @param {import('./report.js').Ctx} ctx */
export async function render(main, ctx) {
  const id = Number(ctx.query.get('id')) || 0;
  const title = id ? 'Change an alert' : 'Add an alert';
  document.title = `${title} – Report It`;
  /** @type {alerts.Alert | undefined} */
  let existing;
  if (id) {
    /** @type {unknown} */
    let failure = null;
    existing = (await alerts.listAlerts().catch((error) => { failure = error; return { alerts: [] }; })).alerts.find((a) => a.id === id);
    if (failure && !(/** @type {{status?: number}} */ (failure).status)) {
      main.append(h('h1', null, title), h('p', { id: 'alert-no-signal' }, 'No signal: your alerts are kept by the council, so this alert can be changed once there is a signal.'),
        h('a', { href: '/alerts' }, 'Back to your alerts'));
      return;
    }
    if (!existing) {
      main.append(h('h1', null, title), h('p', null, 'That alert could not be found. It may have been deleted.'),
        h('a', { href: '/alerts' }, 'Back to your alerts'));
      return;
    }
  }
  const top = h('div');
  const estimateBox = h('p.estimate', { id: 'alert-estimate', 'aria-live': 'polite' }, 'Choose a place to see how many alerts to expect.');
  const locateStatus = h('p.hint', { id: 'alert-locate-status', 'aria-live': 'polite' });
  const kinds = existing?.kinds || ['planning', 'licensing'];
  const problems = await problemCategories();
  const chosen = new Set(existing?.categories || []);
  const places = await streetList().catch(() => null);
  const wards = places ? places.wards.map((w) => w.name) : [];
  const wardStatus = h('p.hint', { id: 'alert-ward-status', 'aria-live': 'polite' });
  const saved = await savedPlaces();
  /** Where the place came from, for a new alert's name: this phone ('here'), a saved place or a street (`name`), or typed. */
  let origin = { from: '', name: '' };
  let named = Boolean(existing);  // a name the resident typed (or an alert's saved one) is never replaced
  const byWard = Boolean(existing?.ward) || false;
  const scope = !wards.length ? null : h('fieldset.field', null, h('legend', null, 'What area?'),
    h('div.choice', null, h('input', { type: 'radio', id: 'alert-scope-place', name: 'scope', value: 'place', checked: !byWard }),
      h('label', { for: 'alert-scope-place' }, 'Around a place')),
    h('div.choice', null, h('input', { type: 'radio', id: 'alert-scope-ward', name: 'scope', value: 'ward', checked: byWard }),
      h('label', { for: 'alert-scope-ward' }, 'A whole ward')));
  const wardSet = !wards.length ? null : h('div.field', { id: 'alert-ward-set' },
    h('label', { for: 'alert-ward' }, 'Ward'),
    h('select', { id: 'alert-ward', name: 'ward' }, h('option', { value: '' }, 'Choose a ward'),
      wards.map((name) => h('option', { value: name, selected: name === existing?.ward }, name))),
    h('button.secondary', { type: 'button', id: 'alert-my-ward', 'aria-describedby': 'alert-ward-status',
      onclick: async () => {
        wardStatus.textContent = 'Finding your ward…';
        try {
          const fix = await currentPosition();
          const ward = places ? wardAt(places, fix.latitude, fix.longitude) : '';
          if (!ward) {
            wardStatus.textContent = 'Where you are now is outside the council’s wards. Choose one from the list.';
            return;
          }
          /** @type {HTMLSelectElement} */ (form.querySelector('#alert-ward')).value = ward;
          wardStatus.textContent = `You are in ${ward} ward.`;
          update();
        } catch (error) {
          wardStatus.textContent = /** @type {Error} */ (error).message;
        }
      } }, 'Use my ward'),
    wardStatus);

  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    const label = input(form, 'alert-label');
    if (!label.value.trim()) label.value = defaultName();  // cleared, and left empty: the place's name
    busy(/** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]')), async () => {
      try {
        await alerts.saveAlert(read(form), id || undefined);
      } catch (error) {
        showErrors(top, form, problemMessages(error, FIELDS, 'alert-label'), title);
        return;
      }
      ctx.announce(id ? 'Alert changed.' : 'Alert saved.');
      await ctx.navigate('/alerts');
    });
  } },
  scope, wardSet,
  h('fieldset.field', { id: 'alert-place-set' }, h('legend', null, 'Where'),
    h('p.hint', null, saved.length ? 'Use where you are now, one of your saved places or a street, or type the place’s latitude and longitude.'
      : 'Use where you are now or a street, or type the place’s latitude and longitude.'),
    h('button.secondary', { type: 'button', id: 'alert-locate', 'aria-describedby': 'alert-locate-status',
      onclick: async () => {
        locateStatus.textContent = 'Finding where you are…';
        try {
          const fix = await currentPosition();
          setPoint(fix.latitude, fix.longitude, { from: 'here', name: '' }, `Using where you are now (to about ${fix.accuracy} metres).`);
        } catch (error) {
          locateStatus.textContent = /** @type {Error} */ (error).message;
        }
      } }, 'Use where I am now'),
    saved.map((place) => {
      const words = place.label && place.address ? `${place.label} (${place.address})` : place.label || place.address;
      return h('button.secondary', { type: 'button', 'aria-describedby': 'alert-locate-status',
        onclick: () => setPoint(place.latitude, place.longitude, { from: 'saved', name: place.label || place.address },
          `Watching around ${words}.`) }, `Use ${words}`);
    }),
    locateStatus,
    places ? streetField((name) => {
      const middle = streetMiddle(places, name);
      if (middle) setPoint(middle.latitude, middle.longitude, { from: 'street', name }, `Watching around the middle of ${name}.`);
    }) : null,
    field('alert-latitude', 'Latitude', { value: existing?.latitude ?? '', inputmode: 'decimal', autocomplete: 'off' }),
    field('alert-longitude', 'Longitude', { value: existing?.longitude ?? '', inputmode: 'decimal', autocomplete: 'off' })),
  h('div.field', { id: 'alert-radius-set' }, h('label', { for: 'alert-radius' }, 'How far around it'),
    h('select', { id: 'alert-radius', name: 'radius' }, alerts.DISTANCES.map(([metres, words]) =>
      h('option', { value: String(metres), selected: metres === (existing?.radius ?? 500) }, words)))),
  field('alert-label', 'Name this alert', { value: existing?.label ?? '', autocomplete: 'off', maxlength: 80 },
    'We name it after the place you choose. Change it if you like, for example Home, Work or Mum’s.'),
  h('fieldset.field', null, h('legend', null, 'What do you want to hear about?'),
    alerts.KINDS.map(([kind, words]) => h('div.choice', null,
      h('input', { type: 'checkbox', id: `alert-kind-${kind}`, name: 'kinds', value: kind, checked: kinds.includes(kind) }),
      h('label', { for: `alert-kind-${kind}` }, words)))),
  h('fieldset.field', { id: 'alert-categories-set' }, h('legend', { id: 'alert-categories' , tabindex: '-1' },
    'Which problems? Tick none to hear about all of them'),
    problems.map((c) => h('div.choice', null,
      h('input', { type: 'checkbox', id: `alert-category-${c.code}`, name: 'categories', value: c.code, checked: chosen.has(c.code) }),
      h('label', { for: `alert-category-${c.code}` }, c.name)))),
  h('fieldset.field', null, h('legend', null, 'When none of your phones takes notifications'),
    alerts.EMAIL_MODES.map(([mode, words]) => h('div.choice', null,
      h('input', { type: 'radio', id: `alert-email-${mode}`, name: 'email', value: mode, checked: mode === (existing?.email ?? 'immediate') }),
      h('label', { for: `alert-email-${mode}` }, words)))),
  estimateBox,
  h('button', { type: 'submit' }, id ? 'Save changes' : 'Save alert'),
  ));

  /** @param {number} latitude @param {number} longitude @param {{from: string, name: string}} from @param {string} words */
  const setPoint = (latitude, longitude, from, words) => {
    input(form, 'alert-latitude').value = String(roundCoordinate(latitude));
    input(form, 'alert-longitude').value = String(roundCoordinate(longitude));
    origin = from;
    locateStatus.textContent = words;
    update();
  };
  /** A true name for what is chosen: the ward; the saved place or street; the street near the point; "Near me". */
  const defaultName = () => {
    if (wardChosen(form)) return /** @type {HTMLSelectElement} */ (form.querySelector('#alert-ward')).value;
    if (origin.from === 'saved' || origin.from === 'street') return origin.name;
    const [lat, lng] = ['alert-latitude', 'alert-longitude'].map((name) => input(form, name).value.trim());
    const street = lat && lng ? streetNear(places, Number(lat), Number(lng)) : '';
    return street || (origin.from === 'here' ? 'Near me' : '');
  };
  let timer = 0;
  const update = () => {
    if (!named) input(form, 'alert-label').value = defaultName();
    /** @type {HTMLElement} */ (form.querySelector('#alert-categories-set')).hidden = !input(form, 'alert-kind-problems').checked;
    const ward = wardChosen(form);
    for (const [selector, hidden] of [['#alert-ward-set', !ward], ['#alert-place-set', ward], ['#alert-radius-set', ward]]) {
      const part = /** @type {HTMLElement | null} */ (form.querySelector(/** @type {string} */ (selector)));
      if (part) part.hidden = /** @type {boolean} */ (hidden);
    }
    clearTimeout(timer);
    timer = window.setTimeout(() => showEstimate(form, estimateBox), ESTIMATE_DELAY_MS);
  };
  form.addEventListener('input', (event) => {
    const changed = /** @type {HTMLElement} */ (event.target).id;
    if (changed === 'alert-label') named = true;
    if (changed === 'alert-latitude' || changed === 'alert-longitude') origin = { from: 'typed', name: '' };
    update();
  });
  form.addEventListener('change', update);
  update();
  main.append(h('a.back-link', { href: '/alerts' }, 'Back to your alerts'), h('h1', null, title), top, form);
}

/** @param {HTMLFormElement} form @param {string} id */
function input(form, id) {
  return /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`));
}

/** Whether the resident chose a whole ward (only offered once the council has wards). @param {HTMLFormElement} form */
function wardChosen(form) {
  return Boolean(/** @type {HTMLInputElement | null} */ (form.querySelector('#alert-scope-ward'))?.checked);
}

/** What the form says, as the API takes it. @param {HTMLFormElement} form @returns {alerts.AlertInput} */
function read(form) {
  const data = new FormData(form);
  if (wardChosen(form)) {
    const kinds = /** @type {alerts.Kind[]} */ (data.getAll('kinds').map(String));
    return {
      label: input(form, 'alert-label').value.trim(), ward: String(data.get('ward') || ''), kinds,
      categories: kinds.includes('problems') ? data.getAll('categories').map(String) : [],
      email: /** @type {alerts.EmailMode} */ (String(data.get('email') || 'immediate')),
    };
  }
  const number = (/** @type {string} */ name) => {
    const text = input(form, name).value.trim();
    return text === '' ? null : Number(text);
  };
  const kinds = /** @type {alerts.Kind[]} */ (data.getAll('kinds').map(String));
  return {
    label: input(form, 'alert-label').value.trim(), latitude: number('alert-latitude'), longitude: number('alert-longitude'),
    radius: Number(data.get('radius')), kinds,
    categories: kinds.includes('problems') ? data.getAll('categories').map(String) : [],
    email: /** @type {alerts.EmailMode} */ (String(data.get('email') || 'immediate')),
  };
}

/** @param {HTMLFormElement} form @param {HTMLElement} box */
async function showEstimate(form, box) {
  const alert = read(form);
  if (wardChosen(form) && !alert.ward) {
    box.textContent = 'Choose a ward to see how many alerts to expect.';
    return;
  }
  if (!alert.ward && !(Number.isFinite(alert.latitude) && Number.isFinite(alert.longitude))) {
    box.textContent = 'Choose a place to see how many alerts to expect.';
    return;
  }
  if (!alert.kinds.length) {
    box.textContent = 'Choose at least one thing to hear about.';
    return;
  }
  try {
    const found = await alerts.estimate(alert.ward ? { ward: alert.ward, kinds: alert.kinds, categories: alert.categories }
      : { latitude: /** @type {number} */ (alert.latitude), longitude: /** @type {number} */ (alert.longitude),
        radius: /** @type {number} */ (alert.radius), kinds: alert.kinds, categories: alert.categories });
    box.textContent = `Over the last ${found.days} days this alert would have sent you ${found.text}.`;
  } catch (error) {
    const body = /** @type {{body?: any}} */ (error).body;
    box.textContent = body?.errors?.[0]?.message || 'We could not work out how many alerts to expect just now.';
  }
}

/** The council's public categories of problem (not signposts to partners). */
async function problemCategories() {
  const found = await categories().catch(() => ({ categories: [] }));
  return /** @type {Array<{code: string, name: string, private: boolean, signpost?: any}>} */ (found.categories || [])
    .filter((c) => !c.private && !c.signpost);
}
