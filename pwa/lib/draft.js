// @ts-check
/**
 * The report being filled in, and the categories it is built from (from the network, or the last
 * copy kept on the phone).
 *
 * The draft lives in memory while the resident moves between steps, and a copy is kept in
 * IndexedDB (kv `draft`, photos as Blobs) at each step and as they type: phones kill a tab in the
 * background while the camera is open, and a reload must not lose a half-written report. The copy
 * goes when the report is sent or the resident discards it.
 */
import { database } from './db.js';
import { categories as fetchCategories } from './api.js';

/**
 * @typedef {{id: string, name: string, type: string, blob: Blob, url: string, place: {latitude: number, longitude: number, accuracy?: number} | null}} DraftPhoto
 * @typedef {{latitude: number, longitude: number, accuracy: number | null, source: 'device' | 'map' | 'photo', words?: string}} DraftPoint
 * (`words`: "Near Regent Street, West End ward", when the phone or server could say)
 * @typedef {{
 *   replaces: string, category: any, answers: Record<string, any>, photos: DraftPhoto[], point: DraftPoint | null,
 *   location_text: string, description: string, contact_name: string, contact_email: string, contact_phone: string,
 *   observed_at: string
 * }} Draft
 */

/** @returns {Draft} */
function empty() {
  return {
    replaces: '', category: null, answers: {}, photos: [], point: null, location_text: '', description: '',
    contact_name: '', contact_email: '', contact_phone: '', observed_at: new Date().toISOString(),
  };
}

/** The report being written: one object for the page's life, emptied (not replaced) by reset(). @type {Draft} */
export const draft = empty();

/** The screen (path) the resident is on, kept with the draft so "Continue" returns there. */
let shownAt = '';

/** Start again with an empty report; the copy kept on the phone goes too. */
export function reset() {
  clear();
  forget();
}

function clear() {
  for (const photo of draft.photos) URL.revokeObjectURL(photo.url);
  Object.assign(draft, empty());
  shownAt = '';
}

/** True while no report is being written in this page (nothing chosen, added or typed). */
export function isEmpty() {
  return !draft.category && !draft.photos.length && !draft.description;
}

const STORED = 'draft';
/** Saves and removals of the kept copy run one after another, in the order they were asked for. */
let keeping = Promise.resolve();

/** Whether the last try to keep the copy failed (a full phone): the form says so, never silently. */
let notKept = false;
/** @type {Set<(kept: boolean) => void>} */
const keptListeners = new Set();

/** Whether the report being written is kept on the phone (false after a failed save, until one works). */
export function isKept() {
  return !notKept;
}

/** Hear when keeping the copy starts or stops failing; returns a function that stops listening.
 * @param {(kept: boolean) => void} listener */
export function onKeptChange(listener) {
  keptListeners.add(listener);
  return () => keptListeners.delete(listener);
}

/** @param {boolean} failed */
function keepFailed(failed) {
  if (failed === notKept) return;
  notKept = failed;
  for (const listener of keptListeners) listener(!failed);
}

/** @param {() => Promise<any>} work */
function inTurn(work) {
  keeping = keeping.then(work).then(() => keepFailed(false), (error) => {
    console.warn('The unfinished report could not be kept on this phone', error);
    keepFailed(true);
  });
  return keeping;
}

/**
 * Keep a copy of the draft on the phone (nothing before a problem is chosen).
 * @param {string} [path] the screen the resident is on now; by default the last one given
 */
export function keep(path) {
  if (path) shownAt = path;
  if (!draft.category) return keeping;
  const copy = {
    ...draft, answers: { ...draft.answers }, point: draft.point && { ...draft.point },
    photos: draft.photos.map(({ url, ...photo }) => photo), path: shownAt || '/report/check', saved_at: new Date().toISOString(),
  };
  return inTurn(async () => (await database()).put('kv', copy, STORED));
}

/** Remove the copy kept on the phone. */
export function forget() {
  return inTurn(async () => (await database()).delete('kv', STORED));
}

/** The unfinished report kept on the phone, if there is one. */
export async function kept() {
  await keeping;
  return /** @type {Promise<(Omit<Draft, 'photos'> & {photos: Omit<DraftPhoto, 'url'>[], path: string, saved_at: string}) | undefined>} */ (
    database().then((db) => db.get('kv', STORED)).catch(() => undefined));
}

