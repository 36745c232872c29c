// @ts-check
/**
 * The report being filled in, kept in memory while the resident moves between steps, and the
 * categories it is built from (from the network, or the last copy kept on the phone).
 */
import * as db from './db.js';
import { categories as fetchCategories } from './api.js';

/**
 * @typedef {{id: string, name: string, type: string, blob: Blob, url: string, place: {latitude: number, longitude: number, accuracy?: number} | null}} DraftPhoto
 * @typedef {{latitude: number, longitude: number, accuracy: number | null, source: 'device' | 'map' | 'photo'}} DraftPoint
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

/** @type {Draft} */
export let draft = empty();

/** Start again with an empty report. */
export function reset() {
  for (const photo of draft.photos) URL.revokeObjectURL(photo.url);
  draft = empty();
}

/** A street warden's "report another": same problem and place, new photos and details.
 * @param {{category: any, point: DraftPoint | null, location_text: string}} keep */
export function another(keep) {
  reset();
  draft.category = keep.category;
  draft.point = keep.point;
  draft.location_text = keep.location_text;
}

/** @type {any} */
let cached = null;

/** Categories: the network first, else the copy saved the last time we had a signal. */
export async function loadCategories() {
  if (cached) return cached;
  try {
    cached = await fetchCategories();
    db.put('kv', cached, 'categories').catch(() => undefined);
  } catch (error) {
    cached = await db.get('kv', 'categories');
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
    summary: { category_name: d.category.name, photo_count: photos.length, place: d.location_text || (d.point ? 'Pinned location' : '') },
  };
}
