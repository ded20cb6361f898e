// Journeys of a couple in a real browser: for each language, at phone and
// desktop width, with JavaScript on and off.  A signs up and invites, B
// joins through the link in a second browser context, each keeps a private
// journal the other cannot reach, the program's step pages (where the
// server has them), and finally signing out and in again.
//
// The sign-up, invite and join forms are walked in two of a language's
// four journeys, one with JavaScript on and one with it off, at a different
// width each, turning from one language to the next so that every width
// and JavaScript state walks them in some language (formWalk below).  The
// other two start from a couple made through the JSON API (flows.mjs
// couple()) and check that each sees the other's name at home: walking the
// same forms again at the other width cost a dozen page loads for each.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DESKTOP, LANGS, PHONE, STEP_TIMEOUT, go, hasRoute, launch, marker, newContext, pathOf,
  startServer } from './lib.mjs';
import { couple, invite, join, person, signIn, signOut, signUp, writeJournal } from './flows.mjs';
import { STEPS } from './steps.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NAMES = {
  en: ['Alex', 'Sam'],
  es: ['Álex', 'Sara'],
  ru: ['Саша', 'Женя'],
};

/**
 * formWalk() - whether the journey in lang at this width and JavaScript
 * state walks the sign-up, invite and join forms: in en and ru at phone
 * width with JavaScript on and at desktop width with it off, in es the
 * other two; each language walks them once with JavaScript on and once off.
 */
function formWalk(lang, viewport, js) {
  const phone = viewport === PHONE;
  return LANGS.indexOf(lang) % 2 === 0 ? phone === js : phone !== js;
}

for (const lang of LANGS) {
  describe(`journeys in ${lang}`, () => {
    let server;
    before(async () => {
      server = await startServer();
    });
    after(async () => {
      await server?.stop();
    });

    for (const viewport of [PHONE, DESKTOP]) {
      for (const js of [true, false]) {
        const name = `${lang}, ${viewport.width}x${viewport.height}, JavaScript ${js ? 'on' : 'off'}`;
        test(name, { timeout: STEP_TIMEOUT }, async (t) => {
          const a = person(lang, 'a', NAMES[lang][0]);
          const b = person(lang, 'b', NAMES[lang][1]);
          const forms = formWalk(lang, viewport, js);
          let A;
          let B;
          if (forms) {
            A = await newContext(browser, server, { lang, viewport, js });
            B = await newContext(browser, server, { lang, viewport, js });
          } else {
            ({ A, B } = await couple(browser, server, lang, a, b,
              { aOpts: { viewport, js }, bOpts: { viewport, js } }));
          }
          const s = { server, lang, js, viewport, a, b, A, B };
          // Each step builds on the one before: after a failure, skip the rest.
          let failed = null;
          const step = async (title, opts, fn) => {
            if (failed) return t.test(title, { skip: `after the failure of "${failed}"` }, () => {});
            let ok = false;
            await t.test(title, opts, async () => {
              await fn();
              ok = true;
            });
            if (!ok && !opts.skip) failed = title;
            return undefined;
          };
          try {
            if (forms) {
              await step('A signs up after reading who sees what, and notes the recovery key', {},
                () => signUp(A.page, server, a));
              await step('A invites; B joins through the link', {}, async () => {
                const link = await invite(A.page, server);
                await join(B.page, link, b);
                await go(A.page, server, '/home');
                assert.ok((await A.page.innerText('main')).includes(b.name), 'A sees B\'s name');
                assert.ok((await B.page.innerText('main')).includes(a.name), 'B sees A\'s name');
              });
            } else {
              const title = 'A and B, a couple made through the API (the forms: formWalk), see each other at home';
              await step(title, {}, async () => {
                await go(A.page, server, '/home');
                await go(B.page, server, '/home');
                assert.ok((await A.page.innerText('main')).includes(b.name), 'A sees B\'s name');
                assert.ok((await B.page.innerText('main')).includes(a.name), 'B sees A\'s name');
              });
            }

            await step('each journal stays private', {}, async () => {
              const aText = marker(lang, 'A');
              const bText = marker(lang, 'B');
              const aEntry = await writeJournal(A.page, server, aText);
              const bEntry = await writeJournal(B.page, server, bText);
              await go(B.page, server, '/journal');
              const bList = await B.page.innerText('main');
              assert.ok(bList.includes(bText), 'B sees their own entry');
              assert.ok(!bList.includes(aText), 'B\'s journal list does not hold A\'s text');
              B.guard.expectStatusPage(aEntry);
              const res = await go(B.page, server, aEntry);
              assert.equal(res.status(), 404, 'A\'s entry is not found for B');
              assert.ok(!(await B.page.content()).includes(aText), 'A\'s text is nowhere');
              assert.equal(await B.page.locator('h1').count(), 1, 'the not-found page has a title');
              await go(A.page, server, '/journal');
              assert.ok(!(await A.page.innerText('main')).includes(bText), 'nor does A see B\'s');
              s.aEntry = aEntry;
            });

            for (const st of STEPS) {
              const missing = st.needs.filter(([m, p]) => !hasRoute(m, p));
              let skip = missing.length
                ? `not built yet: docs/api.md lists no ${missing.map(([m, p]) => `${m} ${p}`).join(', ')}`
                : false;
              if (!skip && st.phoneOnly && viewport !== PHONE) skip = 'walked at phone width only (steps.mjs)';
              await step(st.title, { skip }, () => st.run(s));
            }

            await step('A signs out and back in', {}, async () => {
              await signOut(A.page);
              const res = await go(A.page, server, '/journal');
              assert.equal(pathOf(A.page), '/signin', 'signed out: the journal asks to sign in');
              assert.ok(res.ok());
              await signIn(A.page, server, a);
              await go(A.page, server, s.aEntry);
              assert.equal(pathOf(A.page), s.aEntry, 'the entry opens again');
            });

            assert.equal(failed, null, `step failed: ${failed}`);
            A.guard.check('A');
            B.guard.check('B');
          } finally {
            await A.context.close();
            await B.context.close();
          }
        });
      }
    }
  });
}
