// @ts-check
/**
 * Alerts, as the app uses them: what a resident watches (a place and a distance, or one
 * application they follow) and what they want to hear of it. The server keeps them for this phone
 * and, signed in, for every phone of the account (`/api/me/alerts`).
 */
import { request } from './api.js';

/**
 * @typedef {'planning' | 'licensing' | 'changes' | 'problems'} Kind
 * @typedef {'immediate' | 'daily' | 'none'} EmailMode
 * @typedef {{id: number, label: string, latitude: number | null, longitude: number | null, radius: number | null,
 *   ward?: string | null, application: string, kinds: Kind[], categories: string[],
 *   email: EmailMode, created_at: string, updated_at: string}} Alert
 * @typedef {{label?: string, latitude?: number | null, longitude?: number | null, radius?: number | null,
 *   ward?: string, application?: string, kinds: Kind[], categories?: string[], email?: EmailMode}} AlertInput
 * @typedef {{per_week: number, days: number, counts: Record<string, number>, text: string}} Estimate
 */

/** @type {Array<[Kind, string]>} */
export const KINDS = [
  ['planning', 'New planning applications'],
  ['licensing', 'New licensing applications (pubs, bars, shops selling alcohol, late-night food)'],
  ['changes', 'Changes to applications nearby (consultation extended, hearing date, decision)'],
  ['problems', 'New problems reported nearby'],
];

/** @type {Array<[number, string]>} */
export const DISTANCES = [[100, '100 metres'], [250, '250 metres'], [500, '500 metres'], [1000, '1 kilometre'],
  [2000, '2 kilometres']];

/** @type {Array<[EmailMode, string]>} */
export const EMAIL_MODES = [
  ['immediate', 'Email me each one'],
  ['daily', 'One email a day, with everything in it'],
  ['none', 'Never email me'],
];

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** @param {string} url @param {string} method @param {any} [body] */
function send(url, method, body) {
  return request(url, { method, auth: true, headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** This resident's alerts, and where alert emails go (null: this phone is not signed in).
 * @returns {Promise<{alerts: Alert[], email: string | null}>} */
export function listAlerts() {
  return request('/api/me/alerts', { auth: true });
}

/** Save a new alert, or change alert `id`. @param {AlertInput} alert @param {number} [id] @returns {Promise<Alert>} */
export function saveAlert(alert, id) {
  return id ? send(`/api/me/alerts/${id}`, 'PUT', alert) : send('/api/me/alerts', 'POST', alert);
}

/** @param {number} id */
export function deleteAlert(id) {
  return send(`/api/me/alerts/${id}`, 'DELETE');
}

/**
 * "About N a week", from the last 90 days, for an alert not saved yet.
 * @param {{latitude?: number, longitude?: number, radius?: number, ward?: string, kinds: Kind[], categories?: string[]}} alert
 * @returns {Promise<Estimate>}
 */
export function estimate(alert) {
  const where = alert.ward ? { ward: alert.ward }
    : { latitude: String(alert.latitude), longitude: String(alert.longitude), radius: String(alert.radius) };
  const query = new URLSearchParams({
    ...where, kinds: alert.kinds.join(','), categories: (alert.categories || []).join(','),
  });
  return request(`/api/me/alerts/estimate?${query}`, { auth: true });
}

/**
 * Follow one planning or licensing application: its changes (consultation extended, hearing date,
 * decision) are pushed to this phone, or emailed. Following twice is following. The application
 * page calls this.
 * @param {string} reference @returns {Promise<Alert>}
 */
export function followApplication(reference) {
  return send('/api/me/alerts', 'POST', { application: reference, kinds: ['changes'] });
}

/** The words for an alert in a list; `near` says where a place is ("Regent Street, West End ward").
 * @param {Alert} alert @param {string} [near] */
export function describe(alert, near = '') {
  if (alert.application) return `Changes to application ${alert.application}`;
  const kinds = KINDS.filter(([kind]) => alert.kinds.includes(kind)).map(([, words]) => words.split(' (')[0].toLowerCase());
  if (alert.ward) return `In ${alert.ward} ward: ${kinds.join(', ')}`;
  const distance = DISTANCES.find(([metres]) => metres === alert.radius)?.[1] || `${alert.radius} metres`;
  return `Within ${distance}${near ? ` of ${near}` : ''}: ${kinds.join(', ')}`;
}
