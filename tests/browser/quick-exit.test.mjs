// Quick exit: the link at the top of every page, and Escape pressed three
// times within 1.5 s.  With JavaScript the page is replaced (the history
// does not grow, Back does not show it, and an earlier kintsugi page reached
// with Back is replaced too); without JavaScript the link still leads to
// the neutral page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, SESSION_COOKIE, signupOk } from '../http/harness.mjs';
import { PHONE, go, launch, marker, newContext, pathOf, startServer } from './lib.mjs';

let browser;
let server;
let member;
let entryPath;
let secret;

before(async () => {
  browser = await launch();
  server = await startServer();
  member = new Client(server.url);
  await signupOk(member, { language: 'en', display_name: 'Robin' });
  secret = marker('en', 'quick exit');
  const r = await member.post('/api/v1/journal', { body: secret });
  assert.equal(r.status, 201);
  entryPath = `/journal/${r.json.entry.id}`;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in tab that went from a neutral page to home, then to a private entry. */
async function signedInTab({ js = true } = {}) {
  const ctx = await newContext(browser, server, { lang: 'en', viewport: PHONE, js });
  await ctx.context.addCookies([{ name: SESSION_COOKIE, value: member.cookie, url: server.url }]);
  await ctx.page.goto('about:blank');
  await go(ctx.page, server, '/home');
  await go(ctx.page, server, entryPath);
  assert.ok((await ctx.page.innerText('main')).includes(secret));
  return ctx;
}

const historyLength = (page) => page.evaluate(() => window.history.length);

async function pressEscape(page, times, gapMs = 150) {
  for (let i = 0; i < times; i++) {
    await page.keyboard.press('Escape');
    if (i + 1 < times) await page.waitForTimeout(gapMs);
  }
}

/** After a quick exit: the neutral page, same history length, Back shows nothing private. */
async function assertExited(page, lengthBefore) {
  // history.replaceState points the URL at /exit before the page itself has
  // loaded: wait for the neutral page's own body.
  await page.waitForSelector('body.plain', { state: 'attached' });
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/exit');
  assert.equal(await historyLength(page), lengthBefore, 'history.length did not grow');
  const text = await page.content();
  assert.ok(!text.includes(secret) && !text.includes('Robin'), 'nothing private on the neutral page');
  assert.equal(await page.locator('a.quick-exit').count(), 0, 'the neutral page looks like any other site');

  // Back: the entry is gone from the history; home (a kintsugi page) is replaced at once.
  await page.goBack({ waitUntil: 'commit' }).catch(() => null);
  await page.waitForFunction(() => location.protocol === 'about:' ||
    (location.pathname === '/exit' && document.body && document.body.classList.contains('plain')));
  await page.waitForLoadState('load');
  const back = await page.content();
  assert.ok(!back.includes(secret), 'Back does not show the private entry');
  assert.ok(!back.includes('Robin'), 'Back does not show the previous kintsugi page');
  assert.ok(await historyLength(page) <= lengthBefore, 'the history still did not grow');
}

describe('quick exit with JavaScript', () => {
  test('Escape three times within 1.5 s replaces the page with /exit', async () => {
    const { context, page, guard } = await signedInTab();
    try {
      const n = await historyLength(page);
      await pressEscape(page, 3);
      await assertExited(page, n);
      guard.check();
    } finally {
      await context.close();
    }
  });

  test('Escape works while typing in a field', async () => {
    const { context, page, guard } = await signedInTab();
    try {
      await page.locator('details.edit summary').click();
      await page.locator('#body').focus();
      const n = await historyLength(page);
      await pressEscape(page, 3, 300);
      await assertExited(page, n);
      guard.check();
    } finally {
      await context.close();
    }
  });

  test('Escape pressed slowly does nothing', async () => {
    const { context, page, guard } = await signedInTab();
    try {
      await pressEscape(page, 2);
      await page.waitForTimeout(1700);
      await pressEscape(page, 1);
      await page.waitForTimeout(700);
      assert.equal(pathOf(page), entryPath, 'still on the entry');
      assert.ok(await page.isVisible('main'));
      guard.check();
    } finally {
      await context.close();
    }
  });

  test('the quick-exit link, first on the page, replaces the page with /exit', async () => {
    const { context, page, guard } = await signedInTab();
    try {
      const n = await historyLength(page);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'quick-exit');
      await page.keyboard.press('Enter');
      await assertExited(page, n);
      guard.check();
    } finally {
      await context.close();
    }
  });

  test('after a quick exit, kintsugi opens normally again', async () => {
    const { context, page, guard } = await signedInTab();
    try {
      await page.click('a.quick-exit');
      await page.waitForSelector('body.plain', { state: 'attached' });
      await go(page, server, '/home');
      await page.waitForTimeout(300);
      assert.equal(pathOf(page), '/home', 'opening home on purpose stays there');
      assert.ok((await page.innerText('main')).includes('Robin'));
      guard.check();
    } finally {
      await context.close();
    }
  });
});

describe('quick exit without JavaScript', () => {
  test('the link still leads to the neutral page', async () => {
    const { context, page, guard } = await signedInTab({ js: false });
    try {
      await Promise.all([page.waitForURL(`${server.url}/exit`), page.click('a.quick-exit')]);
      assert.ok(!(await page.content()).includes(secret));
      guard.check();
    } finally {
      await context.close();
    }
  });
});
