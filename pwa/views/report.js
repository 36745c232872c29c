// @ts-check
/**
 * The report journey's screens (lib/journey.js owns the steps' order): this module routes to the
 * step's screen and renders the first three; report-details.js renders the rest.
 */
import { h, errorSummary, fieldError, phoneLink, shellSettings, withPhoneLinks } from '../lib/dom.js';
import { draft, loadCategories, addPhoto, reset, isEmpty, isKept, keep, onKeptChange } from '../lib/draft.js';
import { database } from '../lib/db.js';
import { whoIsSignedIn } from '../lib/api.js';
import { firstStep, next, previous } from '../lib/journey.js';
import * as details from './report-details.js';

/** @typedef {{path: string, params: string[], query: URLSearchParams, navigate: (url: string, o?: any) => Promise<void>, announce: (m: string) => void, watch: (f: () => void) => void}} Ctx */

/** @param {string} step */
function backLink(step) {
  return h('a.back-link', { href: previous(step) }, 'Back');
}

/** Photos shared into the app from another app (the service worker kept them), and the words
 * shared with them, which start the description.
 * @returns {Promise<{added: number, failed: string[]}>} failed: the names of photos that could not be used */
async function takeSharedPhotos() {
  const tx = (await database()).transaction('shared', 'readwrite');
  const [shares] = await Promise.all([tx.store.getAll(), tx.store.clear(), tx.done]);
  let added = 0;
  /** @type {string[]} */
  const failed = [];
  const { preparePhoto } = await import('../lib/photos.js');
  for (const share of shares) {
    if (share.text && !draft.description.includes(share.text)) draft.description = [draft.description, share.text].filter(Boolean).join('\n');
    for (const photo of share.photos) {
      if (draft.photos.length >= 5) break;
      const file = new File([photo.data], photo.name || 'shared.jpg', { type: photo.type });
      try {
        addPhoto(await preparePhoto(file));
        added += 1;
      } catch {
        failed.push(file.name);
      }
    }
  }
  return { added, failed };
}

/** Names of shared photos that could not be used, shown on the next screen of the form. @type {string[]} */
let sharedFailed = [];

/** Why a share brought no photos (`?shared=` from the server or the service worker), shown on the
 * next screen of the form. @type {Record<string, string>} */
const SHARE_LOST = {
  unavailable: 'The photo you shared could not be kept, because this browser has not finished setting up the app. Add it at the photos step instead.',
  failed: 'The photo you shared could not be kept. Add it at the photos step instead.',
};
let shareLost = '';

/** @param {HTMLElement} main @param {Ctx} ctx */
export async function render(main, ctx) {
  const step = (ctx.params[1] || '/category').slice(1);
  // A refused report being changed must not become the next new report (saving it would delete it).
  if (step === 'category' && draft.replaces && !ctx.query.get('change')) reset();
  if (ctx.query.get('shared') === '1') {
    const { added, failed } = await takeSharedPhotos();
    sharedFailed = failed;
    if (added) ctx.announce(`${added} shared ${added === 1 ? 'photo' : 'photos'} added.`);
  }
  shareLost = SHARE_LOST[ctx.query.get('shared') || ''] || shareLost;
  if (isEmpty() && await offerUnfinished(main, ctx)) return;
  if (step !== 'category' && !draft.category) {
    await ctx.navigate('/report', { replace: true });
    return;
  }
  document.title = 'Report a problem';
  if (step === 'category') {
    await whoIsSignedIn();  // signed in or out elsewhere since: the steps depend on it
    await category(main, ctx);
  }
  else if (step === 'elsewhere') elsewhere(main);
  else if (step === 'questions') questions(main, ctx);
  else await details.render(step, main, ctx);
  if (step !== 'elsewhere') {
    showWhetherKept(main);
    keep(ctx.path + (ctx.query.get('change') ? '?change=1' : ''));
    keepWhatIsTyped(main, step);
  }
  if (sharedFailed.length) {
    main.querySelector('h1')?.after(h('div.notice.notice--stop', { id: 'shared-failed' },
      h('p', null, `${sharedFailed.length === 1 ? 'This shared photo' : 'These shared photos'} could not be used: ${sharedFailed.join(', ')}. Choose a JPEG, PNG or HEIC photo.`)));
    sharedFailed = [];
  }
  if (shareLost) {
    main.querySelector('h1')?.after(h('div.notice.notice--stop', { id: 'shared-lost', role: 'alert' }, h('p', null, shareLost)));
    shareLost = '';
  }
}

