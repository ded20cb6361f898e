// Passkeys (WebAuthn) as a second factor, as API.md's "Second factor and
// the recovery key" describes them, driven by the software authenticator
// of authenticator.mjs: registration after the password (with TOTP on, for
// its recovery codes), sign-in with the password and then a passkey, and
// every refusal: a replayed challenge, a counter that goes back, another
// origin or RP id, a bad signature, trailing bytes, a registration's type,
// another member's credential; the list and removal; nothing the member
// named or the authenticator gave readable at rest.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { memberWithPasskey } from './passkey-member.mjs';
import {
  Client, describe, errCode, hiddenInput, leaksAtRest, markerSet, signupOk, startServer, totpCode,
  totpStep,
} from './harness.mjs';

let s;
before(async () => {
  s = await startServer({ env: { SIGNIN_ADDRESS_FAILURES: 1000, SIGNIN_LOGIN_FAILURES: 1000 } });
});
after(async () => {
  await s.stop();
});

function assertCode(res, status, code, label) {
  assert.equal(res.status, status, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), code, label);
}

/** The 401 of a sign-in with the right password: its request options. */
async function signInOptions(m) {
  const res = await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password });
  assertCode(res, 401, 'second_factor_required', 'password alone');
  assert.ok(res.json.passkey?.publicKey?.challenge, describe(res));
  return res.json.passkey.publicKey;
}

function signIn(m, assertion) {
  return new Client(s.url).post('/api/v1/login',
    { login: m.login, password: m.password, passkey: JSON.stringify(assertion) });
}

test('registration options need the password and TOTP on, and are WebAuthn JSON', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  assertCode(await c.post('/api/v1/passkeys/registration-options', { password: m.password }), 409,
    'second_factor_off', 'without TOTP');
  const mp = await memberWithPasskey(s.url);
  assertCode(await mp.client.post('/api/v1/passkeys/registration-options', { password: 'not-it-at-all' }),
    403, 'wrong_password', 'a wrong password');
  const o = await mp.client.post('/api/v1/passkeys/registration-options', { password: mp.password });
  assert.equal(o.status, 200, describe(o));
  const pk = o.json.publicKey;
  assert.match(pk.challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(pk.rp.id, new URL(s.url).hostname);
  assert.deepEqual(pk.pubKeyCredParams, [{ type: 'public-key', alg: -7 }]);
  assert.equal(pk.attestation, 'none');
  assert.deepEqual(pk.excludeCredentials, [{ type: 'public-key', id: mp.cred.id }]);
});

test('sign-in: password, then a passkey; each challenge works once', async () => {
  const m = await memberWithPasskey(s.url);
  const pk = await signInOptions(m);
  assert.deepEqual(pk.allowCredentials, [{ type: 'public-key', id: m.cred.id }]);
  const a = m.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: m.cred.id });
  const ok = await signIn(m, a);
  assert.equal(ok.status, 200, describe(ok));
  // the same answer again: its challenge is spent
  assertCode(await signIn(m, a), 401, 'bad_credentials', 'a replayed assertion');
  // a fresh challenge, answered right, after a replay: still fine
  const pk2 = await signInOptions(m);
  const ok2 = await signIn(m, m.auth.get({ challenge: pk2.challenge, origin: m.origin, rpId: pk2.rpId, id: m.cred.id }));
  assert.equal(ok2.status, 200, describe(ok2));
  const list = await m.client.get('/api/v1/passkeys');
  assert.equal(list.status, 200, describe(list));
  assert.equal(list.json.passkeys.length, 1);
  assert.equal(list.json.passkeys[0].name, 'laptop');
  assert.ok(list.json.passkeys[0].last_used_at, 'last used is set');
});

