// Passwords: a new password is refused when it is a common password or holds
// the login or the app's name, whatever the case, at sign-up, join, password
// change and recovery, in the API and the forms, with a sentence in the
// member's language; and the password checks behind a session (password
// change, a new recovery key, deleting the account) count their failures with
// sign-ins, so past the limit they answer 429 with Retry-After.

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { after, before, describe as suite, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, dbSync, describe, errCode, hiddenInput, login, scaled, signup, signupOk, startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const client = (lang) => new Client(server.url, { lang });

function assertError(res, status, code) {
  assert.equal(res.status, status, describe(res));
  assert.equal(errCode(res), code, describe(res));
}

// Common passwords of at least 10 characters, from src/core/common-passwords.txt,
// in the case people type them.
const COMMON = ['password123', 'Qwertyuiop', '1234567890', 'ILOVEYOU12'];

suite('new passwords: common ones, the login and the app name are refused', () => {
  for (const pw of COMMON) {
    test(`sign-up with "${pw}" gets 400 invalid_value and creates nothing`, async () => {
      const r = await signup(client(), { password: pw });
      assertError(r.res, 400, 'invalid_value');
      assert.match(r.res.json.error.message, /too common/);
      assert.equal(r.res.setCookies.length, 0, 'no cookie');
      assert.equal((await login(client(), r.login, pw)).status, 401, 'no account was made');
    });
  }

  test('a password that holds the login, in any case, is refused; the message says why', async () => {
    const name = uniqueLogin('ana');
    const r = await signup(client(), { login: name, password: `My ${name.toUpperCase()} forever` });
    assertError(r.res, 400, 'invalid_value');
    assert.match(r.res.json.error.message, /must not contain your login/);
    // ...and logins that differ only in ASCII case are one login
    const r2 = await signup(client(), { login: name.toUpperCase(), password: `x${name}x-1234` });
    assertError(r2.res, 400, 'invalid_value');
  });

  test('a password that holds the app\'s name is refused', async () => {
    const r = await signup(client(), { password: 'I love KINTSUGI 2025' });
    assertError(r.res, 400, 'invalid_value');
    assert.match(r.res.json.error.message, /kintsugi/);
  });

  test('a common password with more around it, or a long passphrase, is fine', async () => {
    const r = await signup(client(), { password: 'password123 is what my cat would pick' });
    assert.equal(r.res.status, 201, describe(r.res));
  });

  test('the messages follow the language (en, es, ru) and differ', async () => {
    const seen = {};
    for (const lang of ['en', 'es', 'ru']) {
      const r = await signup(client(lang), { password: 'password123' });
      assertError(r.res, 400, 'invalid_value');
      seen[lang] = r.res.json.error.message;
    }
    assert.notEqual(seen.es, seen.en);
    assert.notEqual(seen.ru, seen.en);
    assert.match(seen.ru, /[а-яё]/i);
  });

  test('password change: a common new password or one with the login is refused; the old one stays', async () => {
    const a = client();
    const r = await signupOk(a);
    assertError(await a.post('/api/v1/password', { old_password: r.password, new_password: 'Password123' }),
      400, 'invalid_value');
    assertError(await a.post('/api/v1/password',
      { old_password: r.password, new_password: `${r.login}-and-more` }), 400, 'invalid_value');
    assert.equal((await login(client(), r.login, r.password)).status, 200, 'the password is unchanged');
  });

  test('recovery: a common new password is refused and the recovery key still works', async () => {
    const r = await signupOk(client());
    const res = await client().post('/api/v1/recover',
      { login: r.login, recovery_key: r.recovery_key, new_password: '1234567890' });
    assertError(res, 400, 'invalid_value');
    const ok = await client().post('/api/v1/recover',
      { login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword() });
    assert.equal(ok.status, 200, `the key was not used up: ${describe(ok)}`);
  });

  test('recovery: an unknown login with a common password gets the same 400 as a known one', async () => {
    const r = await signupOk(client());
    const known = await client().post('/api/v1/recover',
      { login: r.login, recovery_key: r.recovery_key, new_password: 'qwertyuiop' });
    const unknown = await client().post('/api/v1/recover',
      { login: uniqueLogin('nobody'), recovery_key: r.recovery_key, new_password: 'qwertyuiop' });
    assertError(known, 400, 'invalid_value');
    assert.equal(unknown.text, known.text, 'the answer tells nothing about who exists');
  });

  test('join: a common password is refused and the invite still works', async () => {
    const a = client();
    await signupOk(a);
    const inv = await a.post('/api/v1/invites', { role: 'partner' });
    assert.equal(inv.status, 201, describe(inv));
    const body = { token: inv.json.token, login: uniqueLogin('b'), display_name: 'B', language: 'en' };
    assertError(await client().post('/api/v1/join', { ...body, password: 'qwertyuiop' }), 400, 'invalid_value');
    const ok = await client().post('/api/v1/join', { ...body, password: uniquePassword() });
    assert.equal(ok.status, 201, `the invite was not used up: ${describe(ok)}`);
  });

  test('the forms: the sign-up and settings forms show the reason and mark the field', async () => {
    const f = client('es');
    const res = await f.form('/signup',
      { login: uniqueLogin(), password: 'Password123', display_name: 'Ana', language: 'es' });
    assert.equal(res.status, 400, describe(res));
    assert.match(res.text, /demasiado común/, 'the reason, in Spanish');
    assert.match(res.text, /id="password"[^>]*aria-invalid="true"/, 'the password field is marked');
    assert.equal(f.cookie, null, 'not signed in');

    const a = client();
    const r = await signupOk(a);
    const page = await a.get('/settings');
    assert.match(page.text, /Not a common password, and not one that contains your login\./,
      'the settings page says the rules before they bite');
    const csrf = hiddenInput(page.text, 'csrf');
    const s = await a.form('/settings/password',
      { old_password: r.password, new_password: `${r.login.toUpperCase()}!2024`, csrf });
    assert.equal(s.status, 400, describe(s));
    assert.match(s.text, /must not contain your login/);
    assert.match(s.text, /id="new_password"[^>]*aria-invalid="true"/);

    const rec = await client('ru').form('/recover',
      { login: r.login, recovery_key: r.recovery_key, new_password: 'жжжжж' });
    assert.equal(rec.status, 400, describe(rec));
    assert.match(rec.text, /минимум 10 символов/, 'too short, counted in characters, in Russian');
  });
});

suite('password checks behind a session count as sign-ins', () => {
  // The failures must fall within the window: scaled() stretches it (and the
  // waits past it) for a slow server, e.g. under valgrind.
  const LIMITS = { SIGNIN_LOGIN_FAILURES: 3, SIGNIN_ADDRESS_FAILURES: 1000, SIGNIN_WINDOW: scaled(8) };
  let s;
  before(async () => { s = await startServer({ env: LIMITS }); });
  after(async () => { await s?.stop(); });

  const wrong = 'not-the-password-at-all';
  const badKey = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH';

  function assertLimited(res, label) {
    assert.equal(res.status, 429, `${label}: ${describe(res)}`);
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= LIMITS.SIGNIN_WINDOW,
      `${label}: Retry-After is 1..${LIMITS.SIGNIN_WINDOW} s, got ${res.headers.get('retry-after')}`);
  }

  test('wrong passwords in the settings lock the login, even for the right password, then free it', async () => {
    const a = new Client(s.url);
    const r = await signupOk(a);
    const b = new Client(s.url);
    const rb = await signupOk(b);

    // three wrong passwords, one through each route
    assertError(await a.post('/api/v1/password', { old_password: wrong, new_password: uniquePassword() }),
      403, 'wrong_password');
    const rec = await a.form('/settings/recovery', { recovery_key: badKey, csrf: a.csrf });
    assert.equal(rec.status, 403, describe(rec));
    assertError(await a.del('/api/v1/me', { password: wrong }), 401, 'wrong_password');

    // now the right password is refused too, everywhere, and nothing changes
    const newPw = uniquePassword();
    const pw = await a.post('/api/v1/password', { old_password: r.password, new_password: newPw });
    assertLimited(pw, 'API password change with the right password');
    assertError(pw, 429, 'rate_limited');
    const del = await a.del('/api/v1/me', { password: r.password });
    assertLimited(del, 'API deletion with the right password');
    const form = await a.form('/settings/password',
      { old_password: r.password, new_password: newPw, csrf: a.csrf });
    assertLimited(form, 'the settings form');
    // what is left of the window in whole minutes, rounded up: 1 natively, up
    // to 2 under valgrind (scaled)
    const wait = /Too many wrong passwords\. Please wait (\d+) minutes? and try again\./.exec(form.text);
    assert.ok(wait, `the form says how long to wait:\n${form.text}`);
    assert.ok(Number(wait[1]) >= 1 && Number(wait[1]) <= Math.ceil(LIMITS.SIGNIN_WINDOW / 60), wait[0]);
    assertLimited(await a.form('/settings/recovery', { recovery_key: r.recovery_key, csrf: a.csrf }),
      'a new recovery key');
    assertLimited(await a.post('/api/v1/recovery-key', { recovery_key: r.recovery_key }),
      'a new recovery key by the API');
    assertLimited(await login(new Client(s.url), r.login, r.password), 'a sign-in: the same count');
    assert.equal((await a.get('/api/v1/me')).status, 200, 'the session itself keeps working');

    // another member is not affected
    const other = await b.post('/api/v1/password', { old_password: rb.password, new_password: uniquePassword() });
    assert.equal(other.status, 204, describe(other));

    // once the window has passed, the right password works, and it was never changed
    await sleep(LIMITS.SIGNIN_WINDOW * 1000 + 300);
    assert.equal((await login(new Client(s.url), r.login, r.password)).status, 200);
    const later = await a.post('/api/v1/password', { old_password: r.password, new_password: newPw });
    assert.equal(later.status, 204, describe(later));
  });

  test('failed recoveries count too: past the limit, recovery, sign-in and the settings answer 429', async () => {
    const a = new Client(s.url);
    const r = await signupOk(a);
    assertError(await new Client(s.url).post('/api/v1/recover',
      { login: r.login, recovery_key: badKey, new_password: uniquePassword() }), 401, 'bad_credentials');
    const form = await new Client(s.url).form('/recover',
      { login: r.login, recovery_key: badKey, new_password: uniquePassword() });
    assert.equal(form.status, 401, describe(form));
    assertError(await a.post('/api/v1/password', { old_password: wrong, new_password: uniquePassword() }),
      403, 'wrong_password');

    const right = { login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword() };
    assertLimited(await new Client(s.url).post('/api/v1/recover', right), 'recovery with the right key');
    assertLimited(await new Client(s.url).form('/recover', right), 'the recovery form with the right key');
    assertLimited(await login(new Client(s.url), r.login, r.password), 'sign-in');
    assertLimited(await a.del('/api/v1/me', { password: r.password }), 'deletion');

    await sleep(LIMITS.SIGNIN_WINDOW * 1000 + 300);
    const ok = await new Client(s.url).post('/api/v1/recover', right);
    assert.equal(ok.status, 200, `the key was never used: ${describe(ok)}`);
  });

  test('failed sign-ins count against the settings checks, and a right check clears the count', async () => {
    const a = new Client(s.url);
    const r = await signupOk(a);
    for (let i = 0; i < 3; i++) assert.equal((await login(new Client(s.url), r.login, wrong)).status, 401);
    assertLimited(await a.del('/api/v1/me', { password: r.password }), 'deletion after three failed sign-ins');
    await sleep(LIMITS.SIGNIN_WINDOW * 1000 + 300);

    // two wrong, one right (which clears), two wrong: never locked; the
    // recovery key is checked and counted as the password is
    let key = r.recovery_key;
    for (const k of [badKey, badKey, null, badKey, badKey]) {
      const res = await a.post('/api/v1/recovery-key', { recovery_key: k || key });
      if (k) {
        assertError(res, 403, 'wrong_recovery_key');
      } else {
        assert.equal(res.status, 200, describe(res));
        assert.notEqual(res.json.recovery_key, key, 'a new key');
        key = res.json.recovery_key;
      }
    }
    const page = await a.form('/settings/recovery', { recovery_key: key, csrf: a.csrf });
    assert.equal(page.status, 200, `the form, with the key the API gave: ${describe(page)}`);
  });
});

