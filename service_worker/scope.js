// @ts-check
/// <reference lib="webworker" />
/** What the worker's modules share: the worker's global scope, the app's routes, its open pages. */
import { APP_ROUTES } from '/precache-manifest.js';

export const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Paths the app's router owns (server/reportit/shell.py's APP_ROUTES). */
export const appRoutes = APP_ROUTES.map((pattern) => new RegExp(pattern));

/** @param {any} message */
export async function tellPages(message) {
  for (const client of await sw.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
}
