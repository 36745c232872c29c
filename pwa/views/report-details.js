// @ts-check
/** The later steps of the report journey: photos, location, description, contact, check and send. */
import { h, errorSummary, fieldError, formatBytes, shellSettings } from '../lib/dom.js';
import { draft, addPhoto, removePhoto, keep, forget, toReport, reset } from '../lib/draft.js';
import * as outbox from '../lib/outbox.js';
import { currentPosition, roundCoordinate } from '../lib/geo.js';
import { next, previous, rememberSaved, steps } from '../lib/journey.js';
import { afterSave } from '../lib/sending.js';
import { prefillContact } from '../lib/account.js';
import { offerNearby, placeLine, streetField } from './report-place.js';
import { knownStaff } from '../lib/staff.js';

const MAX_PHOTOS = 5;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ()\-]{7,20}$/;

/** @typedef {import('./report.js').Ctx} Ctx */

/** @param {string} step */
function backLink(step) {
  return h('a.back-link', { href: previous(step) }, 'Back');
}

/** @param {string} step @param {HTMLElement} main @param {Ctx} ctx */
export function render(step, main, ctx) {
  const views = { photos, location, description, contact, check };
  const view = /** @type {any} */ (views)[step];
  if (!view) return ctx.navigate('/report', { replace: true });
  return view(main, ctx);
}

/** Replace the screen's error area and field marks with these errors (or clear them).
 * @param {HTMLElement} top @param {HTMLElement} form @param {{field: string, message: string}[]} errors @param {string} title */
function showErrors(top, form, errors, title) {
  for (const el of form.querySelectorAll('.field--error')) el.classList.remove('field--error');
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  top.replaceChildren();
  document.title = `${errors.length ? 'Error: ' : ''}${title} – Report a problem`;
  if (!errors.length) return;
  for (const e of errors) {
    const input = form.querySelector(`#${e.field}`);
    const field = input?.closest('.field');
    field?.classList.add('field--error');
    input?.setAttribute('aria-invalid', 'true');
    const error = fieldError(`${e.field}-error`, e.message);
    input?.before(error);
    input?.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), error.id].filter(Boolean).join(' '));
  }
  top.append(errorSummary(errors));
  (/** @type {HTMLElement} */ (top.firstChild)).focus();
}

/** @param {string} title */
function titled(title) {
  document.title = `${title} – Report a problem`;
  return h('h1', null, title);
}

// ---- Photos ------------------------------------------------------------------------------------

/** @param {HTMLElement} main @param {Ctx} ctx */
function photos(main, ctx) {
  const top = h('div');
  const list = h('ul.photos', { 'aria-label': 'Photos added' });
  const status = h('p.hint', { 'aria-live': 'polite', id: 'photo-status' });
  // No `capture`: with it some Android phones open only the camera, never the gallery. The input
  // stays in the page for keyboards and screen readers; its label is what people see and press.
  const input = /** @type {HTMLInputElement} */ (h('input.file-picker__input', {
    type: 'file', id: 'photo', accept: 'image/*', multiple: true, 'aria-describedby': 'photo-hint photo-status',
  }));
  const drawList = () => {
    list.replaceChildren(...draft.photos.map((photo, i) => h('li', null,
      h('img', { src: photo.url, alt: `Photo ${i + 1}` }),
      h('button.secondary', { type: 'button', onclick: () => {
        removePhoto(photo);
        drawList();
        ctx.announce(`Photo ${i + 1} removed.`);
        input.focus();
      } }, 'Remove', h('span.visually-hidden', null, ` photo ${i + 1}`)))));
    input.disabled = draft.photos.length >= MAX_PHOTOS;
  };
  input.addEventListener('change', async () => {
    const files = [...(input.files || [])];
    input.value = '';
    const room = MAX_PHOTOS - draft.photos.length;
    const errors = files.length > room ? [{ field: 'photo', message: `You can add up to ${MAX_PHOTOS} photos. The first ${room} were added.` }] : [];
    status.textContent = 'Preparing photos…';
    const { preparePhoto } = await import('../lib/photos.js');
    for (const file of files.slice(0, room)) {
      try {
        addPhoto(await preparePhoto(file));
      } catch {
        errors.push({ field: 'photo', message: `${file.name || 'A file'} could not be read as a photo. Choose a JPEG, PNG or HEIC photo.` });
      }
    }
    keep();
    drawList();
    status.textContent = `${draft.photos.length} of ${MAX_PHOTOS} photos added.`;
    if (errors.length) showErrors(top, form, errors.slice(0, 1), 'Add photos');
  });
  const form = h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    await ctx.navigate(next('photos', ctx.query));
  } },
  h('div.field', null,
    h('p.hint', { id: 'photo-hint' }, `Optional. Up to ${MAX_PHOTOS} photos. They are made smaller on your phone before sending.`),
    h('div.file-picker', null, input, h('label.button.secondary', { for: 'photo' }, 'Take or choose photos'), status)),
  list,
  h('button', { type: 'submit' }, 'Continue'));
  main.append(backLink('photos'), top, titled('Add photos'), form);
  drawList();
}

