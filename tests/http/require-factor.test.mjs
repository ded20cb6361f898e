// --require-second-factor (issue 11; ASVS 5.0 6.3.3): on a server that asks
// it, a member without a second factor reaches nothing but the settings
// (where two-step sign-in is turned on), signing out, their language and
// deleting their account, until they turn one on; the API says why in the
// member's language, and nothing they try meanwhile is written.  Without
// the setting, nothing of this happens (the authorization matrix runs
// without it).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, describe, errCode, signupOk, startServer, totpCode, totpStep } from './harness.mjs';

let s;
before(async () => {
  s = await startServer({ env: { REQUIRE_SECOND_FACTOR: 'yes' } });
});
after(async () => {
  await s.stop();
});

async function totpOn(c, m) {
  const setup = await c.post('/api/v1/totp', { password: m.password });
  assert.equal(setup.status, 201, describe(setup));
  const conf = await c.post('/api/v1/totp/confirm', { code: totpCode(setup.json.secret, totpStep()) });
  assert.equal(conf.status, 200, describe(conf));
  return { secret: setup.json.secret, codes: conf.json.recovery_codes };
}

test('without a second factor, a member reaches only what turns one on', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  const journal = await c.get('/api/v1/journal');
  assert.equal(journal.status, 403, describe(journal));
  assert.equal(errCode(journal), 'second_factor_setup_required');
  assert.match(journal.json.error.message, /two-step sign-in/);
  const write = await c.post('/api/v1/journal', { body: 'Should not be kept.' });
  assert.equal(errCode(write), 'second_factor_setup_required', describe(write));
  for (const p of ['/api/v1/checkins', '/api/v1/export', '/api/v1/me/sessions', '/api/v1/limits']) {
    const res = await c.get(p);
    assert.equal(res.status, 403, `${p}: ${describe(res)}`);
  }
  // what stays open: who they are, the settings, and the way to turn it on
  assert.equal((await c.get('/api/v1/me')).status, 200);
  const home = await c.get('/home');
  assert.equal(home.status, 303, describe(home));
  assert.equal(home.headers.get('location'), '/settings?setup=second_factor#totp');
  const settings = await c.get('/settings?setup=second_factor');
  assert.equal(settings.status, 200, describe(settings));
  assert.match(settings.text, /This server asks every member to turn on two-step sign-in/);
  // public pages are public
  assert.equal((await new Client(s.url).get('/privacy')).status, 200);

  const t = await totpOn(c, m);
  const after1 = await c.get('/api/v1/journal');
  assert.equal(after1.status, 200, describe(after1));
  assert.deepEqual(after1.json.entries, [], 'nothing was written while it was refused');
  assert.equal((await c.get('/home')).status, 200);
  assert.doesNotMatch((await c.get('/settings')).text, /This server asks every member/);

  // turned off again: closed again
  const off = await c.del('/api/v1/totp', { password: m.password, code: t.codes[0] });
  assert.equal(off.status, 204, describe(off));
  assert.equal(errCode(await c.get('/api/v1/journal')), 'second_factor_setup_required');
});

test('the refusal speaks the member\'s language, and signing out or deleting still works', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c, { language: 'ru' });
  const res = await c.get('/api/v1/journal');
  assert.equal(errCode(res), 'second_factor_setup_required');
  assert.match(res.json.error.message, /[а-яё]/i, res.json.error.message);
  assert.match((await c.get('/settings')).text, /двухэтапн/i);
  const del = await c.del('/api/v1/me', { password: m.password });
  assert.equal(del.status, 204, describe(del));
  const c2 = new Client(s.url);
  await signupOk(c2, { language: 'es' });
  const es = await c2.get('/api/v1/journal');
  assert.match(es.json.error.message, /dos pasos/, es.json.error.message);
  assert.equal((await c2.post('/api/v1/logout')).status, 204);
});

test('on the pages: sent to the settings, two-step sign-in turned on there, then home opens', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  const journal = await c.get('/journal');
  assert.equal(journal.status, 303, describe(journal));
  assert.equal(journal.headers.get('location'), '/settings?setup=second_factor#totp');
  const write = await c.form('/journal', { body: 'Not kept.', csrf: c.csrf });
  assert.equal(write.headers.get('location'), '/settings?setup=second_factor#totp', describe(write));
  const setup = await c.form('/settings/totp', { password: m.password, csrf: c.csrf });
  assert.equal(setup.status, 200, describe(setup));
  const secret = /id="secret-copy"[^>]*value="([A-Z2-7]+)"/.exec(setup.text)?.[1];
  assert.ok(secret, 'the set-up page shows the secret');
  assert.equal((await c.get('/settings/totp')).status, 200, 'the pending set-up again');
  const conf = await c.form('/settings/totp/confirm', { code: totpCode(secret, totpStep()), csrf: c.csrf });
  assert.equal(conf.status, 200, describe(conf));
  assert.equal((await c.get('/home')).status, 200);
  assert.equal((await c.get('/api/v1/journal')).status, 200);
});

test('a member who has a second factor signs in and goes on as before', async () => {
  const c = new Client(s.url);
  const m = await signupOk(c);
  const t = await totpOn(c, m);
  const again = new Client(s.url);
  const first = await again.post('/api/v1/login', { login: m.login, password: m.password });
  assert.equal(errCode(first), 'second_factor_required');
  const ok = await again.post('/api/v1/login', { login: m.login, password: m.password, totp: t.codes[1] });
  assert.equal(ok.status, 200, describe(ok));
  assert.equal((await again.post('/api/v1/journal', { body: 'Kept now.' })).status, 201);
});
