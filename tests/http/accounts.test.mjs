// Accounts: sign-up, sign-in, sign-out, field limits, password change,
// recovery with the recovery key, and deleting an account.

import assert from 'node:assert/strict';
import { after, before, describe as suite, test } from 'node:test';

import {
  Client, ID_RE, RECOVERY_KEY_RE, SESSION_COOKIE, describe, errCode, hiddenInput, login, signup, signupOk,
  startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const client = () => new Client(server.url);

function assertError(res, status, code) {
  assert.equal(res.status, status, describe(res));
  assert.equal(errCode(res), code, describe(res));
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0, 'the error has a message');
}

suite('sign-up', () => {
  test('answers 201 with exactly member, couple, csrf_token and recovery_key', async () => {
    const c = client();
    const r = await signup(c, { display_name: 'Ana', language: 'es' });
    assert.equal(r.res.status, 201, describe(r.res));
    assert.deepEqual(Object.keys(r.res.json).sort(), ['couple', 'csrf_token', 'member', 'recovery_key']);
    const { member, couple, csrf_token: csrf, recovery_key: key } = r.res.json;
    assert.deepEqual(Object.keys(member).sort(), ['display_name', 'id', 'language', 'role']);
    assert.match(member.id, ID_RE);
    assert.equal(member.display_name, 'Ana');
    assert.equal(member.language, 'es');
    assert.equal(member.role, 'partner');
    assert.match(couple.id, ID_RE);
    assert.notEqual(couple.id, member.id);
    assert.deepEqual(couple.partners, [{ id: member.id, display_name: 'Ana' }]);
    assert.ok(!Number.isNaN(Date.parse(couple.created_at)), 'couple.created_at is a time');
    assert.equal(typeof csrf, 'string');
    assert.ok(csrf.length >= 16, 'the CSRF token is long enough to be unguessable');
    assert.match(key, RECOVERY_KEY_RE);
  });

  test('sets an HttpOnly, SameSite=Strict session cookie on Path=/ (not Secure over plain HTTP)', async () => {
    const c = client();
    const r = await signupOk(c);
    const cookie = r.res.setCookies.find((x) => x.name === SESSION_COOKIE);
    assert.ok(cookie, `a ${SESSION_COOKIE} cookie is set`);
    assert.match(cookie.value, /^[^.]+\.[^.]+$/, 'the cookie is <id>.<secret>');
    assert.equal(cookie.attributes.httponly, true);
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict');
    assert.equal(cookie.attributes.path, '/');
    assert.equal(cookie.attributes.secure, undefined, 'no Secure flag without --secure-cookies');
  });

  test('the new member is signed in: GET /api/v1/me', async () => {
    const c = client();
    const r = await signupOk(c, { display_name: 'Ïñès' });
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200, describe(me));
    assert.deepEqual(Object.keys(me.json).sort(), ['couple', 'csrf_token', 'member']);
    assert.equal(me.json.member.id, r.member.id);
    assert.equal(me.json.member.display_name, 'Ïñès');
    assert.equal(me.json.couple.id, r.couple.id);
  });

  test('a login already taken gets 409 login_taken', async () => {
    const first = await signupOk(client());
    const again = await signup(client(), { login: first.login });
    assertError(again.res, 409, 'login_taken');
    assert.equal(again.res.setCookies.length, 0, 'no cookie for a refused sign-up');
  });
});

