// @ts-check
/**
 * "Comment on this application": object, support or comment; the grounds (for licensing, at least
 * one of the four licensing objectives); what you want to say; name, postal address and a
 * confirmed email (My Account's, or a code emailed now). A preview shows what will be published
 * and what the case officer and the applicant get; sending puts it in the Outbox, so it can be
 * written with no signal and goes when there is one.
 */
import { h } from '../lib/dom.js';
import * as representation from '../lib/representation.js';
import { knownAccount } from '../lib/account.js';
import { afterSave, whenSentWords } from '../lib/sending.js';
import { localToday } from '../lib/applications.js';
import { busy, field, showErrors } from './account-forms.js';

const TITLE = 'Comment on this application';

/** @param {any} error */
function offline(error) {
  return !(/** @type {{status?: number}} */ (error).status);
}

/** @param {any} error @returns {{field: string, message: string}[]} */
function errorsOf(error) {
  const body = /** @type {any} */ (error).body || {};
  const list = Array.isArray(body.errors) ? body.errors : [];
  return list.length ? list.map((/** @type {any} */ e) => ({ field: `rep-${e.field}`, message: e.message }))
    : [{ field: 'rep-text', message: body.detail || body.title || 'The council could not take this.' }];
}

/**
 * @param {any} application @param {{closes_on: string | null, late_comments: string, open: boolean}} due
 * @param {import('./report.js').Ctx} ctx
 */