// ---- Location ----------------------------------------------------------------------------------

/** @param {import('../lib/draft.js').DraftPoint | null} point */
function describePoint(point) {
  if (!point) return '';
  const where = { device: 'Your location', map: 'The place you pinned on the map', photo: "The photo's location" }[point.source];
  return point.accuracy ? `${where}, accurate to about ${Math.round(point.accuracy)} metres` : where;
}

function mapSettings() {
  const meta = document.querySelector('meta[name=reportit-map]');
  try {
    return JSON.parse(meta?.getAttribute('content') || '{}');
  } catch {
    return {};
  }
}

/** @param {HTMLElement} main @param {Ctx} ctx */
function location(main, ctx) {
  const top = h('div');
  const found = h('div', { 'aria-live': 'polite', id: 'location-found' });
  const settings = mapSettings();
  const council = shellSettings('reportit-council');
  /** Keep a place found by the phone, the photo or the map: only inside the council's area (the
   * server refuses any other), and with any earlier "tell us where" error gone.
   * @param {import('../lib/draft.js').DraftPoint} point */
  const accept = (point) => {
    const [south, west, north, east] = settings.bounds || [-90, -180, 90, 180];
    if (point.latitude < south || point.latitude > north || point.longitude < west || point.longitude > east) {
      const where = { device: 'Your location', photo: "The photo's location", map: 'That place' }[point.source];
      found.replaceChildren(h('p.field-error', { role: 'alert' }, `${where} is outside the area ${council.name || 'the council'} looks after. `
        + 'If the problem is in our area, describe the place in words. If not, report it to the council for that area.'));
      return;
    }
    draft.point = point;
    showErrors(top, form, [], 'Where is the problem?');
    showFound();
    moveMarker(point);
  };
  const showFound = () => {
    found.replaceChildren(draft.point ? h('div.notice.notice--ok', null, placeLine(draft.point, describePoint(draft.point)),
      h('button.link', { type: 'button', id: 'forget-location', onclick: () => {
        draft.point = null;
        showFound();
        ctx.announce('Location removed. Describe the place in words instead.');
        (/** @type {HTMLElement} */ (main.querySelector('#location-text'))).focus();
      } }, 'Do not use this location')) : '');
  };
  const useDevice = h('button.secondary', { type: 'button', id: 'use-device-location', onclick: async () => {
    found.replaceChildren(h('p', null, 'Finding where you are…'));
    try {
      const fix = await currentPosition();
      accept({ latitude: roundCoordinate(fix.latitude), longitude: roundCoordinate(fix.longitude), accuracy: fix.accuracy, source: 'device' });
    } catch (error) {
      found.replaceChildren(h('p.field-error', null, /** @type {Error} */ (error).message));
    }
  } }, 'Use my current location');
  const withPlace = draft.photos.find((p) => p.place);
  const usePhoto = withPlace ? h('button.secondary', { type: 'button', id: 'use-photo-location', onclick: () => {
    const place = /** @type {any} */ (withPlace.place);
    accept({ latitude: roundCoordinate(place.latitude), longitude: roundCoordinate(place.longitude), accuracy: place.accuracy || null, source: 'photo' });
  } }, "Use the photo's location") : null;

  const text = h('textarea', { id: 'location-text', name: 'location_text', rows: 3, 'aria-describedby': 'location-text-hint' }, draft.location_text);
  const mapBox = h('div');
  /** @type {(point: any) => void} */
  let moveMarker = () => undefined;
  const noMap = (/** @type {string} */ why) => h('p.hint', { id: 'map-unavailable' }, `${why} Use your location or describe the place in words.`);
  if (settings.tile_url || settings.basemap) {
    mapBox.append(h('p', null, 'You can drag the pin to the exact place. The map is optional.'), h('div.map', { id: 'map', role: 'application', 'aria-label': 'Map: drag the pin to the place' }));
    const failed = () => mapBox.replaceChildren(noMap('The map could not be loaded on this phone.'));
    import('../lib/map.js').then(({ showMap }) => {
      moveMarker = showMap(/** @type {HTMLElement} */ (mapBox.querySelector('#map')), settings, draft.point, (latitude, longitude) => {
        accept({ latitude: roundCoordinate(latitude), longitude: roundCoordinate(longitude), accuracy: null, source: 'map' });
      }, failed);
    }).catch(failed);
  } else {
    mapBox.append(noMap('A map is not available.'));
  }

  const form = h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    draft.location_text = /** @type {HTMLTextAreaElement} */ (text).value.trim();
    if (!draft.point && !draft.location_text) {
      showErrors(top, form, [{ field: 'location-text', message: 'Use your location, or describe the place in words' }], 'Where is the problem?');
      return;
    }
    const partner = /** @type {HTMLElement | null} */ (main.querySelector('#partner-signpost'));
    if (partner) {  // a partner's street: their signpost instead of the form
      partner.focus();
      return;
    }
    // Not for staff: a warden reports what they find (the console's duplicate suggestions sort it out).
    if (!ctx.query.get('change') && !knownStaff() && await offerNearby(main, ctx, next('location', ctx.query))) return;
    await ctx.navigate(next('location', ctx.query));
  } },
  h('div.field', null, useDevice, usePhoto, found),
  mapBox,
  streetField((name) => {
    const typed = /** @type {HTMLTextAreaElement} */ (text);
    if (!typed.value.toLowerCase().startsWith(name.toLowerCase())) typed.value = [name, typed.value.trim()].filter(Boolean).join(', ');
    draft.location_text = typed.value.trim();
    keep();
  }),
  h('div.field', null,
    h('label', { for: 'location-text' }, 'Describe the place in words'),
    h('p.hint', { id: 'location-text-hint' }, 'Needed if you cannot use your location. For example: outside 12 High Street, by the bus stop.'),
    text),
  h('button', { type: 'submit' }, 'Continue'));
  main.append(backLink('location'), top, titled('Where is the problem?'), form);
  showFound();
}

