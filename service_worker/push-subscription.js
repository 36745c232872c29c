// @ts-check
/// <reference lib="webworker" />
// The push service changes the subscription.
//
// A push service may expire or rotate a subscription; the browser then fires pushsubscriptionchange
// (with oldSubscription/newSubscription where it can; Chromium may give neither). The change is
// noted on the phone first (kv 'push-change': the endpoints the server must forget), then told to
// the server: PUT the subscription the browser holds now, DELETE each old endpoint. With no signal
// (or the server down) the note stays and is told later: on the Background Sync asked for then
// (PUSH_SYNC_TAG, fired when the signal returns), the outbox's sync, the next activation, or when
// the app starts or comes back online (a 'retry-push-change' message: browsers without Background Sync).

import * as outbox from '/app/lib/outbox.js';
import { database } from '/app/lib/db.js';
import { sw } from './scope.js';

const PUSH_SYNC_TAG = 'reportit-push-subscription';
const PUSH_LOCK = 'reportit-push-subscription';
/** kv key: {id, forget: string[]}, a change the server has not been told about yet. */
const PUSH_CHANGE = 'push-change';
/** kv key: {endpoint}, the subscription last given to the server (by the page's push.js or this worker). */
const PUSH_TOLD = 'push-endpoint';

sw.addEventListener('activate', () => {
  retryPushChange();  // a push subscription change the server has not heard about yet, if any
});

sw.addEventListener('message', (event) => {
  // The app started, or came back online, with a push subscription change not yet told (pages send
  // this only while one is noted, so it never holds up a new version taking over).
  if (event.data && event.data.type === 'retry-push-change') event.waitUntil(retryPushChange());
});

sw.addEventListener('sync', (event) => {
  const sync = /** @type {Event & {tag: string, waitUntil(p: Promise<any>): void}} */ (event);
  if (sync.tag === PUSH_SYNC_TAG) sync.waitUntil(tellPushChange());  // rejecting asks the browser to try again later
  if (sync.tag === outbox.SYNC_TAG) sync.waitUntil(retryPushChange());  // the signal is back for these too
});

sw.addEventListener('pushsubscriptionchange', (event) => {
  const change = /** @type {ExtendableEvent & {oldSubscription?: PushSubscription | null, newSubscription?: PushSubscription | null}} */ (event);
  change.waitUntil((async () => {
    await notePushChange(change.oldSubscription?.endpoint || '');
    await tellPushChange(change.newSubscription || null).catch(async (error) => {
      await askForPushSync();
      throw error;
    });
  })());
});

/**
 * Note the change, merged with any change not told yet, in one transaction: what the server must
 * forget is the old endpoint if the browser gave it, and the one this worker last gave the server.
 * @param {string} oldEndpoint
 */
async function notePushChange(oldEndpoint) {
  const tx = (await database()).transaction('kv', 'readwrite');
  const [pending, told] = await Promise.all([tx.store.get(PUSH_CHANGE), tx.store.get(PUSH_TOLD)]);
  const forget = new Set(pending ? pending.forget : []);
  for (const endpoint of [oldEndpoint, told?.endpoint]) if (endpoint) forget.add(endpoint);
  await Promise.all([tx.store.put({ id: crypto.randomUUID(), forget: [...forget] }, PUSH_CHANGE), tx.done]);
}

/**
 * Tell the server about the noted change, if there is one. Resolves once it is told (or the server
 * refused it for good, which is logged); rejects when it must be tried again.
 * @param {PushSubscription | null} [given] the event's newSubscription, when the browser gave one
 */
function tellPushChange(given = null) {
  const run = async () => {
    const change = await (await database()).get('kv', PUSH_CHANGE);
    if (!change) return;
    const subscription = await heldSubscription(given);
    const token = await outbox.deviceToken();
    if (subscription) await pushSubscriptionRequest('PUT', token, subscription.toJSON());
    for (const endpoint of change.forget) {
      if (endpoint !== subscription?.endpoint) await pushSubscriptionRequest('DELETE', token, { endpoint });
    }
    const tx = (await database()).transaction('kv', 'readwrite');
    const now = await tx.store.get(PUSH_CHANGE);
    // A change noted meanwhile stays: its own event tells it, after this (the lock).
    if (now && now.id === change.id) await tx.store.delete(PUSH_CHANGE);
    await (subscription ? tx.store.put({ endpoint: subscription.endpoint }, PUSH_TOLD) : tx.store.delete(PUSH_TOLD));
    await tx.done;
  };
  return navigator.locks ? navigator.locks.request(PUSH_LOCK, run) : run();
}

/**
 * The subscription the browser holds now, subscribing again if it holds none; null when the
 * resident no longer allows notifications (then only the old endpoints are forgotten).
 * @param {PushSubscription | null} given
 * @returns {Promise<PushSubscription | null>}
 */
async function heldSubscription(given) {
  const manager = sw.registration.pushManager;
  const held = given || await manager.getSubscription();
  if (held) return held;
  if (await manager.permissionState({ userVisibleOnly: true }) !== 'granted') return null;
  const response = await fetch('/api/push/public-key');
  if (!response.ok) throw new Error(`no push key from the council: ${response.status}`);
  const { public_key: publicKey } = await response.json();
  return manager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) });
}

/**
 * PUT or DELETE on /api/me/push-subscription. Throws (try again later) on no signal, 408, 429 and
 * 5xx; any other refusal is for good (the server will not take this subscription), so it is logged
 * and passed over rather than retried for ever.
 * @param {'PUT' | 'DELETE'} method @param {string} token @param {any} body
 */
async function pushSubscriptionRequest(method, token, body) {
  const response = await fetch('/api/me/push-subscription', {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.ok) return;
  const detail = `${method} push subscription: ${response.status} ${await response.text().catch(() => '')}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(detail);
  console.error(`The council refused a push subscription change: ${detail}`);
}

/** Be woken when the signal returns (Background Sync; where there is none, the next activation tries). */
async function askForPushSync() {
  const sync = /** @type {any} */ (sw.registration).sync;
  if (sync) await sync.register(PUSH_SYNC_TAG).catch(() => undefined);
}

/** Tell a noted change now if possible, never failing the caller's event. */
function retryPushChange() {
  return tellPushChange().catch(askForPushSync);
}

/** @param {string} text */
function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
