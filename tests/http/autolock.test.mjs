// Auto-lock (issue 13): a member chooses an idle time (PUT /api/v1/me
// autolock_minutes, or the settings form); a session that made no request
// for that long is locked in the database, and from then on serves the
// lock and nothing else until the member's password unlocks it.
//
// The threat is the partner who picks up the unlocked phone. So: every
// page answers the lock page, every API route 401 `locked`, POSTs
// included, and nothing changes; a wrong password is a failed sign-in
// (401, then 429 past the sign-in limit, for sign-in too); the right one
// goes on to the page asked for, and only to a path of this site.
//
// Time: no test waits for minutes. A session is made idle by moving its
// last_seen back in the database (sqlite3, as the sessions tests read the
// table), which is what a real idle minute leaves behind.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, suite, test } from 'node:test';

import {
  Client, dbSync, describe, errCode, hiddenInput, login, pair, rand, repoRoot, signupOk, startServer,
} from './harness.mjs';

const LIMITS = { SIGNIN_LOGIN_FAILURES: 3, SIGNIN_ADDRESS_FAILURES: 50, SIGNIN_WINDOW: 600 };

let server;
before(async () => { server = await startServer({ env: LIMITS }); });
after(async () => { await server?.stop(); });

/** Run SQL on the live database (the server keeps it open; sqlite3 waits for its lock). */
function sql(s, query) {
  return dbSync(s, query);
}

