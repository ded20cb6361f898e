// Discreet mode and auto-lock in a real browser, at phone width, in the
// three languages: what someone glancing at the phone sees in the tab
// title, the icon and the header, and the manifest a phone would put on
// its home screen; then a page left open past the auto-lock time, which
// must turn into the lock page by itself.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Client, SESSION_COOKIE, signupOk } from '../http/harness.mjs';
import { LANGS, PHONE, go, launch, marker, newContext, pathOf, startServer } from './lib.mjs';

const NEUTRAL = { en: 'Notes', es: 'Notas', ru: 'Заметки' };
const PAGES = ['/home', '/journal', '/journal/new', '/settings', '/statements', '/checkin', '/shares',
  '/agreements', '/breaches', '/program', '/no-such-page'];

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

/** A member in lang, signed in in a phone-sized browser context. */
async function memberTab(lang, fields = {}) {
  const client = new Client(server.url);
  const r = await signupOk(client, { language: lang, display_name: { en: 'Robin', es: 'Rocío', ru: 'Саша' }[lang], ...fields });
  const ctx = await newContext(browser, server, { lang, viewport: PHONE });
  await ctx.context.addCookies([{ name: SESSION_COOKIE, value: client.cookie, url: server.url }]);
  return { ...ctx, client, r };
}

/** What the head and the header say about the page. */
function face(page) {
  return page.evaluate(() => ({
    title: document.title,
    brand: document.querySelector('.brand')?.textContent.trim(),
    icons: [...document.querySelectorAll('link[rel~="icon"], link[rel="apple-touch-icon"]')].map((l) => l.getAttribute('href')),
    manifest: document.querySelector('link[rel="manifest"]')?.getAttribute('href'),
    theme: document.querySelector('meta[name="theme-color"]')?.getAttribute('content'),
    appName: document.querySelector('meta[name="apple-mobile-web-app-title"]')?.getAttribute('content'),
  }));
}

for (const lang of LANGS) {
  describe(`discreet mode in ${lang}`, () => {
    test('every page gets the neutral title, brand, icon and manifest; the manifest says the neutral name', async () => {
      const { context, page, guard, client } = await memberTab(lang);
      try {
        await go(page, server, '/home');
        const normal = await face(page);
        assert.match(normal.title, /kintsugi$/, 'before: the normal title');
        assert.equal(normal.manifest, '/manifest.webmanifest');

        // turned on through the settings form, as a person would
        await go(page, server, '/settings');
        await page.check('input[name="discreet"]');
        await Promise.all([page.waitForNavigation(), page.click('form[action="/settings/privacy"] button[type="submit"]')]);
        assert.equal(new URL(page.url()).pathname, '/settings');
        assert.equal((await client.get('/api/v1/me')).json.member.discreet, true);

        for (const p of PAGES) {
          if (p === '/no-such-page') guard.expectStatusPage(p);
          const res = await go(page, server, p);
          assert.ok(res.status() === 200 || p === '/no-such-page', `${p}: ${res.status()}`);
          const f = await face(page);
          assert.equal(f.title, NEUTRAL[lang], `${p}: the tab title`);
          assert.equal(f.brand, NEUTRAL[lang], `${p}: the header's brand`);
          assert.equal(f.appName, NEUTRAL[lang], `${p}: the home-screen name`);
          assert.equal(f.manifest, '/manifest.webmanifest?d=1', `${p}: the manifest`);
          assert.ok(f.icons.length >= 2 && f.icons.every((i) => i.startsWith('/static/icons/notes')), `${p}: ${f.icons}`);
          assert.notEqual(f.theme, normal.theme, `${p}: a neutral bar colour`);
          const head = await page.evaluate(() => document.head.outerHTML + document.querySelector('header').outerHTML);
          assert.ok(!/kintsugi/i.test(head), `${p}: no "kintsugi" in the head or the header`);
          // the icon the tab shows is there and is an image
          const icon = await page.evaluate(async (href) => {
            const r = await fetch(href);
            return { status: r.status, type: r.headers.get('content-type') };
          }, f.icons[0]);
          assert.deepEqual(icon, { status: 200, type: 'image/svg+xml' }, `${p}: the icon loads`);
        }

        // what a phone reads to put the page on its home screen
        const manifest = await page.evaluate(async () => {
          const href = document.querySelector('link[rel="manifest"]').href;
          const r = await fetch(href);
          return { type: r.headers.get('content-type'), body: await r.json() };
        });
        assert.equal(manifest.type, 'application/manifest+json');
        assert.equal(manifest.body.name, NEUTRAL[lang]);
        assert.equal(manifest.body.short_name, NEUTRAL[lang]);
        assert.deepEqual(manifest.body.icons.filter((i) => i.type === 'image/png').map((i) => i.sizes).sort(),
          ['192x192', '512x512']);
        for (const i of manifest.body.icons) assert.ok(i.src.startsWith('/static/icons/notes'), i.src);

        // nothing overflows at phone width with the settings' new section
        await go(page, server, '/settings');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= PHONE.width, `/settings is ${width} px wide at ${PHONE.width}`);

        // and off again: kintsugi's own face
        await page.uncheck('input[name="discreet"]');
        await Promise.all([page.waitForNavigation(), page.click('form[action="/settings/privacy"] button[type="submit"]')]);
        const back = await face(page);
        assert.match(back.title, /kintsugi$/);
        assert.equal(back.manifest, '/manifest.webmanifest');
        guard.check(lang);
      } finally {
        await context.close();
      }
    });
  });
}

describe('auto-lock in the browser', () => {
  test('a page left open past the time turns into the lock page by itself; the password brings it back', async () => {
    const secret = marker('en', 'autolock');
    const { context, page, guard, client, r } = await memberTab('en');
    try {
      assert.equal((await client.put('/api/v1/me', { autolock_minutes: 1 })).status, 200);
      const e = await client.post('/api/v1/journal', { body: secret });
      const entryPath = `/journal/${e.json.entry.id}`;
      await page.clock.install();
      await go(page, server, entryPath);
      assert.ok((await page.innerText('main')).includes(secret));
      assert.equal(await page.getAttribute('body', 'data-autolock'), '60');

      // the member puts the phone down: a minute passes for the server and for the page
      const sid = client.cookie.split('.')[0];
      execFileSync('sqlite3', ['-cmd', '.timeout 5000', server.dbPath,
        `UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-70 seconds') WHERE id = '${sid}'`]);
      guard.expectStatusPage(entryPath);
      await page.clock.fastForward(61000);
      await page.waitForSelector('form[action="/unlock"]');
      assert.equal(pathOf(page), entryPath, 'the same address, now locked');
      const text = await page.content();
      assert.ok(!text.includes(secret), 'the entry is gone from the screen');
      assert.ok(!text.includes('Robin'), 'not even the name');

      // the right password, and the member is back on the entry, without signing in again
      await page.fill('#unlock_password', r.password);
      await Promise.all([page.waitForNavigation(), page.click('form[action="/unlock"] button[type="submit"]')]);
      assert.equal(pathOf(page), entryPath);
      assert.ok((await page.innerText('main')).includes(secret));
      guard.check();
    } finally {
      await context.close();
    }
  });
});
