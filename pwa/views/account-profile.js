// @ts-check
/**
 * Your details: name, phone and saved places (home, work…), which fill in a report's contact
 * details. A place is a label, the address in words, and a point taken from the phone's location.
 */
import { h } from '../lib/dom.js';
import * as account from '../lib/account.js';
import { currentPosition, roundCoordinate } from '../lib/geo.js';
import { appendAll, backToAccount, busy, field, showErrors } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */
/** @typedef {{label: string, address: string, latitude: number | null, longitude: number | null}} EditedPlace */

const MAX_PLACES = 5;
const TITLE = 'Your details';

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  const state = await account.currentMe().catch(() => null);
  const me = state?.me.account;
  if (!me) {
    await ctx.navigate('/account', { replace: true });
    return;
  }
  document.title = `${TITLE} – Report It`;
  /** @type {EditedPlace[]} */
  const places = (me.places || []).map((/** @type {EditedPlace} */ p) => ({ ...p }));
  if (!places.length) places.push({ label: 'Home', address: '', latitude: null, longitude: null });
  const top = h('div');
  const list = h('div', { id: 'places' });

  /** Read what is typed into `places` (points are kept as they are set). */
  const readPlaces = () => places.forEach((place, i) => {
    place.label = /** @type {HTMLInputElement} */ (form.querySelector(`#place-${i}-label`)).value.trim();
    place.address = /** @type {HTMLInputElement} */ (form.querySelector(`#place-${i}-address`)).value.trim();
  });

  /** @param {number} [focusIndex] */
  const drawPlaces = (focusIndex) => {
    list.replaceChildren(...places.map((place, i) => placeFields(place, i, {
      locate: (status) => locate(place, status),
      remove: () => { readPlaces(); places.splice(i, 1); drawPlaces(); /** @type {HTMLElement} */ (form.querySelector('#add-place')).focus(); },
    })));
    addPlace.hidden = places.length >= MAX_PLACES;
    if (focusIndex !== undefined) /** @type {HTMLElement} */ (form.querySelector(`#place-${focusIndex}-label`)).focus();
  };

  /** @param {EditedPlace} place @param {HTMLElement} status */
  const locate = async (place, status) => {
    status.textContent = 'Finding where you are…';
    try {
      const fix = await currentPosition();
      place.latitude = roundCoordinate(fix.latitude);
      place.longitude = roundCoordinate(fix.longitude);
      status.textContent = `Saved your location (to about ${fix.accuracy} metres).`;
    } catch (error) {
      status.textContent = /** @type {Error} */ (error).message;
    }
  };

  const addPlace = /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'add-place', onclick: () => {
    readPlaces();
    places.push({ label: places.length ? '' : 'Home', address: '', latitude: null, longitude: null });
    drawPlaces(places.length - 1);
  } }, 'Add a place'));

  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    readPlaces();
    busy(/** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]')), async () => {
      const data = new FormData(form);
      const kept = places.filter((p) => p.address || p.latitude !== null);  // an untouched "Home" is not a place yet
      /** @type {Record<string, string>} */
      const fields = { name: 'name', phone: 'phone' };
      kept.forEach((p, i) => {
        const at = places.indexOf(p);
        fields[`places[${i}].label`] = `place-${at}-label`;
        fields[`places[${i}].address`] = `place-${at}-address`;
        fields[`places[${i}].latitude`] = `place-${at}-locate`;
        fields[`places[${i}]`] = `place-${at}-label`;
      });
      try {
        if (!navigator.onLine) throw new TypeError('offline');
        await account.updateProfile({
          name: String(data.get('name') || '').trim(),
          phone: String(data.get('phone') || '').trim(),
          places: /** @type {any} */ (kept),
        });
      } catch (error) {
        showErrors(top, form, account.problemMessages(error, fields, 'name'), TITLE);
        return;
      }
      await ctx.navigate('/account', { replace: true });
      ctx.announce('Your details are saved.');
    });
  } },
  field('name', 'Full name', { type: 'text', autocomplete: 'name', value: me.name || '' }),
  field('phone', 'Phone number', { type: 'tel', autocomplete: 'tel', value: me.phone || '' }),
  h('h2', null, 'Saved places'),
  h('p.hint', null, `Up to ${MAX_PLACES}, such as home and work. Write the address in words, and stand at the place to save its position with "Use my location".`),
  list, addPlace,
  h('div', null, h('button', { type: 'submit' }, 'Save your details'))));
  drawPlaces();
  appendAll(main, backToAccount(), top, h('h1', null, TITLE),
    h('p', null, 'These fill in the contact details of your reports for you. Only council staff see them.'),
    state?.offline ? h('div.notice', null, h('p', null, account.OFFLINE_CHANGE)) : null,
    form);
}

/**
 * One saved place's fields.
 * @param {EditedPlace} place @param {number} i
 * @param {{locate: (status: HTMLElement) => void, remove: () => void}} on
 */
function placeFields(place, i, on) {
  const status = h('p.hint', { id: `place-${i}-status`, 'aria-live': 'polite' },
    place.latitude !== null ? 'Position saved.' : 'No position saved yet.');
  const name = place.label || `Place ${i + 1}`;
  return h('fieldset.item', null,
    h('legend', null, name),
    field(`place-${i}-label`, 'Name of the place', { type: 'text', value: place.label, maxlength: 40 }, 'Like Home or Work'),
    field(`place-${i}-address`, 'Address', { type: 'text', value: place.address, autocomplete: 'off', maxlength: 500 }),
    h('div.field', null,
      h('button.secondary', { type: 'button', id: `place-${i}-locate`, 'aria-describedby': status.id, onclick: () => on.locate(status) },
        'Use my location', h('span.visually-hidden', null, ` for ${name}`)),
      status),
    h('button.link', { type: 'button', onclick: on.remove }, 'Remove this place', h('span.visually-hidden', null, ` (${name})`)));
}
