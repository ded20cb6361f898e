// A passkey that signs its member in alone, with no password (issue 11,
// part 2: passkeys "as a second factor or alone"), driven by the software
// authenticator of authenticator.mjs with its PRF (hmac-secret): turning it
// on with the passkey's own answer, signing in with it and reading what
// was written under the password, the refusals (no user verification, no
// or a wrong PRF output, a spent challenge, a passkey that is a second step
// only, one someone put in the file), a new master key at a password change
// that the passkey still opens, and turning it off or removing the passkey.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { memberWithPasskey as passkeyMember } from './passkey-member.mjs';
import { Client, dbSync, describe, errCode, leaksAtRest, markerSet, startServer, totpCode, totpStep } from './harness.mjs';

const FLAG_UP = 0x01;

let s;
before(async () => {
  s = await startServer({ env: { SIGNIN_ADDRESS_FAILURES: 1000, SIGNIN_LOGIN_FAILURES: 1000 } });
});
after(async () => {
  await s.stop();
});

function sql(statement) {
  return dbSync(s, statement);
}

function assertCode(res, status, code, label) {
  assert.equal(res.status, status, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), code, label);
}

/** A member with TOTP on, one passkey, and a journal entry: memberWithPasskey()'s and {entry}. */
async function memberWithPasskey(journal = 'Written under the password.') {
  const m = await passkeyMember(s.url, 'phone');
  const entry = await m.client.post('/api/v1/journal', { body: journal });
  assert.equal(entry.status, 201, describe(entry));
  return { ...m, entry: entry.json.entry.id };
}

/** The passkey's own answer to its sign-in options, with knobs for the authenticator. */
async function enableAnswer(m, knobs = {}) {
  const o = await m.client.post(`/api/v1/passkeys/${m.id}/signin-options`, {});
  assert.equal(o.status, 200, describe(o));
  const pk = o.json.publicKey;
  return m.auth.get({ challenge: pk.challenge, origin: s.url, rpId: pk.rpId, id: m.cred.id,
    prf: pk.extensions.prf.eval.first, ...knobs });
}

async function enable(m) {
  const res = await m.client.put(`/api/v1/passkeys/${m.id}/signin`, { credential: JSON.stringify(await enableAnswer(m)) });
  assert.equal(res.status, 200, describe(res));
  return res;
}

/** A sign-in by passkey alone from a fresh browser: [response, client]. */
async function passkeySignIn(m, knobs = {}) {
  const c = new Client(s.url);
  const o = await c.post('/api/v1/passkeys/signin-options', {});
  assert.equal(o.status, 200, describe(o));
  const pk = o.json.publicKey;
  const a = m.auth.get({ challenge: pk.challenge, origin: s.url, rpId: pk.rpId, id: m.cred.id,
    prf: pk.extensions.prf.eval.first, ...knobs });
  return [await c.post('/api/v1/passkeys/signin', { credential: JSON.stringify(a) }), c, a];
}

test('the options of a sign-in name no account, ask the user verified and the PRF', async () => {
  const o = await new Client(s.url).post('/api/v1/passkeys/signin-options', {});
  assert.equal(o.status, 200, describe(o));
  const pk = o.json.publicKey;
  assert.match(pk.challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(pk.userVerification, 'required');
  assert.deepEqual(pk.allowCredentials, []);
  assert.match(pk.extensions.prf.eval.first, /^[A-Za-z0-9_-]{43}$/);
  const again = await new Client(s.url).post('/api/v1/passkeys/signin-options', {});
  assert.notEqual(again.json.publicKey.challenge, pk.challenge, 'a fresh challenge each time');
  assert.equal(again.json.publicKey.extensions.prf.eval.first, pk.extensions.prf.eval.first, 'one salt');
});

test('turned on with its own answer, the passkey signs in alone and opens what the password wrote', async () => {
  const m = await memberWithPasskey('The first night I could sleep again.');
  // before it is on: the passkey is a second step only
  const [before] = await passkeySignIn(m);
  assertCode(before, 401, 'bad_credentials', 'a second-step passkey alone');
  const on = await enable(m);
  assert.equal(on.json.passkey.id, m.id);
  assert.equal(on.json.passkey.signs_in, true);
  const list = await m.client.get('/api/v1/passkeys');
  assert.equal(list.json.passkeys[0].signs_in, true);

  const [res, c] = await passkeySignIn(m);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.member.id, (await m.client.get('/api/v1/me')).json.member.id, 'the member signed in');
  assert.ok(res.json.csrf_token);
  const read = await c.get(`/api/v1/journal/${m.entry}`);
  assert.equal(read.status, 200, describe(read));
  assert.equal(read.json.entry.body, 'The first night I could sleep again.');
  // and the new session writes what the password's sessions read
  const w = await c.post('/api/v1/journal', { body: 'Written with the passkey alone.' });
  assert.equal(w.status, 201, describe(w));
  const back = await m.client.get(`/api/v1/journal/${w.json.entry.id}`);
  assert.equal(back.json.entry.body, 'Written with the passkey alone.');
  // the history says a sign-in happened
  const events = (await m.client.get('/api/v1/me/activity')).json.events.map((e) => e.kind);
  assert.ok(events.filter((k) => k === 'signin').length >= 2, events.join(','));
});

