// Discreet mode and the web app manifest (issue 13), over HTTP: what a
// browser fetches and a phone puts on its home screen. The browser test
// (tests/browser/discreet.test.mjs) checks the same pages as a person sees
// them; this one checks the bytes: content types, the icons' real sizes,
// and that no page of a discreet member names kintsugi in its head.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, describe, hiddenInput, pair, signupOk, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const NEUTRAL = { en: 'Notes', es: 'Notas', ru: 'Заметки' };

/** Width and height from a PNG's IHDR. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

async function checkManifest(query, lang, name) {
  const anon = new Client(server.url, { lang });
  const res = await anon.get(`/manifest.webmanifest${query}`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.headers.get('content-type'), 'application/manifest+json');
  assert.match(res.headers.get('content-security-policy') || '', /manifest-src 'self'/);
  const m = JSON.parse(res.text);
  assert.equal(m.name, name, `${query} in ${lang}`);
  assert.equal(m.short_name, name);
  assert.equal(m.start_url, '/home');
  assert.equal(m.display, 'standalone');
  assert.match(m.theme_color, /^#[0-9a-f]{6}$/);
  const pngs = m.icons.filter((i) => i.type === 'image/png');
  assert.deepEqual(pngs.map((i) => i.sizes).sort(), ['192x192', '512x512']);
  for (const icon of m.icons) {
    assert.ok(icon.src.startsWith('/static/icons/'), `the icon is ours: ${icon.src}`);
    const file = await anon.get(icon.src);
    assert.equal(file.status, 200, `${icon.src}: ${describe(file)}`);
    assert.equal(file.headers.get('content-type'), icon.type);
    if (icon.type === 'image/png') assert.equal(pngSize(file.bytes), icon.sizes, icon.src);
  }
  return m;
}

test('the manifest is public, kintsugi\'s by default and neutral with ?d=1, in each language', async () => {
  for (const lang of ['en', 'es', 'ru']) {
    const normal = await checkManifest('', lang, 'kintsugi');
    const neutral = await checkManifest('?d=1', lang, NEUTRAL[lang]);
    assert.equal(neutral.lang, lang);
    const icons = JSON.stringify(neutral.icons);
    assert.ok(!icons.includes('kintsugi'), 'the neutral icons are not kintsugi\'s');
    assert.notDeepEqual(neutral.icons, normal.icons);
    assert.ok(!JSON.stringify(neutral).toLowerCase().includes('kintsugi'), 'no word of kintsugi');
  }
});

test('every page links the manifest and a theme colour; a discreet member\'s pages are neutral', async () => {
  const p = await pair(server.url);
  const pages = ['/home', '/journal', '/settings', '/statements', '/checkin', '/agreements', '/program'];
  for (const path of pages) {
    const res = await p.aClient.get(path);
    assert.equal(res.status, 200, `${path}: ${describe(res)}`);
    assert.match(res.text, /<link rel="manifest" href="\/manifest\.webmanifest">/, path);
    assert.match(res.text, /<meta name="theme-color" content="#[0-9a-f]{6}">/, path);
  }
  const put = await p.aClient.put('/api/v1/me', { discreet: true });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.member.discreet, true);
  for (const lang of ['en', 'es', 'ru']) {
    assert.equal((await p.aClient.put('/api/v1/me', { language: lang })).status, 200);
    for (const path of [...pages, '/no-such-page']) {
      const res = await p.aClient.get(path);
      const head = res.text.slice(0, res.text.indexOf('</header>'));
      assert.match(head, new RegExp(`<title>${NEUTRAL[lang]}</title>`), `${lang} ${path}: the title`);
      assert.ok(!/kintsugi|trust|couple|confian|довер|пар[аы]|pareja/i.test(head),
        `${lang} ${path}: nothing in the head or the header names the app or the couple`);
      assert.match(head, /<link rel="manifest" href="\/manifest\.webmanifest\?d=1">/, `${lang} ${path}`);
      assert.match(head, /<link rel="icon" href="\/static\/icons\/notes\.svg"/, `${lang} ${path}`);
      assert.ok(!head.includes('favicon'), `${lang} ${path}: not kintsugi's icon`);
    }
  }
  // B's pages are B's: A's choice changes nothing of them
  const b = await p.bClient.get('/home');
  assert.match(b.text, /<title>[^<]* · kintsugi<\/title>/);
  const off = await p.aClient.put('/api/v1/me', { discreet: false });
  assert.equal(off.json.member.discreet, false);
  assert.match((await p.aClient.get('/home')).text, /<link rel="manifest" href="\/manifest\.webmanifest">/);
});

test('a statement\'s page shows the day the partner delivered and answered, never the time of day', async () => {
  const p = await pair(server.url);
  const st = await p.aClient.post('/api/v1/statements', {
    what_i_did: 'I hid the messages.', impact: 'You felt foolish.', why: 'I was afraid.',
    regret: 'I regret it.', repair: 'I will show you when you ask.',
  });
  assert.equal(st.status, 201, describe(st));
  const id = st.json.statement.id;
  assert.equal((await p.aClient.post(`/api/v1/statements/${id}/deliver`)).status, 200);
  const resp = await p.bClient.post(`/api/v1/statements/${id}/responses`, { read: true, landed: 'The regret.' });
  assert.equal(resp.status, 201, describe(resp));
  const time = /datetime="[^"]*T\d\d:\d\d/;
  for (const [c, path] of [[p.aClient, `/statements/${id}`], [p.bClient, `/statements/${id}`],
    [p.aClient, '/statements'], [p.bClient, '/statements']]) {
    const page = await c.get(path);
    assert.equal(page.status, 200, describe(page));
    assert.match(page.text, /datetime="\d{4}-\d{2}-\d{2}"/, `${path}: a date`);
    assert.ok(!time.test(page.text), `${path}: no time of day in the page`);
  }
});

test('the settings form explains both choices and keeps the member\'s', async () => {
  const c = new Client(server.url);
  await signupOk(c);
  const page = await c.get('/settings');
  assert.match(page.text, /id="privacy"/);
  assert.match(page.text, /<input type="checkbox" name="discreet" value="1" aria-describedby="discreet-help">/);
  assert.match(page.text, /id="discreet-help">[^<]{40,}</, 'discreet mode is explained');
  assert.match(page.text, /id="autolock-help">[^<]{40,}</, 'auto-lock is explained');
  const res = await c.form('/settings/privacy', { csrf: hiddenInput(page.text, 'csrf'), discreet: '1', autolock_minutes: '5' });
  assert.equal(res.status, 303, describe(res));
  const again = await c.get('/settings');
  assert.match(again.text, /name="discreet" value="1" checked/);
  assert.match(again.text, /<option value="5" selected>/);
  assert.match(again.text, /<title>Notes<\/title>/);
  assert.match(again.text, /data-autolock="300"/, 'the page knows when to lock itself');
  assert.match(again.text, /<script src="\/static\/js\/autolock\.js" defer><\/script>/);
});
