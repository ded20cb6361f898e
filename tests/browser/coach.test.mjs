// The message coach in a real browser, at phone width, in the three
// languages: on the cards page, words typed into a card show the coach's
// hint under the textarea as one types (static/js/coach.js, under the
// page's CSP), tied to it for screen readers and in the member's language;
// rewritten kindly, the hint goes away; nothing is saved by the hints.
// Without JavaScript the card sends as it is, and its page then shows the
// hint beside the words to its author.  The pages stay accessible (axe
// runs where JavaScript does).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, SESSION_COOKIE, signupOk } from '../http/harness.mjs';
import {
  LANGS, PHONE, STEP_TIMEOUT, formatViolations, go, launch, newContext, runAxe, startServer,
  submitForm,
} from './lib.mjs';

// The words are English in every interface (a text may be written in any
// language); the heading and the hint follow the member's language.
const TITLE = { en: 'A gentler way to say it', es: 'Una forma más amable de decirlo', ru: 'Как сказать мягче' };
const HINT = { en: /I feel/, es: /Me siento/, ru: /Я чувствую/ };
const HARSH = 'You never listen to me 😢, and you always ignore my café plans.';
const KIND = 'I feel lonely when we do not talk, and I need an evening with you.';

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

async function signedIn(lang, js) {
  const client = new Client(server.url);
  await signupOk(client, { language: lang });
  const ctx = await newContext(browser, server, { lang, viewport: PHONE, js });
  await ctx.context.addCookies([{ name: SESSION_COOKIE, value: client.cookie, url: server.url }]);
  return { client, ...ctx };
}

for (const lang of LANGS) {
  describe(`the message coach in ${lang}`, () => {
    test('a hint appears under the card as one types, and goes when the words change', { timeout: STEP_TIMEOUT }, async () => {
      const { client, context, page, guard } = await signedIn(lang, true);
      try {
        await go(page, server, '/shares');
        await page.fill('#share-body', HARSH);
        await page.locator('#share-body-coach li').first().waitFor({ state: 'visible' });
        assert.equal(await page.locator('#share-body-coach .flags-title').textContent(), TITLE[lang]);
        const words = await page.locator('#share-body-coach .flag-match').allTextContents();
        assert.deepEqual(words, ['You never', 'you always'], 'offsets stay right after an emoji and an accent');
        assert.match(await page.locator('#share-body-coach li').first().textContent(), HINT[lang]);
        assert.equal(await page.getAttribute('#share-body-coach', 'aria-live'), 'polite');
        assert.match(await page.getAttribute('#share-body', 'aria-describedby'), /\bshare-body-coach\b/);
        const axe = await runAxe(page);
        assert.deepEqual(axe, [], formatViolations(axe));

        await page.fill('#share-body', KIND);
        await page.locator('#share-body-coach').waitFor({ state: 'hidden' });
        assert.doesNotMatch(await page.getAttribute('#share-body', 'aria-describedby') || '', /share-body-coach/);

        // the hints saved nothing
        const list = await client.get('/api/v1/shares');
        assert.deepEqual(list.json.shares, []);

        // a card sent with harsh words: its page shows the author the hints, accessibly
        const sent = await client.post('/api/v1/shares', { kind: 'need', body: HARSH, shared_with: ['partner'] });
        assert.equal(sent.status, 201);
        await go(page, server, '/shares');
        assert.equal(await page.locator('.share-card .coach-hints').count(), 1);
        const axe2 = await runAxe(page);
        assert.deepEqual(axe2, [], formatViolations(axe2));
        guard.check('/shares');
      } finally {
        await context.close();
      }
    });

    test('without JavaScript the card sends as written and its page shows the hint', { timeout: STEP_TIMEOUT }, async () => {
      const { client, context, page, guard } = await signedIn(lang, false);
      try {
        await go(page, server, '/shares');
        await page.fill('#share-body', HARSH);
        await page.selectOption('#share-kind', 'need');
        await page.check('#share-partner');
        await submitForm(page, 'form[action="/shares"]');
        const box = page.locator('.share-card .coach-hints');
        assert.equal(await box.count(), 1);
        assert.equal(await box.locator('.flags-title').textContent(), TITLE[lang]);
        assert.deepEqual(await box.locator('.flag-match').allTextContents(), ['You never', 'you always']);
        // nothing was changed or blocked
        const list = await client.get('/api/v1/shares');
        assert.equal(list.json.shares[0].body, HARSH);
        guard.check('/shares');
      } finally {
        await context.close();
      }
    });
  });
}
