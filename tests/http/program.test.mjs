// The program explained (/program, /program/step-1 ... step-5): each page in
// each language, its headings with ids, no raw HTML from the Markdown, the
// normal 404 for any other name, every link inside the content going to a
// route that answers, and the links to it from home and the landing page.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, describe, signupOk, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const PAGES = ['/program', ...[1, 2, 3, 4, 5].map((n) => `/program/step-${n}`)];
const LANGS = ['en', 'es', 'ru'];
const htmlLang = (html) => /<html\b[^>]*\blang\s*=\s*["']?([a-zA-Z-]+)/i.exec(html)?.[1];
const article = (html) => /<article class="program">([\s\S]*?)<\/article>/.exec(html)?.[1];
const hrefs = (html) => [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1]);

test('every page of the program answers in en, es and ru, with its headings', async () => {
  for (const lang of LANGS) {
    const titles = new Set();
    for (const p of PAGES) {
      const res = await new Client(server.url, { lang }).get(p);
      assert.equal(res.status, 200, `${p} ${lang}: ${describe(res)}`);
      assert.match(res.headers.get('content-type') || '', /^text\/html\b/);
      assert.equal(htmlLang(res.text), lang, `${p} in ${lang}`);
      const body = article(res.text);
      assert.ok(body, `${p} ${lang} has the content`);
      // the first heading is the page's one h1, and the page's title
      const h1 = [...body.matchAll(/<h1 id="([^"]+)">([^<]+)<\/h1>/g)];
      assert.equal(h1.length, 1, `${p} ${lang}: one h1 with an id`);
      assert.ok(body.trimStart().startsWith('<h1'), `${p} ${lang} begins with its heading`);
      const title = /<title>([^<]*)<\/title>/.exec(res.text)[1];
      assert.ok(title.startsWith(h1[0][2]), `${p} ${lang}: <title> ${title} is the heading`);
      titles.add(h1[0][2]);
      // every heading has an id, and no two share one
      const headings = [...body.matchAll(/<h([1-6])\b([^>]*)>/g)];
      assert.ok(headings.length >= 4, `${p} ${lang} has sections`);
      const ids = headings.map((h) => /^ id="([^"]+)"$/.exec(h[2])?.[1]);
      assert.ok(ids.every(Boolean), `${p} ${lang}: every heading has an id`);
      assert.equal(new Set(ids).size, ids.length, `${p} ${lang}: heading ids are unique`);
      // Markdown only: nothing but md4c's own tags
      assert.doesNotMatch(body, /<(script|style|iframe|img|object|form|input)\b/i);
      assert.doesNotMatch(body, /\son[a-z]+\s*=/i);
      if (lang === 'ru') assert.match(body, /[а-яё]/i, `${p} is in Russian`);
      // the page lists the whole program, marking itself
      assert.match(res.text, new RegExp(`<a href="${p}" aria-current="page">`));
    }
    assert.equal(titles.size, PAGES.length, `${lang}: each page has its own title`);
  }
});

test('a member reads the program in their own language, whatever the browser says', async () => {
  const c = new Client(server.url, { lang: 'en' });
  await signupOk(c, { language: 'es' });
  const res = await c.get('/program/step-3');
  assert.equal(res.status, 200, describe(res));
  assert.equal(htmlLang(res.text), 'es');
  assert.match(article(res.text), /<h1 id="paso-3-poner-límites">Paso 3: Poner límites<\/h1>/);
});

test('a name that is not a page of the program is the normal 404 page', async () => {
  const c = new Client(server.url, { lang: 'en' });
  for (const p of ['/program/step-0', '/program/step-6', '/program/index', '/program/',
    '/program/step-1/', '/program/STEP-1', '/program/step-1.md',
    '/program/%2e%2e%2fstep-1']) {
    const res = await c.get(p);
    assert.equal(res.status, 404, `${p}: ${describe(res)}`);
    assert.match(res.text, /Page not found/, p);
  }
});

test('every link inside the program goes to a route that answers', async () => {
  const anon = new Client(server.url, { lang: 'en' });
  const member = new Client(server.url, { lang: 'en' });
  await signupOk(member, { language: 'en' });
  const links = new Set();
  for (const lang of LANGS) {
    for (const p of PAGES) {
      const body = article((await new Client(server.url, { lang }).get(p)).text);
      for (const h of hrefs(body)) links.add(h);
    }
  }
  assert.ok(links.size >= 20, `the program links its tools (${links.size} links)`);
  for (const href of links) {
    assert.match(href, /^\/[a-z]/, `${href} is a path on this server`);
    const signedIn = await member.get(href);
    assert.equal(signedIn.status, 200, `${href} signed in: ${describe(signedIn)}`);
    const out = await anon.get(href);
    if (out.status !== 200) {
      assert.equal(out.status, 303, `${href} signed out: ${describe(out)}`);
      assert.equal(new URL(out.headers.get('location'), server.url).pathname, '/signin', href);
    }
  }
});

test('home links the program and each step; the landing page links the program', async () => {
  const landing = await new Client(server.url, { lang: 'es' }).get('/');
  assert.ok(hrefs(landing.text).includes('/program'), 'the landing page links /program');
  assert.match(landing.text, /El programa, explicado/);
  const c = new Client(server.url, { lang: 'ru' });
  await signupOk(c, { language: 'ru' });
  const home = await c.get('/home');
  assert.equal(home.status, 200, describe(home));
  const links = hrefs(home.text);
  for (const p of PAGES) assert.ok(links.includes(p), `home links ${p}`);
  assert.equal((home.text.match(/Как устроен этот шаг/g) || []).length, 5);
});
