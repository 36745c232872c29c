// @ts-check
/// <reference lib="webworker" />
/** The share target: photos (and words) shared into the app from another app. */
import { database } from '/app/lib/db.js';
import { sw } from './scope.js';

sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin === sw.location.origin && event.request.method === 'POST' && url.pathname === '/share-target') {
    event.respondWith(receiveShare(event.request));
  }
});

/** Photos shared from the gallery, and the words shared with them (the share sheet's title and
 * text): keep them, then open the photos step, which picks them up. @param {Request} request */
async function receiveShare(request) {
  try {
    const form = await request.formData();
    const files = form.getAll('photos').filter((f) => f instanceof File).slice(0, 5);
    const photos = await Promise.all(files.map(async (file) => ({
      name: /** @type {File} */ (file).name, type: /** @type {File} */ (file).type, data: await /** @type {File} */ (file).arrayBuffer(),
    })));
    const words = ['title', 'text'].map((name) => String(form.get(name) || '').trim()).filter(Boolean);
    const text = [...new Set(words)].join('\n');
    if (photos.length || text) await (await database()).put('shared', { photos, text, at: Date.now() });
    return Response.redirect('/report/photos?shared=1', 303);
  } catch {
    return Response.redirect('/report/photos?shared=failed', 303);
  }
}
