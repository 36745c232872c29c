// @ts-check
/// <reference lib="webworker" />
/**
 * What the worker's modules share: the worker's global scope, the app's routes, its open pages,
 * the cache of what was kept while in use (stylesheets, permanent pages and their photos), the
 * page for a page not kept.
 */
import { APP_ROUTES } from '/precache-manifest.js';

export const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** pwa/lib/account.js names it too (it forgets My reports' copy on signing out). */
export const RUNTIME = 'reportit-runtime';

/** Paths the app's router owns (server/reportit/shell.py's APP_ROUTES). */
export const appRoutes = APP_ROUTES.map((pattern) => new RegExp(pattern));

/** @param {any} message */
export async function tellPages(message) {
  for (const client of await sw.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
}

/** The app's own page for a page not kept on this phone. */
export function offlinePage() {
  const html = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    + '<title>No signal</title><link rel="stylesheet" href="/app/styles/app.css"></head><body><main class="page">'
    + '<h1>No signal</h1><p>This page has not been saved on your phone yet. Try again when you have a signal.</p>'
    + '<p><a href="/mine">See your reports</a></p></main></body></html>';
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
