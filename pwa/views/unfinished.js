// @ts-check
/**
 * "You have an unfinished report: continue or discard", shown when the app opens (after a reload,
 * the app being closed, the phone restarting) with a report kept on the phone that this page is
 * not already filling in.
 */
import { h } from '../lib/dom.js';
import { kept, resume, reset } from '../lib/draft.js';

/** @param {string} iso */
function when(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/**
 * The choice, or null when nothing is kept.
 * @param {import('./report.js').Ctx} ctx
 * @param {{heading: 'h1' | 'h2', discarded: () => Promise<void> | void}} options
 *   heading: h1 when it is the whole screen; discarded: what to show once it is gone
 * @returns {Promise<HTMLElement | null>}
 */
export async function unfinishedReport(ctx, { heading, discarded }) {
  const saved = await kept();
  if (!saved || !saved.category) return null;
  const photos = saved.photos.length;
  const box = h('div.notice', { id: 'unfinished-report' },
    h(heading, null, 'You have an unfinished report'),
    h('p', null, `${saved.category.name}${photos ? `, ${photos} ${photos === 1 ? 'photo' : 'photos'}` : ''}. Last changed ${when(saved.saved_at)}. It has not been sent.`),
    h('p', null,
      h('button', { type: 'button', id: 'continue-draft', onclick: async () => {
        await ctx.navigate(await resume(), { replace: true });
      } }, 'Continue the report'),
      h('button.warning', { type: 'button', id: 'discard-draft', onclick: async () => {
        reset();
        await kept();  // gone from the phone before anything else is shown
        ctx.announce('Unfinished report discarded.');
        await discarded();
      } }, 'Discard it')));
  return box;
}
