// The module the server writes at /precache-manifest.js (server/reportit/shell.py), for the type
// check only (tsconfig.json maps the URL here). Nothing here is shipped.

/** A digest of every precached byte: a new one means a new app version. */
export const VERSION: string;
/** The URLs of the app shell, cached when the worker installs. */
export const PRECACHE: string[];
/** Patterns of the paths the app's router owns. */
export const APP_ROUTES: string[];
/** A digest of the map libraries under /vendor/: the worker keeps them in a cache named after it. */
export const VENDOR_VERSION: string;
