// The care team in the browser, in English, Spanish and Russian, at phone
// width: partner A proposes inviting a therapist, partner B approves and
// gets the link (once), the therapist joins in a third browser context
// and reads a limit A shared with the care team, and nothing else; the
// therapist assigns homework, B marks it done and the therapist sees so; then A
// ends the therapist's access, the therapist is signed out at once, and
// signing in again shows an empty space.  Every page on the way passes
// axe-core and fits a phone.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertLang, couple, join, person, signIn } from './flows.mjs';
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

describe('the care team', () => {
  for (const lang of LANGS) {
    test(`invite and approve a therapist, then end their access (${lang})`, { timeout: STEP_TIMEOUT }, async () => {
      const a = person(lang, 'ca', 'Ana');
      const b = person(lang, 'cb', 'Ben');
      const t = person(lang, 'ct', 'Dr. Tess');
      // made through the API: the journeys walk the sign-up, invite and join forms
      const { A, B } = await couple(browser, server, lang, a, b);
      const T = await newContext(browser, server, { lang });
      try {

        // A proposes: no link yet, and the page says what a therapist sees
        await go(A.page, server, '/care');
        assert.ok(await A.page.isVisible('#care-sees-title'), 'what a therapist sees is said');
        await assertPage(A.page, lang, 'the care team page');
        await A.page.fill('#care-note', marker(lang, 'care note'));
        await submitForm(A.page, 'form[action="/care/invites"]');
        assert.equal(pathOf(A.page), '/care');
        assert.equal(await A.page.locator('#care-link').count(), 0, 'no link before the other approves');
        assert.equal(await A.page.locator('form[action$="/approve"]').count(), 0, 'the proposer cannot approve');

        // B approves and gets the link, once
        await go(B.page, server, '/care');
        await assertPage(B.page, lang, 'the care team page with a proposal');
        await submitForm(B.page, 'form[action$="/approve"]');
        const careLink = await B.page.inputValue('#care-link');
        assert.ok(careLink.startsWith(`${server.url}/join?invite=`), careLink);
        await assertPage(B.page, lang, 'the link, shown once');
        await go(B.page, server, '/care');
        assert.equal(await B.page.locator('#care-link').count(), 0, 'the link is shown only once');

        // the therapist joins in a third browser
        await join(T.page, careLink, t);
        assert.ok(await T.page.isVisible('#care-you-title'), 'the therapist\'s home says what they see');
        await assertPage(T.page, lang, 'a therapist\'s home');

        // A shares a limit with the care team, and keeps another between the partners
        const shared = marker(lang, 'for the care team');
        const between = marker(lang, 'between us');
        for (const [text, care] of [[shared, true], [between, false]]) {
          await go(A.page, server, '/limits');
          await A.page.selectOption('#limit-kind', 'trigger');
          await A.page.fill('#limit-text', text);
          await A.page.check('#limit-partner');
          if (care) await A.page.check('#limit-care');
          await submitForm(A.page, 'form[action="/limits"]');
        }
        await go(T.page, server, '/limits');
        const seen = await T.page.innerText('main');
        assert.ok(seen.includes(shared), 'the therapist reads what was shared with the care team');
        assert.ok(!seen.includes(between), 'and not what the partners keep between them');
        assert.equal(await T.page.locator('form[action="/limits"]').count(), 0, 'no form to write a limit');
        await assertPage(T.page, lang, 'the limits a therapist reads');
        // the therapist reads A's summary: what A shared with the care team, and nothing else
        await go(T.page, server, '/summary');
        assert.equal(await T.page.locator('a[href="/journal"]').count(), 0, 'no journal link for a therapist');
        await T.page.getByLabel(a.name, { exact: true }).check();
        await Promise.all([T.page.waitForNavigation(), T.page.click('form[action="/summary"] button[type="submit"]')]);
        const summary = await T.page.innerText('main');
        assert.ok(summary.includes(shared), 'A\'s summary holds what A shared with the care team');
        assert.ok(!summary.includes(between), 'and not what A keeps between the partners');
        await assertPage(T.page, lang, 'a partner\'s summary a therapist reads');
        // the therapist assigns homework; B sees where it came from and marks it done
        const task = marker(lang, 'ten minutes a day');
        await go(T.page, server, '/homework');
        await T.page.fill('#homework-title-input', task);
        await T.page.fill('#homework-due', new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10));
        await submitForm(T.page, 'form[action="/homework"]');
        assert.equal(pathOf(T.page), '/homework');
        await assertPage(T.page, lang, 'homework a therapist assigned');
        await go(B.page, server, '/homework');
        const card = B.page.locator('li.card', { hasText: task });
        assert.equal(await card.count(), 1, 'the partner sees the therapist\'s homework');
        await Promise.all([B.page.waitForNavigation(), card.locator('button[name="done"][value="1"]').click()]);
        await go(T.page, server, '/homework');
        const theirs = T.page.locator('li.card', { hasText: task });
        assert.equal(await theirs.locator('strong').count(), 1, 'the therapist sees it done');
        assert.equal(await theirs.locator('form').count(), 0, 'a therapist marks nothing');
        T.guard.expectStatusPage('/journal');
        const journal = await T.page.goto(`${server.url}/journal`, { waitUntil: 'load' });
        assert.equal(journal.status(), 403, 'a therapist has no journal of the couple');

        // A alone ends the therapist's access: out at once, and an empty space after
        await go(A.page, server, '/care');
        assert.equal(await A.page.locator('form[action$="/end"]').count(), 1);
        await submitForm(A.page, 'form[action$="/end"]');
        assert.equal(pathOf(A.page), '/care');
        assert.equal(await A.page.locator('form[action$="/end"]').count(), 0, 'nobody left to end');
        await go(T.page, server, '/limits');
        assert.ok(pathOf(T.page).startsWith('/signin'), `the therapist is signed out: ${pathOf(T.page)}`);
        await signIn(T.page, server, t);
        assert.ok(await T.page.isVisible('#care-ended-title'), 'signing in again shows that access ended');
        await assertPage(T.page, lang, 'an ended therapist\'s home');
        await go(T.page, server, '/limits');
        assert.ok(!(await T.page.innerText('main')).includes(shared), 'nothing old is seen');
        await go(T.page, server, '/homework');
        assert.ok(!(await T.page.innerText('main')).includes(task), 'not even their own homework');
        for (const [who, x] of [['A', A], ['B', B], ['T', T]]) x.guard.check(`${who}, ${lang}`);
      } finally {
        await A.context.close();
        await B.context.close();
        await T.context.close();
      }
    });
  }
});
