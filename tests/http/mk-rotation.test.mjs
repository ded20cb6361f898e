// A new master key at each password change and recovery (issue 11 part 4),
// as a member and their partner notice it: nothing is lost.  After the
// change the member still reads every old journal entry, private card,
// check-in and draft and what the couple shares; the partner still reads
// what is shared; a sign-in with the new password works; a second factor
// (TOTP, its recovery codes, a passkey) still answers; the recovery key
// still opens the account.  That the old key opens nothing after the
// change is shown at the level of the vault, on a copy of the file
// (src/core/test-keys.c).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Authenticator } from './authenticator.mjs';
import {
  Client, describe, errCode, login, pair, signupOk, startServer, totpCode, totpStep, uniquePassword,
} from './harness.mjs';

let s;
before(async () => {
  s = await startServer({ env: { SIGNIN_ADDRESS_FAILURES: 1000, SIGNIN_LOGIN_FAILURES: 1000 } });
});
after(async () => {
  await s.stop();
});

function today() {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  return d.toISOString().slice(0, 10);
}

function created(res, label) {
  assert.equal(res.status, 201, `${label}: ${describe(res)}`);
  return res.json;
}

/** Private rows of every kind for client c: {journal, card, checkin, draft} ids. */
async function writePrivate(c, word) {
  // changed once, so that the rollback ledger (under the master key) vouches for it
  const j = created(await c.post('/api/v1/journal', { body: `first ${word}` }), 'journal');
  const changed = await c.put(`/api/v1/journal/${j.entry.id}`, { body: `journal ${word}` });
  assert.equal(changed.status, 200, `journal change: ${describe(changed)}`);
  const st = created(await c.post('/api/v1/statements', { what_i_did: `first draft ${word}` }),
    'draft');
  const redrafted = await c.put(`/api/v1/statements/${st.statement.id}`, { what_i_did: `draft ${word}` });
  assert.equal(redrafted.status, 200, `draft change: ${describe(redrafted)}`);
  const card = created(await c.post('/api/v1/shares',
    { kind: 'hope', body: `card ${word}`, shared_with: [] }), 'private card');
  const scores = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };
  const ci = created(await c.post('/api/v1/checkins',
    { period: today(), scores, trust: 5, closeness: 5, note: `note ${word}`, shared_with: [] }),
  'check-in');
  return { journal: j.entry.id, card: card.share.id, checkin: ci.checkin.id, draft: st.statement.id };
}

/** Every row of ids reads back for c with its text. */
async function readsPrivate(c, ids, word, label) {
  const j = await c.get(`/api/v1/journal/${ids.journal}`);
  assert.equal(j.status, 200, `${label}, journal: ${describe(j)}`);
  assert.equal(j.json.entry.body, `journal ${word}`);
  const card = await c.get(`/api/v1/shares/${ids.card}`);
  assert.equal(card.status, 200, `${label}, card: ${describe(card)}`);
  assert.equal(card.json.share.body, `card ${word}`);
  const ci = await c.get(`/api/v1/checkins/${ids.checkin}`);
  assert.equal(ci.status, 200, `${label}, check-in: ${describe(ci)}`);
  assert.equal(ci.json.checkin.note, `note ${word}`);
  const st = await c.get(`/api/v1/statements/${ids.draft}`);
  assert.equal(st.status, 200, `${label}, draft: ${describe(st)}`);
  assert.equal(st.json.statement.what_i_did, `draft ${word}`);
  const list = await c.get('/api/v1/journal');
  assert.equal(list.status, 200, describe(list));
  assert.ok(list.json.entries.some((e) => e.id === ids.journal), `${label}: the journal lists it`);
}

