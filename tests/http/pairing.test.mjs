// Pairing: one partner invites, the other joins with the link's token.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, ID_RE, RECOVERY_KEY_RE, describe, errCode, login, rawRequest, signupOk, startServer, uniqueLogin,
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

// An invite left open after the partner joined used to come back to life
// the day that partner left: a third person, or the one who kept the link,
// could then join and read what the couple still shares.
test('the other open invites die with a join: they do not come back when the partner leaves', async () => {
  const a = client();
  await signupOk(a);
  const t1 = await a.post('/api/v1/invites', { role: 'partner' });
  const t2 = await a.post('/api/v1/invites', { role: 'partner' });
  assert.equal(t2.status, 201, describe(t2));
  const b = client();
  const bBody = joinBody(t1.json.token);
  assert.equal((await b.post('/api/v1/join', bBody)).status, 201);
  const gone = await b.request('DELETE', '/api/v1/me', { password: bBody.password });
  assert.equal(gone.status, 204, `B deletes the account: ${describe(gone)}`);
  assert.equal((await a.get('/api/v1/me')).json.couple.partners.length, 1, 'A is alone again');

  const late = client();
  const lateBody = joinBody(t2.json.token);
  const res = await late.post('/api/v1/join', lateBody);
  assert.equal(res.status, 404, `the second link: ${describe(res)}`);
  assert.equal(errCode(res), 'not_found');
  assert.equal((await login(client(), lateBody.login, lateBody.password)).status, 401, 'no account made');
  // a fresh invite still works
  const t3 = await a.post('/api/v1/invites', { role: 'partner' });
  assert.equal((await client().post('/api/v1/join', joinBody(t3.json.token))).status, 201);
});

/** POST /api/v1/invites as c, with the Host header given (fetch cannot set one). */
async function inviteWithHost(srv, c, host) {
  const body = JSON.stringify({ role: 'partner' });
  const res = await rawRequest(srv.port, `POST /api/v1/invites HTTP/1.1\r\nHost: ${host}\r\n` +
    `Cookie: kintsugi_session=${c.cookie}\r\nX-CSRF-Token: ${c.csrf}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  return { status: res.status, json: JSON.parse(res.body.toString('utf8') || 'null') };
}

// An invite link carries the secret that lets its holder into the couple:
// made from a forged or proxied Host, it would send that secret to someone
// else's site.  Without --public-url only the server's own address makes one.
test('an invite link is made only for this server\'s own address, or its public URL', async () => {
  const a = client();
  await signupOk(a);
  const port = server.port;
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`,
    `127.0.0.2:${port}`, `127.0.0.1:${port + 1}`]) {
    const res = await inviteWithHost(server, a, host);
    assert.equal(res.status, 400, `Host: ${host}: ${JSON.stringify(res.json)}`);
    assert.equal(res.json.error.code, 'unknown_host');
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    const res = await inviteWithHost(server, a, host);
    assert.equal(res.status, 201, `Host: ${host}: ${JSON.stringify(res.json)}`);
    assert.ok(res.json.url.startsWith(`http://${host}/join?invite=`), res.json.url);
  }
  // the page makes no link for such a Host either
  const form = `csrf=${a.csrf}`;
  const page = await rawRequest(port, `POST /invite HTTP/1.1\r\nHost: evil.example\r\n` +
    `Cookie: kintsugi_session=${a.cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: ${form.length}\r\nConnection: close\r\n\r\n${form}`);
  assert.equal(page.status, 400);
  assert.ok(!page.body.toString('utf8').includes('invite='), 'no link on the page');
  const pub = await startServer({ args: ['--public-url', 'https://kintsugi.example'] });
  try {
    const b = new Client(pub.url);
    await signupOk(b);
    const res = await inviteWithHost(pub, b, 'evil.example');
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.ok(res.json.url.startsWith('https://kintsugi.example/join?invite='), res.json.url);
  } finally {
    await pub.stop();
  }
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
