// @ts-check
/**
 * My Account, as the app uses it: the /api/me calls, and the copies kept on the phone so the
 * Account screen and My reports show the last known state with no signal.
 *
 * Reporting never needs an account: nothing here is asked for on the way to sending a report. A
 * phone that signs in belongs to the account until it signs out; signing out (or deleting the
 * account) forgets the account's copies on this phone but never touches the outbox, so nothing
 * waiting to be sent is lost.
 */
import { request } from './api.js';
import { deviceToken } from './outbox.js';
import * as store from './account-store.js';
import { hasSubscription, subscribeThisPhone } from './push.js';

/** The service worker's runtime cache (service_worker/shell-cache.js names it too). */
const RUNTIME_CACHE = 'reportit-runtime';

/**
 * @typedef {{label: string, address: string, latitude: number, longitude: number}} Place
 * @typedef {{email: string, name: string, phone: string, places: Place[], created_at: string}} Account
 * @typedef {{device: {id: string, signed_in: boolean} | null, account: Account | null}} Me
 * @typedef {{me: Me, at: string | null, offline: boolean}} MeState
 * @typedef {{field: string, message: string}} FieldMessage
 * @typedef {{id: string, browser: string, user_agent: string, first_seen: string | null, last_seen: string | null,
 *   signed_in_at: string | null, this_device: boolean}} Device
 * @typedef {{reference: string, reporter: boolean, email_updates: boolean}} Follow
 * @typedef {{email: string, purpose: 'sign_in' | 'change_email', at: string}} Pending
 */

