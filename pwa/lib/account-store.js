// @ts-check
/**
 * Where My Account keeps its copies on the phone: the `kv` store of IndexedDB, and nothing else of
 * db.js. The only module of the account that touches the database.
 *
 * Keys: `account` (the last answer of GET /api/me, with when it was had), `account-reports` (the
 * account's reports from every phone, as /api/me/reports last gave them), `account-follows`,
 * `account-pending` (the address a code was sent to, so the code screen survives a reload).
 */
import { database } from './db.js';

/** @param {string} key @returns {Promise<any>} */
export async function read(key) {
  return (await database()).get('kv', key);
}

/** @param {string} key @param {any} value */
export async function write(key, value) {
  await (await database()).put('kv', value, key);
}

/** @param {string} key */
export async function forget(key) {
  await (await database()).delete('kv', key);
}
