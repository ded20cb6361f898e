// The private safety check in the browser, in English, Spanish and
// Russian, at phone width (360 px), with the keyboard alone: the form is
// reached and answered with Tab, the arrow keys, Space and Enter; the
// result shows the help lines of the country the browser names; home and
// a couple exercise then show the help instead; every one of these pages
// passes axe-core (WCAG 2.1 A and AA, best practices) and nothing
// overflows sideways.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, SESSION_COOKIE, signupOk } from '../http/harness.mjs';
import { LANGS, PHONE, formatViolations, go, launch, newContext, pathOf, runAxe, startServer } from './lib.mjs';
import { checkKeyboard } from './keyboard.mjs';

// The browser's language, naming a country the help has; a line of that country it then shows
const BROWSER = {
  en: { locale: 'en-GB', line: /0808 2000 247/, other: /1-800-799-7233/ },
  es: { locale: 'es-MX', line: /Red Nacional de Refugios/, other: /Línea 144/ },
  ru: { locale: 'ru-RU', line: /8-800-7000-600/, other: /1547/ },
};

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
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${where}: lang`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where}: ${width} px wide at ${PHONE.width} px`);
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${where}: axe\n${formatViolations(violations)}`);
}

/** Tab until the element matching selector has the focus; fails after limit presses. */
async function tabTo(page, selector, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`${pathOf(page)}: Tab never reached ${selector}`);
}

/**
 * Answer one question with the keyboard: Tab reaches its group (its first
 * radio, "Yes", when none is chosen); Space chooses yes, an arrow key moves
 * to "No" and chooses it.
 */
async function answer(page, name, yes) {
  await tabTo(page, `input[name="${name}"]`);
  if (yes) await page.keyboard.press('Space');
  else await page.keyboard.press('ArrowDown');
  const chosen = await page.evaluate((n) => document.querySelector(`input[name="${n}"]:checked`)?.value, name);
  assert.equal(chosen, yes ? '1' : '0', `${name} answered ${yes ? 'yes' : 'no'}`);
}

for (const lang of LANGS) {
  describe(`the safety check in ${lang}`, () => {
    test('keyboard only, at phone width: asked, answered, and the help instead of the exercises', { timeout: 120000 }, async () => {
      const { locale, line, other } = BROWSER[lang];
      const member = new Client(server.url);
      await signupOk(member, { language: lang, display_name: { en: 'Robin', es: 'Ana', ru: 'Саша' }[lang] });
      const { context, page, guard } = await newContext(browser, server, { lang: locale, viewport: PHONE });
      try {
        await context.addCookies([{ name: SESSION_COOKIE, value: member.cookie, url: server.url }]);

        // reached from the footer of any page, with the keyboard
        await go(page, server, '/journal');
        await tabTo(page, 'footer a[href="/safety"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.equal(pathOf(page), '/safety');
        assert.ok(await page.isVisible('[aria-labelledby="who-sees-title"]'), 'who sees it is said first');
        await assertPage(page, lang, 'the check');
        await checkKeyboard(page);

        // answered with the keyboard: one yes
        await page.evaluate(() => document.activeElement?.blur());
        await page.evaluate(() => window.scrollTo(0, 0));
        await answer(page, 'afraid', false);
        await answer(page, 'threatened', true);
        await answer(page, 'hurt', false);
        await answer(page, 'forced', false);
        await tabTo(page, 'form[action="/safety"] button[type="submit"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.equal(new URL(page.url()).pathname, '/safety');
        assert.ok(await page.isVisible('#result'), 'the result is shown');
        const text = await page.innerText('main');
        assert.match(text, line, 'the lines of the browser\'s country');
        assert.doesNotMatch(text, other, 'not every country\'s');
        await assertPage(page, lang, 'the result');

        // every country's, when asked
        await tabTo(page, 'a[href="/safety?all=1#help"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.match(await page.innerText('main'), other, 'every country, when asked');
        await assertPage(page, lang, 'every country\'s lines');

        // home and a couple exercise show the help
        await go(page, server, '/home');
        assert.ok(await page.isVisible('#help'), 'home shows the help');
        assert.equal(await page.locator('main a[href="/checkin"]').count(), 0, 'no couple exercise on home');
        await assertPage(page, lang, 'home after a concern');
        await checkKeyboard(page);
        await go(page, server, '/checkin');
        assert.ok(await page.isVisible('#help'), 'a couple exercise shows the help');
        await assertPage(page, lang, 'a paused page');

        // the check taken again without a yes: the steps come back
        await go(page, server, '/safety');
        await page.evaluate(() => document.activeElement?.blur());
        for (const q of ['afraid', 'threatened', 'hurt', 'forced']) await answer(page, q, false);
        await tabTo(page, 'form[action="/safety"] button[type="submit"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.equal(await page.locator('details.safety-more').count(), 1, 'the help is one step away');
        await assertPage(page, lang, 'the result without a yes');
        await go(page, server, '/home');
        assert.equal(await page.locator('#help').count(), 0);
        assert.ok(await page.locator('main a[href="/checkin"]').count() > 0, 'the steps are back');
        guard.check(lang);
      } finally {
        await context.close();
      }
    });

    test('a missing answer is said, next to the form, and the form keeps the others', { timeout: 60000 }, async () => {
      const member = new Client(server.url);
      await signupOk(member, { language: lang });
      const { context, page, guard } = await newContext(browser, server, { lang, viewport: PHONE });
      try {
        await context.addCookies([{ name: SESSION_COOKIE, value: member.cookie, url: server.url }]);
        await go(page, server, '/safety');
        // the browser asks for the missing answer itself; without that check, the server does
        await page.evaluate(() => document.querySelector('form[action="/safety"]').setAttribute('novalidate', ''));
        await answer(page, 'afraid', false);
        await answer(page, 'threatened', true);
        guard.expectStatusPage('/safety');
        await tabTo(page, 'form[action="/safety"] button[type="submit"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.ok(await page.isVisible('#safety-error'), 'the reason is shown');
        assert.equal(await page.locator('#q-threatened-yes:checked').count(), 1, 'the answer given is kept');
        assert.equal(await page.getAttribute('#q-hurt-yes', 'aria-invalid'), 'true');
        await assertPage(page, lang, 'the form again');
        guard.check(lang);
      } finally {
        await context.close();
      }
    });
  });
}
