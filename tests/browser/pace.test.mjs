// The pace ladder in the browser, in English, Spanish and Russian, at phone
// width: each partner answers the nine rungs on /pace (B without
// JavaScript: the forms are plain POST-redirect-GET); before both answered
// every rung the page says one plain sentence; then "what you both want"
// lists the rungs both said yes to, and apart from them those both said
// maybe to, never a rung one of them held back; B pauses, A sees "paused"
// and no resume button, and the list comes back when B resumes.  Every page
// on the way passes axe-core and fits a phone.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertLang, couple, person } from './flows.mjs';
import {
  LANGS, PHONE, STEP_TIMEOUT, formatViolations, go, launch, newContext, pathOf, runAxe,
  startServer, submitForm,
} from './lib.mjs';

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await startServer();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const RUNGS = ['hands', 'hug', 'kiss', 'cuddle', 'massage', 'sensate_1', 'sensate_2', 'sensate_3',
  'intercourse'];

/**
 * The page is in lang and fits a phone, and axe finds nothing (axe runs in
 * the page: not in a context without JavaScript, whose pages are the same).
 */
async function assertPage(page, lang, what, { axe = true } = {}) {
  const where = `${what} (${pathOf(page)})`;
  await assertLang(page, lang);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where}: ${width} px wide at ${PHONE.width} px`);
  if (!axe) return;
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${where}: axe\n${formatViolations(violations)}`);
}

/** Choose an answer for every rung (by clicking its label, as a person would), then save. */
async function answerAll(page, choices) {
  for (const r of RUNGS) await page.click(`label[for="pace-${r}-${choices[r]}"]`);
  await submitForm(page, 'form[action="/pace"]');
  assert.match(pathOf(page), /^\/pace\?saved=1/);
  for (const r of RUNGS) assert.ok(await page.isChecked(`#pace-${r}-${choices[r]}`), `${r} kept`);
}

/** The texts of a list's items, or [] when the list is not there. */
async function listed(page, id) {
  return page.locator(`#${id} li`).allTextContents();
}

describe('the pace ladder', () => {
  for (const lang of LANGS) {
    test(`answer, see what both want, pause and resume (${lang})`, { timeout: STEP_TIMEOUT }, async () => {
      const a = person(lang, 'pa', 'Ana');
      const b = person(lang, 'pb', 'Ben');
      // made through the API: the journeys walk the sign-up, invite and join forms
      const { A, B } = await couple(browser, server, lang, a, b, { bOpts: { js: false } });
      try {

        await go(A.page, server, '/pace');
        assert.ok(await A.page.isVisible('#pace-nothing'), 'a plain sentence before anyone answered');
        assert.ok(await A.page.isVisible('#sensate-title'), 'the page says what sensate focus is');
        assert.ok(await A.page.isVisible('.sources'), 'with its sources');
        await assertPage(A.page, lang, 'the pace ladder, empty');
        const title = async (r) => (await A.page.locator(`#rung-${r} legend`).textContent()).trim();
        const titles = Object.fromEntries(await Promise.all(RUNGS.map(async (r) => [r, await title(r)])));

        const mine = Object.fromEntries(RUNGS.map((r) => [r, 'yes']));
        mine.kiss = 'maybe';
        mine.intercourse = 'not_yet';
        await answerAll(A.page, mine);
        assert.ok(await A.page.isVisible('#pace-nothing'), 'one answer alone shows nothing');
        await assertPage(A.page, lang, 'the pace ladder, answered');

        await go(B.page, server, '/pace');
        assert.ok(await B.page.isVisible('#pace-nothing'), 'B cannot tell that A answered');
        const theirs = Object.fromEntries(RUNGS.map((r) => [r, 'yes']));
        theirs.hug = 'not_yet';
        theirs.kiss = 'yes';
        theirs.intercourse = 'yes';
        await answerAll(B.page, theirs);
        await assertPage(B.page, lang, 'the pace ladder, both answered (no JavaScript)', { axe: false });

        const yes = RUNGS.filter((r) => !['hug', 'kiss', 'intercourse'].includes(r)).map((r) => titles[r]);
        for (const page of [A.page, B.page]) {
          await go(page, server, '/pace');
          assert.deepEqual(await listed(page, 'both-yes'), yes, 'both said yes');
          assert.deepEqual(await listed(page, 'both-maybe'), [titles.kiss], 'both said maybe or yes');
          assert.equal(await page.locator('#pace-nothing').count(), 0);
        }

        // B pauses, without JavaScript: A sees "paused" and cannot resume it
        await submitForm(B.page, 'form[action="/pace/pause"]');
        assert.match(pathOf(B.page), /^\/pace\?paused=1/);
        assert.ok(await B.page.isVisible('form[action="/pace/resume"]'));
        await assertPage(B.page, lang, 'paused, by me (no JavaScript)', { axe: false });
        await go(A.page, server, '/pace');
        assert.ok(await A.page.isVisible('#pace-paused'), 'A sees the pause at once');
        assert.equal(await A.page.locator('form[action="/pace/resume"]').count(), 0, 'A has no resume');
        assert.deepEqual(await listed(A.page, 'both-yes'), [], 'nothing shows while paused');
        await assertPage(A.page, lang, 'paused, by the partner');

        await submitForm(B.page, 'form[action="/pace/resume"]');
        assert.match(pathOf(B.page), /^\/pace\?resumed=1/);
        await go(A.page, server, '/pace');
        assert.deepEqual(await listed(A.page, 'both-yes'), yes, 'the matches are back');

        // and A, with JavaScript, pauses and resumes too
        await submitForm(A.page, 'form[action="/pace/pause"]');
        assert.ok(await A.page.isVisible('form[action="/pace/resume"]'));
        await assertPage(A.page, lang, 'paused, by me');
        await submitForm(A.page, 'form[action="/pace/resume"]');
        assert.deepEqual(await listed(A.page, 'both-yes'), yes);
      } finally {
        await A.context.close();
        await B.context.close();
      }
    });
  }
});
