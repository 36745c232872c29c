// @ts-check
/**
 * A representation the council refused, put right in the Outbox: the resident changes what was
 * refused (a code, the comment, the licensing objectives, their name or address), and it is saved
 * again under a new Idempotency-Key, for the same application, replacing the refused one, so it is
 * sent once. What cannot be put right here (too late, decided, withdrawn) only links to the
 * application.
 */
import { fieldError, h } from '../lib/dom.js';
import * as outbox from '../lib/outbox.js';
import { afterSave } from '../lib/sending.js';
import { GROUNDS, MAX_NAME, MAX_TEXT, SENTIMENTS, askCode, problems } from '../lib/representation.js';
import { showErrors } from './account-forms.js';

/** @typedef {import('./report.js').Ctx} Ctx */

/** The fields a resident can change here; a refusal on any other (or none) is not put right here. */
const FIXABLE = ['sentiment', 'grounds', 'text', 'name', 'address'];

/** @param {outbox.OutboxItem} item */
export function canPutRight(item) {
  return item.errors.length > 0 && item.errors.every((e) => FIXABLE.includes(e.field));
}

/** Refused items already saved again: a second press (a double tap, a slow phone) saves nothing more. */
const savedAgain = new Set();

/**
 * Save the changed representation in place of the refused one, once, and say so. The form is
 * emptied first, while it is still on the page: nothing typed is left unsent, so a new version's
 * Reload is offered again.
 * @param {outbox.OutboxItem} item @param {Record<string, any>} body @param {Ctx} ctx @param {string} words
 * @param {HTMLFormElement} form @param {Record<string, any>} [fields] more to keep with it
 */
async function sendAgain(item, body, ctx, words, form, fields = {}) {
  if (savedAgain.has(item.client_id)) return;
  savedAgain.add(item.client_id);
  form.reset();
  await outbox.save({ kind: 'representation', client_id: crypto.randomUUID(), fields: { ...item.fields, ...fields, body },
    photos: [], summary: item.summary }, item.client_id);
  ctx.announce(words);
  (/** @type {HTMLElement} */ (document.querySelector('h1'))).focus();  // the list redraws once focus leaves it
  afterSave();
}

/**
 * The refused fields, filled in as written, each with the council's words beside it.
 * @param {outbox.OutboxItem} item @param {Ctx} ctx
 */
export function putRight(item, ctx) {
  const cid = item.client_id;
  const body = item.fields.body || {};
  const regime = item.summary?.regime === 'licensing' ? 'licensing' : 'planning';
  const refused = new Set(item.errors.map((e) => e.field));
  const id = (/** @type {string} */ name) => `fix-${name}-${cid}`;
  /** @param {string} name */
  const said = (name) => {
    const messages = item.errors.filter((e) => e.field === name).map((e) => e.message);
    return messages.length ? fieldError(`${id(name)}-refused`, messages.join(' ')) : null;
  };
  /** @param {string} name @param {string} legend @param {string} type @param {Array<[string, string]>} choices @param {string[]} chosen */
  const choices = (name, legend, type, choices, chosen) => h('fieldset.field', { class: 'field--error', 'aria-describedby': `${id(name)}-refused` },
    h('legend', null, legend), said(name),
    choices.map(([value, words], i) => h('div.choice', null,
      h('input', { type, name: id(name), id: i ? `${id(name)}-${value}` : id(name), value, checked: chosen.includes(value) }),
      h('label', { for: i ? `${id(name)}-${value}` : id(name) }, words))));
  /** @param {string} name @param {string} label @param {string} value @param {number} rows */
  const text = (name, label, value, rows) => h('div.field', { class: refused.has(name) ? 'field--error' : null },
    h('label', { for: id(name) }, label), said(name),
    h('textarea', { id: id(name), rows, maxlength: name === 'text' ? MAX_TEXT : null,
      'aria-invalid': refused.has(name) ? 'true' : null, 'aria-describedby': refused.has(name) ? `${id(name)}-refused` : null }, value));
  const top = h('div');
  return h('form.form', { novalidate: true, 'aria-labelledby': id('heading'), onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    /** @param {string} name */
    const value = (name) => /** @type {HTMLInputElement | null} */ (form.querySelector(`#${CSS.escape(id(name))}`))?.value.trim();
    /** @param {string} name */
    const checked = (name) => [...form.querySelectorAll(`input[name="${id(name)}"]:checked`)].map((el) => /** @type {HTMLInputElement} */ (el).value);
    const changed = {
      ...body,
      sentiment: refused.has('sentiment') ? checked('sentiment')[0] || '' : body.sentiment,
      grounds: refused.has('grounds') ? checked('grounds') : body.grounds || [],
      text: value('text') ?? body.text, name: value('name') ?? body.name, address: value('address') ?? body.address,
    };
    const errors = problems(changed, regime).map((e) => ({ field: id(e.field), message: e.message }));
    showErrors(top, form, errors, 'Outbox');
    if (errors.length) return;
    await sendAgain(item, changed, ctx, 'Your comment is in your Outbox again, as you changed it. It is sent when there is a signal.', form);
  } },
  h('h3', { id: id('heading') }, 'Put it right and send it again'),
  top,
  refused.has('sentiment') ? choices('sentiment', 'What do you want to say?', 'radio', SENTIMENTS, [body.sentiment]) : null,
  refused.has('grounds') ? choices('grounds', regime === 'licensing' ? 'Which licensing objectives is it about? Choose at least one.'
    : 'What is it about? (optional)', 'checkbox', GROUNDS[regime], body.grounds || []) : null,
  text('text', 'Your comments', body.text || '', 6),
  refused.has('name') ? h('div.field', { class: 'field--error' }, h('label', { for: id('name') }, 'Your name'), said('name'),
    h('input', { id: id('name'), value: body.name || '', autocomplete: 'name', maxlength: MAX_NAME, 'aria-invalid': 'true',
      'aria-describedby': `${id('name')}-refused` })) : null,
  refused.has('address') ? text('address', 'Your postal address', body.address || '', 3) : null,
  h('button', { type: 'submit' }, 'Send my comment again'));
}