suite('field limits of sign-up', () => {
  const limitCases = [
    ['login of 3 characters', { login: `a${uniqueLogin().slice(0, 2)}` }, 201],
    ['login of 64 characters', { login: uniqueLogin().padEnd(64, 'x') }, 201],
    ['login of 2 characters', { login: 'ab' }, 400, 'too_short'],
    ['login of 65 characters', { login: uniqueLogin().padEnd(65, 'x') }, 400, 'too_long'],
    // The minimum counts characters (code points), the maximum bytes.
    ['password of 10 ASCII characters', { password: 'abcdefghij' }, 201],
    ['password of 10 bytes in 5 Cyrillic letters', { password: 'жжжжж' }, 400, 'too_short'],
    ['password of 9 Cyrillic letters (18 bytes)', { password: 'пасхальны' }, 400, 'too_short'],
    ['password of 10 Cyrillic letters', { password: 'пасхальный' }, 201],
    ['password of 10 characters of four bytes each', { password: '\u{1F327}'.repeat(10) }, 201],
    ['password of 9 bytes', { password: 'abcdefghi' }, 400, 'too_short'],
    ['password of 1024 bytes', { password: 'p'.repeat(1024) }, 201],
    ['password of 1025 bytes', { password: 'p'.repeat(1025) }, 400, 'too_long'],
    ['password of 512 Cyrillic letters (1024 bytes)', { password: 'ж'.repeat(512) }, 201],
    ['password of 513 Cyrillic letters (1026 bytes)', { password: 'ж'.repeat(513) }, 400, 'too_long'],
    ['display_name of 80 Cyrillic characters', { display_name: 'Я'.repeat(80) }, 201],
    ['display_name of 81 Cyrillic characters', { display_name: 'Я'.repeat(81) }, 400, 'too_long'],
    ['empty display_name', { display_name: '' }, 400, 'too_short'],
    ['language "de"', { language: 'de' }, 400, 'invalid_value'],
    ['language "ru"', { language: 'ru' }, 201],
  ];
  for (const [name, fields, status, code] of limitCases) {
    test(`${name}: ${status}${code ? ` ${code}` : ''}`, async () => {
      const c = client();
      const r = await signup(c, fields);
      if (status === 201) {
        assert.equal(r.res.status, 201, describe(r.res));
        // The account really works: sign in again with exactly these credentials.
        const again = await login(client(), r.login, r.password);
        assert.equal(again.status, 200, describe(again));
        if (fields.display_name) assert.equal(again.json.member.display_name, fields.display_name);
      } else {
        assertError(r.res, status, code);
      }
    });
  }

  test('a short password is refused in characters, a long one in bytes, and the message says which', async () => {
    const short = await signup(client(), { password: 'жжжжж' });
    assertError(short.res, 400, 'too_short');
    assert.match(short.res.json.error.message, /10 characters/, 'the minimum is in characters');
    const short9 = await signup(client(), { password: 'abcdefghi' });
    assertError(short9.res, 400, 'too_short');
    const long = await signup(client(), { password: 'ж'.repeat(513) });
    assertError(long.res, 400, 'too_long');
    assert.match(long.res.json.error.message, /1024 bytes/, 'the maximum is in bytes');
    const ru = await signup(new Client(server.url, { lang: 'ru' }), { password: 'жжжжж' });
    assertError(ru.res, 400, 'too_short');
    assert.match(ru.res.json.error.message, /минимум 10 символов/, 'in Russian, with its plural');
    // Nothing was created: the login is still free.
    assert.equal((await signup(client(), { login: short.login })).res.status, 201);
  });

  test('the 3-character login is kept exactly', async () => {
    const name = `z${uniqueLogin().slice(1, 3)}`;
    const r = await signupOk(client(), { login: name });
    assert.equal((await login(client(), name, r.password)).status, 200);
  });

  test('an unknown field gets 400 unknown_field', async () => {
    const r = await signup(client(), { is_admin: true });
    assertError(r.res, 400, 'unknown_field');
  });

  test('a wrong type gets 400 wrong_type', async () => {
    const r = await signup(client(), { login: 12345 });
    assertError(r.res, 400, 'wrong_type');
    const r2 = await signup(client(), { display_name: ['A'] });
    assertError(r2.res, 400, 'wrong_type');
  });

  test('a missing field gets 400 missing_field', async () => {
    const res = await client().post('/api/v1/signup', {
      login: uniqueLogin(), password: uniquePassword(), language: 'en',
    });
    assertError(res, 400, 'missing_field');
  });

  test('a refused sign-up creates no account', async () => {
    const name = uniqueLogin();
    const pw = uniquePassword();
    const r = await signup(client(), { login: name, password: pw, language: 'de' });
    assert.equal(r.res.status, 400);
    assert.equal((await login(client(), name, pw)).status, 401);
  });
});

