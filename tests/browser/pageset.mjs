// Every page a person can see, in one language: each GET page route of
// docs/api.md (with {id} filled from the member's own items, found through
// the links of the list pages), signed out and signed in, plus the states
// only a form reaches (errors, the recovery key, an invite link, 404s).
//
// seedPageSet() seeds a server through the JSON API: a couple A+B with a
// journal entry (and, where the routes exist, the step pages' items) and a
// member C who is still alone, and more; it returns the visits.
// openPageSet() opens the browser contexts they run in.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Authenticator } from '../http/authenticator.mjs';
import { Client, SESSION_COOKIE, pair, signupOk, totpCode } from '../http/harness.mjs';
import { go, hasRoute, marker, newContext, pageRoutes, pathOf, PHONE, submitForm } from './lib.mjs';
import { person } from './flows.mjs';
import { seedSteps } from './steps.mjs';

/** A browser context signed in with a harness client's session. */
async function memberContext(browser, server, lang, client, opts = {}) {
  const ctx = await newContext(browser, server, { lang, viewport: PHONE, ...opts });
  await ctx.context.addCookies([{ name: SESSION_COOKIE, value: client.cookie, url: server.url }]);
  return ctx;
}

function routeRegex(pattern) {
  const esc = pattern.split(/\{[^}]+\}/).map((x) => x.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('[^/?#]+')}$`);
}

/**
 * openHtml() - GET a page as a harness client, following redirects as a
 * browser would; returns {path, status, links} (the paths of the page's
 * links to the same server) or null when it ends at the sign-in page.
 * The links of the pages are in their HTML (server-rendered): finding an
 * {id} needs no browser, which would draw each of these pages once more.
 */
async function openHtml(client, server, p) {
  let at = p;
  for (let hops = 0; hops < 5; hops++) {
    const res = await client.get(at);
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      const u = new URL(loc, server.url + at);
      if (u.origin !== new URL(server.url).origin) return null;
      at = u.pathname + u.search;
      continue;
    }
    if (new URL(at, server.url).pathname === '/signin') return null;
    const links = [];
    for (const m of res.text.matchAll(/<a\b[^>]*?\shref="([^"]*)"/g)) {
      const href = m[1].replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&#47;/g, '/');
      const u = new URL(href, server.url + at);
      if (u.origin === new URL(server.url).origin) links.push(u.pathname);
    }
    return { path: at, status: res.status, links };
  }
  return null;
}

/**
 * seedPageSet() - seed the server and list the visits for one language,
 * through the JSON API and plain GETs only (no browser: pages.test.mjs
 * seeds the next language's server while the browser walks this one).
 * Returns {visits, notes, missing, clients}; openPageSet() opens the
 * browser contexts of its members.
 */
export async function seedPageSet(server, lang) {
  const notes = [];
  const { a, aClient, bClient } = await pair(server.url, {
    aFields: { language: lang, display_name: { en: 'Alex', es: 'Álex', ru: 'Саша' }[lang] },
    bFields: { language: lang, display_name: { en: 'Sam', es: 'Sara', ru: 'Женя' }[lang] },
  });
  for (let i = 0; i < 2; i++) {
    const r = await aClient.post('/api/v1/journal', { body: `${marker(lang, `entry ${i}`)}\n\nA second paragraph.` });
    if (r.status !== 201) throw new Error(`journal seed answered ${r.status}`);
  }
  notes.push(...(await seedSteps({ server, lang, aClient, bClient })));
  const cClient = new Client(server.url);
  const c = await signupOk(cClient, { language: lang, display_name: 'Kim' });
  // C signs in once more from another browser, without C's device cookie: a
  // new device, which C's own session is told of (the visits at the end)
  const elsewhere = await new Client(server.url).post('/api/v1/login', { login: c.login, password: c.password },
    { headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
      + 'Chrome/126.0.0.0 Safari/537.36' } });
  if (elsewhere.status !== 200) throw new Error(`the second sign-in of C answered ${elsewhere.status}`);
  // D turns on two-step sign-in through the pages (the visits at the end)
  const dClient = new Client(server.url);
  const d = await signupOk(dClient, { language: lang, display_name: 'Dana' });
  // E in discreet mode; F with auto-lock on, whose session sat idle past it (locked)
  const eClient = new Client(server.url);
  await signupOk(eClient, { language: lang, display_name: 'Eli' });
  await eClient.put('/api/v1/me', { discreet: true });
  const fClient = new Client(server.url);
  await signupOk(fClient, { language: lang, display_name: 'Fran' });
  await fClient.put('/api/v1/me', { discreet: true, autolock_minutes: 5 });
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', server.dbPath,
    `UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-10 minutes') ` +
    `WHERE id = '${fClient.cookie.split('.')[0]}'`]);
  // G reported a concern in the private safety check: the help replaces the couple exercises
  const gClient = new Client(server.url);
  await signupOk(gClient, { language: lang, display_name: 'Gil' });
  if (hasRoute('POST', '/api/v1/safety-check')) {
    const r = await gClient.post('/api/v1/safety-check', { afraid: true, threatened: false, hurt: false, forced: false });
    if (r.status !== 200) throw new Error(`safety check seed answered ${r.status}`);
  }
  // H has two-step sign-in and a passkey (made by the HTTP suite's software authenticator)
  const hClient = new Client(server.url);
  const h = await signupOk(hClient, { language: lang, display_name: 'Hana' });
  const withPasskeys = hasRoute('POST', '/settings/passkeys/remove');
  if (withPasskeys) {
    const setup = await hClient.post('/api/v1/totp', { password: h.password });
    await hClient.post('/api/v1/totp/confirm', { code: totpCode(setup.json.secret) });
    const opts = await hClient.post('/api/v1/passkeys/registration-options', { password: h.password });
    if (opts.status !== 200) throw new Error(`passkey options seed answered ${opts.status}`);
    const pk = opts.json.publicKey;
    const cred = new Authenticator().create({ challenge: pk.challenge, origin: server.url, rpId: pk.rp.id });
    const added = await hClient.post('/api/v1/passkeys',
      { name: { en: 'Phone', es: 'Móvil', ru: 'Телефон' }[lang], credential: JSON.stringify(cred) });
    if (added.status !== 201) throw new Error(`passkey seed answered ${added.status}`);
  }
  const inviter = new Client(server.url);
  await signupOk(inviter, { language: lang });
  const inv = await inviter.post('/api/v1/invites', { role: 'partner' });
  if (inv.status !== 201) throw new Error(`invite seed answered ${inv.status}`);

  const clients = { A: aClient, B: bClient, C: cClient, D: dClient, E: eClient, F: fClient, G: gClient,
    H: hClient };

  const visits = [];
  const add = (who, name, p, extra = {}) => visits.push({ who, name: `${who} ${name}`, path: p, ...extra });
  const routes = pageRoutes();
  const idRoutes = [];
  for (const r of routes) {
    if (/\{[^}]+\}/.test(r.path)) {
      idRoutes.push(r);
      continue;
    }
    // A signed-out form that needs a token in its link (/join) may answer 4xx bare.
    if (r.who === 'anyone') add('anon', r.path, r.path, { anyStatus: true });
    if (r.who !== 'anyone' || !['/', '/signup', '/signin', '/recover', '/join'].includes(r.path)) {
      if (r.who !== 'therapist') {
        add('A', r.path, r.path);
        add('B', r.path, r.path);
      }
    }
  }

  // {id} routes: the first matching link on the list page (or home) of A, else of B.
  const missing = [];
  const literal = new Set(routes.filter((r) => !r.path.includes('{')).map((r) => r.path));
  for (const r of idRoutes) {
    const pattern = routeRegex(r.path);
    const re = { test: (p) => pattern.test(p) && !literal.has(p) };
    const list = r.path.slice(0, r.path.indexOf('{')).replace(/\/$/, '') || '/home';
    let found = false;
    for (const [who, client] of [['A', aClient], ['B', bClient]]) {
      const candidates = [];
      for (const from of [list, '/home']) {
        const got = await openHtml(client, server, from);
        if (!got || got.status >= 400) continue;
        candidates.push(...got.links.filter((p) => re.test(p)));
        // One level deeper: an item's own page may link to its sub-pages.
        if (!candidates.length) {
          const base = routeRegex(`${r.path.slice(0, r.path.indexOf('}') + 1)}`);
          const items = got.links.filter((x) => base.test(x) && !literal.has(x));
          for (const p of items.slice(0, 3)) {
            const sub = await openHtml(client, server, p);
            if (sub) candidates.push(...sub.links.filter((x) => re.test(x)));
            if (candidates.length) break;
          }
        }
        if (candidates.length) break;
      }
      if (candidates.length) {
        add(who, r.path, candidates[0]);
        found = true;
        break;
      }
    }
    if (!found) missing.push(r.path);
  }

  // States that only a form or a link with a token reaches.
  add('anon', '/join with an invite', new URL(inv.json.url).pathname + new URL(inv.json.url).search);
  add('anon', '404', '/no-such-page', { status: 404 });
  add('A', '404', '/no-such-page', { status: 404 });
  add('A', 'someone else\'s entry (404)', '/journal/0123456789abcdef0123456789abcdef', { status: 404 });
  add('anon', 'a page that takes only POST (405)', '/signout', { status: 405 });
  add('A', 'a form sent with a stale CSRF token (403)', '/settings', {
    statusPage: '/settings/language',
    expect: 403,
    prepare: async (page) => {
      await page.evaluate(() => {
        document.querySelector('form[action="/settings/language"] input[name="csrf"]').value = '0'.repeat(64);
      });
      return submitForm(page, 'form[action="/settings/language"]');
    },
  });
  add('A', '/journal/new with a prompt', '/journal/new?prompt=random');
  if (hasRoute('GET', '/safety')) {
    add('C', 'the safety check offered after sign-up', '/safety?welcome=1');
    add('G', '/safety after a concern: the result and the help', '/safety');
    add('G', '/safety with every country\'s lines', '/safety?all=1');
    add('G', '/home after a concern', '/home');
    add('G', 'a couple exercise after a concern', '/checkin');
  }
  add('C', '/home of a member still alone', '/home');
  add('C', '/journal, empty', '/journal');
  add('C', '/invite', '/invite');
  add('C', 'an invite link', '/invite', {
    prepare: async (page) => submitForm(page, 'form[action="/invite"]'),
  });
  add('anon', 'sign-in with a wrong password', '/signin', {
    statusPage: '/signin',
    prepare: async (page) => {
      await page.fill('#login', a.login);
      await page.fill('#password', 'not-the-password');
      return submitForm(page, 'form[action="/signin"]');
    },
  });
  add('anon', 'sign-up with a login already taken', '/signup', {
    statusPage: '/signup',
    prepare: async (page) => {
      await page.fill('#display_name', 'Kim');
      await page.fill('#login', a.login);
      await page.fill('#password', 'a long enough password');
      return submitForm(page, 'form[action="/signup"]');
    },
  });
  add('fresh', 'the recovery key after sign-up', '/signup', {
    prepare: async (page) => {
      const who = person(lang, 'k', 'Kim');
      await page.fill('#display_name', who.name);
      await page.fill('#login', who.login);
      await page.fill('#password', who.password);
      await page.selectOption('select#language', lang);
      return submitForm(page, 'form[action="/signup"]');
    },
  });
  add('A', 'settings with a wrong recovery key', '/settings', {
    statusPage: '/settings/recovery',
    prepare: async (page) => {
      await page.fill('#current_recovery_key', 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
      return submitForm(page, 'form[action="/settings/recovery"]');
    },
  });
  // Two-step sign-in, in order: set up, confirm (the recovery codes), the settings
  // with it on, and the sign-in form asking for the code.
  add('D', 'two-step sign-in set-up', '/settings', {
    prepare: async (page) => {
      await page.fill('#totp_password', d.password);
      return submitForm(page, 'form[action="/settings/totp"]');
    },
  });
  add('D', 'the recovery codes, once', '/settings/totp', {
    prepare: async (page) => {
      await page.fill('#code', totpCode(await page.inputValue('#secret-copy')));
      return submitForm(page, 'form[action="/settings/totp/confirm"]');
    },
  });
  add('D', '/settings with two-step sign-in on', '/settings');
  if (withPasskeys) {
    // passkeys (issue 11 part 2): listed with the removal form; "Use a passkey" at sign-in
    add('H', '/settings with a passkey', '/settings');
    add('anon', 'sign-in, second step with a passkey (401)', '/signin', {
      statusPage: '/signin',
      expect: 401,
      prepare: async (page) => {
        await page.fill('#login', h.login);
        await page.fill('#password', h.password);
        return submitForm(page, 'form[action="/signin"]');
      },
    });
  }
  // discreet mode, and the lock page of auto-lock (issue 13)
  add('E', '/home in discreet mode', '/home');
  add('E', '/settings in discreet mode', '/settings');
  add('F', 'the lock page (401)', '/journal', { status: 401 });
  add('F', 'the lock page after a wrong password (401)', '/home', {
    statusPage: '/unlock',
    expect: 401,
    anyStatus: true, // the lock page of the GET is a 401 too
    prepare: async (page) => {
      await page.fill('#unlock_password', 'not-the-password');
      return submitForm(page, 'form[action="/unlock"]');
    },
  });
  add('anon', 'sign-in asking for the code', '/signin', {
    statusPage: '/signin',
    prepare: async (page) => {
      await page.fill('#login', d.login);
      await page.fill('#password', d.password);
      return submitForm(page, 'form[action="/signin"]');
    },
  });
  // The conflict plan after the route visits above saw it proposed by A and
  // waiting for B: B accepts it (both see it agreed), then B takes a break,
  // which A sees on home and on the plan.  Each visit makes sure its page
  // is in the state it is there for.  After its form, a visit opens the page
  // again without the redirect's #fragment, which would move where Tab
  // starts: the walk checks the page as a link opens it.
  const expectOne = (selector, what) => async (page) => {
    assert.equal(await page.locator(selector).count(), 1, `${pathOf(page)}: ${what}`);
  };
  const agreed = expectOne('section[aria-labelledby="current-title"] p.notice', 'the plan is agreed');
  if (hasRoute('POST', '/conflict-plan/accept')) {
    add('B', 'accepting the plan', '/conflict-plan', {
      prepare: async (page) => {
        await submitForm(page, 'form[action="/conflict-plan/accept"]');
        const res = await go(page, server, '/conflict-plan?accepted=1');
        await agreed(page);
        return res;
      },
    });
    add('A', '/conflict-plan, agreed', '/conflict-plan', { prepare: agreed });
  }
  if (hasRoute('POST', '/timeouts')) {
    add('B', 'taking a break', '/conflict-plan', {
      prepare: async (page) => {
        await submitForm(page, 'form[action="/timeouts"]');
        const res = await go(page, server, '/conflict-plan');
        await expectOne('section[aria-labelledby="timeout-title"] time[datetime]', 'the break is on')(page);
        return res;
      },
    });
    add('A', '/home during B\'s break', '/home', {
      prepare: expectOne('section[aria-labelledby="break-title"] time[datetime]', 'B\'s break shows'),
    });
    add('A', '/conflict-plan during B\'s break', '/conflict-plan', {
      prepare: expectOne('section[aria-labelledby="timeout-title"] time[datetime]', 'B\'s break shows'),
    });
  }
  // Signed-in devices and the sign-in history, after a sign-in from a new device.
  if (hasRoute('GET', '/settings/devices')) {
    add('C', '/home after a sign-in from a new device', '/home', {
      prepare: expectOne('section[aria-labelledby="new-device-title"] form[action="/settings/devices/notice"]',
        'the new-device notice shows, with its dismiss button'),
    });
    add('C', '/settings/devices with another device', '/settings/devices', {
      prepare: expectOne('form[action$="/end"]', 'the other device has its sign-out button'),
    });
    add('C', '/settings/history with a new device', '/settings/history', {
      prepare: expectOne('li.history-new', 'the new device is in the history'),
    });
  }
  if (visits.some((v) => /^\/journal\/[0-9a-f]{32}$/.test(v.path))) {
    const entry = visits.find((v) => /^\/journal\/[0-9a-f]{32}$/.test(v.path));
    add(entry.who, 'a journal entry, edit form open', entry.path, {
      // Opened without a click, so that Tab still starts from the top.
      prepare: async (page) => page.evaluate(() => { document.querySelector('details.edit').open = true; }),
    });
  }

  return { visits, notes, missing, clients };
}

