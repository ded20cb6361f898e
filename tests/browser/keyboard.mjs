// Keyboard checks of one page: Tab from the top reaches the quick exit
// first, then every link, button and field of the page (one radio button
// stands for its group), and each shows a visible focus indicator.

import assert from 'node:assert/strict';
import { pathOf } from './lib.mjs';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), ' +
  'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/**
 * checkKeyboard() - from a fresh load state (nothing focused), press Tab
 * until focus leaves the page; fail unless every focusable element was
 * reached and looked different while focused.
 */
export async function checkKeyboard(page, { quickExitFirst = true } = {}) {
  const where = pathOf(page);
  // Start from the top with nothing focused; note how each element looks unfocused.
  const total = await page.evaluate((sel) => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.scrollTo(0, 0);
    const look = (el) => {
      const cs = getComputedStyle(el);
      return [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow, cs.borderColor,
        cs.backgroundColor, cs.textDecorationLine].join('|');
    };
    // Not rendered, hidden, or inside a closed <details>: not a Tab stop.
    const shown = (el) => (el.checkVisibility ?
      el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }) :
      el.getClientRects().length > 0);
    const all = Array.from(document.querySelectorAll(sel)).filter((el) => shown(el) || el.classList.contains('skip-link'));
    window.__kb = { all, unfocused: all.map(look), look };
    return all.length;
  }, FOCUSABLE);

  const reached = new Set();
  const problems = [];
  let first = null;
  let firstIdx = null;
  let prevIdx = null;
  // A date field has a Tab stop for each of its parts: allow for a few.
  for (let i = 0; i < 3 * total + 10; i++) {
    await page.keyboard.press('Tab');
    const r = await page.evaluate(() => {
      const { all, unfocused, look } = window.__kb;
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { out: true };
      const idx = all.indexOf(el);
      const focusedLook = look(el);
      const rect = el.getBoundingClientRect();
      const inView = rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth;
      const cs = getComputedStyle(el);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
        (cs.boxShadow && cs.boxShadow !== 'none');
      const radios = el.type === 'radio' ?
        all.map((x, j) => (x.type === 'radio' && x.name === el.name ? j : -1)).filter((j) => j >= 0) : [];
      return {
        idx,
        radios,
        desc: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}`,
        visible: ring && (idx < 0 || focusedLook !== unfocused[idx]),
        inView,
      };
    });
    if (r.out) break;
    if (first === null) {
      first = r.desc;
      firstIdx = r.idx;
    } else if (r.idx >= 0 && r.idx === firstIdx) {
      break; // wrapped around
    }
    if (r.idx >= 0 && r.idx === prevIdx) continue; // the next part of the same field
    prevIdx = r.idx;
    if (r.idx >= 0) reached.add(r.idx);
    for (const j of r.radios) reached.add(j);
    if (!r.visible) problems.push(`${r.desc}: no visible focus indicator`);
    if (!r.inView) problems.push(`${r.desc}: focused but outside the viewport`);
  }
  if (quickExitFirst) assert.match(first || '', /\.quick-exit\[href="\/exit"\]/, `${where}: first Tab stop`);
  const unreached = await page.evaluate((seen) => window.__kb.all
    .map((el, i) => (seen.includes(i) ? null : `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${el.getAttribute('href') || el.getAttribute('name') || ''}`))
    .filter(Boolean), [...reached]);
  assert.deepEqual(unreached, [], `${where}: not reachable with Tab`);
  assert.deepEqual(problems, [], `${where}: focus`);
}