// Issue 11, part 7: the Argon2id cost (--kdf) is kept with each member's
// salt. An operator who changes it locks nobody out: a member made at the
// old cost signs in and reads what they wrote, and their key is made again
// at the new cost as they do, so that every member costs the same to check.
// The real kintsugi (realKdf): kintsugi-test gives every level the lowest cost.
test('changing --kdf locks nobody out, and a sign-in moves the member to the new cost', async () => {
  const first = await startServer({ realKdf: true, args: ['--kdf', 'interactive'] });
  let m;
  let entryId;
  try {
    const c = new Client(first.url);
    m = await signupOk(c);
    const made = await c.post('/api/v1/journal', { body: 'written at the first cost' });
    assert.equal(made.status, 201, describe(made));
    entryId = made.json.entry.id;
  } finally {
    await first.stop({ keepDir: true });
  }
  const costOf = (srv) => {
    const out = dbSync(srv, `SELECT kdf, pw_hash FROM members WHERE login = '${m.login}'`);
    const [kdf, hash] = out.split('|');
    return { kdf, hash };
  };
  assert.equal(costOf(first).kdf, 'interactive');

  for (const [kdf, argon2] of [['moderate', 'm=262144,t=3'], ['interactive', 'm=65536,t=2']]) {
    const s = await startServer({ realKdf: true, db: first.db, args: ['--kdf', kdf] });
    try {
      const c = new Client(s.url);
      const res = await login(c, m.login, m.password);
      assert.equal(res.status, 200, `sign-in after --kdf ${kdf}: ${describe(res)}`);
      const entry = await c.get(`/api/v1/journal/${entryId}`);
      assert.equal(entry.status, 200, describe(entry));
      assert.equal(entry.json.entry.body, 'written at the first cost', 'the master key opened');
      // the wrong password is still wrong
      const wrong = await login(new Client(s.url), m.login, `${m.password}x`);
      assert.equal(wrong.status, 401, describe(wrong));
    } finally {
      await s.stop({ keepDir: true });
    }
    const now = costOf(first);
    assert.equal(now.kdf, kdf, `the member's key is made again at --kdf ${kdf}`);
    assert.ok(now.hash.includes(`$${argon2},`), `the password hash at the same cost: ${now.hash.slice(0, 40)}`);
  }
  await fsp.rm(first.dir, { recursive: true, force: true });
});
