// @ts-check
/**
 * Planning and licensing applications near the resident: the API calls, the one clear deadline in
 * words, and the copies kept for reading with no signal (the last list and every application
 * opened), in Cache Storage under their own cache, so no other store changes shape.
 *
 * The deadline is worked out here again from the dates the server sends (as the server does in
 * applications/deadline.py), so a list kept offline still says "in 5 days" tomorrow.
 */

const CACHE = 'reportit-applications';
const LAST_LIST = '/saved/applications/last-list';
const KEEP_OPENED = 100;

/** @typedef {{near?: {latitude: number, longitude: number}, radius?: number, regime?: string, status?: string, type?: string}} Filters */

const DAY = 24 * 60 * 60 * 1000;

/** A YYYY-MM-DD day as a UTC midnight Date (days are whole calendar days, wherever the phone is). @param {string} iso */
function dayOf(iso) {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

/** "Friday 11 December" (with the year when it is not this year's). @param {string} iso @param {string} today */
export function dayWords(iso, today) {
  const day = dayOf(iso);
  const words = day.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).replace(',', '');
  return day.getUTCFullYear() === dayOf(today).getUTCFullYear() ? words : `${words} ${day.getUTCFullYear()}`;
}

/** Today where the phone is, as YYYY-MM-DD. @param {Date} [now] */
export function localToday(now = new Date()) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The one deadline sentence and whether comments still count, as the server words it.
 * @param {any} application  an application from the API
 * @param {string} today  YYYY-MM-DD
 * @returns {{text: string, open: boolean, lateText: string}}
 */
export function deadline(application, today) {
  const late = application.deadline?.late_comments || (application.regime === 'planning' ? 'considered' : 'refused');
  // The council's words for the type when the server gave them (its TOML), else the service's own.
  const lateText = application.deadline?.late_text || (late === 'considered'
    ? 'Comments made after the consultation closes are still considered until a decision is made.'
    : 'Representations made after the deadline cannot be accepted.');
  const status = application.status?.code || 'received';
  if (status === 'withdrawn') return { text: 'This application was withdrawn: there is nothing to comment on.', open: false, lateText };
  if (status === 'decided' || status === 'appealed') {
    const on = application.decision_date ? ` on ${dayWords(application.decision_date, today)}` : '';
    return { text: `Decided${on}: ${application.decision || 'decided'}.${status === 'appealed' ? ' The decision has been appealed.' : ''}`, open: false, lateText };
  }
  const closes = application.consultation?.closes_on || application.deadline?.closes_on;
  if (!closes) return { text: 'Comments open when the consultation starts.', open: false, lateText };
  const days = Math.round((dayOf(closes).getTime() - dayOf(today).getTime()) / DAY);
  const on = dayWords(closes, today);
  const noun = application.regime === 'planning' ? 'Comments' : 'Representations';
  if (days > 1) return { text: `${noun} close in ${days} days, on ${on}.`, open: true, lateText };
  if (days === 1) return { text: `${noun} close tomorrow, ${on}.`, open: true, lateText };
  if (days === 0) return { text: `${noun} close today, ${on}.`, open: true, lateText };
  const closedText = application.deadline?.closed_text;
  const closed = closedText ? closedText.replace(/\{(\w*)\}|\{\{|\}\}/g, (/** @type {string} */ all, /** @type {string | undefined} */ name) => (name === 'day' ? on : all[0]))
    : late === 'considered' ? `The consultation closed on ${on}; comments still count until the decision.` : `${noun} closed on ${on}.`;
  return { text: closed, open: late === 'considered', lateText };
}

/** @param {Filters} filters */
export function listUrl(filters) {
  const params = new URLSearchParams();
  if (filters.near) params.set('near', `${filters.near.latitude.toFixed(6)},${filters.near.longitude.toFixed(6)}`);
  params.set('radius', String(filters.radius || 1000));
  for (const key of /** @type {const} */ (['regime', 'status', 'type'])) if (filters[key]) params.set(key, String(filters[key]));
  params.set('limit', '100');
  return `/api/applications?${params}`;
}

/** The path of an application in the app. @param {string} reference */
export function appPath(reference) {
  return `/applications?reference=${encodeURIComponent(reference)}`;
}

/** @param {string} reference */
function detailUrl(reference) {
  return `/api/applications/${reference.split('/').map(encodeURIComponent).join('/')}`;
}

/** @param {string} key @param {any} body */
async function keep(key, body) {
  if (!('caches' in globalThis)) return;
  const cache = await caches.open(CACHE);
  await cache.put(key, new Response(JSON.stringify({ savedAt: new Date().toISOString(), body }), { headers: { 'Content-Type': 'application/json' } }));
  if (key !== LAST_LIST) {
    const opened = (await cache.keys()).filter((request) => new URL(request.url).pathname.startsWith('/saved/applications/one/'));
    for (const old of opened.slice(0, Math.max(0, opened.length - KEEP_OPENED))) await cache.delete(old);
  }
}

/** @param {string} key @returns {Promise<{savedAt: string, body: any} | null>} */
async function kept(key) {
  if (!('caches' in globalThis)) return null;
  const response = await (await caches.open(CACHE)).match(key);
  return response ? response.json() : null;
}

/** @param {string} url */
async function fetchJson(url) {
  // Not the browser's HTTP cache (the API allows a minute of it): with no signal the copy kept
  // here is shown, and said to be a saved copy.
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = /** @type {Error & {status?: number, body?: any}} */ (new Error(body?.detail || `HTTP ${response.status}`));
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

/**
 * Applications around a place. With no signal: the last list fetched, with `savedAt`.
 * @param {Filters} filters
 * @returns {Promise<{applications: any[], total: number, savedAt: string | null, filters: Filters, types: Array<{regime: string, code: string, name: string}> | undefined}>}
 */
export async function nearby(filters) {
  try {
    const body = await fetchJson(listUrl(filters));
    await keep(LAST_LIST, { ...body, filters });
    return { applications: body.applications, total: body.total, savedAt: null, filters, types: body.types };
  } catch (error) {
    if (/** @type {any} */ (error).status) throw error;  // the server answered: a real refusal
    const saved = await kept(LAST_LIST);
    if (!saved) throw new Error('No signal, and no list of applications saved on this phone yet.');
    return { applications: saved.body.applications, total: saved.body.total, savedAt: saved.savedAt, filters: saved.body.filters || {}, types: saved.body.types };
  }
}

/**
 * One application with its history; with no signal, the copy kept when it was last opened.
 * @param {string} reference @returns {Promise<{application: any, savedAt: string | null} | null>}  null: no such application
 */
export async function one(reference) {
  const key = `/saved/applications/one/${encodeURIComponent(reference)}`;
  try {
    const application = await fetchJson(detailUrl(reference));
    await keep(key, application);
    return { application, savedAt: null };
  } catch (error) {
    if (/** @type {any} */ (error).status === 404) return null;
    const saved = await kept(key);
    if (!saved) throw new Error('No signal, and this application was not saved on this phone.');
    return { application: saved.body, savedAt: saved.savedAt };
  }
}

/** The last list kept on the phone, to draw at once before the network answers. */
export async function lastList() {
  const saved = await kept(LAST_LIST);
  return saved ? { applications: saved.body.applications, total: saved.body.total, savedAt: saved.savedAt, filters: saved.body.filters || {}, types: saved.body.types || [] } : null;
}
