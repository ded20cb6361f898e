// Sessions: idle and absolute limits, the cookie's randomness, no fixation,
// forged and replayed cookies, which sign-outs, sign-ins and credential
// changes end which sessions, and dead rows leaving the database.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, dbSync, describe, errCode, hiddenInput, login, pair, scaled, signupOk, startServer, uniquePassword,
} from './harness.mjs';

const COOKIE_RE = /^([0-9a-f]{32})\.([0-9a-f]+)$/;

let server; // default limits
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** GET /api/v1/me with exactly this cookie value (or none). */
function me(url, cookie) {
  return new Client(url).get('/api/v1/me', { cookie: cookie || false });
}

async function assertRefused(url, cookie, label) {
  const res = await me(url, cookie);
  assert.equal(res.status, 401, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), 'not_signed_in', label);
}

async function assertLive(url, cookie, label) {
  const res = await me(url, cookie);
  assert.equal(res.status, 200, `${label}: ${describe(res)}`);
  return res;
}

async function signedIn(url, creds) {
  const c = new Client(url);
  const res = await login(c, creds.login, creds.password);
  assert.equal(res.status, 200, describe(res));
  return c;
}

test('the cookie is id.secret in hex with at least 128 random bits, new at every sign-in', async () => {
  const c = new Client(server.url);
  const r = await signupOk(c);
  const values = [c.cookie];
  for (let i = 0; i < 4; i++) values.push((await signedIn(server.url, r)).cookie);
  const ids = new Set(); const secrets = new Set();
  for (const v of values) {
    const m = COOKIE_RE.exec(v || '');
    assert.ok(m, `cookie value is <32 hex>.<hex>: ${v}`);
    assert.ok(m[2].length >= 32, `the secret has at least 128 bits: ${m[2].length} hex digits`);
    assert.ok(new Set(m[2]).size >= 8, 'the secret is not a repeated pattern');
    ids.add(m[1]);
    secrets.add(m[2]);
  }
  assert.equal(ids.size, values.length, 'every sign-in gets a different id');
  assert.equal(secrets.size, values.length, 'every sign-in gets a different secret');
  for (const v of values) await assertLive(server.url, v, 'each sign-in is its own live session');
});

test('a cookie sent before sign-in is never adopted', async () => {
  const r = await signupOk(new Client(server.url));
  // A well-formed value the attacker chose.
  const planted = `${'ab'.repeat(16)}.${'cd'.repeat(32)}`;
  const c = new Client(server.url);
  c.cookie = planted;
  const res = await login(c, r.login, r.password);
  assert.equal(res.status, 200, describe(res));
  assert.ok(c.cookie && c.cookie !== planted, 'the sign-in answer sets a new cookie');
  await assertRefused(server.url, planted, 'the planted value is still refused');
  await assertLive(server.url, c.cookie, 'the new cookie works');

  // The attacker's own live session, planted in the victim's browser: signing
  // in makes a new session, and the planted one ends (it never becomes the
  // victim's, and the attacker cannot keep using it either).
  const attacker = new Client(server.url);
  await signupOk(attacker);
  const victim = new Client(server.url);
  victim.cookie = attacker.cookie;
  const vres = await login(victim, r.login, r.password);
  assert.equal(vres.status, 200, describe(vres));
  assert.notEqual(victim.cookie, attacker.cookie, 'sign-in over a live cookie makes a new one');
  await assertRefused(server.url, attacker.cookie, 'the planted session after the victim signed in');
  const vme = await assertLive(server.url, victim.cookie, 'the victim\'s new session');
  assert.equal(vme.json.member.id, r.member.id);

  // The same through the sign-in form.
  const f = new Client(server.url);
  f.cookie = planted;
  const page = await f.get('/signin');
  const fields = { login: r.login, password: r.password };
  const csrf = hiddenInput(page.text, 'csrf');
  if (csrf !== null) fields.csrf = csrf;
  const fres = await f.form('/signin', fields);
  assert.equal(fres.status, 303, describe(fres));
  assert.ok(f.cookie && f.cookie !== planted, 'the form sign-in sets a new cookie');
  await assertRefused(server.url, planted, 'the planted value after a form sign-in');
});

