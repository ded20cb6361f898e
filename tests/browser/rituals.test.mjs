// Rituals of connection, the self-care log and the listening exercise in
// the browser, in English, Spanish and Russian, at phone width: A adds a
// ritual and B sees it; A writes down some self-care, kept private; the
// two start a listening session, A's phone runs the turn timer (with
// JavaScript) while B, in a browser without JavaScript, reads the same
// steps as a list and saves "I felt heard" by a plain form.  Neither reads the
// other's answer, and no page counts a streak or a miss.  Every page on
// the way passes axe-core and fits a phone.

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

/** axe finds nothing, the page is in lang, and it fits a phone. */
async function assertPage(page, lang, what) {
  const where = `${what} (${pathOf(page)})`;
  await assertLang(page, lang);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where}: ${width} px wide at ${PHONE.width} px`);
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${where}: axe\n${formatViolations(violations)}`);
}

const NO_COUNTING = /streak|in a row|you missed|racha|seguidos|подряд|пропущ/i;

describe('rituals, self-care and listening', () => {
  for (const lang of LANGS) {
    test(`a ritual, a self-care note and a listening session (${lang})`, { timeout: STEP_TIMEOUT }, async () => {
      const a = person(lang, 'ra', 'Ana');
      const b = person(lang, 'rb', 'Ben');
      // made through the API: the journeys walk the sign-up, invite and join forms
      const { A, B } = await couple(browser, server, lang, a, b);
      let NB = null; // B again, without JavaScript
      try {

        // a ritual A adds, B sees
        const ritual = marker(lang, 'kiss at the door');
        await go(A.page, server, '/rituals');
        await assertPage(A.page, lang, 'the rituals page');
        await A.page.selectOption('#ritual-kind', 'parting');
        await A.page.fill('#ritual-title', ritual);
        await A.page.selectOption('#ritual-every', 'day');
        await A.page.fill('#ritual-time', '07:30');
        await submitForm(A.page, 'form[action="/rituals"]');
        assert.equal(pathOf(A.page).split('#')[0], '/rituals');
        await go(B.page, server, '/rituals');
        const seen = await B.page.innerText('main');
        assert.ok(seen.includes(ritual), 'the partner sees the ritual');
        assert.ok(seen.includes('07:30'));
        assert.doesNotMatch(seen, NO_COUNTING);
        await assertPage(B.page, lang, 'the rituals page, the partner\'s');

        // self-care: kept private by unticking the partner
        const walk = marker(lang, 'walk by the river');
        await go(A.page, server, '/selfcare');
        await A.page.selectOption('#selfcare-kind', 'exercise');
        await A.page.fill('#selfcare-done-on', new Date().toISOString().slice(0, 10));
        await A.page.fill('#selfcare-minutes', '40');
        await A.page.fill('#selfcare-note', walk);
        assert.ok(await A.page.isChecked('#selfcare-partner'), 'offered to the partner, as every kind is');
        await A.page.uncheck('#selfcare-partner');
        await submitForm(A.page, 'form[action="/selfcare"]');
        const mine = await A.page.innerText('main');
        assert.ok(mine.includes(walk));
        assert.doesNotMatch(mine, NO_COUNTING);
        await assertPage(A.page, lang, 'the self-care page');
        await go(B.page, server, '/selfcare');
        assert.ok(!(await B.page.innerText('main')).includes(walk), 'private: the partner does not see it');
        await assertPage(B.page, lang, 'the self-care page, empty');

        // B starts a listening session; A speaks first
        const topic = marker(lang, 'sundays');
        await go(B.page, server, '/listening');
        await assertPage(B.page, lang, 'the listening page');
        await B.page.fill('#listening-topic', topic);
        await B.page.check('#listening-first-partner');
        await submitForm(B.page, 'form[action="/listening"]');
        const sessionPath = pathOf(B.page);
        assert.match(sessionPath, /^\/listening\/[0-9a-f]{32}$/);
        await assertPage(B.page, lang, 'a listening session');

        // the same page without JavaScript: the steps as a list, no timer
        NB = await newContext(browser, server, { lang, js: false });
        await NB.context.addCookies(await B.context.cookies());
        await go(NB.page, server, sessionPath);
        const bare = await NB.page.content();
        assert.match(bare, /<ol class="reflect-steps">/, 'the steps, as a list');
        assert.match(bare, /<div class="reflect-timer" hidden/, 'no timer without JavaScript');
        assert.ok(bare.includes(topic));

        // A's phone: the timer, the turns, the swap
        await go(A.page, server, sessionPath);
        assert.ok((await A.page.innerText('main')).includes(topic));
        await A.page.waitForSelector('.reflect-timer:not([hidden])');
        await A.page.click('[data-action="start"]');
        assert.ok((await A.page.innerText('.reflect-now')).includes(a.name), 'A speaks first');
        await A.page.click('[data-action="swap"]');
        assert.ok((await A.page.innerText('.reflect-now')).includes(b.name), 'then B, after the swap');
        assert.equal(await A.page.inputValue('#listening-turns'), '2', 'the turns counted for the form');
        await assertPage(A.page, lang, 'a listening session with the timer');
        await A.page.check('#listening-h2');
        await submitForm(A.page, 'form[action^="/listening/"]');
        assert.ok(await A.page.isVisible('#answer .notice'), 'saved, for A alone');

        // B answers by the plain form, without JavaScript, and reads only their own
        await go(NB.page, server, sessionPath);
        assert.doesNotMatch(await NB.page.content(), /name="felt_heard" value="\d" checked/, 'nothing of A\'s answer');
        await NB.page.click('#listening-h5');
        await Promise.all([NB.page.waitForNavigation({ waitUntil: 'load' }),
          NB.page.click('form[action^="/listening/"] button[type="submit"]')]);
        assert.match(await NB.page.content(), /id="listening-h5" name="felt_heard" value="5" checked/);
        await go(B.page, server, sessionPath);
        assert.equal(await B.page.locator('#listening-h5:checked').count(), 1);
        await assertPage(B.page, lang, 'a listening session, answered');
        await go(A.page, server, sessionPath);
        assert.equal(await A.page.locator('#listening-h2:checked').count(), 1, 'A still reads A\'s own');
        assert.equal(await A.page.locator('#listening-h5:checked').count(), 0, 'and never B\'s');
        for (const [who, x] of [['A', A], ['B', B]]) x.guard.check(`${who}, ${lang}`);
      } finally {
        await A.context.close();
        await B.context.close();
        await NB?.context.close();
      }
    });
  }
});
