// @ts-check
/** Asking for status updates: Web Push where the phone can, email where it cannot. */
import { request } from './api.js';
import { database } from './db.js';

/** @returns {'push' | 'ios-install' | 'unsupported'} */
export function updatesSupport() {
  const ios = /iP(hone|ad|od)/.test(navigator.userAgent)
    || (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia('(display-mode: standalone)').matches || /** @type {any} */ (navigator).standalone === true;
  if (ios && !standalone) return 'ios-install';  // iOS only allows push in a Home Screen app
  if ('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window) return 'push';
  return 'unsupported';
}

/** @param {string} text */
function bytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/**
 * Whether a subscription's applicationServerKey is `key` (true when the browser does not say).
 * @param {ArrayBuffer | null | undefined} held @param {Uint8Array} key
 */
function sameKey(held, key) {
  if (!held) return true;
  const bytesHeld = new Uint8Array(held);
  return bytesHeld.length === key.length && bytesHeld.every((byte, i) => byte === key[i]);
}

/**
 * Call only from a click: asks permission, subscribes, tells the server, and follows the report.
 * @param {string} reference
 * @returns {Promise<'on' | 'denied'>}
 */
export async function getUpdates(reference) {
  if ((await subscribeThisPhone()) === 'denied') return 'denied';
  await request(`/api/reports/${encodeURIComponent(reference)}/follow`, { method: 'POST', auth: true });
  return 'on';
}

/**
 * Call only from a click: asks permission, subscribes and tells the server, following nothing new
 * (a phone signed in to My Account gets the pushes of every report the account follows).
 * @returns {Promise<'on' | 'denied'>}
 */
export async function subscribeThisPhone() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const registration = await navigator.serviceWorker.ready;
  const { public_key: publicKey } = await request('/api/push/public-key');
  const key = bytes(publicKey);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options && subscription.options.applicationServerKey, key)) {
    // Made with a key the council has since rotated: push services refuse our messages for it.
    const stale = subscription.endpoint;
    await subscription.unsubscribe().catch(() => false);
    subscription = null;
    await request('/api/me/push-subscription', {
      method: 'DELETE', auth: true, body: JSON.stringify({ endpoint: stale }), headers: { 'Content-Type': 'application/json' },
    }).catch(() => undefined);
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  await request('/api/me/push-subscription', {
    method: 'PUT', auth: true, body: JSON.stringify(subscription.toJSON()), headers: { 'Content-Type': 'application/json' },
  });
  // What the server holds: if the push service later changes the subscription, the service worker
  // has the server forget this one (see 'pushsubscriptionchange' in sw.js).
  await (await database()).put('kv', { endpoint: subscription.endpoint }, 'push-endpoint');
  return 'on';
}

/** Whether this phone already has a push subscription (no prompt). */
export async function hasSubscription() {
  if (updatesSupport() !== 'push' || Notification.permission !== 'granted') return false;
  const registration = await navigator.serviceWorker.ready;
  return Boolean(await registration.pushManager.getSubscription());
}