test('after a password change both partners read all they read before', async () => {
  const { a, aClient, bClient } = await pair(s.url);
  const mine = await writePrivate(aClient, 'before');
  const shared = created(await aClient.post('/api/v1/shares',
    { kind: 'hope', body: 'for both of us', shared_with: ['partner'] }), 'shared card').share.id;

  const newPw = uniquePassword();
  const pw = await aClient.post('/api/v1/password', { old_password: a.password, new_password: newPw });
  assert.equal(pw.status, 204, describe(pw));

  // the session that changed it goes on, with all that was there
  await readsPrivate(aClient, mine, 'before', 'the same session');
  for (const c of [aClient, bClient]) {
    const card = await c.get(`/api/v1/shares/${shared}`);
    assert.equal(card.status, 200, describe(card));
    assert.equal(card.json.share.body, 'for both of us');
  }
  const later = created(await aClient.post('/api/v1/shares',
    { kind: 'hope', body: 'written after', shared_with: ['partner'] }), 'a card after').share.id;
  assert.equal((await bClient.get(`/api/v1/shares/${later}`)).json.share.body, 'written after');

  // sign-out, and in again with the new password (the old one is refused)
  assert.equal((await aClient.post('/api/v1/logout', {})).status < 300, true);
  assert.equal((await login(new Client(s.url), a.login, a.password)).status, 401);
  const again = new Client(s.url);
  const res = await login(again, a.login, newPw);
  assert.equal(res.status, 200, describe(res));
  await readsPrivate(again, mine, 'before', 'a new sign-in');
  assert.equal((await again.get(`/api/v1/shares/${later}`)).json.share.body, 'written after');

  // the recovery key of the sign-up still opens the account, and all is there
  const rec = new Client(s.url);
  const r = await rec.post('/api/v1/recover',
    { login: a.login, recovery_key: a.recovery_key, new_password: uniquePassword() });
  assert.equal(r.status, 200, describe(r));
  await readsPrivate(rec, mine, 'before', 'after a recovery');
  assert.equal((await rec.get(`/api/v1/shares/${shared}`)).json.share.body, 'for both of us');
  assert.equal((await bClient.get(`/api/v1/shares/${shared}`)).json.share.body, 'for both of us');
});

test('TOTP, its recovery codes and a passkey still answer after a password change', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  const setup = await c.post('/api/v1/totp', { password: m.password });
  assert.equal(setup.status, 201, describe(setup));
  const step = totpStep();
  const conf = await c.post('/api/v1/totp/confirm', { code: totpCode(setup.json.secret, step) });
  assert.equal(conf.status, 200, describe(conf));
  const codes = conf.json.recovery_codes;
  const auth = new Authenticator();
  const opts = await c.post('/api/v1/passkeys/registration-options', { password: m.password });
  assert.equal(opts.status, 200, describe(opts));
  const cred = auth.create({ challenge: opts.json.publicKey.challenge, origin: s.url,
    rpId: opts.json.publicKey.rp.id });
  assert.equal((await c.post('/api/v1/passkeys', { name: 'laptop', credential: JSON.stringify(cred) })).status,
    201);

  const newPw = uniquePassword();
  // a recovery code answers for the change, so that the step after the set-up's is left for later
  const pw = await c.post('/api/v1/password',
    { old_password: m.password, new_password: newPw, totp: codes[0] });
  assert.equal(pw.status, 204, describe(pw));

  // the passkey's name still opens; a sign-in with it works
  const list = await c.get('/api/v1/passkeys');
  assert.equal(list.status, 200, describe(list));
  assert.deepEqual(list.json.passkeys.map((p) => p.name), ['laptop']);
  const first = await new Client(s.url).post('/api/v1/login', { login: m.login, password: newPw });
  assert.equal(errCode(first), 'second_factor_required', describe(first));
  const pk = first.json.passkey.publicKey;
  const assertion = auth.get({ challenge: pk.challenge, origin: s.url, rpId: pk.rpId, id: cred.id });
  const viaPasskey = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: newPw, passkey: JSON.stringify(assertion) });
  assert.equal(viaPasskey.status, 200, describe(viaPasskey));
  // a recovery code from before the change, once
  const viaCode = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: newPw, totp: codes[1] });
  assert.equal(viaCode.status, 200, describe(viaCode));
  // and a TOTP code from the secret set up before
  const viaTotp = await new Client(s.url).post('/api/v1/login',
    { login: m.login, password: newPw, totp: totpCode(setup.json.secret, step + 1) });
  assert.equal(viaTotp.status, 200, describe(viaTotp));
  // recovery with the key of the sign-up and a code still works too
  const rec = await new Client(s.url).post('/api/v1/recover',
    { login: m.login, recovery_key: m.recovery_key, new_password: uniquePassword(), totp: codes[2] });
  assert.equal(rec.status, 200, describe(rec));
});
