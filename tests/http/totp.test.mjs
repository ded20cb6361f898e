// Two-step sign-in (TOTP, RFC 6238, with recovery codes), as API.md's
// "Second factor and the recovery key" describes it: set-up with the
// password, on only once a first code confirms it; then sign-in, recovery,
// a password change, a new recovery key and turning it off each need a code
// (a recovery code works once in its place); a code works once; wrong codes
// count in the sign-in throttle and a right password without a code does
// not; neither the secret nor the codes are in the database files or the
// logs.  Codes are computed here with node's own HMAC-SHA1.
//
// A code's time step is spent once accepted, so each member uses the steps
// now and now + 1 (both inside the server's window of one step either side
// even when a step boundary passes during the test), and recovery codes for
// anything more.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  base32Decode, Client, describe, errCode, hiddenInput, leaksAtRest, login, scaled, signupOk,
  startServer, totpCode, totpStep, uniquePassword,
} from './harness.mjs';

const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;
const totp = totpCode;
const nowStep = totpStep;

/** A code that is right but not one of the window's: six digits none of now - 1 .. now + 1 has. */
function wrongCode(secret) {
  const s = nowStep();
  const taken = new Set([totp(secret, s - 1), totp(secret, s), totp(secret, s + 1)]);
  for (let i = 0; ; i++) {
    const c = String((123456 + i * 7919) % 1000000).padStart(6, '0');
    if (!taken.has(c)) return c;
  }
}

/**
 * A member with TOTP on: {client, login, password, secret, codes, step}, the
 * confirming code having spent `step`.
 */
async function memberWithTotp(url) {
  const client = new Client(url);
  const m = await signupOk(client);
  const setup = await client.post('/api/v1/totp', { password: m.password });
  assert.equal(setup.status, 201, describe(setup));
  const step = nowStep();
  const conf = await client.post('/api/v1/totp/confirm', { code: totp(setup.json.secret, step) });
  assert.equal(conf.status, 200, describe(conf));
  return { client, login: m.login, password: m.password, recovery_key: m.recovery_key,
    secret: setup.json.secret, codes: conf.json.recovery_codes, step };
}

function signIn(url, m, totpField) {
  const body = { login: m.login, password: m.password };
  if (totpField !== undefined) body.totp = totpField;
  return new Client(url).post('/api/v1/login', body);
}

function assertCode(res, status, code, label) {
  assert.equal(res.status, status, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), code, label);
}

// One server for most tests: they all come from one address, and make
// many wrong sign-ins on purpose; the throttle tests start their own.
let s;
before(async () => {
  s = await startServer({ env: { SIGNIN_ADDRESS_FAILURES: 1000 } });
});
after(async () => {
  await s.stop();
});

test('set-up answers a base32 secret and an otpauth URI; it is not on until a code confirms it', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  assertCode(await c.post('/api/v1/totp', { password: uniquePassword() }), 403, 'wrong_password',
    'set-up with a wrong password');
  assertCode(await c.post('/api/v1/totp', {}), 400, 'missing_field', 'set-up without a password');
  const setup = await c.post('/api/v1/totp', { password: m.password });
  assert.equal(setup.status, 201, describe(setup));
  const { secret, uri } = setup.json;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const u = new URL(uri);
  assert.equal(u.protocol, 'otpauth:');
  assert.equal(u.host, 'totp');
  assert.equal(decodeURIComponent(u.pathname.slice(1)), `kintsugi:${m.login}`);
  assert.equal(u.searchParams.get('secret'), secret);
  assert.equal(u.searchParams.get('algorithm'), 'SHA1');
  assert.equal(u.searchParams.get('digits'), '6');
  assert.equal(u.searchParams.get('period'), '30');

  // pending: signing in still needs only the password
  assert.equal((await login(new Client(s.url), m.login, m.password)).status, 200);
  assertCode(await c.post('/api/v1/totp/confirm', { code: wrongCode(secret) }), 403, 'wrong_code',
    'a wrong first code');
  const conf = await c.post('/api/v1/totp/confirm', { code: totp(secret) });
  assert.equal(conf.status, 200, describe(conf));
  assert.equal(conf.json.recovery_codes.length, 10);
  for (const code of conf.json.recovery_codes) assert.match(code, CODE_RE);
  assert.equal(new Set(conf.json.recovery_codes).size, 10);
  // on: no second set-up over it, no second confirm
  assertCode(await c.post('/api/v1/totp', { password: m.password }), 409, 'second_factor_on',
    'set-up while on');
  assertCode(await c.post('/api/v1/totp/confirm', { code: totp(secret) }), 409,
    'second_factor_on', 'a second confirm');
});