test('every refusal at sign-in answers as a wrong code does', async () => {
  const m = await memberWithPasskey(s.url);
  const other = await memberWithPasskey(s.url);
  const cases = [
    ['another origin', { origin: 'http://evil.example' }],
    ['another RP id', { rpId: 'evil.example' }],
    ['a bad signature', { badSignature: true }],
    ['trailing bytes after authenticatorData', { trailing: [0] }],
    ['a registration\'s type', { type: 'webauthn.create' }],
    ['no user presence', { flags: 0 }],
  ];
  for (const [label, knobs] of cases) {
    const pk = await signInOptions(m);
    const a = m.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: m.cred.id, ...knobs });
    assertCode(await signIn(m, a), 401, 'bad_credentials', label);
  }
  // a challenge the server never gave
  const made = m.auth.get({ challenge: Buffer.alloc(32, 7).toString('base64url'), origin: m.origin, rpId: m.rpId, id: m.cred.id });
  assertCode(await signIn(m, made), 401, 'bad_credentials', 'an unknown challenge');
  // another member's challenge, or their credential, answers nothing for this one
  const opk = await signInOptions(other);
  const theirs = other.auth.get({ challenge: opk.challenge, origin: other.origin, rpId: opk.rpId, id: other.cred.id });
  assertCode(await signIn(m, theirs), 401, 'bad_credentials', "another member's assertion");
  const pk = await signInOptions(m);
  const cross = other.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: other.cred.id });
  assertCode(await signIn(m, cross), 401, 'bad_credentials', "another couple's credential id");
  // malformed JSON in the passkey field
  assertCode(await signIn(m, 'not json'), 401, 'bad_credentials', 'not JSON');
  // a counter that goes back: 5, then 3
  let p = await signInOptions(m);
  const ok = await signIn(m, m.auth.get({ challenge: p.challenge, origin: m.origin, rpId: p.rpId, id: m.cred.id, counter: 5 }));
  assert.equal(ok.status, 200, describe(ok));
  p = await signInOptions(m);
  assertCode(await signIn(m, m.auth.get({ challenge: p.challenge, origin: m.origin, rpId: p.rpId, id: m.cred.id, counter: 3 })),
    401, 'bad_credentials', 'a counter going back');
  p = await signInOptions(m);
  const ok2 = await signIn(m, m.auth.get({ challenge: p.challenge, origin: m.origin, rpId: p.rpId, id: m.cred.id, counter: 6 }));
  assert.equal(ok2.status, 200, describe(ok2));
});

test('registration refusals: wrong challenge, origin, algorithm, format, trailing bytes', async () => {
  const m = await memberWithPasskey(s.url);
  const cases = [
    ['another origin', { origin: 'http://evil.example' }],
    ['an EdDSA key', { alg: -8 }],
    ['an unknown format', { fmt: 'tpm' }],
    ['trailing bytes', { trailing: [0] }],
    ["an assertion's type", { type: 'webauthn.get' }],
  ];
  for (const [label, knobs] of cases) {
    const o = await m.client.post('/api/v1/passkeys/registration-options', { password: m.password });
    const cred = m.auth.create({ challenge: o.json.publicKey.challenge, origin: m.origin, rpId: m.rpId, ...knobs });
    assertCode(await m.client.post('/api/v1/passkeys', { name: 'x', credential: JSON.stringify(cred) }),
      403, 'wrong_code', label);
  }
  // packed self-attestation is taken; a challenge is taken once
  const o = await m.client.post('/api/v1/passkeys/registration-options', { password: m.password });
  const cred = m.auth.create({ challenge: o.json.publicKey.challenge, origin: m.origin, rpId: m.rpId, fmt: 'packed' });
  const add = await m.client.post('/api/v1/passkeys', { name: 'key', credential: JSON.stringify(cred) });
  assert.equal(add.status, 201, describe(add));
  const again = m.auth.create({ challenge: o.json.publicKey.challenge, origin: m.origin, rpId: m.rpId });
  assertCode(await m.client.post('/api/v1/passkeys', { name: 'x', credential: JSON.stringify(again) }),
    403, 'wrong_code', 'a spent challenge');
});