/**
 * A representation the council refused only because of its email code (wrong, expired, used): the
 * resident types a new code (asking for one if need be) and it is sent again, with what they wrote.
 * A phone signed in since needs no code: the account's confirmed address is the one used (if the
 * phone turns out to be signed out, the council asks for a code again and this form comes back).
 * @param {outbox.OutboxItem} item @param {Ctx} ctx @param {{email: string} | null} [account]
 */
export function codeAgain(item, ctx, account = null) {
  // Sent without a code as this account and refused for it all the same: the phone is not signed
  // in as far as the council knows (signed out elsewhere), so a code it is.
  if (account && item.fields.without_code_as !== account.email) {
    const { code, ...body } = item.fields.body || {};
    return h('form.form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
      event.preventDefault();
      await sendAgain(item, body, ctx, 'Your comment is in your Outbox again. It is sent when there is a signal.',
        /** @type {HTMLFormElement} */ (event.currentTarget), { without_code_as: account.email });
    } },
    h('p', null, `This phone is now signed in as ${account.email}, so no code is needed: your comment goes from that address.`),
    h('button', { type: 'submit' }, 'Send my comment again'));
  }
  const id = `code-${item.client_id}`;
  const status = h('p.hint', { id: `code-status-${item.client_id}`, 'aria-live': 'polite' });
  const input = /** @type {HTMLInputElement} */ (h('input', { id, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 7, 'aria-describedby': status.id }));
  const body = item.fields.body || {};
  return h('form.form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const code = input.value.trim();
    if (!code) {
      status.textContent = 'Type the code from the email first.';
      input.focus();
      return;
    }
    await sendAgain(item, { ...body, code }, ctx, 'Your comment is in your Outbox again, with the new code. It is sent when there is a signal.', form);
  } },
  h('div.field', null, h('label', { for: id }, `The 6-digit code from the newest email to ${body.email || 'you'}`), input),
  body.email ? h('button.secondary', { type: 'button', onclick: async () => {
    try {
      const sent = await askCode(item.fields.reference, body.email);
      status.textContent = `We sent a new code to ${sent.email}. It works for 10 minutes.`;
    } catch (error) {
      status.textContent = /** @type {{status?: number}} */ (error).status ? String(/** @type {Error} */ (error).message)
        : 'No signal: a new code can be sent once there is one.';
    }
  } }, 'Email me a new code') : null,
  status,
  h('button', { type: 'submit' }, 'Send my comment again'));
}