// ---- Description and contact -------------------------------------------------------------------

/** @param {HTMLElement} main @param {Ctx} ctx */
function description(main, ctx) {
  const top = h('div');
  const text = h('textarea', { id: 'description', name: 'description', rows: 6, maxlength: 4000, 'aria-describedby': 'description-hint' }, draft.description);
  const form = h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    draft.description = /** @type {HTMLTextAreaElement} */ (text).value.trim();
    await ctx.navigate(next('description', ctx.query));
  } },
  h('div.field', null,
    h('h1', null, h('label', { for: 'description' }, 'Describe the problem')),
    h('p.hint', { id: 'description-hint' }, 'Optional. What is wrong, and anything that helps the council find or fix it. Do not include personal details.'),
    text),
  h('button', { type: 'submit' }, 'Continue'));
  document.title = 'Describe the problem – Report a problem';
  main.append(backLink('description'), top, form);
}

/** @param {HTMLElement} main @param {Ctx} ctx */
async function contact(main, ctx) {
  await prefillContact(draft);  // signed in to My Account: from the profile, once per report
  const top = h('div');
  /** @param {string} id @param {string} label @param {string} type @param {string} value @param {string} autocomplete */
  const field = (id, label, type, value, autocomplete) => h('div.field', null,
    h('label', { for: id }, label),
    h('input', { type, id, name: id, value, autocomplete, spellcheck: 'false' }));
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const data = new FormData(form);
    draft.contact_name = String(data.get('contact-name') || '').trim();
    draft.contact_email = String(data.get('contact-email') || '').trim();
    draft.contact_phone = String(data.get('contact-phone') || '').trim();
    const errors = [];
    if (draft.contact_email && !EMAIL.test(draft.contact_email)) errors.push({ field: 'contact-email', message: 'Enter an email address in the right format, like name@example.com' });
    if (draft.contact_phone && !PHONE.test(draft.contact_phone)) errors.push({ field: 'contact-phone', message: 'Enter a phone number, like 07700 900 982' });
    if (errors.length) {
      showErrors(top, form, errors, 'Your contact details');
      return;
    }
    await ctx.navigate(next('contact', ctx.query));
  } },
  h('p', null, 'Optional. Only council staff see these. We use them if we need to ask you something, and to email you updates if your phone cannot get notifications.'),
  field('contact-name', 'Full name', 'text', draft.contact_name, 'name'),
  field('contact-email', 'Email address', 'email', draft.contact_email, 'email'),
  field('contact-phone', 'Phone number', 'tel', draft.contact_phone, 'tel'),
  h('button', { type: 'submit' }, 'Continue')));
  main.append(backLink('contact'), top, titled('Your contact details'), form);
}