/** A report kept on the phone from before a reload (or the app being closed): the resident
 * chooses to continue or discard it before starting another. @param {HTMLElement} main @param {Ctx} ctx */
async function offerUnfinished(main, ctx) {
  const { unfinishedReport } = await import('./unfinished.js');
  const offer = await unfinishedReport(ctx, { heading: 'h1', discarded: () => ctx.navigate('/report', { replace: true }) });
  if (!offer) return false;
  document.title = 'You have an unfinished report – Report a problem';
  main.append(offer);
  return true;
}

/** Draft fields typed on each screen, by input id. */
const TYPED = {
  description: 'description', 'location-text': 'location_text',
  'contact-name': 'contact_name', 'contact-email': 'contact_email', 'contact-phone': 'contact_phone',
};

/** Keep what the resident types or ticks as they go (not only on Continue): the phone may kill
 * the tab before they press it. @param {HTMLElement} main @param {string} step */
function keepWhatIsTyped(main, step) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const note = (/** @type {Event} */ event) => {
    const target = /** @type {HTMLInputElement} */ (event.target);
    const field = /** @type {Record<string, string>} */ (TYPED)[target.id];
    if (field) /** @type {any} */ (draft)[field] = target.value.trim();
    else if (step === 'questions' && target.form) draft.answers = readAnswers(target.form, draft.category.questions);
    else return;
    clearTimeout(timer);
    timer = setTimeout(() => { if (target.isConnected) keep(); }, 300);  // gone: the next screen kept it
  };
  for (const form of main.querySelectorAll('form')) {  // the screen's own forms: \`main\` outlives it
    form.addEventListener('input', note);
    form.addEventListener('change', note);
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden' && location.pathname.startsWith('/report')) keep();
});

/** @param {HTMLElement} main @param {Ctx} ctx @param {string} [error] */
async function category(main, ctx, error) {
  let data;
  try {
    data = await loadCategories();
  } catch {
    main.append(h('h1', null, 'No signal'), h('p', null, 'Open the app once with a signal so it can download the list of problems. Then you can report with no signal.'));
    return;
  }
  document.title = `${error ? 'Error: ' : ''}What is the problem? – Report a problem`;
  const search = h('input', { type: 'search', id: 'category-search', autocomplete: 'off', 'aria-describedby': 'category-search-hint category-count' });
  const count = h('p.hint', { id: 'category-count', 'aria-live': 'polite' });
  const catchAll = data.categories.find((/** @type {any} */ c) => c.catch_all);
  const noMatch = noMatchHelp(catchAll);
  const groups = data.groups.map((/** @type {any} */ group) => {
    const inGroup = data.categories.filter((/** @type {any} */ c) => c.group === group.code);
    if (!inGroup.length) return null;
    return h('fieldset', { 'data-group': group.code },
      h('legend', null, group.name),
      inGroup.map((/** @type {any} */ c) => h('div.choice', { 'data-search': [c.name, c.description, ...(c.keywords || [])].join(' ').toLowerCase(), 'data-catch-all': c.catch_all ? '' : null },
        h('input', { type: 'radio', name: 'category', id: `category-${c.code}`, value: c.code, checked: draft.category?.code === c.code, 'aria-describedby': `category-${c.code}-hint` }),
        h('label', { for: `category-${c.code}` }, c.name, h('span.choice__hint', { id: `category-${c.code}-hint` }, c.description)))));
  });
  const filter = () => {
    const words = /** @type {HTMLInputElement} */ (search).value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const choice of /** @type {NodeListOf<HTMLElement>} */ (main.querySelectorAll('.choice'))) {
      const match = words.every((w) => (choice.dataset.search || '').includes(w));
      // "Something else" stays in view whatever was typed: no search ends in a dead end.
      choice.hidden = !match && choice.dataset.catchAll === undefined;
      if (match) shown += 1;
    }
    for (const fieldset of /** @type {NodeListOf<HTMLElement>} */ (main.querySelectorAll('fieldset[data-group]'))) {
      fieldset.hidden = !fieldset.querySelector('.choice:not([hidden])');
    }
    count.textContent = !words.length ? '' : shown ? `${shown} ${shown === 1 ? 'problem matches' : 'problems match'}` : 'No problems match';
    noMatch.hidden = !words.length || shown > 0;
  };
  search.addEventListener('input', filter);
  const form = h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const chosen = /** @type {HTMLInputElement | null} */ (main.querySelector('input[name=category]:checked'));
    if (!chosen) {
      main.replaceChildren();
      await category(main, ctx, 'Choose what kind of problem it is');
      (/** @type {HTMLElement} */ (main.querySelector('.error-summary'))).focus();
      return;
    }
    const picked = data.categories.find((/** @type {any} */ c) => c.code === chosen.value);
    if (draft.category?.code !== picked.code) draft.answers = {};
    draft.category = picked;
    await ctx.navigate(picked.signpost ? '/report/elsewhere' : next('category', ctx.query));
  } },
  h('div.field', null,
    h('label', { for: 'category-search' }, 'Search for a problem'),
    h('p.hint', { id: 'category-search-hint' }, 'For example: pothole, rubbish, noise'),
    search, count, noMatch),
  h('div', { class: error ? 'field field--error' : 'field', id: 'categories' },
    error ? fieldError('category-error', error) : null,
    groups),
  h('button', { type: 'submit' }, 'Continue'));
  const firstRadio = /** @type {HTMLInputElement} */ (form.querySelector('input[type=radio]'));
  main.append(
    error ? errorSummary([{ field: firstRadio.id, message: error }]) : '',
    h('h1', null, 'What is the problem?'),
    form,
  );
}