test('a passkey answers where a code does, and removal needs the password and a factor', async () => {
  const m = await memberWithPasskey(s.url);
  const ask = async () => {
    const o = await m.client.post('/api/v1/passkeys/assertion-options', {});
    assert.equal(o.status, 200, describe(o));
    const pk = o.json.publicKey;
    return JSON.stringify(m.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: m.cred.id }));
  };
  const rk = await m.client.post('/api/v1/recovery-key', { passkey: await ask() });
  assert.equal(rk.status, 200, describe(rk));
  const list = await m.client.get('/api/v1/passkeys');
  const id = list.json.passkeys[0].id;
  assertCode(await m.client.del(`/api/v1/passkeys/${id}`, { password: m.password }), 403,
    'code_required', 'removal without a factor');
  const stale = await ask();
  await m.client.post('/api/v1/passkeys/assertion-options', {});
  const del = await m.client.del(`/api/v1/passkeys/${id}`, { password: m.password, passkey: stale });
  assert.equal(del.status, 204, describe(del));
  assert.deepEqual((await m.client.get('/api/v1/passkeys')).json.passkeys, []);
  assertCode(await m.client.del(`/api/v1/passkeys/${id}`, { password: m.password, totp: m.codes[0] }), 404,
    'not_found', 'removed twice');
  // without passkeys the sign-in's 401 offers none
  const res = await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password });
  assertCode(res, 401, 'second_factor_required', 'TOTP still on');
  assert.equal(res.json.passkey, undefined);
});

test('TOTP cannot be turned off while passkeys lean on its recovery codes', async () => {
  const m = await memberWithPasskey(s.url);
  const off = await m.client.del('/api/v1/totp', { password: m.password, code: m.codes[1] });
  assertCode(off, 409, 'passkeys_remain', 'TOTP off with a passkey left');
  assert.match(off.json.error.message, /passkeys/);
  // nothing went: the code was not spent, TOTP and the passkey still answer
  const res = await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password, totp: m.codes[1] });
  assert.equal(res.status, 200, `the recovery code is still good: ${describe(res)}`);
  assert.equal((await m.client.get('/api/v1/passkeys')).json.passkeys.length, 1);
  // once the passkey is gone, TOTP goes as before
  const id = (await m.client.get('/api/v1/passkeys')).json.passkeys[0].id;
  assert.equal((await m.client.del(`/api/v1/passkeys/${id}`, { password: m.password, totp: m.codes[2] })).status, 204);
  const off2 = await m.client.del('/api/v1/totp', { password: m.password, code: m.codes[3] });
  assert.equal(off2.status, 204, describe(off2));
});

test('a passkey name and key are not readable at rest, nor in the log', async () => {
  const t = await startServer();
  try {
    const { markers, mark } = markerSet();
    const name = mark('passkey name', 'phone of');
    const m = await memberWithPasskey(t.url, name);
    const pk = await (async () => {
      const r = await new Client(t.url).post('/api/v1/login', { login: m.login, password: m.password });
      return r.json.passkey.publicKey;
    })();
    const a = m.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: m.cred.id });
    const ok = await new Client(t.url).post('/api/v1/login', { login: m.login, password: m.password, passkey: JSON.stringify(a) });
    assert.equal(ok.status, 200, describe(ok));
    markers.set('challenge', pk.challenge);
    assert.deepEqual(await leaksAtRest(t, markers), []);
    const log = t.stderr();
    for (const [label, marker] of markers) assert.ok(!log.includes(marker), `${label} in the log`);
    assert.ok(!log.includes(m.cred.id), 'a credential id in the log');
  } finally {
    await t.stop();
  }
});

// ---- the pages (static/js/passkey.js posts what these tests post) ----

