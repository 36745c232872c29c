// @ts-check
/** Building DOM without HTML strings, so user text can never become markup. */

/**
 * @param {string} tag  e.g. 'p', 'a.button' (classes after dots)
 * @param {Record<string, any> | null} [props]  attributes; `on*` functions become listeners
 * @param {...(Node | string | number | null | undefined | false | Array<any>)} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = [el.className, value].filter(Boolean).join(' ');
    else if (key in el && key !== 'list' && typeof value !== 'string') /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * Append to an element already on the page the way h() builds children: null, undefined and false
 * are left out (the DOM's own append() would print them as the words "null" and "undefined").
 * @param {Element} el
 * @param {...(Node | string | number | null | undefined | false | Array<any>)} children
 */
export function appendTo(el, ...children) {
  append(el, children);
}

/** @param {Element} el @param {any[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * An error summary (GOV.UK pattern) linking to each field.
 * @param {{field: string, message: string}[]} errors  field = the id of the input to focus
 */
export function errorSummary(errors) {
  return h('div.error-summary', { role: 'alert', tabindex: '-1', 'aria-labelledby': 'error-summary-title' },
    h('h2.error-summary__title', { id: 'error-summary-title' }, 'There is a problem'),
    h('ul', null, errors.map((e) => h('li', null, h('a', {
      href: `#${e.field}`,
      onclick: (/** @type {Event} */ event) => {
        event.preventDefault();
        const target = document.getElementById(e.field);
        if (target) target.focus();
      },
    }, e.message)))));
}

/** @param {string} id @param {string} message */
export function fieldError(id, message) {
  return h('p.field-error', { id }, h('span.visually-hidden', null, 'Error: '), message);
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

/** Settings the server renders into the app shell (`<meta name="reportit-…">`): there with no signal.
 * @param {string} name e.g. 'reportit-council' @returns {Record<string, any>} */
export function shellSettings(name) {
  try {
    return JSON.parse(document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') || '{}');
  } catch {
    return {};
  }
}

/** A UK phone number as a tap-to-call link. @param {string} number @param {string} [text] */
export function phoneLink(number, text) {
  return h('a', { href: `tel:${number.replace(/[^0-9+]/g, '')}` }, text || number);
}

// 999, 101, 111 and numbers like "020 7641 6000" or "0343 222 1234", written in a council's notices.
const PHONE_NUMBER = /\b(999|101|111|0\d{2,4} \d{3,4} \d{3,4}|0\d{9,10})\b/g;

/** Text with every phone number in it made a tap-to-call link (notices come from the council's settings).
 * @param {string} text @returns {(string | HTMLElement)[]} */
export function withPhoneLinks(text) {
  /** @type {(string | HTMLElement)[]} */
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(PHONE_NUMBER)) {
    const at = /** @type {number} */ (match.index);
    parts.push(text.slice(last, at), phoneLink(match[0]));
    last = at + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((part) => part !== '');
}

/** A reference as people read it, on every screen and page: "K7QM-4XRT" (the server accepts any form).
 * @param {string | undefined | null} reference */
export function readableReference(reference) {
  const plain = String(reference || '').replace(/[\s-]/g, '').toUpperCase();
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : String(reference || '');
}