/** Carry on with the kept report; resolves with the screen to return to. */
export async function resume() {
  const saved = await kept();
  if (!saved) return '/report';
  clear();
  const { path, saved_at: savedAt, photos, ...fields } = saved;
  Object.assign(draft, fields);
  draft.photos = photos.map((photo) => ({ ...photo, url: URL.createObjectURL(photo.blob) }));
  shownAt = path;
  return path;
}

/** @param {DraftPhoto} photo */
export function removePhoto(photo) {
  URL.revokeObjectURL(photo.url);
  draft.photos.splice(draft.photos.indexOf(photo), 1);
  keep();
}

/** A street warden's "report another": same problem and place, new photos and details.
 * @param {{category: any, point: DraftPoint | null, location_text: string}} same */
export function another(same) {
  reset();
  draft.category = same.category;
  draft.point = same.point;
  draft.location_text = same.location_text;
}

/** @type {any} */
let cached = null;

/** Categories: the network first, else the copy saved the last time we had a signal. */
export async function loadCategories() {
  if (cached) return cached;
  try {
    cached = await fetchCategories();
    database().then((db) => db.put('kv', cached, 'categories')).catch(() => undefined);
  } catch (error) {
    cached = await (await database()).get('kv', 'categories');
    if (!cached) throw error;
  }
  return cached;
}

/** @param {string} code */
export async function categoryByCode(code) {
  const { categories } = await loadCategories();
  return categories.find((/** @type {any} */ c) => c.code === code) || null;
}

/** @param {{name: string, type: string, blob: Blob, place: any}} photo @returns {DraftPhoto} */
export function addPhoto(photo) {
  const item = { ...photo, id: crypto.randomUUID(), url: URL.createObjectURL(photo.blob) };
  draft.photos.push(item);
  return item;
}

/** Put a report the server refused back into the form, photos and all. @param {import('./outbox.js').OutboxItem} item */
export async function load(item) {
  reset();
  const f = item.fields;
  draft.replaces = item.client_id;
  draft.category = await categoryByCode(f.category);
  draft.answers = f.answers || {};
  for (const photo of item.photos) addPhoto({ name: photo.name, type: photo.type, blob: new Blob([photo.data], { type: photo.type }), place: null });
  draft.point = f.latitude !== undefined && f.latitude !== '' && f.latitude !== null
    ? { latitude: Number(f.latitude), longitude: Number(f.longitude), accuracy: f.accuracy ? Number(f.accuracy) : null, source: f.location_source || 'device' }
    : null;
  draft.location_text = f.location_text || '';
  draft.description = f.description || '';
  draft.contact_name = f.contact_name || '';
  draft.contact_email = f.contact_email || '';
  draft.contact_phone = f.contact_phone || '';
  draft.observed_at = f.observed_at || draft.observed_at;
}

/** The outbox item for this draft, photos as ArrayBuffers (what every browser can keep in IndexedDB). */
export async function toReport() {
  await keeping;  // a copy still being written must not land after the report is saved
  const d = draft;
  const fields = {
    category: d.category.code,
    answers: Object.keys(d.answers).length ? d.answers : undefined,
    description: d.description,
    latitude: d.point ? d.point.latitude : undefined,
    longitude: d.point ? d.point.longitude : undefined,
    accuracy: d.point && d.point.accuracy !== null ? d.point.accuracy : undefined,
    location_source: d.point ? d.point.source : (d.location_text ? 'text' : undefined),
    location_text: d.location_text,
    contact_name: d.contact_name,
    contact_email: d.contact_email,
    contact_phone: d.contact_phone,
    observed_at: d.observed_at,
  };
  const photos = await Promise.all(d.photos.map(async (p) => ({ name: p.name, type: p.type, data: await p.blob.arrayBuffer() })));
  return {
    client_id: crypto.randomUUID(),
    fields,
    photos,
    summary: { category_name: d.category.name, photo_count: photos.length, place: [d.point?.words, d.location_text].filter(Boolean).join('. ') || (d.point ? 'Pinned location' : '') },
  };
}