test('forged cookies are refused: wrong secret, wrong id, truncated, extra characters', async () => {
  const c = new Client(server.url);
  await signupOk(c);
  const v = c.cookie;
  const [id, secret] = v.split('.');
  const flip = (s, i) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
  const forged = {
    'right id, wrong secret': `${id}.${flip(secret, secret.length - 1)}`,
    'right id, secret of zeros': `${id}.${'0'.repeat(secret.length)}`,
    'wrong id, right secret': `${flip(id, 0)}.${secret}`,
    'truncated by one': v.slice(0, -1),
    'id only': id,
    'id and dot': `${id}.`,
    'one extra character': `${v}0`,
    'extra characters': `${v}${'a'.repeat(16)}`,
    'upper-case hex': v.toUpperCase(),
    'secret and id swapped': `${secret}.${id}`,
    'empty secret': `${id}.`,
  };
  for (const [label, value] of Object.entries(forged)) {
    await assertRefused(server.url, value, label);
  }
  // Two cookies of the session's name are refused outright (cookie tossing,
  // below): neither is read as a session.
  const both = await new Client(server.url).get('/api/v1/me',
    { headers: { Cookie: `kintsugi_session=${forged['right id, wrong secret']}; kintsugi_session=${forged['truncated by one']}` } });
  assert.equal(both.status, 400, describe(both));
  assert.equal(errCode(both), 'cookie_conflict');
  await assertLive(server.url, v, 'the real cookie still works after the forgeries');
});

test('replaying a cookie after sign-out is refused (API and form)', async () => {
  const c = new Client(server.url);
  const r = await signupOk(c);
  const v = c.cookie;
  const out = await c.post('/api/v1/logout');
  assert.equal(out.status, 204, describe(out));
  await assertRefused(server.url, v, 'replay after API sign-out');

  const f = await signedIn(server.url, r);
  const fv = f.cookie;
  const page = await f.get('/settings');
  const csrf = hiddenInput(page.text, 'csrf') || f.csrf;
  const so = await f.form('/signout', { csrf });
  assert.equal(so.status, 303, describe(so));
  await assertRefused(server.url, fv, 'replay after form sign-out');
  // The replayed cookie cannot act either.
  const w = await new Client(server.url).post('/api/v1/journal', { body: 'replayed' }, { cookie: fv, csrf: f.csrf });
  assert.equal(w.status, 401, describe(w));
});

test('signing out ends the member\'s other sessions too, and nobody else\'s', async () => {
  const { a, b, bClient } = await pair(server.url);
  const s1 = await signedIn(server.url, a);
  const s2 = await signedIn(server.url, a);
  const s3 = await signedIn(server.url, a);
  const out = await s1.post('/api/v1/logout');
  assert.equal(out.status, 204, describe(out));
  await assertRefused(server.url, s2.cookie, 'A\'s second session after A signed out');
  await assertRefused(server.url, s3.cookie, 'A\'s third session after A signed out');
  await assertLive(server.url, bClient.cookie, 'the partner stays signed in');
  // and through the form
  const t1 = await signedIn(server.url, b);
  const t2 = await signedIn(server.url, b);
  const so = await t1.form('/signout', { csrf: t1.csrf });
  assert.equal(so.status, 303, describe(so));
  await assertRefused(server.url, t2.cookie, 'B\'s other session after a form sign-out');
  await assertRefused(server.url, bClient.cookie, 'B\'s first session after a form sign-out');
});

test('a password change ends the other sessions and keeps the current one', async () => {
  const c = new Client(server.url);
  const r = await signupOk(c);
  const other1 = await signedIn(server.url, r);
  const other2 = await signedIn(server.url, r);
  const pw2 = uniquePassword();
  const res = await c.post('/api/v1/password', { old_password: r.password, new_password: pw2 });
  assert.equal(res.status, 204, describe(res));
  await assertLive(server.url, c.cookie, 'the session that changed the password');
  await assertRefused(server.url, other1.cookie, 'another session after the password change');
  await assertRefused(server.url, other2.cookie, 'a third session after the password change');
  const w = await c.post('/api/v1/journal', { body: 'still here' });
  assert.equal(w.status, 201, `the current session still writes: ${describe(w)}`);
  assert.equal((await login(new Client(server.url), r.login, r.password)).status, 401);
  await signedIn(server.url, { login: r.login, password: pw2 });

  // and through the settings form
  const f = await signedIn(server.url, { login: r.login, password: pw2 });
  const o = await signedIn(server.url, { login: r.login, password: pw2 });
  const pw3 = uniquePassword();
  const fres = await f.form('/settings/password', { old_password: pw2, new_password: pw3, csrf: f.csrf });
  assert.ok([200, 303].includes(fres.status), describe(fres));
  await assertLive(server.url, f.cookie, 'the form session that changed the password');
  await assertRefused(server.url, o.cookie, 'another session after the form password change');
});

