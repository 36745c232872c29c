// @ts-check
/**
 * Representations (comments, objections, support) on an application, as the app makes them. A
 * representation is saved in the same outbox as reports (kind 'representation') and sent from
 * there, by the page or the service worker, exactly once (its client_id is the Idempotency-Key).
 * The server's time of receipt decides whether it is in time; the app warns while one is queued
 * close to its deadline.
 */
import { request } from './api.js';
import * as outbox from './outbox.js';

/** @type {Array<[string, string]>} */
export const SENTIMENTS = [['object', 'I object'], ['support', 'I support it'], ['comment', 'I want to comment']];

/** @type {Record<string, Array<[string, string]>>} */
export const GROUNDS = {
  planning: [['design', 'Design and appearance'], ['use', 'The proposed use'], ['light', 'Loss of light'],
    ['privacy', 'Loss of privacy'], ['access', 'Access'], ['noise', 'Noise'], ['traffic', 'Traffic and parking'], ['other', 'Other']],
  licensing: [['crime_and_disorder', 'The prevention of crime and disorder'], ['public_safety', 'Public safety'],
    ['public_nuisance', 'The prevention of public nuisance'], ['children', 'The protection of children from harm']],
};

/** The longest comment, name and address the council takes (the server's MAX_TEXT, MAX_NAME, MAX_ADDRESS). */
export const MAX_TEXT = 6000;
export const MAX_NAME = 200;
export const MAX_ADDRESS = 500;

/**
 * What can be checked with no signal, field by field (the server's words, shorter).
 * @param {Body} body @param {string} regime @returns {{field: string, message: string}[]}
 */
export function problems(body, regime) {
  return [
    !body.sentiment && { field: 'sentiment', message: 'Say whether you object, support, or want to comment.' },
    regime === 'licensing' && !body.grounds.length && { field: 'grounds', message: 'A licensing representation must relate to at least one of the four licensing objectives. Choose the ones it is about.' },
    !body.text && { field: 'text', message: 'Write what you want to say about the application.' },
    body.text.length > MAX_TEXT && { field: 'text', message: `Keep it to ${MAX_TEXT} characters (${body.text.length} now).` },
    !body.name && { field: 'name', message: 'Give your name: the council cannot consider a representation without it.' },
    body.name.length > MAX_NAME && { field: 'name', message: `Keep your name to ${MAX_NAME} characters.` },
    !body.address && { field: 'address', message: 'Give your postal address: the council needs it.' },
    body.address.length > MAX_ADDRESS && { field: 'address', message: `Keep the address to ${MAX_ADDRESS} characters.` },
  ].filter(/** @returns {e is {field: string, message: string}} */ (e) => Boolean(e));
}

/** Days before the deadline from which a queued representation is warned about. */
export const WARN_DAYS = 2;

/** @param {string} reference */
function path(reference) {
  return `/api/applications/${reference.split('/').map(encodeURIComponent).join('/')}/representations`;
}

/**
 * @typedef {{sentiment: string, grounds: string[], text: string, name: string, address: string, email?: string, code?: string}} Body
 */

/** What will be published, and what the case officer and the applicant get. @param {string} reference @param {Body} body */
export function preview(reference, body) {
  return request(`${path(reference)}/preview`, { method: 'POST', auth: true, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Email a code that confirms the address (a phone not signed in). @param {string} reference @param {string} email */
export function askCode(reference, email) {
  return request(`${path(reference)}/code`, { method: 'POST', auth: true, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) });
}

/**
 * Put a representation in the outbox; it is sent from there.
 * @param {any} application @param {Body} body @param {{closes_on: string | null, late_comments: string}} deadline
 */
export function queue(application, body, deadline) {
  return outbox.save({
    kind: 'representation',
    client_id: crypto.randomUUID(),
    fields: { reference: application.reference, body },
    photos: [],
    summary: {
      category_name: `Comment on application ${application.reference}`,
      place: application.address || '',
      closes_on: deadline.closes_on, late_comments: deadline.late_comments, regime: application.regime,
    },
  });
}

/**
 * A warning for a representation waiting to be sent close to (or after) its deadline, or ''.
 * @param {{summary?: Record<string, any>, state?: string}} item @param {string} today YYYY-MM-DD
 */
export function deadlineWarning(item, today) {
  const closes = item.summary?.closes_on;
  if (!closes) return '';
  const days = Math.round((Date.parse(closes) - Date.parse(today)) / 86400000);
  const refused = item.summary?.late_comments === 'refused';
  const day = new Date(`${closes}T12:00:00`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' });
  // Refused and waiting to be put right, it is the resident, not the signal, it waits for.
  const fix = item.state === 'attention';
  if (days < 0) {
    return refused ? `The deadline was ${day}. This representation has not reached the council, and late ones cannot be accepted.`
      : `The consultation closed on ${day}. Comments still count until the decision: ${fix ? 'put it right' : 'find a signal'} so it is sent soon.`;
  }
  if (days > WARN_DAYS) return '';
  const when = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `on ${day}`;
  return `The deadline is ${when} (${day}). This has not been sent yet: it only counts once it reaches the council. ${fix ? 'Put it right so it can be sent' : 'Find a signal'}${refused ? ': late representations cannot be accepted' : ''}.`;
}

/** Representations on this application still waiting in the outbox. @param {string} reference */
export async function queuedFor(reference) {
  return (await outbox.list()).filter((item) => item.kind === 'representation' && item.fields.reference === reference);
}
