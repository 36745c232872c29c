// @ts-check
/// <reference lib="webworker" />
/**
 * Report It's service worker (a module worker, registered at /sw.js). Each concern is a module
 * served under /sw/ (server/reportit/shell.py counts every one in the app's version):
 *
 * - shell-cache.js: the precached app shell, navigations, and what the app reads kept for offline.
 * - saved-pages.js: the permanent pages (/r/ and /a/) opened on this phone, kept for reading offline.
 * - sending.js: sends the outbox on Background Sync, using the same outbox module as the page.
 * - share-target.js: photos shared into the app from another app.
 * - push.js: status notifications from Web Push; a tap opens the report's permanent page.
 * - places.js: the street list (kept as soon as the app is installed) and nearby reports, kept
 *   for use with no signal.
 * - push-subscription.js: keeps the server's copy of the push subscription current when the push
 *   service changes it.
 * - basemap-cache.js: the basemap's tiles (ranges of its PMTiles file) seen or kept, for offline maps.
 *
 * The order below is the order their listeners run in.
 */
import '/sw/shell-cache.js';
import '/sw/saved-pages.js';
import '/sw/sending.js';
import '/sw/places.js';
import '/sw/push-subscription.js';
import '/sw/share-target.js';
import '/sw/push.js';
import '/sw/basemap-cache.js';