test('a sign-in over a live session ends that session (API and form); a failed one keeps it', async () => {
  const r = await signupOk(new Client(server.url));
  const other = await signupOk(new Client(server.url));

  // The same member signs in again in the same client: the old cookie dies.
  const c = await signedIn(server.url, r);
  const first = c.cookie;
  const again = await login(c, r.login, r.password);
  assert.equal(again.status, 200, describe(again));
  assert.notEqual(c.cookie, first);
  await assertRefused(server.url, first, 'the session the sign-in replaced');
  await assertLive(server.url, c.cookie, 'the new session');

  // A wrong password changes nothing: the session it came with stays.
  const kept = c.cookie;
  const wrong = await login(c, r.login, `${r.password}x`);
  assert.equal(wrong.status, 401, describe(wrong));
  await assertLive(server.url, kept, 'the session after a failed sign-in over it');

  // Another member signs in on this device: only this device's session of
  // the first member ends, not the first member's others.
  const elsewhere = await signedIn(server.url, r);
  const swap = await login(c, other.login, other.password);
  assert.equal(swap.status, 200, describe(swap));
  await assertRefused(server.url, kept, 'the first member\'s session on the shared device');
  await assertLive(server.url, elsewhere.cookie, 'the first member\'s session elsewhere');
  const who = await assertLive(server.url, c.cookie, 'the second member\'s new session');
  assert.equal(who.json.member.id, other.member.id);

  // The same through the sign-in form.
  const f = await signedIn(server.url, r);
  const before = f.cookie;
  const fres = await f.form('/signin', { login: r.login, password: r.password });
  assert.equal(fres.status, 303, describe(fres));
  assert.ok(f.cookie && f.cookie !== before, 'the form sign-in sets a new cookie');
  await assertRefused(server.url, before, 'the session the form sign-in replaced');
  await assertLive(server.url, f.cookie, 'the form\'s new session');

  // And a recovery over a live session of another member ends that one too.
  const rr = await signupOk(new Client(server.url));
  const rc = await signedIn(server.url, other);
  const otherBefore = rc.cookie;
  const rec = await rc.post('/api/v1/recover',
    { login: rr.login, recovery_key: rr.recovery_key, new_password: uniquePassword() });
  assert.equal(rec.status, 200, describe(rec));
  await assertRefused(server.url, otherBefore, 'the session a recovery replaced');
});

test('a new recovery key ends the other sessions and keeps the current one', async () => {
  const c = new Client(server.url);
  const r = await signupOk(c);
  const other1 = await signedIn(server.url, r);
  const other2 = await signedIn(server.url, r);
  const res = await c.form('/settings/recovery', { recovery_key: r.recovery_key, csrf: c.csrf });
  assert.equal(res.status, 200, describe(res));
  assert.match(res.text, /[0-9A-Z]{4}(-[0-9A-Z]{4}){7}/, 'the new key is shown');
  assert.match(res.text, /other devices are signed out/, 'the page says the other devices are out');
  await assertLive(server.url, c.cookie, 'the session that made the new key');
  await assertRefused(server.url, other1.cookie, 'another session after a new recovery key');
  await assertRefused(server.url, other2.cookie, 'a third session after a new recovery key');
  const w = await c.post('/api/v1/journal', { body: 'still here' });
  assert.equal(w.status, 201, `the current session still writes: ${describe(w)}`);
  // the password itself did not change
  await signedIn(server.url, r);
});

test('a recovery ends every session of the member and starts one', async () => {
  const c = new Client(server.url);
  const r = await signupOk(c);
  const other = await signedIn(server.url, r);
  const fresh = new Client(server.url);
  const res = await fresh.post('/api/v1/recover',
    { login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword() });
  assert.equal(res.status, 200, describe(res));
  await assertRefused(server.url, c.cookie, 'the sign-up session after a recovery');
  await assertRefused(server.url, other.cookie, 'another session after a recovery');
  await assertLive(server.url, fresh.cookie, 'the session the recovery started');
});