// ---- Check your answers and send ---------------------------------------------------------------

/** @param {string} label @param {any} value @param {string} step */
function row(label, value, step) {
  return h('div.summary__row', null,
    h('dt', null, label),
    h('dd', null, value || 'Not given'),
    h('dd.summary__change', null, h('a', { href: step ? `/report/${step}?change=1` : '/report?change=1' }, 'Change', h('span.visually-hidden', null, ` ${label.toLowerCase()}`))));
}

/** @param {any} q */
function answerText(q) {
  const value = draft.answers[q.code];
  if (value === undefined) return '';
  const names = [].concat(value).map((key) => (q.values || []).find((/** @type {any} */ v) => v.key === key)?.name || key);
  return names.join(', ');
}

/** @param {HTMLElement} main @param {Ctx} ctx */
function check(main, ctx) {
  const top = h('div');
  const category = draft.category;
  const answered = (category.questions || []).filter((/** @type {any} */ q) => q.variable);
  const place = [draft.point?.words, describePoint(draft.point), draft.location_text].filter(Boolean).join('. ');
  const contactLines = [draft.contact_name, draft.contact_email, draft.contact_phone].filter(Boolean).join('\n');
  const send = h('button', { type: 'submit', id: 'send-report' }, 'Send report');
  const form = h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    send.setAttribute('disabled', '');
    let saved;
    try {
      const report = await toReport();
      saved = await outbox.save(report, draft.replaces || undefined, { finishesDraft: true });
    } catch (error) {
      send.removeAttribute('disabled');
      // A full phone: the space goes to reports already saved (they must still be sent), not to
      // the copy of this one, which stays on screen.
      if (outbox.isQuotaError(error)) forget();
      const message = outbox.isQuotaError(error)
        ? 'Your phone is out of storage space, so this report could not be saved. Reports you saved before are safe and will still be sent. Free up some space or remove a photo, then press Send report again.'
        : 'This report could not be saved on your phone. Reports you saved before are safe. Try again.';
      top.replaceChildren(h('div.error-summary', { role: 'alert', tabindex: '-1', id: 'save-error' },
        h('h2.error-summary__title', null, 'Your report was not saved'), h('p', null, message)));
      document.title = 'Error: Check your report – Report a problem';
      (/** @type {HTMLElement} */ (top.firstChild)).focus();
      return;
    }
    rememberSaved();
    reset();
    await ctx.navigate(`/sent/${saved.client_id}`);
    afterSave();
  } }, h('p', null, 'When you press Send, your report is saved on this phone and sent to the council. With no signal, it is sent by itself as soon as there is one.'), send);
  main.append(
    backLink('check'), top, titled('Check your report'),
    h('dl.summary', null,
      row('Problem', category.name, ''),
      answered.map((/** @type {any} */ q) => row(q.description, answerText(q), 'questions')),
      row('Photos', draft.photos.length ? h('ul.photos', null, draft.photos.map((p, i) => h('li', null, h('img', { src: p.url, alt: `Photo ${i + 1}` })))) : 'No photos', 'photos'),
      row('Location', place, 'location'),
      row('Description', draft.description, 'description'),
      steps().includes('contact') ? row('Contact details', contactLines, 'contact') : null),
    form,
  );
  const size = draft.photos.reduce((sum, p) => sum + p.blob.size, 0);
  if (size) main.append(h('p.hint', null, `Photos to send: ${formatBytes(size)}.`));
}
