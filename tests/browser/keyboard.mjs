// Keyboard checks of one page: Tab from the top reaches the quick exit
// first, then every link, button and field of the page (one radio button
// stands for its group), and each shows a visible focus indicator.

import assert from 'node:assert/strict';
import { pathOf } from './lib.mjs';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), ' +
  'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** A DevTools session for each page, to press keys without a round trip each. */
const sessions = new WeakMap();
async function cdpOf(page) {
  if (!sessions.has(page)) sessions.set(page, await page.context().newCDPSession(page));
  return sessions.get(page);
}

/** Press Tab n times, each after the one before is handled, waiting once for all. */
async function pressTabs(page, n) {
  const cdp = await cdpOf(page);
  const key = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 };
  const sent = [];
  for (let i = 0; i < n; i++) {
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }));
  }
  await Promise.all(sent);
}

/**
 * checkKeyboard() - from a fresh load state (nothing focused), press Tab
 * until focus leaves the page; fail unless every focusable element was
 * reached and looked different while focused.
 *
 * The page notes each Tab stop as it happens (focusin: how the element
 * looks focused; the next keydown: whether it is in view, once the browser
 * has scrolled to it), so that the Tabs go in batches and the page is
 * asked once per batch, not once per Tab.
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
    const unfocused = all.map(look);
    const log = [];
    let current = null; // the element focused last and its entry, until it is left
    const inView = () => {
      if (!current) return;
      const rect = current.el.getBoundingClientRect();
      current.entry.inView = rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth;
      current = null;
    };
    const onIn = (ev) => {
      const el = ev.target;
      if (el === document.body || el === document.documentElement) return;
      const idx = all.indexOf(el);
      const focusedLook = look(el);
      const cs = getComputedStyle(el);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
        (cs.boxShadow && cs.boxShadow !== 'none');
      const radios = el.type === 'radio' ?
        all.map((x, j) => (x.type === 'radio' && x.name === el.name ? j : -1)).filter((j) => j >= 0) : [];
      const entry = {
        idx,
        radios,
        desc: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}`,
        visible: ring && (idx < 0 || focusedLook !== unfocused[idx]),
        inView: null,
      };
      log.push(entry);
      current = { el, entry };
    };
    // The next key, before it moves the focus: the element is still focused
    // (a skip link is on screen only then) and the browser has scrolled to it.
    const onKey = () => inView();
    // Leaving the page: focus goes nowhere.
    const onOut = (ev) => {
      if (!ev.relatedTarget) log.push({ out: true });
    };
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onIn, true);
    document.addEventListener('focusout', onOut, true);
    // read(): the entries so far, the last one measured where it stands now
    window.__kb = { all, log, read: () => { inView(); return log.splice(0); } };
    return all.length;
  }, FOCUSABLE);

  const reached = new Set();
  const problems = [];
  let first = null;
  let firstIdx = null;
  let prevIdx = null;
  let done = false;
  // A date field has a Tab stop for each of its parts: allow for a few.
  const budget = 3 * total + 10;
  for (let pressed = 0; !done && pressed < budget;) {
    // enough for every element and the step out of the page, then a few at a time
    const n = Math.min(budget - pressed, pressed === 0 ? total + 2 : 5);
    await pressTabs(page, n);
    pressed += n;
    const entries = await page.evaluate(() => window.__kb.read());
    for (const r of entries) {
      if (r.out) {
        done = true;
        break;
      }
      if (first === null) {
        first = r.desc;
        firstIdx = r.idx;
      } else if (r.idx >= 0 && r.idx === firstIdx) {
        done = true;
        break; // wrapped around
      }
      if (r.idx >= 0 && r.idx === prevIdx) continue; // the same field again
      prevIdx = r.idx;
      if (r.idx >= 0) reached.add(r.idx);
      for (const j of r.radios) reached.add(j);
      if (!r.visible) problems.push(`${r.desc}: no visible focus indicator`);
      if (!r.inView) problems.push(`${r.desc}: focused but outside the viewport`);
    }
  }
  if (quickExitFirst) assert.match(first || '', /\.quick-exit\[href="\/exit"\]/, `${where}: first Tab stop`);
  const unreached = await page.evaluate((seen) => window.__kb.all
    .map((el, i) => (seen.includes(i) ? null : `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${el.getAttribute('href') || el.getAttribute('name') || ''}`))
    .filter(Boolean), [...reached]);
  assert.deepEqual(unreached, [], `${where}: not reachable with Tab`);
  assert.deepEqual(problems, [], `${where}: focus`);
}