test('turning it on signs the member\'s other devices out', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  const other = new Client(s.url);
  assert.equal((await login(other, m.login, m.password)).status, 200);
  const setup = await c.post('/api/v1/totp', { password: m.password });
  assert.equal((await c.post('/api/v1/totp/confirm', { code: totp(setup.json.secret) })).status, 200);
  assert.equal((await other.get('/api/v1/me')).status, 401, 'the other device is signed out');
  assert.equal((await c.get('/api/v1/me')).status, 200, 'this one stays');
});

test('sign-in: no code, a wrong one, the right one, and the same one again', async () => {
  const m = await memberWithTotp(s.url);
  assertCode(await signIn(s.url, m), 401, 'second_factor_required', 'no code');
  assertCode(await signIn(s.url, m, ''), 401, 'second_factor_required', 'an empty code');
  assertCode(await signIn(s.url, m, wrongCode(m.secret)), 401, 'bad_credentials', 'a wrong code');
  assertCode(await signIn(s.url, m, 'not a code'), 401, 'bad_credentials', 'not a code at all');
  // the confirming code's step is spent: its code does not sign in
  assertCode(await signIn(s.url, m, totp(m.secret, m.step)), 401, 'bad_credentials',
    'the code that confirmed it');
  const code = totp(m.secret, m.step + 1);
  const ok = await signIn(s.url, m, code);
  assert.equal(ok.status, 200, describe(ok));
  assert.ok(ok.json.csrf_token);
  assertCode(await signIn(s.url, m, code), 401, 'bad_credentials', 'the same code again');
  // a wrong password with a right code says nothing about the code
  const wrongPw = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: uniquePassword(), totp: totp(m.secret, m.step + 1) });
  assertCode(wrongPw, 401, 'bad_credentials', 'a wrong password');
});

test('an account without TOTP is never asked, and a code sent to it changes nothing', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  assert.equal((await login(new Client(s.url), m.login, m.password)).status, 200);
  const res = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: m.password, totp: '123456' });
  assert.equal(res.status, 200, describe(res));
  const bad = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: uniquePassword() });
  assertCode(bad, 401, 'bad_credentials', 'a wrong password is just that');
});

test('a recovery code signs in once, never twice', async () => {
  const m = await memberWithTotp(s.url);
  const code = m.codes[0];
  const ok = await signIn(s.url, m, code.toLowerCase().replace('-', ' '));
  assert.equal(ok.status, 200, `typed in small letters with a space: ${describe(ok)}`);
  assertCode(await signIn(s.url, m, code), 401, 'bad_credentials', 'the same recovery code again');
  // the others still work
  assert.equal((await signIn(s.url, m, m.codes[1])).status, 200);
});

test('two sign-ins racing with one recovery code: exactly one gets in', async () => {
  const m = await memberWithTotp(s.url);
  const code = m.codes[2];
  const results = await Promise.all([signIn(s.url, m, code), signIn(s.url, m, code),
    signIn(s.url, m, code)]);
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 401, 401], results.map(describe).join('\n'));
});