/** What to do when a search finds nothing: the catch-all category, or a call to the council.
 * @param {any} catchAll the category with catch_all, if the council has one */
function noMatchHelp(catchAll) {
  const council = shellSettings('reportit-council');
  const call = council.phone ? ['call ', council.name || 'the council', ' on ', phoneLink(council.phone)] : [];
  return h('div.notice', { id: 'category-no-match', hidden: true },
    h('p', null, 'We could not find that problem in the list. ',
      catchAll ? [`Choose “${catchAll.name}” below and describe it in your own words`, call.length ? ', or ' : '.'] : (call.length ? 'You can ' : ''),
      call, call.length ? '.' : ''));
}

/** A problem someone else deals with: who, their number and link; no form. @param {HTMLElement} main */
function elsewhere(main) {
  const s = draft.category.signpost;
  document.title = `${s.partner} deals with this – Report a problem`;
  main.append(
    h('a.back-link', { href: firstStep() }, 'Back'),
    h('h1', null, `${s.partner} deals with this`),
    h('p', null, s.summary || `This is not something the council deals with. ${s.partner} can help.`),
    h('div.notice', null,
      h('p', null, s.message),
      s.phone ? h('p', null, 'Phone: ', phoneLink(s.phone)) : null,
      s.url ? h('p', null, h('a', { href: s.url, rel: 'noopener' }, `Go to the ${s.partner} website`)) : null),
    h('p', null, h('a', { href: firstStep() }, 'Report a different problem')),
  );
}