test('dead session rows are deleted from the database at the next sign-in', async () => {
  // A sign-in and a sign-up run while the first session must stay alive:
  // scaled() stretches the idle limit (and the wait past it) for a slow
  // server, e.g. under valgrind.
  const idle = scaled(2);
  const s = await startServer({ env: { SESSION_IDLE: idle } });
  const rows = () => dbSync(s, 'SELECT id FROM sessions', { readonly: true }).split('\n').filter(Boolean);
  const idOf = (cookie) => COOKIE_RE.exec(cookie)[1];
  try {
    const a = new Client(s.url);
    const ar = await signupOk(a);
    const a2 = await signedIn(s.url, ar);
    const b = new Client(s.url);
    await signupOk(b);
    const dead = [a.cookie, a2.cookie, b.cookie].map(idOf);
    await sleep(idle * 1000 + 1300); // past the idle limit, and nobody shows those cookies
    assert.deepEqual(rows().filter((id) => dead.includes(id)).sort(), [...dead].sort(),
      'the idle sessions are still in the table: nothing has read them');

    const c = new Client(s.url);
    const cr = await signupOk(c); // a sign-up does not purge
    const fresh = await signedIn(s.url, cr); // a sign-in does
    const left = rows();
    for (const id of dead) assert.ok(!left.includes(id), `the dead session ${id} is gone`);
    assert.ok(left.includes(idOf(c.cookie)), 'a live session stays');
    assert.ok(left.includes(idOf(fresh.cookie)), 'the new session is there');
    await assertLive(s.url, c.cookie, 'the live session still works');
  } finally {
    await s.stop();
  }
});

test('idle limit: a session unused for longer than SESSION_IDLE is refused', async () => {
  const s = await startServer({ env: { SESSION_IDLE: 2 } });
  try {
    const c = new Client(s.url);
    const r = await signupOk(c);
    const idle = c.cookie;
    await assertLive(s.url, idle, 'right after sign-up');
    await sleep(3300);
    await assertRefused(s.url, idle, 'after 3.3 s without a request (idle limit 2 s)');
    const again = await signedIn(s.url, r);
    await assertLive(s.url, again.cookie, 'a new sign-in works');
  } finally {
    await s.stop();
  }
});