suite('error messages', () => {
  test('follow Accept-Language (en, es, ru) and leak no internals', async () => {
    const messages = {};
    for (const lang of ['en', 'es', 'ru']) {
      const c = new Client(server.url, { lang });
      const r = await signup(c, { nickname: 'x' });
      assertError(r.res, 400, 'unknown_field');
      messages[lang] = r.res.json.error.message;
    }
    assert.notEqual(messages.es, messages.en, 'Spanish differs from English');
    assert.notEqual(messages.ru, messages.en, 'Russian differs from English');
    assert.notEqual(messages.ru, messages.es, 'Russian differs from Spanish');
    assert.match(messages.ru, /[а-яё]/i, 'the Russian message is in Cyrillic');
    for (const m of Object.values(messages)) {
      for (const bad of ['SQL', 'sqlite', '/', 'jansson', 'libmicrohttpd']) {
        assert.ok(!m.toLowerCase().includes(bad.toLowerCase()), `message ${JSON.stringify(m)} contains ${bad}`);
      }
    }
  });

  test('a signed-in member gets messages in their own language, whatever Accept-Language says', async () => {
    const es = client();
    await signupOk(es, { language: 'es' });
    const en = client();
    await signupOk(en, { language: 'en' });
    const bad = { body: 'hola', mood: 3 };
    const esRu = await es.post('/api/v1/journal', bad, { lang: 'ru' });
    const esEn = await es.post('/api/v1/journal', bad, { lang: 'en' });
    const enEs = await en.post('/api/v1/journal', bad, { lang: 'es' });
    for (const r of [esRu, esEn, enEs]) assertError(r, 400, 'unknown_field');
    assert.equal(esRu.json.error.message, esEn.json.error.message);
    assert.notEqual(esEn.json.error.message, enEs.json.error.message);
  });
});

suite('sign-in and sign-out', () => {
  test('the right password signs in with a fresh cookie; wrong password and unknown login look the same', async () => {
    const a = client();
    const r = await signupOk(a);
    const signupCookie = a.cookie;

    const b = client();
    const ok = await login(b, r.login, r.password);
    assert.equal(ok.status, 200, describe(ok));
    assert.deepEqual(Object.keys(ok.json).sort(), ['couple', 'csrf_token', 'member']);
    assert.equal(ok.json.member.id, r.member.id);
    assert.ok(b.cookie, 'a session cookie is set');
    assert.notEqual(b.cookie, signupCookie, 'every sign-in gets a fresh cookie');
    const b2 = client();
    await login(b2, r.login, r.password);
    assert.notEqual(b2.cookie, b.cookie, 'every sign-in gets a fresh cookie');

    const wrongPw = await login(client(), r.login, `${r.password}x`);
    const unknown = await login(client(), uniqueLogin('nobody'), r.password);
    assertError(wrongPw, 401, 'bad_credentials');
    assertError(unknown, 401, 'bad_credentials');
    assert.equal(wrongPw.text, unknown.text, 'the same body for a wrong password and an unknown login');
    assert.equal(wrongPw.setCookies.length, 0, 'no cookie for a failed sign-in');
  });

  test('GET /api/v1/me without a session is 401 not_signed_in', async () => {
    assertError(await client().get('/api/v1/me'), 401, 'not_signed_in');
  });

  test('a forged or mangled cookie counts as no cookie', async () => {
    const c = client();
    await signupOk(c);
    const [id, secret] = c.cookie.split('.');
    // Change the value of the last character (in any encoding, '0' and '1' differ).
    const flipped = secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0');
    for (const forged of [`${id}.${flipped}`, `${id}.`, `${'0'.repeat(id.length)}.${secret}`, 'garbage', `${c.cookie}x`]) {
      const res = await c.get('/api/v1/me', { cookie: forged });
      assertError(res, 401, 'not_signed_in');
    }
    assert.equal((await c.get('/api/v1/me')).status, 200, 'the real cookie still works');
  });

  test('logout ends the session on the server', async () => {
    const c = client();
    await signupOk(c);
    const oldCookie = c.cookie;
    const out = await c.post('/api/v1/logout');
    assert.equal(out.status, 204, describe(out));
    assertError(await c.get('/api/v1/me'), 401, 'not_signed_in');
    // Even a client that kept the old cookie is signed out.
    assertError(await c.get('/api/v1/me', { cookie: oldCookie }), 401, 'not_signed_in');
  });

  test('logout needs the CSRF token', async () => {
    const c = client();
    await signupOk(c);
    assertError(await c.post('/api/v1/logout', undefined, { csrf: false }), 403, 'csrf_failed');
    assert.equal((await c.get('/api/v1/me')).status, 200, 'still signed in');
  });
});