/** The time `seconds` ago, as the store writes times (RFC 3339, whole seconds, UTC). */
function secondsAgo(seconds) {
  return new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

const sessionId = (c) => c.cookie.split('.')[0];

/** Make c's session look as if its last request was `seconds` ago. */
function idleFor(s, c, seconds) {
  sql(s, `UPDATE sessions SET last_seen_at = '${secondsAgo(seconds)}' ` +
    `WHERE id = '${sessionId(c)}'`);
}

function lockedInDb(s, c) {
  return sql(s, `SELECT locked FROM sessions WHERE id = '${sessionId(c)}'`);
}

/** A member signed up with auto-lock at `minutes`, and a marker in their journal. */
async function member(s, minutes = 1) {
  const c = new Client(s.url);
  const r = await signupOk(c, { display_name: `Mira ${rand(6)}` });
  const put = await c.put('/api/v1/me', { autolock_minutes: minutes });
  assert.equal(put.status, 200, describe(put));
  const marker = `private-${rand(12)}`;
  const e = await c.post('/api/v1/journal', { body: `Only mine: ${marker}` });
  assert.equal(e.status, 201, describe(e));
  return { c, r, marker, entry: e.json.entry.id };
}

function assertLockPage(res, label) {
  assert.equal(res.status, 401, `${label}: ${describe(res)}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/, label);
  assert.match(res.text, /<form[^>]+action="\/unlock"/, `${label}: the password form`);
  assert.match(res.text, /<form[^>]+action="\/signout"/, `${label}: sign-out is offered`);
  assert.match(res.headers.get('cache-control') || '', /no-store/, `${label}: not kept by any cache`);
}

function assertLockedApi(res, label) {
  assert.equal(res.status, 401, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), 'locked', `${label}: ${describe(res)}`);
}

/** Every route of docs/api.md, as {method, pattern}. */
function docRoutes() {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const re = /^\|\s*`(GET|POST|PUT|DELETE) ([^`\s]+)`\s*\|/gm;
  const out = [];
  let m;
  while ((m = re.exec(text))) out.push({ method: m[1], pattern: m[2] });
  return out;
}

// The routes a locked session may still use; the test below calls each on its own.
const OPEN = new Set(['POST /unlock', 'POST /api/v1/unlock', 'POST /signout', 'POST /api/v1/logout', 'GET /exit']);
const PUBLIC = (p) => p === '/healthz' || p === '/favicon.ico' || p.startsWith('/static/') ||
  p === '/manifest.webmanifest';

suite('choosing an idle time', () => {
  test('PUT /api/v1/me takes 0, 1, 5, 15 or 60 minutes, and nothing else', async () => {
    const c = new Client(server.url);
    await signupOk(c);
    const me0 = await c.get('/api/v1/me');
    assert.equal(me0.json.member.autolock_minutes, 0, 'off until chosen');
    assert.equal(me0.json.member.discreet, false, 'discreet mode off until chosen');
    for (const bad of [2, 30, -1, 61, 1.5, '5', true]) {
      const res = await c.put('/api/v1/me', { autolock_minutes: bad });
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${describe(res)}`);
      assert.ok(['invalid_value', 'out_of_range', 'wrong_type'].includes(errCode(res)), describe(res));
    }
    assert.equal((await c.get('/api/v1/me')).json.member.autolock_minutes, 0, 'no refusal changed it');
    for (const ok of [1, 5, 15, 60, 0]) {
      const res = await c.put('/api/v1/me', { autolock_minutes: ok });
      assert.equal(res.status, 200, describe(res));
      assert.deepEqual(Object.keys(res.json), ['member']);
      assert.equal(res.json.member.autolock_minutes, ok);
      assert.equal((await c.get('/api/v1/me')).json.member.autolock_minutes, ok);
    }
  });

  test('a refused field changes none of the others sent with it', async () => {
    const c = new Client(server.url);
    const r = await signupOk(c, { display_name: 'Before' });
    const res = await c.put('/api/v1/me', { display_name: 'After', discreet: true, autolock_minutes: 7 });
    assert.equal(res.status, 400, describe(res));
    const me = (await c.get('/api/v1/me')).json.member;
    assert.equal(me.display_name, 'Before');
    assert.equal(me.discreet, false);
    assert.equal(me.id, r.member.id);
  });

  test('the settings form sets it too, and the partner learns nothing of it', async () => {
    const p = await pair(server.url);
    const before = await p.bClient.get('/api/v1/me');
    const settings = await p.aClient.get('/settings');
    const csrf = hiddenInput(settings.text, 'csrf');
    assert.match(settings.text, /name="autolock_minutes"/, 'the settings page offers the choice');
    const res = await p.aClient.form('/settings/privacy', { csrf, autolock_minutes: '15', discreet: '1' });
    assert.equal(res.status, 303, describe(res));
    assert.equal(res.headers.get('location'), '/settings?changed=privacy#privacy');
    const me = (await p.aClient.get('/api/v1/me')).json.member;
    assert.equal(me.autolock_minutes, 15);
    assert.equal(me.discreet, true);
    const page = await p.aClient.get('/settings');
    assert.match(page.text, /<option value="15" selected>/, 'the page shows the choice');
    const bad = await p.aClient.form('/settings/privacy', { csrf, autolock_minutes: '7' });
    assert.equal(bad.status, 400, describe(bad));
    assert.match(bad.text, /role="alert"/, 'the form says what was wrong');
    assert.equal((await p.aClient.get('/api/v1/me')).json.member.autolock_minutes, 15, 'unchanged');
    const after = await p.bClient.get('/api/v1/me');
    assert.deepEqual(after.json, before.json, 'B reads the same before and after');
    assert.ok(!JSON.stringify(after.json.couple).includes('autolock') &&
      !JSON.stringify(after.json.couple).includes('discreet'), 'nothing of A\'s choice in the couple');
  });
});

suite('an idle session locks', () => {
  test('not before the chosen time, and not at all with auto-lock off', async () => {
    const { c } = await member(server, 1);
    idleFor(server, c, 50);
    assert.equal((await c.get('/api/v1/me')).status, 200, '50 s idle of 60: still open');
    const off = new Client(server.url);
    await signupOk(off);
    idleFor(server, off, 3 * 3600);
    assert.equal((await off.get('/api/v1/me')).status, 200, 'auto-lock off: three idle hours change nothing');
    assert.equal(lockedInDb(server, off), '0');
  });

  test('past it, the session is marked locked in the database, and stays so', async () => {
    const { c } = await member(server, 5);
    idleFor(server, c, 5 * 60 + 10);
    assertLockedApi(await c.get('/api/v1/me'), 'GET /api/v1/me after 5 min 10 s');
    assert.equal(lockedInDb(server, c), '1', 'the mark is in the database');
    idleFor(server, c, 0); // as if a request had just been seen: the mark decides, not the time
    assertLockedApi(await c.get('/api/v1/me'), 'after the time was reset');
    assertLockPage(await c.get('/home'), 'GET /home');
  });

  test('every page is the lock page and every API route 401 locked, POSTs included; nothing changes', async () => {
    const { c, r, marker, entry } = await member(server, 1);
    const other = await signupOk(new Client(server.url)); // someone else's id, for {id}
    const csrf = c.csrf;
    const pageCsrf = hiddenInput((await c.get('/settings')).text, 'csrf');
    idleFor(server, c, 120);
    let checked = 0;
    for (const { method, pattern } of docRoutes()) {
      const key = `${method} ${pattern}`;
      if (OPEN.has(key)) continue;
      const p = pattern.replaceAll('{id}', entry).replace('/static/*', '/static/css/app.css');
      const isApi = p.startsWith('/api/');
      let res;
      if (method === 'GET') {
        res = await c.get(p);
      } else if (isApi) {
        res = await c.request(method, p, { password: r.password, body: 'x', login: r.login }, { csrf });
      } else {
        res = await c.form(p, { csrf: pageCsrf, password: r.password, body: `Changed ${marker}` });
      }
      if (PUBLIC(p)) {
        assert.equal(res.status, 200, `${key} is public: ${describe(res)}`);
        continue;
      }
      if (isApi) assertLockedApi(res, key);
      else assertLockPage(res, key);
      assert.ok(!res.text.includes(marker), `${key}: nothing of the journal`);
      assert.ok(!res.text.includes(r.member.display_name), `${key}: not even the member's name`);
      assert.ok(!res.text.includes(other.member.id), `${key}: nobody's id`);
      checked++;
    }
    assert.ok(checked > 100, `checked ${checked} routes`);
    // HEAD too, and a form POST without its token is still the lock, not a 403 that says more
    assert.equal((await c.request('HEAD', '/api/v1/me')).status, 401, 'HEAD /api/v1/me');
    assertLockPage(await c.get('/journal', { method: 'HEAD' }), 'GET /journal again');
    assertLockPage(await c.form('/journal', { body: 'no token' }), 'POST /journal without csrf');
    assert.equal(lockedInDb(server, c), '1');

    // unlocked: everything is as it was; no route above changed anything
    const un = await c.post('/api/v1/unlock', { password: r.password });
    assert.equal(un.status, 204, describe(un));
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200, 'the same session goes on: no new sign-in');
    assert.equal(me.json.member.display_name, r.member.display_name);
    assert.equal(me.json.member.autolock_minutes, 1);
    const journal = await c.get('/api/v1/journal');
    assert.equal(journal.json.entries.length, 1, 'no entry was added while locked');
    assert.equal(journal.json.entries[0].body, `Only mine: ${marker}`, 'nor changed');
  });

  test('the lock page sends the member on to the page asked for', async () => {
    const { c, r, marker, entry } = await member(server, 1);
    idleFor(server, c, 90);
    const locked = await c.get(`/journal/${entry}`);
    assertLockPage(locked, 'the entry\'s page');
    assert.equal(hiddenInput(locked.text, 'next'), `/journal/${entry}`);
    const csrf = hiddenInput(locked.text, 'csrf');
    assert.ok(csrf, 'the lock page carries the form token');
    const res = await c.form('/unlock', { csrf, password: r.password, next: `/journal/${entry}` });
    assert.equal(res.status, 303, describe(res));
    assert.equal(res.headers.get('location'), `/journal/${entry}`);
    const page = await c.get(`/journal/${entry}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(marker), 'the entry, with no new sign-in');
  });

  test('a POST that met the lock goes on to its page, or home', async () => {
    const { c } = await member(server, 1);
    const csrf = hiddenInput((await c.get('/settings')).text, 'csrf');
    idleFor(server, c, 90);
    const a = await c.form('/journal', { csrf, body: 'typed while away' });
    assertLockPage(a, 'POST /journal');
    assert.equal(hiddenInput(a.text, 'next'), '/journal', 'the page of the same address');
    const b = await c.form('/settings/language', { csrf, language: 'es' });
    assertLockPage(b, 'POST /settings/language');
    assert.equal(hiddenInput(b.text, 'next'), '/home', 'no page at that address: home');
  });

  test('after unlocking, only a path of this site is followed', async () => {
    const { c, r } = await member(server, 1);
    const csrf = hiddenInput((await c.get('/settings')).text, 'csrf');
    const bad = ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/%2F%2Fevil.example',
      'javascript:alert(1)', '/journal?x=1', '/journal#x', ' /home', '/home\r\nSet-Cookie: x=1',
      'home', '', '/../home', `/${'a'.repeat(300)}`, '/HOME', '/static/../journal'];
    for (const next of bad) {
      idleFor(server, c, 90);
      const res = await c.form('/unlock', { csrf, password: r.password, next });
      assert.equal(res.status, 303, `${JSON.stringify(next)}: ${describe(res)}`);
      assert.equal(res.headers.get('location'), '/home', `${JSON.stringify(next)} is not followed`);
    }
    const page = await c.get('/settings');
    assert.equal(page.status, 200, 'unlocked');
  });

  test('a wrong password is 401 and counts as a failed sign-in: 429 past the limit, for sign-in too', async () => {
    const { c, r } = await member(server, 1);
    idleFor(server, c, 90);
    const lockPage = await c.get('/home');
    const csrf = hiddenInput(lockPage.text, 'csrf');
    const wrong = await c.form('/unlock', { csrf, password: 'not-the-password-at-all', next: '/home' });
    assertLockPage(wrong, 'a wrong password on the lock page');
    assert.match(wrong.text, /role="alert"/, 'the page says the password was wrong');
    for (let i = 1; i < LIMITS.SIGNIN_LOGIN_FAILURES; i++) {
      const res = await c.post('/api/v1/unlock', { password: `wrong-${i}-password` });
      assert.equal(res.status, 401, describe(res));
      assert.equal(errCode(res), 'wrong_password');
    }
    const limited = await c.post('/api/v1/unlock', { password: r.password });
    assert.equal(limited.status, 429, `even the right password waits: ${describe(limited)}`);
    assert.equal(errCode(limited), 'rate_limited');
    assert.match(limited.headers.get('retry-after') || '', /^[1-9]\d*$/);
    const page = await c.form('/unlock', { csrf, password: r.password, next: '/home' });
    assert.equal(page.status, 429, describe(page));
    assert.match(page.text, /action="\/unlock"/, 'still the lock page');
    const signin = await login(new Client(server.url), r.login, r.password);
    assert.equal(signin.status, 429, `sign-in for that login waits too: ${describe(signin)}`);
    assertLockedApi(await c.get('/api/v1/me'), 'still locked');
  });

  test('sign-out from the lock page ends that session only; the member\'s other device goes on', async () => {
    const { c, r } = await member(server, 1);
    const second = new Client(server.url);
    assert.equal((await login(second, r.login, r.password)).status, 200);
    idleFor(server, c, 90);
    const lockPage = await c.get('/home');
    const out = await c.form('/signout', { csrf: hiddenInput(lockPage.text, 'csrf') });
    assert.equal(out.status, 303, describe(out));
    assert.equal(c.cookie, null, 'the cookie is cleared');
    assert.equal((await second.get('/api/v1/me')).status, 200, 'the other device was not signed out');
    // the API twin: a locked session's logout is its own alone
    idleFor(server, second, 90);
    const third = new Client(server.url);
    assert.equal((await login(third, r.login, r.password)).status, 200);
    const api = await second.post('/api/v1/logout');
    assert.equal(api.status, 204, describe(api));
    assert.equal((await third.get('/api/v1/me')).status, 200, 'the third session goes on');
  });

  test('the time is the member\'s, for every session of theirs; others are not touched', async () => {
    const { c, r } = await member(server, 1);
    const second = new Client(server.url);
    assert.equal((await login(second, r.login, r.password)).status, 200);
    const stranger = new Client(server.url);
    await signupOk(stranger);
    for (const x of [second, stranger]) idleFor(server, x, 90);
    assertLockedApi(await second.get('/api/v1/me'), 'the member\'s other session');
    assert.equal((await stranger.get('/api/v1/me')).status, 200, 'another member, with auto-lock off');
    assert.equal((await c.get('/api/v1/me')).status, 200, 'the session in use is open');
  });
});
