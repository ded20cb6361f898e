// Every page, in every language, at 360 px: axe-core finds nothing (WCAG 2.1
// A and AA, best practices), nothing overflows sideways, the lang attribute
// is right, the quick exit is the first focusable element, and no page asks
// another host or logs a console error.  In English also: axe's colour
// contrast in dark mode, and the keyboard walk (the quick exit is the first
// Tab stop, every control is reachable with Tab and shows where the focus is).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LANGS, formatViolations, launch, pathOf, runAxe, startServer } from './lib.mjs';
import { openPageSet, openVisit, seedPageSet } from './pageset.mjs';
import { checkKeyboard } from './keyboard.mjs';

let browser;
// Each language's server, seeded through the API (no browser), as a
// promise of {server, seeded}.  The next language is seeded while the
// browser walks the one before it: the server's password hashing and the
// browser's drawing then share the two cores instead of taking turns.
const ready = {};
const servers = [];
before(async () => {
  let prev = Promise.resolve();
  for (const lang of LANGS) {
    ready[lang] = prev.then(async () => {
      const server = await startServer();
      servers.push(server);
      return { server, seeded: await seedPageSet(server, lang) };
    });
    prev = ready[lang].catch(() => {}); // the language's own before() reports it
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  // servers of languages left out (--test-name-pattern) or cut short
  await Promise.all(Object.values(ready).map((p) => p.catch(() => {})));
  for (const server of servers) await server.stop();
});

for (const lang of LANGS) {
  describe(`every page in ${lang}`, () => {
    let server;
    let set;
    before(async () => {
      let seeded;
      ({ server, seeded } = await ready[lang]);
      set = await openPageSet(browser, server, lang, seeded);
    });
    after(async () => {
      await set?.close();
    });

    test('every page route of docs/api.md was visited', (t) => {
      for (const n of set.notes) t.diagnostic(n);
      assert.deepEqual(set.missing, [], 'routes with an {id} for which no member has a link');
    });

    // The visits are only known once the server is seeded: one test runs them all,
    // with a subtest for each.
    test('pages', { timeout: 1200000 }, async (t) => {
      for (const v of set.visits) {
        await t.test(v.name, async () => {
          const { page, guard, response, done } = await openVisit(browser, server, set, v, lang);
          try {
            const where = pathOf(page);
            const status = response.status();
            if (v.expect) assert.equal(status, v.expect, `${where} answered ${status}`);
            else if (v.anyStatus || v.prepare) assert.ok(status < 500, `${where} answered ${status}`);
            else assert.equal(status, v.status || 200, `${v.path} answered ${status}`);
            if (v.status) {
              // the status was checked by the navigation; the page must still be a page
              assert.equal(await page.locator('h1').count(), 1, `${where}: one h1`);
            }
            const lang0 = await page.evaluate(() => document.documentElement.lang);
            assert.equal(lang0, lang, `${where}: <html lang>`);

            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(width <= 360, `${where}: ${width} px wide at a 360 px viewport`);
            // the main menu stays one row on a phone: a lone "Sign out" on a
            // second row reads as a different kind of control
            const rows = await page.evaluate(() => new Set([...document.querySelectorAll('.site-nav li')]
              .map((li) => Math.round(li.getBoundingClientRect().top))).size);
            assert.ok(rows <= 1, `${where}: the main menu wraps onto ${rows} rows at 360 px`);

            if (where !== '/exit') {
              const first = await page.evaluate(() => {
                const el = document.querySelector('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
                return el ? { cls: el.className, href: el.getAttribute('href') } : null;
              });
              assert.deepEqual(first, { cls: 'quick-exit', href: '/exit' },
                `${where}: the quick exit is the first focusable element`);
            }

            const light = await runAxe(page);
            assert.equal(light.length, 0, `${where} (light):\n${formatViolations(light)}`);
            // Colours and the order of controls do not depend on the language:
            // dark mode and the keyboard walk run once, in English.
            if (lang === 'en') {
              await page.emulateMedia({ colorScheme: 'dark' });
              try {
                const dark = await runAxe(page, { rules: ['color-contrast', 'link-in-text-block'] });
                assert.equal(dark.length, 0, `${where} (dark):\n${formatViolations(dark)}`);
              } finally {
                await page.emulateMedia({ colorScheme: 'light' });
              }
              await checkKeyboard(page, { quickExitFirst: where !== '/exit' });
            }
            guard.check(where);
          } finally {
            await done();
          }
        });
      }
    });
  });
}
