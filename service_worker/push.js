// @ts-check
/// <reference lib="webworker" />
/**
 * Status notifications from Web Push: the saved copy of the report is brought up to date first,
 * then the notification is shown; a tap opens the report's permanent page.
 */
import { database } from '/app/lib/db.js';
import { appRoutes, sw, tellPages } from './scope.js';

sw.addEventListener('push', (event) => {
  /** @type {any} */
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { notification: { title: 'Report It', body: event.data ? event.data.text() : '' } };
  }
  const n = payload.notification || payload;
  const data = { ...(n.data || {}), navigate: n.navigate || '' };
  event.waitUntil((async () => {
    // My reports first (briefly waited for), so a tap on the notification finds it current.
    const saved = updateSavedReport(data, n.body).catch((error) => console.error('Could not update the saved report', error));
    await Promise.race([saved, new Promise((resolve) => setTimeout(resolve, SAVED_REPORT_WAIT_MS))]);
    await Promise.all([
      sw.registration.showNotification(n.title || 'Report It', {
        body: n.body || '', tag: n.tag, lang: n.lang, data, icon: '/app/icons/icon-192.png', badge: '/app/icons/icon-192.png',
      }),
      saved.then(() => tellPages({ type: 'report-updated', reference: data.reference })),
    ]);
  })());
});

/** How long a notification waits for the saved copy of its report (IndexedDB is normally quicker by far). */
const SAVED_REPORT_WAIT_MS = 2000;
const STATUS_KINDS = ['open', 'closed', 'fixed'];

/**
 * Bring this phone's saved copy of a report (the `sent` store My reports shows with no signal) to
 * the status a push announces, as the server would show it: the status, a history step with the
 * officer's public message (the body, when the server says it is one) and `updated_at`. A report
 * not sent from this phone, or a payload without the status's name, changes nothing; a push
 * delivered again adds no second step.
 * @param {any} data the notification's data: {reference, status, status_name, status_kind, body_is_message}
 * @param {unknown} body the notification's body
 * @returns {Promise<void>}
 */
async function updateSavedReport(data, body) {
  const { reference, status: code, status_name: name } = data || {};
  if (![reference, code, name].every((value) => typeof value === 'string' && value)) return;
  const status = { code, name, kind: STATUS_KINDS.includes(data.status_kind) ? data.status_kind : 'open' };
  const message = data.body_is_message === true && typeof body === 'string' ? body : '';
  const at = new Date().toISOString();
  const tx = (await database()).transaction('sent', 'readwrite');
  for await (const item of tx.store) {
    const report = item.value.report;
    if (!report || report.reference !== reference) continue;
    const history = Array.isArray(report.history) ? report.history : [];
    const last = history[history.length - 1];
    const repeated = Boolean(last) && last.status === code && sameMessage(last.message || '', message);
    if (!repeated || report.status?.code !== code) {
      const steps = repeated ? history : [...history, { status: code, status_name: name, message, at }];
      await item.update({ ...item.value, report: { ...report, status, history: steps, updated_at: at } });
    }
  }
  await tx.done;
}

/**
 * Whether a saved history message is the one a push carries. A long message is cut to fit the
 * push (ending in an ellipsis): the saved copy may already hold it whole, from the server.
 * @param {string} saved @param {string} pushed
 */
function sameMessage(saved, pushed) {
  if (saved === pushed) return true;
  return pushed.endsWith('…') && saved.startsWith(pushed.slice(0, -1).trimEnd());
}

/** The permanent page a notification points at, kept on this origin (an absolute URL). @param {any} data */
export function notificationTarget(data) {
  const raw = (data && (data.url || data.navigate)) || '/mine';
  const url = new URL(raw, sw.location.origin);
  return url.origin === sw.location.origin ? url.href : new URL('/mine', sw.location.origin).href;
}

/** @param {string} href */
function pathAndQuery(href) {
  const url = new URL(href);
  return url.pathname + url.search;
}

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = notificationTarget(event.notification.data);
  const work = (async () => {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const same = windows.find((client) => pathAndQuery(client.url) === pathAndQuery(target));
    if (same) return same.focus();
    // The app's own pages move themselves (reliable everywhere); other pages are navigated.
    const app = windows.find((client) => appRoutes.some((route) => route.test(new URL(client.url).pathname)));
    if (app) {
      app.postMessage({ type: 'open', url: target });
      return app.focus().catch(() => app);
    }
    if (windows[0]) {
      const moved = await windows[0].navigate(target).catch(() => null);
      if (moved) return moved.focus().catch(() => moved);
    }
    return sw.clients.openWindow(target);
  })();
  event.waitUntil(Promise.all([work, tellPages({ type: 'report-updated' })]));
});
