// Appreciations and "when I am triggered" in the browser, in English,
// Spanish and Russian, at phone width; B thanks and answers in a second
// browser of theirs with JavaScript off, so the forms work without it: A writes a trigger plan and shares it,
// A writes an appreciation and B thanks it once; A taps "I'm triggered", B
// finds it at once with A's plan and answers "I'm here".  Every page on the
// way passes axe-core, fits a phone and says nothing of streaks or scores.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertLang, couple, person } from './flows.mjs';
import {
  LANGS, PHONE, STEP_TIMEOUT, formatViolations, go, launch, marker, newContext, pathOf, runAxe,
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

/** axe finds nothing, the page is in lang, fits a phone, and shames nobody. */
async function assertPage(page, lang, what) {
  const where = `${what} (${pathOf(page)})`;
  await assertLang(page, lang);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where}: ${width} px wide at ${PHONE.width} px`);
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${where}: axe\n${formatViolations(violations)}`);
  const text = await page.innerText('main');
  assert.doesNotMatch(text, /streak|score|missed|racha|puntuaci|пропущ|серия/i, `${where}: no streaks or scores`);
}

describe('be patient and kind', () => {
  for (const lang of LANGS) {
    test(`an appreciation thanked, and "I'm triggered" answered (${lang})`, { timeout: STEP_TIMEOUT }, async () => {
      const a = person(lang, 'ka', 'Ana');
      const b = person(lang, 'kb', 'Ben');
      // made through the API: the journeys walk the sign-up, invite and join forms
      const { A, B } = await couple(browser, server, lang, a, b);
      let Bn = null; // B's own session, JavaScript off
      try {
        Bn = await newContext(browser, server, { lang, js: false });
        await Bn.context.addCookies(await B.context.cookies());

        // A's plan, shared with B
        const words = marker(lang, 'say we are all right');
        await go(A.page, server, '/triggered');
        await assertPage(A.page, lang, 'the trigger page, empty');
        await A.page.check('input[name="wants.reassurance"]');
        await A.page.check('input[name="wants.hold"]');
        await A.page.fill('#plan-words', words);
        assert.ok(await A.page.isChecked('#plan-partner'), 'offered to the partner');
        await submitForm(A.page, 'form[action="/trigger-plan"]');
        assert.match(pathOf(A.page), /^\/triggered\?saved=1/);
        assert.ok(await A.page.isChecked('input[name="wants.hold"]'), 'the plan is kept');
        await assertPage(A.page, lang, 'the trigger page with a plan');
        // an appreciation, thanked once by B
        const thanks = marker(lang, 'for the tea');
        const meant = marker(lang, 'cared for');
        await go(A.page, server, '/appreciations');
        await assertPage(A.page, lang, 'appreciations, none yet');
        await A.page.fill('#appreciation-body', thanks);
        await A.page.fill('#appreciation-meant', meant);
        await submitForm(A.page, 'form[action="/appreciations"]');
        assert.match(pathOf(A.page), /^\/appreciations\?sent=1/);
        assert.equal(await A.page.locator('form[action$="/thanks"]').count(), 0, 'no thanking one\'s own');
        await assertPage(A.page, lang, 'appreciations, one sent');

        await go(B.page, server, '/appreciations');
        const card = B.page.locator('li.card', { hasText: thanks });
        assert.equal(await card.count(), 1, 'B reads it');
        assert.ok((await card.innerText()).includes(meant), 'with what it meant');
        await assertPage(B.page, lang, 'appreciations from the partner');
        const cardId = await card.getAttribute('id');
        await go(Bn.page, server, '/appreciations');
        await submitForm(Bn.page, `li#${cardId} form`);
        assert.equal(pathOf(Bn.page), '/appreciations', 'thanked without JavaScript');
        assert.equal(await Bn.page.locator('form[action$="/thanks"]').count(), 0, 'thanked: once');
        await go(B.page, server, '/appreciations');
        assert.equal(await B.page.locator('form[action$="/thanks"]').count(), 0, 'no second thanks');
        await assertPage(B.page, lang, 'appreciations, thanked');
        // "I'm triggered": B sees it at once, with A's plan, and answers
        await go(A.page, server, '/triggered');
        await submitForm(A.page, 'form[action="/triggered"]');
        assert.match(pathOf(A.page), /^\/triggered\?sent=1/);
        assert.ok(await A.page.isVisible('p.notice[role="status"]'), 'A is told it went');
        await assertPage(A.page, lang, 'the trigger page after the tap');

        await go(B.page, server, '/triggered');
        assert.ok(await B.page.isVisible('#open-title'), 'the alert is the first thing B sees');
        assert.ok((await B.page.innerText('main')).includes(words), 'with A\'s plan');
        await assertPage(B.page, lang, 'the partner\'s alert');
        await go(Bn.page, server, '/triggered');
        await submitForm(Bn.page, 'form[action$="/answer"]');
        assert.match(pathOf(Bn.page), /^\/triggered\?answered=1/, 'answered without JavaScript');
        await go(B.page, server, '/triggered?answered=1');
        assert.equal(await B.page.locator('form[action$="/answer"]').count(), 0, 'answered: once');
        await assertPage(B.page, lang, 'the alert answered');
        for (const [who, x] of [['A', A], ['B', B], ['B without JavaScript', Bn]]) x.guard.check(`${who}, ${lang}`);
      } finally {
        await A.context.close();
        await B.context.close();
        await Bn?.context.close();
      }
    });
  }
});
