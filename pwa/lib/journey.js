// @ts-check
/**
 * The report journey's steps, one question per screen (GOV.UK pattern):
 * category → (elsewhere | questions) → photos → location → description → contact → check → send.
 *
 * This module owns their order, where Continue and Back go, and which steps are left out (the
 * questions when the problem has none; contact details for signed-in staff, who report under their
 * own account). The views in views/report*.js render the steps.
 */
import { draft } from './draft.js';
import { knownStaff } from './staff.js';

/** The steps after the category, for the problem chosen and whoever is signed in. */
export function steps() {
  const list = ['photos', 'location', 'description', ...(knownStaff() ? [] : ['contact']), 'check'];
  return draft.category && draft.category.questions && draft.category.questions.length ? ['questions', ...list] : list;
}

/**
 * Where "Continue" goes from `step`: the check page when changing an answer, else the next step.
 * @param {string} step @param {URLSearchParams} query the screen's query (`?change=1`)
 */
export function next(step, query) {
  if (query.get('change') && step !== 'category') return '/report/check';
  const order = steps();
  return `/report/${order[order.indexOf(step) + 1] || 'check'}`;
}

/** The first step. While the resident is changing a refused report, links inside the form keep
 * that report (`?change=1`); "Report a problem" from anywhere else starts a new one. */
export function firstStep() {
  return draft.replaces ? '/report?change=1' : '/report';
}

/** Where "Back" goes from `step`. @param {string} step */
export function previous(step) {
  const order = ['category', ...steps()];
  const before = order[order.indexOf(step) - 1];
  return before === 'category' ? firstStep() : `/report/${before}`;
}

/** What a street warden's "Report another here" keeps from the report just saved. */
let lastSaved = /** @type {{category: any, point: import('./draft.js').DraftPoint | null, location_text: string} | null} */ (null);

/** Note the report just saved (its problem and place), for "Report another here". */
export function rememberSaved() {
  lastSaved = { category: draft.category, point: draft.point, location_text: draft.location_text };
}

/** The problem and place of the report saved last in this page, if any. */
export function lastSavedPlace() {
  return lastSaved;
}
