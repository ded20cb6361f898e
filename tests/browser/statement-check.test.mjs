// The live statement check in a real browser, at phone width, in the three
// languages: a non-apology typed into a part shows its finding under that
// part without saving (static/js/statement-check.js, under the page's CSP),
// tied to the textarea for screen readers; rewritten sincerely, the finding
// goes away; nothing is saved; the page stays accessible.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, SESSION_COOKIE, signupOk } from '../http/harness.mjs';
import {
  LANGS, PHONE, STEP_TIMEOUT, formatViolations, go, launch, newContext, runAxe, startServer,
} from './lib.mjs';

const TEXTS = {
  en: { flagged: 'Mistakes were made, and I am sorry.', match: 'Mistakes were made', sincere: 'I lied to you, and I am sorry.' },
  es: { flagged: 'Ya te pedí perdón.', match: 'Ya te pedí perdón', sincere: 'Te mentí y lo siento.' },
  ru: { flagged: 'Прости, если я тебя обидел.', match: 'Прости, если', sincere: 'Я лгал тебе, и мне жаль.' },
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

for (const lang of LANGS) {
  describe(`the live statement check in ${lang}`, () => {
    test('a finding appears under its part as one types, and goes when the words change', { timeout: STEP_TIMEOUT }, async () => {
      const client = new Client(server.url);
      await signupOk(client, { language: lang });
      const { context, page, guard } = await newContext(browser, server, { lang, viewport: PHONE });
      try {
        await context.addCookies([{ name: SESSION_COOKIE, value: client.cookie, url: server.url }]);
        await go(page, server, '/statements/new');
        const t = TEXTS[lang];
        await page.fill('#what_i_did', t.flagged);
        await page.locator('#what_i_did-flags li').first().waitFor({ state: 'visible' });
        assert.equal(await page.locator('#what_i_did-flags .flag-match').first().textContent(), t.match);
        assert.match(await page.getAttribute('#what_i_did', 'aria-describedby'), /\bwhat_i_did-flags\b/);
        const axe = await runAxe(page);
        assert.deepEqual(axe, [], formatViolations(axe));

        await page.fill('#what_i_did', t.sincere);
        await page.locator('#what_i_did-flags').waitFor({ state: 'hidden' });
        assert.doesNotMatch(await page.getAttribute('#what_i_did', 'aria-describedby'), /what_i_did-flags/);

        // the check saved nothing
        const list = await client.get('/api/v1/statements');
        assert.deepEqual(list.json.statements, []);
        guard.check('/statements/new');
      } finally {
        await context.close();
      }
    });
  });
}
