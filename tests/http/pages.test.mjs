// HTML pages without JavaScript: languages, sign-up through the form, the
// journal form with its CSRF field, escaping, and redirects.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, RECOVERY_KEY_RE, SESSION_COOKIE, describe, hiddenInput, rand, startServer, uniqueLogin,
  uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const htmlLang = (html) => /<html\b[^>]*\blang\s*=\s*["']?([a-zA-Z-]+)/i.exec(html)?.[1];
const pathOf = (location) => new URL(location, server.url).pathname;

/** Sign up through the HTML form; returns {client, res, login, password}. */
async function formSignup(language = 'en', lang = language) {
  const c = new Client(server.url, { lang });
  const page = await c.get('/signup');
  assert.equal(page.status, 200, describe(page));
  const fields = {
    login: uniqueLogin('f'), password: uniquePassword(), display_name: 'Form Person', language,
  };
  // A page may protect its form even before sign-in; send the field when it has one.
  const csrf = hiddenInput(page.text, 'csrf');
  if (csrf !== null) fields.csrf = csrf;
  const res = await c.form('/signup', fields);
  return { client: c, res, ...fields };
}

test('/signup and /signin speak en, es and ru after Accept-Language', async () => {
  for (const p of ['/signup', '/signin']) {
    const bodies = {};
    for (const lang of ['en', 'es', 'ru']) {
      const res = await new Client(server.url, { lang }).get(p);
      assert.equal(res.status, 200, `${p} ${lang}: ${describe(res)}`);
      assert.match(res.headers.get('content-type') || '', /^text\/html\b/);
      assert.equal(htmlLang(res.text), lang, `${p} in ${lang}`);
      assert.ok(/<form\b[^>]*method\s*=\s*["']?post/i.test(res.text), `${p} has a POST form`);
      assert.ok(!/<script\b[^>]*>[^<]+<\/script>/i.test(res.text), `${p} has no inline script`);
      bodies[lang] = res.text.replace(/<input\b[^>]*name\s*=\s*["']?csrf[^>]*>/gi, '');
    }
    assert.notEqual(bodies.es, bodies.en, `${p}: Spanish page differs from English`);
    assert.notEqual(bodies.ru, bodies.en, `${p}: Russian page differs from English`);
    assert.match(bodies.ru, /[а-яё]/i, `${p}: the Russian page has Cyrillic text`);
  }
  const q = await new Client(server.url, { lang: 'ru-RU,ru;q=0.9,en;q=0.5' }).get('/signin');
  assert.equal(htmlLang(q.text), 'ru', 'ru-RU negotiates to ru');
  const none = await new Client(server.url, { lang: 'de' }).get('/signin');
  assert.equal(htmlLang(none.text), 'en', 'an unsupported language falls back to English');
});

test('sign-up through the form shows the recovery key once and signs in', async () => {
  const { client, res } = await formSignup('en');
  assert.equal(res.status, 200, describe(res));
  assert.match(res.headers.get('content-type') || '', /^text\/html\b/);
  assert.match(res.text, RECOVERY_KEY_RE, 'the page shows the recovery key');
  assert.ok(/\bno-store\b/.test(res.headers.get('cache-control') || ''), 'the recovery key page is not cached');
  const cookie = res.setCookies.find((x) => x.name === SESSION_COOKIE);
  assert.ok(cookie && cookie.value, 'a session cookie is set');
  assert.equal(cookie.attributes.httponly, true);
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict');
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200, `the form sign-up signed the member in: ${describe(me)}`);
  assert.equal(me.json.member.display_name, 'Form Person');
  const key = RECOVERY_KEY_RE.exec(res.text)[0];
  const later = await client.get('/journal');
  assert.ok(!later.text.includes(key), 'the recovery key is not shown again');
});

test('the journal form writes an entry, redirects, and shows it escaped', async () => {
  const { client, res } = await formSignup('en');
  assert.equal(res.status, 200, describe(res));
  const page = await client.get('/journal');
  assert.equal(page.status, 200, describe(page));
  const csrf = hiddenInput(page.text, 'csrf');
  assert.ok(csrf, 'the journal page has a hidden csrf field');

  const marker = `form-entry-${rand(12)}`;
  const text = `<script>alert("x")</script> & ${marker} "quoted" 'single'`;
  const post = await client.form('/journal', { body: text, csrf });
  assert.equal(post.status, 303, describe(post));
  assert.equal(pathOf(post.headers.get('location')), '/journal');

  const list = await client.get('/journal');
  assert.equal(list.status, 200, describe(list));
  assert.ok(list.text.includes(marker), 'the new entry is listed');
  assert.ok(list.text.includes('&lt;script&gt;'), 'the text is HTML-escaped');
  assert.ok(!list.text.includes('<script>alert'), 'the raw script tag never reaches the page');
  assert.ok(list.text.includes('&amp;'), 'an ampersand is escaped');

  const api = await client.get('/api/v1/journal');
  assert.equal(api.json.entries[0].body, text, 'the form stored the text as typed');
});

test('the journal form without the csrf field (or a wrong one) gets 403 and writes nothing', async () => {
  const { client } = await formSignup('en');
  const page = await client.get('/journal');
  const csrf = hiddenInput(page.text, 'csrf');
  const marker = `csrf-less-${rand(12)}`;
  const none = await client.form('/journal', { body: marker });
  assert.equal(none.status, 403, describe(none));
  const wrong = await client.form('/journal', { body: marker, csrf: `${csrf}0` });
  assert.equal(wrong.status, 403, describe(wrong));
  const list = await client.get('/journal');
  assert.ok(!list.text.includes(marker));
  assert.deepEqual((await client.get('/api/v1/journal')).json.entries, []);
});

test('pages follow the member\'s language over Accept-Language', async () => {
  const { client, res } = await formSignup('es', 'ru');
  assert.equal(res.status, 200, describe(res));
  const page = await client.get('/journal');
  assert.equal(htmlLang(page.text), 'es');
});

test('private pages redirect to /signin when not signed in', async () => {
  const anon = new Client(server.url);
  for (const p of ['/home', '/journal']) {
    const res = await anon.get(p);
    assert.equal(res.status, 303, `${p}: ${describe(res)}`);
    assert.equal(pathOf(res.headers.get('location')), '/signin', p);
  }
  const post = await anon.form('/journal', { body: 'anonymous' });
  assert.ok([303, 401, 403].includes(post.status), `anonymous POST /journal: ${post.status}`);
});

test('sign-in through the form sets a fresh cookie and redirects', async () => {
  const { login, password, client: first } = await formSignup('en');
  const c = new Client(server.url);
  const page = await c.get('/signin');
  const fields = { login, password };
  const csrf = hiddenInput(page.text, 'csrf');
  if (csrf !== null) fields.csrf = csrf;
  const res = await c.form('/signin', fields);
  assert.equal(res.status, 303, describe(res));
  assert.ok(c.cookie, 'a session cookie is set');
  assert.notEqual(c.cookie, first.cookie);
  assert.equal((await c.get('/journal')).status, 200);
});