/** @param {any} q */
function questionField(q) {
  const id = `answer-${q.code}`;
  const value = draft.answers[q.code];
  const hint = q.datatype_description ? h('p.hint', { id: `${id}-hint` }, q.datatype_description) : null;
  const describedBy = q.datatype_description ? `${id}-hint` : null;
  const label = q.required ? q.description : `${q.description} (optional)`;
  if (!q.variable) return h('div.notice', null, h('p', null, q.description));
  if (q.datatype === 'singlevaluelist' || q.datatype === 'multivaluelist') {
    const multiple = q.datatype === 'multivaluelist';
    return h('div.field', { id: `${id}-field` }, h('fieldset', { 'aria-describedby': describedBy },
      h('legend', null, label), hint,
      q.values.map((/** @type {any} */ v, /** @type {number} */ i) => h('div.choice', null,
        h('input', {
          type: multiple ? 'checkbox' : 'radio', name: q.code, value: v.key, id: i === 0 ? id : `${id}-${v.key}`,
          checked: multiple ? (value || []).includes(v.key) : value === v.key,
        }),
        h('label', { for: i === 0 ? id : `${id}-${v.key}` }, v.name)))));
  }
  const input = q.datatype === 'text'
    ? h('textarea', { id, name: q.code, 'aria-describedby': describedBy, rows: 4 }, value || '')
    : h('input', { type: 'text', id, name: q.code, value: value || '', 'aria-describedby': describedBy, inputmode: q.datatype === 'number' ? 'decimal' : null });
  return h('div.field', { id: `${id}-field` }, h('label', { for: id }, label), hint, input);
}

/** @param {HTMLFormElement} form @param {any[]} questionList */
function readAnswers(form, questionList) {
  /** @type {Record<string, any>} */
  const answers = {};
  const data = new FormData(form);
  for (const q of questionList) {
    if (!q.variable) continue;
    const values = data.getAll(q.code).map((v) => String(v).trim()).filter(Boolean);
    if (!values.length) continue;
    answers[q.code] = q.datatype === 'multivaluelist' ? values : values[0];
  }
  return answers;
}

/** @param {HTMLElement} main @param {Ctx} ctx */
function questions(main, ctx) {
  const questionList = [...draft.category.questions].sort((a, b) => a.order - b.order);
  const heading = h('h1', null, `About the problem: ${draft.category.name.toLowerCase()}`);
  const top = h('div');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    draft.answers = readAnswers(form, questionList);
    for (const el of form.querySelectorAll('.field--error')) el.classList.remove('field--error');
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    for (const q of questionList) {
      const chosen = [].concat(draft.answers[q.code] || []);
      const stop = (q.values || []).find((/** @type {any} */ v) => v.blocks && chosen.includes(v.key));
      if (stop) {
        document.title = 'You cannot report this here yet – Report a problem';
        top.replaceChildren(h('div.notice.notice--stop', { role: 'alert', tabindex: '-1', id: 'stop-notice' },
          h('h2', null, 'Stop: do this first'), h('p', null, withPhoneLinks(stop.blocks))));
        (/** @type {HTMLElement} */ (top.firstChild)).focus();
        return;
      }
    }
    const missing = questionList.filter((q) => q.variable && q.required && !draft.answers[q.code]);
    if (missing.length) {
      document.title = 'Error: About the problem – Report a problem';
      const errors = missing.map((q) => ({ field: `answer-${q.code}`, message: `Answer the question: ${q.description}` }));
      for (const e of errors) {
        const field = form.querySelector(`#${e.field}-field`);
        field?.classList.add('field--error');
        field?.querySelector('legend, label')?.after(fieldError(`${e.field}-error`, e.message));
      }
      top.replaceChildren(errorSummary(errors));
      (/** @type {HTMLElement} */ (top.firstChild)).focus();
      return;
    }
    await ctx.navigate(next('questions', ctx.query));
  } }, questionList.map(questionField), h('button', { type: 'submit' }, 'Continue')));
  main.append(backLink('questions'), top, heading, form);
}

/** @type {(() => void) | null} */
let stopHearingKept = null;

/**
 * A notice under the heading while the report being written cannot be kept on the phone (it is
 * full): the resident learns it now, not after the tab is gone. It goes once a save works again.
 * @param {HTMLElement} main
 */
function showWhetherKept(main) {
  const notice = h('div.notice.notice--stop', { id: 'draft-not-kept', role: 'alert', hidden: isKept() },
    h('p', null, 'This phone is out of storage space, so this report is not kept if the app closes. '
      + 'Send it now, or free some space on the phone.'));
  const heading = main.querySelector('h1');
  if (heading) heading.after(notice);
  else main.prepend(notice);
  stopHearingKept?.();
  stopHearingKept = onKeptChange((kept) => {
    if (!notice.isConnected) return;
    notice.hidden = kept;
  });
}