suite('password change', () => {
  test('ends the other sessions, keeps this one, and swaps the password', async () => {
    const a = client();
    const r = await signupOk(a);
    const other = client();
    assert.equal((await login(other, r.login, r.password)).status, 200);

    const newPw = uniquePassword();
    const res = await a.post('/api/v1/password', { old_password: r.password, new_password: newPw });
    assert.equal(res.status, 204, describe(res));

    assertError(await other.get('/api/v1/me'), 401, 'not_signed_in');
    const me = await a.get('/api/v1/me');
    assert.equal(me.status, 200, `the changing client stays signed in: ${describe(me)}`);
    const write = await a.post('/api/v1/journal', { body: 'still here' });
    assert.equal(write.status, 201, `the changing client can still write: ${describe(write)}`);

    assert.equal((await login(client(), r.login, newPw)).status, 200, 'the new password works');
    assertError(await login(client(), r.login, r.password), 401, 'bad_credentials');
  });

  test('a wrong old password gets 403 wrong_password and changes nothing', async () => {
    const a = client();
    const r = await signupOk(a);
    const res = await a.post('/api/v1/password', { old_password: `${r.password}!`, new_password: uniquePassword() });
    assertError(res, 403, 'wrong_password');
    assert.equal((await login(client(), r.login, r.password)).status, 200);
  });

  test('a new password of 9 bytes is refused', async () => {
    const a = client();
    const r = await signupOk(a);
    const res = await a.post('/api/v1/password', { old_password: r.password, new_password: 'short1234' });
    assertError(res, 400, 'too_short');
  });

  test('a new password of 5 Cyrillic letters (10 bytes) is refused as too short; 10 letters work', async () => {
    const a = client();
    const r = await signupOk(a);
    const res = await a.post('/api/v1/password', { old_password: r.password, new_password: 'жжжжж' });
    assertError(res, 400, 'too_short');
    assert.equal((await login(client(), r.login, r.password)).status, 200, 'the password is unchanged');
    const ok = await a.post('/api/v1/password', { old_password: r.password, new_password: 'пасхальный' });
    assert.equal(ok.status, 204, describe(ok));
    assert.equal((await login(client(), r.login, 'пасхальный')).status, 200);
  });

  test('needs a session and the CSRF token', async () => {
    const a = client();
    const r = await signupOk(a);
    const body = { old_password: r.password, new_password: uniquePassword() };
    assertError(await client().post('/api/v1/password', body), 401, 'not_signed_in');
    assertError(await a.post('/api/v1/password', body, { csrf: false }), 403, 'csrf_failed');
    assert.equal((await login(client(), r.login, r.password)).status, 200, 'the password is unchanged');
  });
});

suite('recovery', () => {
  test('the recovery key sets a new password and gives a new key; the old key stops working', async () => {
    const r = await signupOk(client());
    const c = client();
    const newPw = uniquePassword();
    const res = await c.post('/api/v1/recover', { login: r.login, recovery_key: r.recovery_key, new_password: newPw });
    assert.equal(res.status, 200, describe(res));
    assert.deepEqual(Object.keys(res.json).sort(), ['couple', 'csrf_token', 'member', 'recovery_key']);
    assert.equal(res.json.member.id, r.member.id);
    assert.match(res.json.recovery_key, RECOVERY_KEY_RE);
    assert.notEqual(res.json.recovery_key, r.recovery_key, 'a new recovery key');
    assert.ok(c.cookie, 'recovery signs the member in');
    assert.equal((await c.get('/api/v1/me')).status, 200);

    assert.equal((await login(client(), r.login, newPw)).status, 200, 'the new password works');
    assertError(await login(client(), r.login, r.password), 401, 'bad_credentials');

    const reuse = await client().post('/api/v1/recover', {
      login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword(),
    });
    assertError(reuse, 401, 'bad_credentials');

    // The new key works in turn.
    const again = await client().post('/api/v1/recover', {
      login: r.login, recovery_key: res.json.recovery_key, new_password: uniquePassword(),
    });
    assert.equal(again.status, 200, describe(again));
  });

  test('a wrong key and an unknown login get the same 401', async () => {
    const r = await signupOk(client());
    const wrongKey = await client().post('/api/v1/recover', {
      login: r.login, recovery_key: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH', new_password: uniquePassword(),
    });
    const unknown = await client().post('/api/v1/recover', {
      login: uniqueLogin('nobody'), recovery_key: r.recovery_key, new_password: uniquePassword(),
    });
    assertError(wrongKey, 401, 'bad_credentials');
    assertError(unknown, 401, 'bad_credentials');
    assert.equal(wrongKey.text, unknown.text);
    assert.equal((await login(client(), r.login, r.password)).status, 200, 'the password is unchanged');
  });
});