test('a new recovery key with {totp} instead of {recovery_key}; neither is 400', async () => {
  const m = await memberWithTotp(s.url);
  const c = m.client;
  assertCode(await c.post('/api/v1/recovery-key', {}), 400, 'missing_field', 'an empty body');
  assertCode(await c.post('/api/v1/recovery-key', { totp: wrongCode(m.secret) }), 403,
    'wrong_code', 'a wrong code');
  const res = await c.post('/api/v1/recovery-key', { totp: totp(m.secret, m.step + 1) });
  assert.equal(res.status, 200, describe(res));
  assert.match(res.json.recovery_key, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
  assert.notEqual(res.json.recovery_key, m.recovery_key);
  // the old key no longer works for recovery; the new one does, with a code
  const rec = await new Client(s.url).post('/api/v1/recover', { login: m.login,
    recovery_key: res.json.recovery_key, new_password: uniquePassword(), totp: m.codes[0] });
  assert.equal(rec.status, 200, describe(rec));
});

test('a member without TOTP: {totp} alone does not make a new recovery key', async () => {
  const c = new Client(s.url);
  await signupOk(c);
  assertCode(await c.post('/api/v1/recovery-key', { totp: '123456' }), 403, 'wrong_code',
    'a code without TOTP');
});

test('recovery needs the code too, after the recovery key', async () => {
  const m = await memberWithTotp(s.url);
  const body = { login: m.login, recovery_key: m.recovery_key, new_password: uniquePassword() };
  assertCode(await new Client(s.url).post('/api/v1/recover', body), 401, 'second_factor_required',
    'no code');
  assertCode(await new Client(s.url).post('/api/v1/recover', { ...body, totp: wrongCode(m.secret) }),
    401, 'bad_credentials', 'a wrong code');
  const wrongKey = { ...body, recovery_key: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA' };
  assertCode(await new Client(s.url).post('/api/v1/recover', wrongKey), 401, 'bad_credentials',
    'a wrong key says nothing of the code');
  const ok = await new Client(s.url).post('/api/v1/recover', { ...body, totp: m.codes[3] });
  assert.equal(ok.status, 200, describe(ok));
  // the new password signs in, still with a code: TOTP survives recovery
  const after = { ...m, password: body.new_password };
  assertCode(await signIn(s.url, after), 401, 'second_factor_required', 'after recovery');
  assert.equal((await signIn(s.url, after, m.codes[4])).status, 200);
});

test('a password change needs a code while TOTP is on', async () => {
  const m = await memberWithTotp(s.url);
  const newPw = uniquePassword();
  const body = { old_password: m.password, new_password: newPw };
  assertCode(await m.client.post('/api/v1/password', body), 403, 'code_required', 'no code');
  assertCode(await m.client.post('/api/v1/password', { ...body, totp: wrongCode(m.secret) }), 403,
    'wrong_code', 'a wrong code');
  const ok = await m.client.post('/api/v1/password', { ...body, totp: totp(m.secret, m.step + 1) });
  assert.equal(ok.status, 204, describe(ok));
  assert.equal((await signIn(s.url, { ...m, password: newPw }, m.codes[0])).status, 200);
});

test('turning it off needs the password and a code; then the password alone signs in', async () => {
  const m = await memberWithTotp(s.url);
  assertCode(await m.client.del('/api/v1/totp', { password: m.password }), 400, 'missing_field',
    'no code');
  assertCode(await m.client.del('/api/v1/totp', { password: uniquePassword(), code: m.codes[0] }),
    403, 'wrong_password', 'a wrong password');
  assertCode(await m.client.del('/api/v1/totp', { password: m.password, code: wrongCode(m.secret) }),
    403, 'wrong_code', 'a wrong code');
  const off = await m.client.del('/api/v1/totp', { password: m.password,
    code: totp(m.secret, m.step + 1) });
  assert.equal(off.status, 204, describe(off));
  assert.equal((await signIn(s.url, m)).status, 200, 'the password alone');
  // the recovery codes went with it
  assert.equal((await signIn(s.url, m, m.codes[1])).status, 200, 'a code sent is ignored');
  assertCode(await m.client.del('/api/v1/totp', { password: m.password, code: m.codes[1] }), 409,
    'second_factor_off', 'off twice');
});

test('throttle: wrong codes count like wrong passwords; a right password without a code does not', async () => {
  const t = await startServer({ env: { SIGNIN_LOGIN_FAILURES: 3, SIGNIN_ADDRESS_FAILURES: 50,
    SIGNIN_WINDOW: scaled(60) } });
  try {
    const m = await memberWithTotp(t.url);
    for (let i = 0; i < 5; i++) {
      assertCode(await signIn(t.url, m), 401, 'second_factor_required', `no code, try ${i + 1}`);
    }
    for (let i = 0; i < 3; i++) {
      assertCode(await signIn(t.url, m, wrongCode(m.secret)), 401, 'bad_credentials',
        `wrong code ${i + 1}`);
    }
    const limited = await signIn(t.url, m, totp(m.secret, m.step + 1));
    assertCode(limited, 429, 'rate_limited', 'the right code after three wrong ones');
    assert.match(limited.headers.get('retry-after') || '', /^[1-9]\d*$/);
  } finally {
    await t.stop();
  }
});

test('throttle: behind a session a right password does not wipe the count of wrong codes', async () => {
  const t = await startServer({ env: { SIGNIN_LOGIN_FAILURES: 3, SIGNIN_ADDRESS_FAILURES: 50,
    SIGNIN_WINDOW: scaled(60) } });
  try {
    const m = await memberWithTotp(t.url);
    const body = { old_password: m.password, new_password: uniquePassword() };
    for (let i = 0; i < 3; i++) {
      assertCode(await m.client.post('/api/v1/password', { ...body, totp: wrongCode(m.secret) }),
        403, 'wrong_code', `wrong code ${i + 1}`);
    }
    assertCode(await m.client.post('/api/v1/password', { ...body, totp: m.codes[0] }), 429,
      'rate_limited', 'the fourth try');
  } finally {
    await t.stop();
  }
});

test('the secret and the codes are nowhere in the database files or the logs', async () => {
  const t = await startServer();
  try {
    const m = await memberWithTotp(t.url);
    await signIn(t.url, m, m.codes[5]);
    await signIn(t.url, m, totp(m.secret, m.step + 1));
    await signIn(t.url, m, wrongCode(m.secret));
    const raw = base32Decode(m.secret);
    const markers = new Map([
      ['the secret (base32)', m.secret],
      ['the secret (bytes)', raw],
      ['the secret (hex)', raw.toString('hex')],
      ...m.codes.map((code, i) => [`recovery code ${i}`, code]),
      ...m.codes.map((code, i) => [`recovery code ${i} (symbols)`, code.replace('-', '')]),
      ['the password', m.password],
    ]);
    assert.deepEqual(await leaksAtRest(t, markers), []);
    const log = t.stderr();
    for (const [label, marker] of markers) {
      if (typeof marker === 'string') assert.ok(!log.includes(marker), `${label} in the log`);
    }
    assert.ok(!log.includes(totp(m.secret, m.step + 1)), 'a code in the log');
  } finally {
    await t.stop();
  }
});

// ---- the pages ----

async function pageClient(url) {
  const c = new Client(url);
  const m = await signupOk(c);
  return { c, m };
}

async function settingsCsrf(c) {
  const page = await c.get('/settings');
  assert.equal(page.status, 200, describe(page));
  return { page, csrf: hiddenInput(page.text, 'csrf') };
}

test('pages: set up on the settings page, confirm, see the recovery codes once, turn off', async () => {
  const { c, m } = await pageClient(s.url);
  let { page, csrf } = await settingsCsrf(c);
  assert.match(page.text, /action="\/settings\/totp"/);
  const wrong = await c.form('/settings/totp', { csrf, password: uniquePassword() });
  assert.equal(wrong.status, 403, describe(wrong));
  assert.match(wrong.text, /role="alert"/);
  const setup = await c.form('/settings/totp', { csrf, password: m.password });
  assert.equal(setup.status, 200, describe(setup));
  const copied = /id="secret-copy"[^>]*value="([A-Z2-7]{32})"/.exec(setup.text);
  assert.ok(copied, 'the secret to copy is on the page');
  const b32 = copied[1];
  // grouped by four for reading aloud, and the link for an app on this phone
  assert.match(setup.text, new RegExp(`<span class="key-group">${b32.slice(0, 4)}</span>`));
  const href = /href="(otpauth:[^"]*)"/.exec(setup.text)?.[1]
    .replace(/&#61;/g, '=').replace(/&amp;/g, '&');
  assert.equal(new URL(href).searchParams.get('secret'), b32, 'the otpauth link');
  assert.ok(!setup.text.includes(m.password), 'the password is not in the page');
  // the pending set-up can be seen again
  const again = await c.get('/settings/totp');
  assert.equal(again.status, 200);
  assert.ok(again.text.includes(b32));
  const bad = await c.form('/settings/totp/confirm', { csrf, code: wrongCode(b32) });
  assert.equal(bad.status, 403, describe(bad));
  assert.match(bad.text, /role="alert"/);
  assert.ok(bad.text.includes(b32), 'the same secret again, to try once more');
  const step = nowStep();
  const codesPage = await c.form('/settings/totp/confirm', { csrf, code: totp(b32, step) });
  assert.equal(codesPage.status, 200, describe(codesPage));
  const codes = [...codesPage.text.matchAll(/<span class="key-group">([0-9A-Z]{5}-[0-9A-Z]{5})<\/span>/g)]
    .map((x) => x[1]);
  assert.equal(codes.length, 10);
  assert.match(codesPage.headers.get('cache-control') || '', /no-store/);
  // the settings now say it is on, with ten codes left, and the codes are not shown again
  ({ page, csrf } = await settingsCsrf(c));
  assert.match(page.text, /action="\/settings\/totp\/off"/);
  assert.match(page.text, /10 unused recovery codes/);
  for (const code of codes) assert.ok(!page.text.includes(code));
  assert.equal((await c.get('/settings/totp')).status, 303, 'nothing pending any more');
  // turning off: the password and a code
  const noCode = await c.form('/settings/totp/off', { csrf, password: m.password, code: wrongCode(b32) });
  assert.equal(noCode.status, 403, describe(noCode));
  const off = await c.form('/settings/totp/off', { csrf, password: m.password, code: codes[0] });
  assert.equal(off.status, 303, describe(off));
  assert.match(off.headers.get('location'), /changed=totp_off/);
  ({ page } = await settingsCsrf(c));
  assert.match(page.text, /action="\/settings\/totp"/);
});

test('pages: the sign-in form asks for the code after the password, and never shows the password back', async () => {
  const m = await memberWithTotp(s.url);
  const c = new Client(s.url);
  const first = await c.form('/signin', { login: m.login, password: m.password });
  assert.equal(first.status, 401, describe(first));
  assert.match(first.text, /name="totp"/);
  assert.match(first.text, /autocomplete="one-time-code"/);
  assert.match(first.text, /role="alert"/);
  assert.ok(!first.text.includes(m.password), 'the password is not written back');
  assert.ok(first.text.includes(`value="${m.login}"`), 'the login is kept');
  const wrong = await c.form('/signin', { login: m.login, password: m.password, totp: wrongCode(m.secret) });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /name="totp"/);
  const ok = await c.form('/signin', { login: m.login, password: m.password, totp: m.codes[0] });
  assert.equal(ok.status, 303, describe(ok));
  assert.equal(ok.headers.get('location'), '/home');
  assert.ok(c.cookie, 'signed in');
  // a member without TOTP never sees the code field
  const plain = await signupOk(new Client(s.url));
  const p = await new Client(s.url).form('/signin', { login: plain.login, password: uniquePassword() });
  assert.equal(p.status, 401);
  assert.doesNotMatch(p.text, /name="totp"/);
});