export const OFFLINE_SIGN_IN = "You're offline. Signing in needs a connection: try again when you have signal.";
export const OFFLINE_CHANGE = "You're offline. This needs a connection: try again when you have signal.";
export const CONFIRM_PHRASE = 'delete my account';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** @param {string} url @param {string} method @param {any} [body] */
function send(url, method, body) {
  return request(url, { method, auth: true, headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** True when a failed call never reached the server (no signal). @param {unknown} error */
export function isOffline(error) {
  return !(/** @type {{status?: number}} */ (error)?.status);
}

/**
 * The server's per-field messages, placed on this screen's inputs: `fields` maps the server's
 * field name to an input id; anything else (a rate limit, a message with no field) goes on `fallback`.
 * @param {unknown} error @param {Record<string, string>} fields @param {string} fallback @param {string} [offline]
 * @returns {FieldMessage[]}
 */
export function problemMessages(error, fields, fallback, offline = OFFLINE_CHANGE) {
  if (isOffline(error)) return [{ field: fallback, message: offline }];
  const body = /** @type {{body?: any}} */ (error).body || {};
  /** @type {FieldMessage[]} */
  const found = (body.errors || []).map((/** @type {any} */ e) => ({ field: fields[e.field] || fallback, message: String(e.message) }));
  return found.length ? found : [{ field: fallback, message: body.detail || body.title || 'Something went wrong. Try again.' }];
}

// ---- The account as last known -----------------------------------------------------------------

/** @returns {Promise<{me: Me, at: string} | null>} */
async function knownMe() {
  return (await store.read('account').catch(() => null)) || null;
}

/** The account this phone is signed in to, as last known (no network), or null. @returns {Promise<Account | null>} */
export async function knownAccount() {
  return (await knownMe())?.me?.account || null;
}

/** @param {Me} me */
async function remember(me) {
  if (me.account) await store.write('account', { me, at: new Date().toISOString() });
  else await forgetAccount();
}

/** Signed out (here or from another phone) or deleted: this phone forgets the account's copies. Never the outbox. */
async function forgetAccount() {
  for (const key of ['account', 'account-reports', 'account-follows']) await store.forget(key);
  // The worker keeps the last list of My reports for offline use (service_worker/shell-cache.js,
  // its runtime cache): signed in, that list holds the account's other phones' reports.
  if ('caches' in globalThis) await (await caches.open(RUNTIME_CACHE)).delete('/api/me/reports');
}

/** GET /api/me; with no signal, the last answer kept on the phone. @returns {Promise<MeState>} */
export async function currentMe() {
  try {
    /** @type {Me} */
    const me = await request('/api/me', { auth: true });
    await remember(me);
    return { me, at: new Date().toISOString(), offline: false };
  } catch (error) {
    if (!isOffline(error)) throw error;
    const known = await knownMe();
    return { me: known?.me || { device: null, account: null }, at: known?.at || null, offline: true };
  }
}

/** The account, asked of the server when there is a signal, else as last known. @returns {Promise<Account | null>} */
export async function refreshAccount() {
  if (!navigator.onLine || !(await knownAccount())) return knownAccount();
  const state = await currentMe().catch(() => null);
  return state ? state.me.account : knownAccount();
}

// ---- Signing in and out ------------------------------------------------------------------------

/** @returns {Promise<Pending | null>} the address a code was last sent to from this phone */
export async function pendingCode() {
  return (await store.read('account-pending').catch(() => null)) || null;
}

/** Ask the server to email a code. @param {string} email @param {Pending['purpose']} [purpose] */
export async function askCode(email, purpose = 'sign_in') {
  const body = await send(purpose === 'sign_in' ? '/api/me/sign-in' : '/api/me/email', 'POST', { email });
  await store.write('account-pending', { email: body?.email || email, purpose, at: new Date().toISOString() });
  return body;
}

/** Sign in with the emailed code. @param {string} email @param {string} code @returns {Promise<Me>} */
export async function verifyCode(email, code) {
  /** @type {Me} */
  const me = await send('/api/me/sign-in/verify', 'POST', { email, code });
  await remember(me);
  await store.forget('account-pending');
  return me;
}

/** Confirm a new email address with the code sent to it. @param {string} email @param {string} code */
export async function verifyNewEmail(email, code) {
  /** @type {Me} */
  const me = await send('/api/me/email/verify', 'POST', { email, code });
  await remember(me);
  await store.forget('account-pending');
  return me;
}

/** Sign this phone out (or every phone): the server unlinks it; the outbox stays. @param {boolean} [everywhere] */
export async function signOut(everywhere = false) {
  await send('/api/me/sign-out', 'POST', everywhere ? { everywhere: true } : {});
  await forgetAccount();
}

// ---- Profile, devices, my data -----------------------------------------------------------------

/** @param {{name?: string, phone?: string, places?: Place[]}} change @returns {Promise<Me>} */
export async function updateProfile(change) {
  /** @type {Me} */
  const me = await send('/api/me', 'PATCH', change);
  await remember(me);
  return me;
}

/** @returns {Promise<Device[]>} */
export async function devices() {
  return (await request('/api/me/devices', { auth: true })).devices;
}

/** @param {string} id */
export function removeDevice(id) {
  return send(`/api/me/devices/${encodeURIComponent(id)}`, 'DELETE');
}

/**
 * "Download my data": the export needs the bearer token, so it is fetched and handed to the
 * browser as a Blob download (a plain link could not carry the token).
 * @param {'json' | 'html'} format
 */
export async function downloadMyData(format) {
  const response = await fetch(`/api/me/export${format === 'html' ? '?format=html' : ''}`, {
    headers: { Authorization: `Bearer ${await deviceToken()}`, Accept: format === 'html' ? 'text/html' : 'application/json' },
  });
  if (!response.ok) {
    const error = /** @type {Error & {status?: number, body?: any}} */ (new Error(`HTTP ${response.status}`));
    error.status = response.status;
    error.body = await response.json().catch(() => null);
    throw error;
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
  const filename = named ? named[1] : `my-data.${format}`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return filename;
}

/** DELETE /api/me with the phrase; the phone forgets the account. @param {string} confirm
 * @returns {Promise<{erased: boolean, deleted: string[], kept: string[]}>} */
export async function deleteAccount(confirm) {
  const summary = await send('/api/me', 'DELETE', { confirm });
  await forgetAccount();
  // The erasure deleted this phone's push subscription with the account's; the phone stays and
  // notifications stay allowed, so hand the subscription back (no prompt: permission is granted),
  // or its next reports would get no push while the app shows notifications on.
  if (await hasSubscription()) await subscribeThisPhone().catch(() => undefined);
  return summary;
}

// ---- One history on every phone ----------------------------------------------------------------

/** The account's reports from every phone, as last fetched (empty when signed out). @returns {Promise<any[]>} */
export async function accountReports() {
  if (!(await knownAccount())) return [];
  return (await store.read('account-reports').catch(() => null)) || [];
}

/** Keep what /api/me/reports said, while signed in. @param {any[]} reports */
export async function rememberAccountReports(reports) {
  if (await knownAccount()) await store.write('account-reports', reports);
}

/** Reports the account follows (any phone): fetched, else the last copy. @returns {Promise<Follow[]>} */
export async function follows() {
  if (!(await knownAccount())) return [];
  try {
    const { follows: list } = await request('/api/me/follows', { auth: true });
    await store.write('account-follows', list);
    return list;
  } catch {
    return (await store.read('account-follows').catch(() => null)) || [];
  }
}

// ---- The report journey's contact step ---------------------------------------------------------

/** @type {WeakSet<object>} drafts already offered the profile: a field the resident cleared stays clear */
const prefilled = new WeakSet();

/**
 * Fill an empty contact step from the profile (signed in only), once per report.
 * @param {{contact_name: string, contact_email: string, contact_phone: string}} draft
 */
export async function prefillContact(draft) {
  if (prefilled.has(draft)) return;
  prefilled.add(draft);
  if (draft.contact_name || draft.contact_email || draft.contact_phone) return;
  const account = await knownAccount();
  if (!account) return;
  draft.contact_name = account.name || '';
  draft.contact_email = account.email || '';
  draft.contact_phone = account.phone || '';
}

/** The follows as last fetched (no network). @returns {Promise<Follow[]>} */
export async function knownFollows() {
  if (!(await knownAccount())) return [];
  return (await store.read('account-follows').catch(() => null)) || [];
}