suite('deleting the account', () => {
  test('a wrong password gets 403; the right one deletes the member', async () => {
    const c = client();
    const r = await signupOk(c);
    const other = client();
    assert.equal((await login(other, r.login, r.password)).status, 200);

    assertError(await c.del('/api/v1/me', { password: `${r.password}?` }), 401, 'wrong_password');
    assert.equal((await c.get('/api/v1/me')).status, 200, 'still there after a wrong password');
    assertError(await c.del('/api/v1/me', { password: r.password }, { csrf: false }), 403, 'csrf_failed');

    const res = await c.del('/api/v1/me', { password: r.password });
    assert.equal(res.status, 204, describe(res));
    assertError(await login(client(), r.login, r.password), 401, 'bad_credentials');
    assertError(await c.get('/api/v1/me'), 401, 'not_signed_in');
    assertError(await other.get('/api/v1/me'), 401, 'not_signed_in');
    const rec = await client().post('/api/v1/recover', {
      login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword(),
    });
    assertError(rec, 401, 'bad_credentials');
  });
});

// Issue 11, part 1: someone who knows a member's password (a partner) must
// not be able to replace the recovery key and then the password, locking
// the owner out for good. A new recovery key needs the current one.
suite('a new recovery key needs the current one', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });
  const badKey = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH';

  test('the password alone cannot replace the recovery key: the owner keeps a way back in', async () => {
    const owner = new Client(s.url);
    const r = await signupOk(owner);
    const written = await owner.post('/api/v1/journal', { body: 'mine alone' });
    assert.equal(written.status, 201, describe(written));

    // the partner signs in with the owner's password
    const intruder = new Client(s.url);
    assert.equal((await login(intruder, r.login, r.password)).status, 200);
    const api = await intruder.post('/api/v1/recovery-key', { recovery_key: badKey });
    assert.equal(api.status, 403, describe(api));
    assert.equal(errCode(api), 'wrong_recovery_key');
    const noKey = await intruder.post('/api/v1/recovery-key', {});
    assert.equal(noKey.status, 400, `a body without the key: ${describe(noKey)}`);
    const byPassword = await intruder.post('/api/v1/recovery-key', { password: r.password });
    assert.equal(byPassword.status, 400, `the password is not taken in its place: ${describe(byPassword)}`);
    const settings = await intruder.get('/settings');
    const form = await intruder.form('/settings/recovery',
      { recovery_key: badKey, csrf: hiddenInput(settings.text, 'csrf') });
    assert.equal(form.status, 403, describe(form));
    assert.match(form.text, /That is not your current recovery key/);
    assert.match(form.text, /id="current_recovery_key"[^>]*aria-invalid="true"/, 'the field is marked');
    // the intruder changes the password: that the password allows
    const taken = await intruder.post('/api/v1/password', { old_password: r.password, new_password: uniquePassword() });
    assert.equal(taken.status, 204, describe(taken));

    // the owner's own recovery key still works, and ends the intruder's session
    const back = new Client(s.url);
    const newPassword = uniquePassword();
    const rec = await back.post('/api/v1/recover', { login: r.login, recovery_key: r.recovery_key, new_password: newPassword });
    assert.equal(rec.status, 200, `the owner recovers: ${describe(rec)}`);
    const entry = await back.get(`/api/v1/journal/${written.json.entry.id}`);
    assert.equal(entry.status, 200, describe(entry));
    assert.equal(entry.json.entry.body, 'mine alone');
    assert.equal((await intruder.get('/api/v1/me')).status, 401, "the intruder's session ended");
  });

  test('with the current key: a new one, shown once; the old one stops working', async () => {
    const c = new Client(s.url);
    const r = await signupOk(c);
    const other = new Client(s.url);
    assert.equal((await login(other, r.login, r.password)).status, 200);
    const res = await c.post('/api/v1/recovery-key', { recovery_key: r.recovery_key.toLowerCase().replaceAll('-', '') });
    assert.equal(res.status, 200, `the key in small letters, without dashes: ${describe(res)}`);
    assert.match(res.json.recovery_key, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
    assert.notEqual(res.json.recovery_key, r.recovery_key);
    assert.equal((await other.get('/api/v1/me')).status, 401, 'the other session ended');
    assert.equal((await c.get('/api/v1/me')).status, 200, 'this one goes on');
    const old = await new Client(s.url).post('/api/v1/recover',
      { login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword() });
    assert.equal(old.status, 401, `the old key: ${describe(old)}`);
    const fresh = await new Client(s.url).post('/api/v1/recover',
      { login: r.login, recovery_key: res.json.recovery_key, new_password: uniquePassword() });
    assert.equal(fresh.status, 200, `the new key: ${describe(fresh)}`);
  });
});