export async function commentSection(application, due, ctx) {
  const account = await knownAccount();
  const regime = application.regime === 'licensing' ? 'licensing' : 'planning';
  const section = h('section', { id: 'application-comment', 'aria-labelledby': 'comment-heading' });
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form.form', { id: 'representation-form', novalidate: true, hidden: true }));
  const previewBox = h('div', { id: 'representation-preview', 'aria-live': 'polite' });
  const codeStatus = h('p.hint', { id: 'rep-code-status', 'aria-live': 'polite' });
  const open = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', id: 'comment-open', 'aria-expanded': 'false', 'aria-controls': 'representation-form' }, TITLE));
  open.addEventListener('click', () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) /** @type {HTMLElement} */ (form.querySelector('input')).focus();
  });
  const radios = representation.SENTIMENTS.map(([value, words], i) => h('div.choice', null,
    h('input', { type: 'radio', name: 'rep-sentiment', id: i ? `rep-sentiment-${value}` : 'rep-sentiment', value }),
    h('label', { for: i ? `rep-sentiment-${value}` : 'rep-sentiment' }, words)));
  const boxes = representation.GROUNDS[regime].map(([value, words], i) => h('div.choice', null,
    h('input', { type: 'checkbox', name: 'rep-grounds', id: i ? `rep-grounds-${value}` : 'rep-grounds', value }),
    h('label', { for: i ? `rep-grounds-${value}` : 'rep-grounds' }, words)));
  const email = account ? null : field('rep-email', 'Your email address', { type: 'email', autocomplete: 'email' },
    'We email you a code to confirm it, then your receipt and the decision. Never published.');
  const askCode = account ? null : /** @type {HTMLButtonElement} */ (h('button.secondary', { type: 'button', id: 'rep-ask-code' }, 'Email me a code'));
  form.append(
    h('fieldset.field', null, h('legend', null, 'What do you want to say?'), ...radios),
    h('fieldset.field', null, h('legend', null, regime === 'licensing'
      ? 'Which licensing objectives is it about? Choose at least one.' : 'What is it about? (optional)'), ...boxes),
    h('div.field', null, h('label', { for: 'rep-text' }, 'Your comments'),
      h('p.hint', { id: 'rep-text-hint' }, 'Published as you write them, once the council has checked them.'),
      h('textarea', { id: 'rep-text', rows: 6, maxlength: 6000, 'aria-describedby': 'rep-text-hint' })),
    field('rep-name', 'Your name', { autocomplete: 'name', value: account?.name || '', maxlength: representation.MAX_NAME }, 'The council needs it; it is never published.'),
    h('div.field', null, h('label', { for: 'rep-address' }, 'Your postal address'),
      h('p.hint', { id: 'rep-address-hint' }, 'Only the street is published, never the house number.'),
      h('textarea', { id: 'rep-address', rows: 3, autocomplete: 'street-address', maxlength: representation.MAX_ADDRESS, 'aria-describedby': 'rep-address-hint' })),
    account ? h('p', { id: 'rep-email-known' }, `Your receipt and the decision go to ${account.email} (My Account).`) : h('div', null,
      email, askCode, codeStatus, field('rep-code', 'The 6-digit code from the email', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 7 })),
    h('button', { type: 'submit', id: 'rep-preview' }, 'Preview'),
    previewBox);

  /** @param {string} id */
  const value = (id) => /** @type {HTMLInputElement | null} */ (form.querySelector(`#${id}`))?.value.trim() || '';
  /** @returns {representation.Body} */
  const body = () => ({
    sentiment: /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="rep-sentiment"]:checked'))?.value || '',
    grounds: [...form.querySelectorAll('input[name="rep-grounds"]:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value),
    text: value('rep-text'), name: value('rep-name'), address: value('rep-address'),
    ...(account ? {} : { email: value('rep-email'), code: value('rep-code') }),
  });
  /** What can be checked with no signal. @param {representation.Body} b */
  const localErrors = (b) => [
    ...representation.problems(b, regime).map((e) => ({ field: `rep-${e.field}`, message: e.message })),
    !account && !b.email && { field: 'rep-email', message: 'Give your email address: we send a code to confirm it.' },
    // With no signal no code can be emailed: the comment waits in the Outbox, which asks for one.
    !account && !b.code && navigator.onLine !== false && { field: 'rep-code', message: 'Type the code from the email (press “Email me a code” first).' },
  ].filter(/** @returns {e is {field: string, message: string}} */ (e) => Boolean(e));

  // What is typed is kept on the phone as it is typed (the phone's own storage, like a report's
  // draft), so leaving the screen, a reload or a closed app loses none of it; sending forgets it.
  const draftKey = `reportit:comment-draft:${application.reference}`;
  const keepDraft = () => {
    const { code, ...typed } = body();
    try {
      localStorage.setItem(draftKey, JSON.stringify(typed));
    } catch { /* storage full or refused: the form still works, unsaved */ }
  };
  form.addEventListener('input', keepDraft);
  form.addEventListener('change', keepDraft);
  const draft = (() => {
    try {
      return JSON.parse(localStorage.getItem(draftKey) || 'null');
    } catch {
      return null;
    }
  })();
  if (draft && (draft.text || draft.sentiment)) {
    for (const input of form.querySelectorAll('input[name="rep-sentiment"]')) /** @type {HTMLInputElement} */ (input).checked = /** @type {HTMLInputElement} */ (input).value === draft.sentiment;
    for (const input of form.querySelectorAll('input[name="rep-grounds"]')) /** @type {HTMLInputElement} */ (input).checked = (draft.grounds || []).includes(/** @type {HTMLInputElement} */ (input).value);
    for (const [id, value] of [['rep-text', draft.text], ['rep-name', draft.name], ['rep-address', draft.address], ['rep-email', draft.email]]) {
      const input = /** @type {HTMLInputElement | null} */ (form.querySelector(`#${id}`));
      if (input && value) input.value = value;
    }
    form.hidden = false;
    open.setAttribute('aria-expanded', 'true');
    top.replaceChildren(h('p.notice', { id: 'rep-draft-back' }, 'Your comment is as you left it: it has not been sent yet.'));
  }

  askCode?.addEventListener('click', () => busy(askCode, async () => {
    try {
      const sent = await representation.askCode(application.reference, value('rep-email'));
      codeStatus.textContent = `We sent a code to ${sent.email}. It works for 10 minutes.`;
    } catch (error) {
      codeStatus.textContent = offline(error) ? 'No signal, so no code can be emailed now. You can still write your comment and keep it in your Outbox: it asks you for the code once there is a signal.'
        : errorsOf(error).map((e) => e.message).join(' ');
    }
  }));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const b = body();
    const errors = localErrors(b);
    showErrors(top, form, errors, `Application ${application.reference}`);
    if (errors.length) return;
    previewBox.replaceChildren(h('p', null, 'Preparing the preview…'));
    representation.preview(application.reference, b).then((shown) => drawPreview(shown, b), (error) => {
      if (!offline(error)) {
        previewBox.replaceChildren();
        showErrors(top, form, errorsOf(error), `Application ${application.reference}`);
        return;
      }
      drawPreview(null, b);
    });
  });

  /** @param {any} shown the server's preview, or null with no signal @param {representation.Body} b */
  const drawPreview = (shown, b) => {
    const sentimentWords = { object: 'Objection', support: 'Support', comment: 'Comment' }[b.sentiment];
    const send = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', id: 'rep-send' }, 'Send my representation'));
    send.addEventListener('click', () => busy(send, async () => {
      await representation.queue(application, b, due);
      localStorage.removeItem(draftKey);  // it is in the Outbox now
      afterSave();
      // Emptied, so reopening the form cannot send the same representation a second time.
      form.reset();
      if (account) /** @type {HTMLInputElement} */ (form.querySelector('#rep-name')).value = account.name || '';
      codeStatus.textContent = '';
      form.hidden = true;
      open.setAttribute('aria-expanded', 'false');
      previewBox.replaceChildren();
      top.replaceChildren(h('div.notice', { id: 'rep-queued', role: 'status', tabindex: '-1' },
        h('p', null, !account && !b.code
          // No code could be emailed with no signal: it waits for the resident, not only for a signal.
          ? 'Your representation is in your Outbox. It can only be sent once you type the code we email you: when there is a signal, open your Outbox, ask for the code there and type it in. You get a receipt, then the decision.'
          : `Your representation is in your Outbox. ${whenSentWords()} You get a receipt, then the decision.`),
        h('p', null, h('a', { href: '/outbox' }, 'See your Outbox'))));
      /** @type {HTMLElement} */ (top.firstChild).focus();
    }));
    const published = shown?.published;
    previewBox.replaceChildren(h('div.panel', { id: 'rep-preview-panel', tabindex: '-1' },
      h('h3', null, 'Preview: what will be published'),
      shown ? h('p', null, shown.published_words) : h('p', null, 'No signal, so this is the app’s own preview: the council publishes your comments and the street of your address, never your name, full address or email.'),
      h('blockquote', { id: 'rep-published' },
        h('p', null, h('strong', null, published?.sentiment_name || sentimentWords), published?.street ? ` from ${published.street}` : ''),
        h('p', null, published ? published.text : b.text)),
      h('h3', null, 'What the case officer gets'),
      h('p', null, `Everything: your name (${b.name}), your full address, your email, and your comments.`),
      shown ? h('h3', null, 'What the applicant gets') : null,
      shown ? h('p', { id: 'rep-applicant' }, [shown.applicant.name && `Your name (${shown.applicant.name})`,
        shown.applicant.address && `your address as “${shown.applicant.address}”`, 'your comments'].filter(Boolean).join(', ') + '.') : null,
      !account && !b.code ? h('p.notice', { id: 'rep-code-later' }, 'No signal, so we cannot email you a code yet. Your comment waits in your Outbox: once there is a signal, ask for the code there and type it in to send it.') : null,
      shown?.late ? h('p.notice', null, 'The consultation has closed: your comments are still considered until the decision, and marked as late.') : null,
      send));
    /** @type {HTMLElement} */ (previewBox.firstChild).focus();
  };

  const queued = await representation.queuedFor(application.reference).catch(() => []);
  const today = localToday();
  const warnings = queued.map((item) => representation.deadlineWarning(item, today)).filter(Boolean);
  // (the DOM's append writes a null as the word "null": only what is there is appended)
  section.append(...[h('h2', { id: 'comment-heading' }, TITLE),
    queued.length ? h('div.notice', { id: 'rep-waiting' }, h('p', null, `You have ${queued.length === 1 ? 'a representation' : `${queued.length} representations`} on this application waiting in your `, h('a', { href: '/outbox' }, 'Outbox'), '.'),
      ...warnings.map((w) => h('p', null, h('strong', null, w)))) : null,
    due.open ? h('div', null, open, top, form) : h('p', null, 'The council is not taking comments on this application now.')].filter((node) => node !== null));
  return section;
}
