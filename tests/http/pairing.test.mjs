// Pairing: one partner invites, the other joins with the link's token.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, ID_RE, RECOVERY_KEY_RE, describe, errCode, login, signupOk, startServer, uniqueLogin,
  uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const client = () => new Client(server.url);

function joinBody(token, extra = {}) {
  return {
    token, login: uniqueLogin('j'), password: uniquePassword(), display_name: 'Joiner', language: 'en', ...extra,
  };
}

test('invite, join, and both partners see each other', async () => {
  const a = client();
  const ra = await signupOk(a, { display_name: 'Alma' });

  const inv = await a.post('/api/v1/invites', { role: 'partner' });
  assert.equal(inv.status, 201, describe(inv));
  assert.equal(typeof inv.json.token, 'string');
  assert.ok(inv.json.token.length >= 16, 'the token is long enough to be unguessable');
  assert.ok(inv.json.url.endsWith(`/join?invite=${inv.json.token}`), `url ${inv.json.url}`);

  const b = client();
  const body = joinBody(inv.json.token, { display_name: 'Bruno', language: 'ru' });
  const join = await b.post('/api/v1/join', body);
  assert.equal(join.status, 201, describe(join));
  assert.deepEqual(Object.keys(join.json).sort(), ['couple', 'csrf_token', 'member', 'recovery_key']);
  assert.match(join.json.member.id, ID_RE);
  assert.equal(join.json.member.role, 'partner');
  assert.equal(join.json.member.language, 'ru');
  assert.equal(join.json.member.display_name, 'Bruno');
  assert.match(join.json.recovery_key, RECOVERY_KEY_RE);
  assert.notEqual(join.json.recovery_key, ra.recovery_key);
  assert.equal(join.json.couple.id, ra.couple.id, 'B joined A\'s couple');
  assert.ok(b.cookie, 'join signs the new partner in');

  const expected = [
    { id: ra.member.id, display_name: 'Alma' },
    { id: join.json.member.id, display_name: 'Bruno' },
  ].sort((x, y) => x.id.localeCompare(y.id));
  const sorted = (p) => [...p].sort((x, y) => x.id.localeCompare(y.id));
  assert.deepEqual(sorted(join.json.couple.partners), expected);

  const meA = await a.get('/api/v1/me');
  assert.equal(meA.status, 200);
  assert.deepEqual(sorted(meA.json.couple.partners), expected, 'A sees B');
  const meB = await b.get('/api/v1/me');
  assert.equal(meB.status, 200);
  assert.deepEqual(sorted(meB.json.couple.partners), expected, 'B sees A');

  // B can sign in again later with the chosen password.
  const again = await login(client(), body.login, body.password);
  assert.equal(again.status, 200, describe(again));
  assert.equal(again.json.couple.id, ra.couple.id);

  // The token works once.
  const reuse = await client().post('/api/v1/join', joinBody(inv.json.token));
  assert.equal(reuse.status, 404, describe(reuse));
  assert.equal(errCode(reuse), 'not_found');

  // The couple is full now: neither partner can invite a third.
  for (const c of [a, b]) {
    const third = await c.post('/api/v1/invites', { role: 'partner' });
    assert.equal(third.status, 409, describe(third));
    assert.equal(errCode(third), 'couple_full');
  }
});

test('a second outstanding invite cannot add a third partner', async () => {
  const a = client();
  const ra = await signupOk(a);
  const t1 = await a.post('/api/v1/invites', { role: 'partner' });
  const t2 = await a.post('/api/v1/invites', { role: 'partner' });
  assert.equal(t1.status, 201, describe(t1));
  assert.equal(t2.status, 201, describe(t2));
  const b = await client().post('/api/v1/join', joinBody(t2.json.token));
  assert.equal(b.status, 201, describe(b));
  const c = client();
  const cBody = joinBody(t1.json.token);
  const third = await c.post('/api/v1/join', cBody);
  assert.ok([404, 409].includes(third.status), `third join: ${describe(third)}`);
  assert.equal(third.setCookies.length, 0, 'no session for the refused joiner');
  assert.equal((await login(client(), cBody.login, cBody.password)).status, 401, 'no account made');
  const me = await a.get('/api/v1/me');
  assert.equal(me.json.couple.partners.length, 2);
  assert.equal(me.json.couple.id, ra.couple.id);
});

test('an unknown token gets 404, like a used one', async () => {
  const res = await client().post('/api/v1/join', joinBody('0123456789abcdef0123456789abcdef'));
  assert.equal(res.status, 404, describe(res));
  assert.equal(errCode(res), 'not_found');
});

test('creating an invite needs a session and the CSRF token', async () => {
  const anon = await client().post('/api/v1/invites', { role: 'partner' });
  assert.equal(anon.status, 401, describe(anon));
  assert.equal(errCode(anon), 'not_signed_in');

  const a = client();
  await signupOk(a);
  const noCsrf = await a.post('/api/v1/invites', { role: 'partner' }, { csrf: false });
  assert.equal(noCsrf.status, 403, describe(noCsrf));
  assert.equal(errCode(noCsrf), 'csrf_failed');
  const wrongCsrf = await a.post('/api/v1/invites', { role: 'partner' }, { csrf: `${a.csrf}0` });
  assert.equal(wrongCsrf.status, 403, describe(wrongCsrf));
  assert.equal(errCode(wrongCsrf), 'csrf_failed');

  // Another member's token is no good either.
  const other = client();
  await signupOk(other);
  const crossed = await a.post('/api/v1/invites', { role: 'partner' }, { csrf: other.csrf });
  assert.equal(crossed.status, 403, describe(crossed));

  const ok = await a.post('/api/v1/invites', { role: 'partner' });
  assert.equal(ok.status, 201, describe(ok));
});

test('an invite role other than partner is refused with 400', async () => {
  const a = client();
  await signupOk(a);
  const res = await a.post('/api/v1/invites', { role: 'king' });
  assert.equal(res.status, 400, describe(res));
  assert.equal(errCode(res), 'invalid_value');
});

test('a join with a taken login gets 409 and leaves the token usable', async () => {
  const a = client();
  const ra = await signupOk(a);
  const inv = await a.post('/api/v1/invites', { role: 'partner' });
  const taken = await client().post('/api/v1/join', joinBody(inv.json.token, { login: ra.login }));
  assert.equal(taken.status, 409, describe(taken));
  assert.equal(errCode(taken), 'login_taken');
  const ok = await client().post('/api/v1/join', joinBody(inv.json.token));
  assert.equal(ok.status, 201, describe(ok));
});