test('pages: the recovery form asks for the code too', async () => {
  const m = await memberWithTotp(s.url);
  const fields = { login: m.login, recovery_key: m.recovery_key, new_password: uniquePassword() };
  const first = await new Client(s.url).form('/recover', fields);
  assert.equal(first.status, 401, describe(first));
  assert.match(first.text, /name="totp"/);
  assert.ok(!first.text.includes(fields.new_password));
  assert.ok(!first.text.includes(m.recovery_key));
  const ok = await new Client(s.url).form('/recover', { ...fields, totp: m.codes[0] });
  assert.equal(ok.status, 200, describe(ok));
  assert.match(ok.text, /[0-9A-Z]{4}-[0-9A-Z]{4}/);
});

test('pages: in Spanish and Russian the second factor speaks the member\'s language', async () => {
  for (const [lang, word] of [['es', /código/i], ['ru', /код/i]]) {
    const c = new Client(s.url, { lang });
    const m = await signupOk(c, { language: lang });
    const page = await c.get('/settings');
    assert.match(page.text, word, `${lang}: settings`);
    const setup = await c.form('/settings/totp', { csrf: hiddenInput(page.text, 'csrf'), password: m.password });
    assert.equal(setup.status, 200);
    assert.match(setup.text, word, `${lang}: set-up page`);
  }
});
