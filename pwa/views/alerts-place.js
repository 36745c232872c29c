// @ts-check
/**
 * An alert's place in words, worked out on the phone from the council's street list (so it works
 * with no signal): the street nearest its point (the name a new alert is given, and what the list
 * of alerts says), the middle of a street chosen in the street search, and the account's saved
 * places that have a point.
 */
import { refreshAccount } from '../lib/account.js';
import { nearest, placeWords } from '../lib/places.js';

/** @typedef {import('../lib/places.js').StreetList} StreetList */
/** @typedef {{label: string, address: string, latitude: number, longitude: number}} SavedPlace */

/** The name of the street nearest the point (within 250 m), or '' (no street list, or no street near).
 * @param {StreetList | null} list @param {number} latitude @param {number} longitude */
export function streetNear(list, latitude, longitude) {
  return list ? nearest(list, latitude, longitude).street?.name || '' : '';
}

/** "Regent Street, West End ward" for the point, or '' when the phone knows neither.
 * @param {StreetList | null} list @param {number} latitude @param {number} longitude */
export function wordsNear(list, latitude, longitude) {
  if (!list) return '';
  const found = nearest(list, latitude, longitude);
  return placeWords(found.street?.name || '', found.ward);
}

/** A point halfway along the first line of the street with this name, or null.
 * @param {StreetList | null} list @param {string} name @returns {{latitude: number, longitude: number} | null} */
export function streetMiddle(list, name) {
  const line = list?.streets.find((s) => s.name === name)?.lines[0];
  if (!line || line.length < 2) return null;
  const at = 2 * Math.floor(line.length / 4);  // [lng, lat, lng, lat, …]: the middle pair
  return { latitude: line[at + 1], longitude: line[at] };
}

/** The signed-in account's saved places (My Account, "Your details") that have a point. @returns {Promise<SavedPlace[]>} */
export async function savedPlaces() {
  const account = await refreshAccount().catch(() => null);
  return (account?.places || []).filter((p) => Number.isFinite(p.latitude) && Number.isFinite(p.longitude));
}
