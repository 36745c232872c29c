// @ts-check
/**
 * Where My Account keeps its copies on the phone: the `kv` store of IndexedDB, and nothing else of
 * db.js. The only module of the account that touches db.js, so a change of storage library (idb)
 * changes this file alone.
 *
 * Keys: `account` (the last answer of GET /api/me, with when it was had), `account-reports` (the
 * account's reports from every phone, as /api/me/reports last gave them), `account-follows`,
 * `account-pending` (the address a code was sent to, so the code screen survives a reload).
 */
import * as db from './db.js';

/** @param {string} key @returns {Promise<any>} */
export function read(key) {
  return db.get('kv', key);
}

/** @param {string} key @param {any} value */
export function write(key, value) {
  return db.put('kv', value, key);
}

/** @param {string} key */
export function forget(key) {
  return db.remove('kv', key);
}