/**
 * openPageSet() - the browser contexts of a seeded set: one signed out, one
 * for each member.  Returns {visits, contexts, close(), notes, missing}.
 */
export async function openPageSet(browser, server, lang, seeded) {
  const contexts = { anon: await newContext(browser, server, { lang }) };
  for (const [who, client] of Object.entries(seeded.clients)) {
    contexts[who] = await memberContext(browser, server, lang, client);
  }
  const close = async () => {
    for (const c of Object.values(contexts)) await c.context.close();
  };
  const { visits, notes, missing } = seeded;
  return { visits, contexts, close, notes, missing };
}

/** buildPageSet() - seedPageSet() then openPageSet(). */
export async function buildPageSet(browser, server, lang) {
  return openPageSet(browser, server, lang, await seedPageSet(server, lang));
}

/**
 * openVisit() - run one visit in its context (a fresh one for 'fresh');
 * returns {page, guard, response, done()}.
 */
export async function openVisit(browser, server, set, v, lang, opts = {}) {
  let ctx;
  let own = false;
  if (v.who === 'fresh') {
    ctx = await newContext(browser, server, { lang, ...opts });
    own = true;
  } else {
    ctx = set.contexts[v.who];
  }
  const { page, guard } = ctx;
  guard.reset();
  if (v.status || v.anyStatus) guard.expectStatusPage(v.path);
  if (v.statusPage) guard.expectStatusPage(v.statusPage);
  const response = await go(page, server, v.path);
  let res = response;
  if (v.prepare) {
    // A prepare step that submits a form returns the answer it led to.
    const after = await v.prepare(page);
    if (after && typeof after.status === 'function') res = after;
  }
  return { page, guard, response: res, done: async () => { if (own) await ctx.context.close(); } };
}
