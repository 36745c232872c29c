// @ts-check
/** The server's JSON API, as the page uses it. The outbox does its own sending. */
import { deviceToken } from './outbox.js';
import { knownStaff, rememberStaff } from './staff.js';

/** @param {string} url @param {RequestInit & {auth?: boolean}} [init] @returns {Promise<{response: Response, body: any}>} */
async function exchange(url, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.auth) headers.set('Authorization', `Bearer ${await deviceToken()}`);
  const response = await fetch(url, { ...init, headers, credentials: 'same-origin' });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = /** @type {Error & {status?: number, body?: any}} */ (new Error(body?.detail || body?.title || `HTTP ${response.status}`));
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return { response, body };
}

/** @param {string} url @param {RequestInit & {auth?: boolean}} [init] */
export async function request(url, init = {}) {
  return (await exchange(url, init)).body;
}

/** Categories and groups (the service worker keeps the last copy for offline use). */
export function categories() {
  return request('/api/categories');
}

/**
 * This device's reports. `savedAt` is set (to when the copy was made) when there was no signal and
 * the service worker answered from its saved copy.
 * @returns {Promise<{reports: any[], savedAt: string | null}>}
 */
export async function myReports() {
  const { response, body } = await exchange('/api/me/reports', { auth: true });
  const fromCache = response.headers.get('X-Reportit-From-Cache') === '1';
  return { reports: body.reports, savedAt: fromCache ? new Date(response.headers.get('Date') || Date.now()).toISOString() : null };
}

/** The staff member signed in on this phone, or null; with no signal, the last answer the server gave. */
export async function whoIsSignedIn() {
  try {
    const staff = await request('/api/session');
    rememberStaff(staff);
    return staff;
  } catch (error) {
    const status = /** @type {{status?: number}} */ (error).status;
    if (status && status < 500) rememberStaff(null);
    return status ? null : knownStaff();
  }
}

/** @param {string} email @param {string} password */
export async function signIn(email, password) {
  const staff = await request('/api/session', { method: 'POST', body: JSON.stringify({ email, password }), headers: { 'Content-Type': 'application/json' } });
  rememberStaff(staff);
  return staff;
}

export async function signOut() {
  rememberStaff(null);
  return request('/api/session', { method: 'DELETE' });
}

/**
 * The outbox transport the page uses: XMLHttpRequest, for upload progress.
 * @param {(sent: number, total: number) => void} onProgress
 * @returns {import('./outbox.js').Transport}
 */
export function xhrTransport(onProgress) {
  return (url, init) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(init.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded, event.total); };
    xhr.onload = () => {
      let json = null;
      try { json = JSON.parse(xhr.responseText); } catch { json = null; }
      resolve({ status: xhr.status, headers: { get: (name) => xhr.getResponseHeader(name) }, json });
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.ontimeout = () => reject(new TypeError('timeout'));
    xhr.timeout = 120000;
    xhr.send(init.body);
  });
}