test('every refusal of a sign-in by passkey alone is the wrong password\'s 401', async () => {
  const m = await memberWithPasskey();
  await enable(m);
  const cases = [
    ['no user verification (presence only)', { flags: FLAG_UP }],
    ['no PRF output', { prf: undefined }],
    ['a PRF output of someone else\'s', { prfOutput: Buffer.alloc(32, 9).toString('base64url') }],
    ['a bad signature', { badSignature: true }],
    ['another origin', { origin: 'http://evil.example' }],
  ];
  for (const [label, knobs] of cases) {
    const [res] = await passkeySignIn(m, knobs);
    assertCode(res, 401, 'bad_credentials', label);
  }
  // the same answer twice: its challenge is spent
  const [ok, , a] = await passkeySignIn(m);
  assert.equal(ok.status, 200, describe(ok));
  assertCode(await new Client(s.url).post('/api/v1/passkeys/signin', { credential: JSON.stringify(a) }),
    401, 'bad_credentials', 'a replayed answer');
  // a counter that did not move since that sign-in: a cloned authenticator
  const [cloned] = await passkeySignIn(m, { counter: m.auth.creds.get(m.cred.id).counter });
  assertCode(cloned, 401, 'bad_credentials', 'a counter that did not move');
  // a challenge the server never gave
  const made = m.auth.get({ challenge: Buffer.alloc(32, 3).toString('base64url'), origin: s.url,
    rpId: new URL(s.url).hostname, id: m.cred.id, prf: 'AAAA' });
  assertCode(await new Client(s.url).post('/api/v1/passkeys/signin', { credential: JSON.stringify(made) }),
    401, 'bad_credentials', 'a made-up challenge');
  // not JSON of a credential, a missing field
  assertCode(await new Client(s.url).post('/api/v1/passkeys/signin', { credential: 'nonsense' }),
    401, 'bad_credentials', 'not an answer');
  assertCode(await new Client(s.url).post('/api/v1/passkeys/signin', {}), 400, 'missing_field', 'no credential');
});

test('turning it on needs that passkey\'s own answer, with the user verified and the PRF', async () => {
  const m = await memberWithPasskey();
  const other = await memberWithPasskey();
  // no PRF output: the authenticator cannot do it
  const noPrf = await m.client.put(`/api/v1/passkeys/${m.id}/signin`,
    { credential: JSON.stringify(await enableAnswer(m, { prf: undefined })) });
  assertCode(noPrf, 409, 'passkey_cannot_sign_in', 'no PRF');
  assert.ok(noPrf.json.error.message.length > 20, 'a sentence says why');
  // presence only
  const noUv = await m.client.put(`/api/v1/passkeys/${m.id}/signin`,
    { credential: JSON.stringify(await enableAnswer(m, { flags: FLAG_UP })) });
  assertCode(noUv, 403, 'wrong_code', 'no user verification');
  // another member's passkey id, and options for it
  assertCode(await m.client.post(`/api/v1/passkeys/${other.id}/signin-options`, {}), 404, 'not_found',
    'options for another member\'s passkey');
  assertCode(await m.client.put(`/api/v1/passkeys/${other.id}/signin`,
    { credential: JSON.stringify(await enableAnswer(m)) }), 404, 'not_found', 'another member\'s passkey id');
  // the partner's (or anyone's) session cannot answer for the member's authenticator
  const stolen = await enableAnswer(m);
  assertCode(await other.client.put(`/api/v1/passkeys/${other.id}/signin`, { credential: JSON.stringify(stolen) }),
    403, 'wrong_code', 'an answer to another session\'s challenge');
  assert.equal((await m.client.get('/api/v1/passkeys')).json.passkeys[0].signs_in, false, 'nothing turned on');
  const [res] = await passkeySignIn(m);
  assertCode(res, 401, 'bad_credentials', 'still a second step only');
});

