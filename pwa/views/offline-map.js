// @ts-check
/**
 * "Keep the whole borough on this phone", for wardens (shown on their Account screen): downloads
 * the council's basemap file once, with its size said first and progress shown, so the map draws
 * anywhere in the borough with no signal; it can be removed again. Without a basemap, nothing.
 */
import { h } from '../lib/dom.js';
import { forgetWhole, isWholeKept, keepWhole } from '../lib/basemap-store.js';

/** @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function basemap() {
  try {
    return JSON.parse(document.querySelector('meta[name=reportit-map]')?.getAttribute('content') || '{}').basemap || null;
  } catch {
    return null;
  }
}

/** The panel, or an empty text node when the council has no basemap or the browser no caches. */
export function offlineMap() {
  const map = basemap();
  if (!map || !('caches' in window)) return document.createTextNode('');
  const status = h('p', { id: 'offline-map-status', 'aria-live': 'polite' });
  const actions = h('div');
  const panel = h('section', { 'aria-labelledby': 'offline-map-title' },
    h('h2', { id: 'offline-map-title' }, 'Map with no signal'),
    h('p', null, `The map works offline where you have used it before. To have it everywhere in the borough, keep the whole map on this phone: it takes ${size(map.bytes)}.`),
    status, actions);

  const show = async () => {
    const kept = await isWholeKept(map.url).catch(() => false);
    status.textContent = kept ? `The whole borough's map is kept on this phone (${size(map.bytes)}).` : '';
    actions.replaceChildren(kept
      ? h('button.secondary', { type: 'button', id: 'forget-borough', onclick: async () => {
        await forgetWhole(map.url);
        await show();
        status.textContent = 'The borough map was removed from this phone.';
      } }, 'Remove the borough map from this phone')
      : h('button.secondary', { type: 'button', id: 'keep-borough', onclick: keep }, `Keep the whole borough on this phone (${size(map.bytes)})`));
  };

  const keep = async () => {
    const bar = /** @type {HTMLProgressElement} */ (h('progress', { max: map.bytes, value: 0, id: 'offline-map-progress', 'aria-label': 'Downloading the borough map' }));
    actions.replaceChildren(bar);
    status.textContent = `Downloading the borough map (${size(map.bytes)})…`;
    try {
      await keepWhole(map.url, (received) => { bar.value = received; });
    } catch (error) {
      await show();
      const reason = /** @type {Error} */ (error);
      status.textContent = !navigator.onLine ? 'No signal: try again when you have one.'
        : reason.name === 'QuotaExceededError' ? `There is not enough space on this phone for the map (${size(map.bytes)}).`
          : `${reason.message || 'The map could not be downloaded.'} Try again.`;
      return;
    }
    await show();
  };

  show();
  return panel;
}