test('a dead session shown with a wrong secret keeps its row; with the right one it goes', async () => {
  // The secret is proved before the limits are looked at: a cookie that
  // names a session without its secret changes nothing, not even a dead row.
  const s = await startServer({ env: { SESSION_IDLE: 2 } });
  const rows = () => dbSync(s, 'SELECT id FROM sessions', { readonly: true }).split('\n').filter(Boolean);
  try {
    const c = new Client(s.url);
    await signupOk(c);
    const [id, secret] = c.cookie.split('.');
    const wrong = `${id}.${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
    await sleep(3300); // past the idle limit
    await assertRefused(s.url, wrong, 'the wrong secret');
    assert.ok(rows().includes(id), 'the row is still there after the wrong secret');
    await assertRefused(s.url, c.cookie, 'the right secret, past the idle limit');
    assert.ok(!rows().includes(id), 'the row is gone once its holder showed it');
  } finally {
    await s.stop();
  }
});

test('idle limit: a session in use outlives the idle limit', async () => {
  const s = await startServer({ env: { SESSION_IDLE: 2 } });
  try {
    const c = new Client(s.url);
    await signupOk(c);
    const start = Date.now();
    while (Date.now() - start < 4500) {
      const res = await c.get('/api/v1/me');
      assert.equal(res.status, 200,
        `a request every 0.5 s keeps the session (idle limit 2 s), ${Date.now() - start} ms in: ${describe(res)}`);
      await sleep(500);
    }
  } finally {
    await s.stop();
  }
});

test('a clean stop writes the last-seen mark of a session in use, and the session goes on after the restart', async () => {
  // On SQLite the server holds the marks in memory and writes them together
  // (docs/storage.md); a clean stop must write what it holds, or a session
  // in use would come back after a restart as idle as its last written mark.
  const idle = scaled(8); // marks move every idle / 4 seconds
  const first = await startServer({ env: { SESSION_IDLE: idle } });
  let second = null;
  const markOf = (srv, id) => dbSync(srv, `SELECT last_seen_at FROM sessions WHERE id = '${id}'`, { readonly: true });
  try {
    const c = new Client(first.url);
    await signupOk(c);
    const id = COOKIE_RE.exec(c.cookie)[1];
    const before = markOf(first, id);
    assert.match(before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await sleep((idle / 4) * 1000 + 1300); // the mark is old enough to move
    await assertLive(first.url, c.cookie, 'the session in use');
    await first.stop({ keepDir: true });
    const written = markOf(first, id);
    assert.ok(written > before, `the mark moved from ${before} and is in the database after the stop (${written})`);

    second = await startServer({ db: first.db, env: { SESSION_IDLE: idle } });
    await assertLive(second.url, c.cookie, 'the same session after the restart');
  } finally {
    await second?.stop();
    await first.stop(); // again: removes its folder (and its database on PostgreSQL)
  }
});

test('absolute limit: a session in constant use still ends at SESSION_ABSOLUTE', async () => {
  // session_idle may not be longer than session_absolute, so both are set.
  const s = await startServer({ env: { SESSION_ABSOLUTE: 3, SESSION_IDLE: 3 } });
  try {
    const c = new Client(s.url);
    await signupOk(c);
    const cookie = c.cookie;
    const start = Date.now();
    let diedAt = null;
    while (Date.now() - start < 6000) {
      const res = await me(s.url, cookie);
      const t = Date.now() - start;
      if (res.status === 200) {
        assert.equal(diedAt, null, `the session came back to life at ${t} ms after ending at ${diedAt} ms`);
        if (t < 1000) continue;
      } else {
        assert.equal(res.status, 401, describe(res));
        if (diedAt === null) diedAt = t;
        if (t < 1000) assert.fail(`the session ended too early, at ${t} ms`);
      }
      await sleep(300);
    }
    assert.ok(diedAt !== null, 'the session ended within 6 s (absolute limit 3 s)');
    assert.ok(diedAt <= 4500, `the session ended at ${diedAt} ms (absolute limit 3 s)`);
  } finally {
    await s.stop();
  }
});

test('the audit trail records sign-ins and every kind of failed credential, and nothing typed', async () => {
  const s = await startServer();
  const events = () => dbSync(s, 'SELECT member_id, event FROM audit_log ORDER BY id', { readonly: true })
    .split('\n').filter(Boolean).map((line) => line.split('|'));
  try {
    const a = new Client(s.url);
    const r = await signupOk(a);
    const wrongPw = `not-it-${uniquePassword()}`;
    assert.equal((await login(new Client(s.url), r.login, wrongPw)).status, 401, 'a wrong password');
    assert.equal((await login(new Client(s.url), r.login, r.password)).status, 200, 'the right one');
    const badKey = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH';
    const rec = await new Client(s.url).post('/api/v1/recover',
      { login: r.login, recovery_key: badKey, new_password: uniquePassword() });
    assert.equal(rec.status, 401, `a wrong recovery key: ${describe(rec)}`);
    const pw = await a.post('/api/v1/password', { old_password: wrongPw, new_password: uniquePassword() });
    assert.equal(pw.status, 403, `a wrong current password in the settings: ${describe(pw)}`);

    const mine = events().filter(([member]) => member === r.member.id).map(([, event]) => event);
    for (const want of ['signin_failed', 'signin', 'recovery_failed', 'password_check_failed']) {
      assert.ok(mine.includes(want), `the audit trail has "${want}": ${mine.join(', ')}`);
    }
    const dump = dbSync(s, 'SELECT * FROM audit_log', { readonly: true });
    for (const secret of [r.login, r.password, wrongPw, badKey, r.recovery_key]) {
      assert.ok(!dump.includes(secret), 'the audit trail holds no login, password or key');
    }
  } finally {
    await s.stop();
  }
});

// Cookie tossing: a page on a sibling domain (or a network attacker, without
// TLS) plants its own session cookie beside the member's, so that the
// member's words go to the attacker's account.  A request with two session
// cookies is refused whichever is first, in the member's language, and
// changes nothing.
test('two session cookies in one request are refused, and nothing is read or written', async () => {
  const victim = new Client(server.url);
  await signupOk(victim, { language: 'es' });
  const planted = new Client(server.url);
  await signupOk(planted);
  const marker = `tossed-${Date.now()}`;
  assert.equal((await victim.post('/api/v1/journal', { body: `${marker} mine` })).status, 201);
  const both = [`kintsugi_session=${planted.cookie}; kintsugi_session=${victim.cookie}`,
    `kintsugi_session=${victim.cookie}; kintsugi_session=${planted.cookie}`];
  for (const cookie of both) {
    const opts = { cookie: false, headers: { Cookie: cookie }, lang: 'es' };
    const read = await victim.get('/api/v1/journal', opts);
    assert.equal(read.status, 400, describe(read));
    assert.equal(errCode(read), 'cookie_conflict');
    assert.ok(!read.text.includes(marker), 'nothing of the journal');
    assert.match(read.json.error.message, /cookies/i);
    const write = await victim.post('/api/v1/journal', { body: 'where does this go?' }, opts);
    assert.equal(write.status, 400, describe(write));
    const page = await victim.get('/journal', opts);
    assert.equal(page.status, 400, describe(page));
    assert.match(page.text, /<html lang="es"/, 'the page is in the browser\'s language');
    assert.ok(!page.text.includes(marker));
  }
  for (const c of [victim, planted]) {
    const list = await c.get('/api/v1/journal');
    assert.equal(list.status, 200, 'each cookie alone still works');
    assert.ok(!list.text.includes('where does this go?'), 'nothing was written to either account');
  }
});
