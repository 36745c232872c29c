// @ts-check
/** What the My Account screens share: labelled fields, errors shown GOV.UK's way, dates in words. */
import { h, errorSummary, fieldError } from '../lib/dom.js';

/**
 * A labelled input (label above, hint under it).
 * @param {string} id @param {string} label @param {Record<string, any>} props @param {string} [hint]
 */
export function field(id, label, props, hint) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div.field', null,
    h('label', { for: id }, label),
    hint ? h('p.hint', { id: hintId }, hint) : null,
    h('input', { id, name: id, spellcheck: 'false', 'aria-describedby': hintId, ...props }));
}

/**
 * Show these errors at the top (focused) and beside their fields, or clear them all.
 * @param {HTMLElement} top @param {HTMLElement} form @param {{field: string, message: string}[]} errors @param {string} title
 */
export function showErrors(top, form, errors, title) {
  for (const el of form.querySelectorAll('.field--error')) el.classList.remove('field--error');
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  top.replaceChildren();
  document.title = `${errors.length ? 'Error: ' : ''}${title} – Report It`;
  if (!errors.length) return;
  const seen = new Set();
  for (const e of errors) {
    const input = form.querySelector(`#${CSS.escape(e.field)}`);
    if (!input || seen.has(e.field)) continue;
    seen.add(e.field);
    input.closest('.field')?.classList.add('field--error');
    if (input.matches('input, textarea')) input.setAttribute('aria-invalid', 'true');
    const error = fieldError(`${e.field}-error`, e.message);
    input.before(error);
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.endsWith('-error'));
    input.setAttribute('aria-describedby', [...described, error.id].join(' '));
  }
  top.append(errorSummary(errors));
  /** @type {HTMLElement} */ (top.firstChild).focus();
}

/** @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return 'not known';
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "Back to My Account". */
export function backToAccount() {
  return h('a.back-link', { href: '/account' }, 'Back to My Account');
}

/** A button that says it is busy while `work` runs (a second press does nothing).
 * @param {HTMLButtonElement} button @param {() => Promise<void>} work */
export async function busy(button, work) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

/** Append what is there (a screen's optional parts are null). @param {HTMLElement} main @param {...(Node | null | undefined)} parts */
export function appendAll(main, ...parts) {
  main.append(...parts.filter((part) => part !== null && part !== undefined));
}