/** An attribute's value in an HTML page, its character references decoded. */
function attribute(html, name) {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(html);
  if (!m) return null;
  return m[1].replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

test('the sign-in page: after the right password, a passkey beside the code; it signs in', async () => {
  const m = await memberWithPasskey(s.url, 'phone');
  const page = new Client(s.url);
  // a wrong password: no challenge, nothing about passkeys
  const wrong = await page.form('/signin', { login: m.login, password: 'not-the-password-at-all' });
  assert.equal(wrong.status, 401);
  assert.equal(attribute(wrong.text, 'data-options'), null, 'no options after a wrong password');
  const second = await page.form('/signin', { login: m.login, password: m.password });
  assert.equal(second.status, 401);
  assert.match(second.text, /name="totp"/, 'the code field stays');
  assert.match(second.text, /src="\/static\/js\/passkey.js"/);
  const pk = JSON.parse(attribute(second.text, 'data-options')).publicKey;
  assert.deepEqual(pk.allowCredentials, [{ type: 'public-key', id: m.cred.id }]);
  const a = m.auth.get({ challenge: pk.challenge, origin: m.origin, rpId: pk.rpId, id: m.cred.id });
  const ok = await page.form('/signin', { login: m.login, password: m.password, totp: '', passkey: JSON.stringify(a) });
  assert.equal(ok.status, 303, describe(ok));
  assert.equal(ok.headers.get('location'), '/home');
  assert.ok(page.cookie, 'signed in');
  // the same answer again: its challenge is spent
  const again = await new Client(s.url).form('/signin', { login: m.login, password: m.password, passkey: JSON.stringify(a) });
  assert.equal(again.status, 401);
  assert.match(again.text, /Login, password or code is wrong/);
  // a member without a passkey is asked for the code alone
  const plain = new Client(s.url);
  const p = await signupOk(plain);
  const setup = await plain.post('/api/v1/totp', { password: p.password });
  await plain.post('/api/v1/totp/confirm', { code: totpCode(setup.json.secret, totpStep()) });
  const codeOnly = await new Client(s.url).form('/signin', { login: p.login, password: p.password });
  assert.equal(codeOnly.status, 401);
  assert.match(codeOnly.text, /name="totp"/);
  assert.equal(attribute(codeOnly.text, 'data-options'), null);
});

test('the settings page lists passkeys by name and date; the no-JS form removes one with a code', async () => {
  const m = await memberWithPasskey(s.url, '<b>Kitchen</b> tablet');
  const settings = await m.client.get('/settings');
  assert.equal(settings.status, 200);
  assert.match(settings.text, /&lt;b&gt;Kitchen&lt;\/b&gt; tablet/, 'the name, escaped');
  assert.doesNotMatch(settings.text, /<b>Kitchen<\/b>/);
  assert.match(settings.text, /Added on <time datetime="\d{4}-\d\d-\d\d">/);
  assert.match(settings.text, /Not used yet/);
  assert.match(settings.text, /id="passkey-add"[^>]*hidden/, 'the add form waits for script');
  const csrf = hiddenInput(settings.text, 'csrf');
  const id = (await m.client.get('/api/v1/passkeys')).json.passkeys[0].id;
  const base = { csrf, passkey_id: id, password: m.password };

  const noCode = await m.client.form('/settings/passkeys/remove', base);
  assert.equal(noCode.status, 403);
  assert.match(noCode.text, /6-digit code/);
  const wrongPw = await m.client.form('/settings/passkeys/remove', { ...base, password: 'not-the-password-at-all', totp: m.codes[0] });
  assert.equal(wrongPw.status, 403);
  assert.match(wrongPw.text, /not your current password/);
  const unknown = await m.client.form('/settings/passkeys/remove', { ...base, passkey_id: '0'.repeat(32), totp: m.codes[1] });
  assert.equal(unknown.status, 404);
  assert.equal((await m.client.get('/api/v1/passkeys')).json.passkeys.length, 1, 'nothing removed yet');

  const ok = await m.client.form('/settings/passkeys/remove', { ...base, totp: m.codes[2] });
  assert.equal(ok.status, 303, describe(ok));
  assert.equal(ok.headers.get('location'), '/settings?changed=passkey_removed#passkeys');
  assert.equal((await m.client.get('/api/v1/passkeys')).json.passkeys.length, 0);
  const after = await m.client.get('/settings?changed=passkey_removed');
  assert.match(after.text, /Passkey removed/);
  assert.match(after.text, /You have no passkey yet/);
  assert.doesNotMatch(after.text, /action="\/settings\/passkeys\/remove"/);
});
