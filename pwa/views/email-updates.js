// @ts-check
/**
 * Updates about a report by email, for a phone that cannot (or will not) take notifications: the
 * Sent screen and "This is my problem – follow it" offer the same form and the same words.
 */
import { h } from '../lib/dom.js';
import { request } from '../lib/api.js';

/** Where the reporter's updates will go. @param {string} email */
export function emailPromise(email) {
  // The server emails a typed address only once its owner confirms it (see the README).
  return h('p', null, `We will email updates to ${email}. If this address is new to us, we have sent it an email: open the link in it to start getting them.`);
}

/** Email updates instead of push. @param {string} reference */
export function emailForm(reference) {
  const status = h('div', { 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const email = String(new FormData(form).get('email') || '').trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      status.replaceChildren(h('p.field-error', null, 'Enter an email address in the right format, like name@example.com'));
      return;
    }
    try {
      const answer = await request(`/api/reports/${encodeURIComponent(reference)}/follow`, {
        method: 'POST', auth: true, body: JSON.stringify({ email }), headers: { 'Content-Type': 'application/json' },
      });
      // An address is emailed updates only once its owner has confirmed it from our email.
      status.replaceChildren(h('p', null, answer && answer.email_confirmed ? `We will email updates to ${email}.`
        : `We've sent an email to ${email}; open the link in it to start getting updates.`));
    } catch {
      status.replaceChildren(h('p.field-error', null, 'We could not save your email just now. Try again later.'));
    }
  } },
  h('div.field', null, h('label', { for: 'updates-email' }, 'Email me updates instead'),
    h('input', { type: 'email', id: 'updates-email', name: 'email', autocomplete: 'email', spellcheck: 'false' })),
  h('button.secondary', { type: 'submit' }, 'Email me updates'), status));
  return form;
}