test('a new password makes a new master key, and the passkey still signs in to it', async () => {
  const m = await memberWithPasskey('Before the new password.');
  await enable(m);
  const np = `${m.password}-new`;
  const ch = await m.client.post('/api/v1/password',
    { old_password: m.password, new_password: np, totp: m.codes[0] });
  assert.equal(ch.status, 204, describe(ch));
  const [res, c] = await passkeySignIn(m);
  assert.equal(res.status, 200, describe(res));
  const read = await c.get(`/api/v1/journal/${m.entry}`);
  assert.equal(read.status, 200, describe(read));
  assert.equal(read.json.entry.body, 'Before the new password.');
});

test('turned off, or removed, the passkey no longer signs in alone', async () => {
  const m = await memberWithPasskey();
  await enable(m);
  const off = await m.client.del(`/api/v1/passkeys/${m.id}/signin`);
  assert.equal(off.status, 204, describe(off));
  assert.equal((await m.client.get('/api/v1/passkeys')).json.passkeys[0].signs_in, false);
  assertCode((await passkeySignIn(m))[0], 401, 'bad_credentials', 'turned off');
  assertCode(await m.client.del(`/api/v1/passkeys/${m.id}/signin`.replace(m.id, '0'.repeat(32))), 404,
    'not_found', 'no such passkey');

  await enable(m);
  const rm = await m.client.del(`/api/v1/passkeys/${m.id}`,
    { password: m.password, totp: totpCode(m.secret, totpStep() + 1) });
  assert.equal(rm.status, 204, describe(rm));
  assertCode((await passkeySignIn(m))[0], 401, 'bad_credentials', 'removed');
});

test('a sign-in key someone put in the file opens nothing', async () => {
  const m = await memberWithPasskey();
  const victim = await memberWithPasskey();
  await enable(m);
  // the operator copies m's working sign-in key and wrap onto the victim's passkey
  // (the same credential id too): the tags are under m's master key, not the victim's
  const meId = (await victim.client.get('/api/v1/me')).json.member.id;
  sql(`UPDATE passkeys SET credential_id = (SELECT credential_id FROM passkeys WHERE id = '${m.id}'), ` +
    `signin = (SELECT signin FROM passkeys WHERE id = '${m.id}'), ` +
    `mk_sealed = (SELECT mk_sealed FROM passkeys WHERE id = '${m.id}') WHERE id = '${victim.id}'`);
  // m's own passkey goes, so that only the planted one answers to that credential id
  sql(`UPDATE passkeys SET signin = NULL, mk_sealed = NULL WHERE id = '${m.id}'`);
  const [res] = await passkeySignIn(m);
  assertCode(res, 401, 'bad_credentials', 'a planted sign-in key');
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE member_id = '${meId}'`), '1', 'no session for the victim');
});

test('one address holds at most 8 sign-in challenges out at once; another address is not held up', async () => {
  // behind a trusted proxy, X-Forwarded-For names the client, so two addresses can be told apart
  const t = await startServer({ env: { TRUSTED_PROXY: '127.0.0.1' } });
  try {
    const from = (ip) => ({ headers: { 'X-Forwarded-For': ip } });
    const c = new Client(t.url);
    for (let i = 0; i < 8; i++) {
      const o = await c.post('/api/v1/passkeys/signin-options', {}, from('203.0.113.7'));
      assert.equal(o.status, 200, `challenge ${i + 1}: ${describe(o)}`);
    }
    const ninth = await c.post('/api/v1/passkeys/signin-options', {}, from('203.0.113.7'));
    assertCode(ninth, 429, 'busy', 'a ninth from one address');
    assert.ok(Number(ninth.headers.get('retry-after')) > 0, 'Retry-After says when');
    const other = await c.post('/api/v1/passkeys/signin-options', {}, from('198.51.100.20'));
    assert.equal(other.status, 200, `another address: ${describe(other)}`);
  } finally {
    await t.stop();
  }
});

test('nothing of the passkey\'s sign-in is readable at rest or in the log', async () => {
  const t = await startServer();
  try {
    const { markers, mark } = markerSet();
    const { client: c, auth, cred, id } = await passkeyMember(t.url, mark('the passkey\'s name', 'Phone of'));
    const o = (await c.post(`/api/v1/passkeys/${id}/signin-options`, {})).json.publicKey;
    const a = auth.get({ challenge: o.challenge, origin: t.url, rpId: o.rpId, id: cred.id, prf: o.extensions.prf.eval.first });
    const prf = a.clientExtensionResults.prf.results.first;
    assert.equal((await c.put(`/api/v1/passkeys/${id}/signin`, { credential: JSON.stringify(a) })).status, 200);
    markers.set('the PRF output', prf);
    markers.set('the PRF output (hex)', Buffer.from(prf, 'base64url').toString('hex'));
    const found = await leaksAtRest(t.dir, markers);
    assert.deepEqual(found, []);
    assert.ok(!t.stderr().includes(prf), 'the PRF output in the log');
  } finally {
    await t.stop();
  }
});
