// @ts-check
/** This phone's registration with the council's server: one bearer token, registered once. */
import { database } from './db.js';

const DEVICE_LOCK = 'reportit-device';

/**
 * The bearer token for this device, registering the device once if needed. The page, its other
 * tabs and the worker may all ask at once: a Web Lock lets only one of them register, and the
 * others then read the token it stored (otherwise the last to register would orphan the reports
 * sent with the first token).
 * @returns {Promise<string>}
 */
export async function deviceToken() {
  const known = await (await database()).get('kv', 'device');
  if (known && known.token) return known.token;
  if (typeof navigator !== 'undefined' && navigator.locks) return navigator.locks.request(DEVICE_LOCK, registerDevice);
  return registerDevice();
}

async function registerDevice() {
  const db = await database();
  const known = await db.get('kv', 'device');
  if (known && known.token) return known.token;
  const response = await fetch('/api/devices', { method: 'POST', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`device registration failed: ${response.status}`);
  const device = await response.json();
  await db.put('kv', device, 'device');
  return device.token;
}

