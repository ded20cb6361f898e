// Cross-site requests (ASVS 3.5.1): login CSRF and the Origin check.
//
// Sign-in, sign-up, join and recovery have no session and so no CSRF token.
// Every POST, PUT and DELETE, signed in or not, is refused with 403
// csrf_failed (pages: the "form has expired" page) when the browser says it
// comes from another site: Sec-Fetch-Site other than same-origin or none, or
// an Origin that is not the server's own (the public URL when set, else the
// request's Host with the scheme of --secure-cookies). A refused request
// changes nothing: no account, no session, no used invite, no new password.
// Requests with neither header (curl, this test client) pass as before, and
// so does Origin: null without a cross-site Sec-Fetch-Site: our pages'
// Referrer-Policy: no-referrer makes browsers send it on our own forms.
// GETs are never refused: links from elsewhere still open.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, RECOVERY_KEY_RE, describe, errCode, signupOk, startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** What a browser sends on a form post or fetch from one of our own pages. */
const sameOrigin = () => ({ 'Sec-Fetch-Site': 'same-origin', Origin: server.url });

/** Requests a browser would make from another site's page (label -> headers). */
function crossSite() {
  return {
    'Sec-Fetch-Site: cross-site': { 'Sec-Fetch-Site': 'cross-site' },
    'Origin: https://evil.example': { Origin: 'https://evil.example' },
    'Sec-Fetch-Site: same-site': { 'Sec-Fetch-Site': 'same-site' },
    'Origin: null from a sandboxed frame or a no-referrer page elsewhere':
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'null' },
    'Origin of another port': { Origin: `http://127.0.0.1:${server.port + 1}` },
    'Origin over https (not ours without --secure-cookies)': { Origin: `https://127.0.0.1:${server.port}` },
    'same-origin metadata with a foreign Origin':
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://evil.example' },
    'a matching Origin with cross-site metadata':
      { 'Sec-Fetch-Site': 'cross-site', Origin: server.url },
  };
}

/** The two that the finding names; the others get the cheap checks only. */
const MAIN = ['Sec-Fetch-Site: cross-site', 'Origin: https://evil.example'];

let formExpiredH1 = null;

/** The <h1> of the existing "form has expired" page (a page form without its CSRF token). */
async function expiredPageH1() {
  if (formExpiredH1) return formExpiredH1;
  const m = new Client(server.url);
  await signupOk(m);
  const res = await m.form('/journal', { body: 'no token' });
  assert.equal(res.status, 403, describe(res));
  formExpiredH1 = /<h1[^>]*>([^<]*)<\/h1>/i.exec(res.text)?.[1];
  assert.ok(formExpiredH1, 'the CSRF error page has a heading');
  return formExpiredH1;
}

/** A refusal: 403 csrf_failed (API) or the expired-form page (pages), and no cookie. */
async function assertRefused(res, kind, label) {
  assert.equal(res.status, 403, `${label}: ${describe(res)}`);
  assert.deepEqual(res.setCookies.map((c) => c.raw), [], `${label}: no cookie is set`);
  assert.match(res.headers.get('cache-control') || '', /\bno-store\b/, `${label}: no-store`);
  if (kind === 'api') {
    assert.equal(errCode(res), 'csrf_failed', `${label}: ${describe(res)}`);
    assert.equal(typeof res.json.error.message, 'string', label);
  } else {
    assert.match(res.headers.get('content-type') || '', /^text\/html\b/, label);
    const h1 = /<h1[^>]*>([^<]*)<\/h1>/i.exec(res.text)?.[1];
    assert.equal(h1, await expiredPageH1(), `${label}: the page of a failed CSRF check`);
  }
}

function accountFields() {
  return {
    login: uniqueLogin('x'), password: uniquePassword(), display_name: 'Cross Site', language: 'en',
  };
}

/** Sends the same sign-up the API way or the form way. */
function sendSignup(kind, fields, headers) {
  const c = new Client(server.url);
  return kind === 'api'
    ? c.post('/api/v1/signup', fields, { headers })
    : c.form('/signup', fields, { headers });
}

test('a cross-site sign-up (API and form) is refused with 403 and creates no account', async () => {
  for (const kind of ['api', 'form']) {
    for (const [label, headers] of Object.entries(crossSite())) {
      const fields = accountFields();
      const res = await sendSignup(kind, fields, headers);
      await assertRefused(res, kind, `${kind} sign-up, ${label}`);
      if (!MAIN.includes(label)) continue;
      // no account: its password signs nobody in, and the login is still free
      const signin = await new Client(server.url).post('/api/v1/login',
        { login: fields.login, password: fields.password });
      assert.equal(signin.status, 401, `${kind} sign-up, ${label}: then sign-in: ${describe(signin)}`);
      const again = await sendSignup(kind, fields, sameOrigin());
      assert.equal(again.status, kind === 'api' ? 201 : 200,
        `${kind} sign-up, ${label}: the same sign-up from our own page: ${describe(again)}`);
      if (kind === 'form') assert.match(again.text, RECOVERY_KEY_RE, 'the form sign-up worked');
    }
  }
});

test('a cross-site sign-in (API and form) is refused with 403 and opens no session', async () => {
  const u = await signupOk(new Client(server.url));
  const creds = { login: u.login, password: u.password };
  for (const [label, headers] of Object.entries(crossSite())) {
    const api = await new Client(server.url).post('/api/v1/login', creds, { headers });
    await assertRefused(api, 'api', `API sign-in, ${label}`);
    const form = await new Client(server.url).form('/signin', creds, { headers });
    await assertRefused(form, 'form', `form sign-in, ${label}`);
  }
  // The refusals were not failed guesses: the login is not locked.
  const api = new Client(server.url);
  const ok = await api.post('/api/v1/login', creds, { headers: sameOrigin() });
  assert.equal(ok.status, 200, `API sign-in from our own page: ${describe(ok)}`);
  assert.ok(api.cookie, 'a session cookie');
  const f = new Client(server.url);
  const fok = await f.form('/signin', creds, { headers: sameOrigin() });
  assert.equal(fok.status, 303, `form sign-in from our own page: ${describe(fok)}`);
  assert.ok(f.cookie, 'a session cookie');
  assert.equal((await f.get('/home')).status, 200, 'the form session works');
});

test('a cross-site join (API and form) is refused with 403; the invite stays unused', async () => {
  for (const kind of ['api', 'form']) {
    const a = new Client(server.url);
    await signupOk(a);
    const inv = await a.post('/api/v1/invites', { role: 'partner' });
    assert.equal(inv.status, 201, describe(inv));
    const fields = accountFields();
    const send = (headers) => (kind === 'api'
      ? new Client(server.url).post('/api/v1/join', { token: inv.json.token, ...fields }, { headers })
      : new Client(server.url).form('/join', { invite: inv.json.token, ...fields }, { headers }));
    for (const [label, headers] of Object.entries(crossSite())) {
      await assertRefused(await send(headers), kind, `${kind} join, ${label}`);
    }
    const me = await a.get('/api/v1/me');
    assert.equal(me.status, 200, describe(me));
    assert.ok(!JSON.stringify(me.json).includes(fields.login), 'nobody joined the couple');
    const signin = await new Client(server.url).post('/api/v1/login',
      { login: fields.login, password: fields.password });
    assert.equal(signin.status, 401, `${kind} join: no account: ${describe(signin)}`);
    // the same join from our own page still works: the invite was not used up
    const joined = await send(sameOrigin());
    assert.ok(joined.status === 201 || joined.status === 200 || joined.status === 303,
      `${kind} join from our own page: ${describe(joined)}`);
    assert.deepEqual(joined.setCookies.map((c) => c.name), ['kintsugi_session', 'kintsugi_device'],
      `${kind} join: a session cookie, and the browser's device cookie`);
  }
});

test('a cross-site recovery (API and form) is refused with 403 and changes no password', async () => {
  const c = new Client(server.url);
  const u = await signupOk(c);
  for (const kind of ['api', 'form']) {
    for (const [label, headers] of Object.entries(crossSite())) {
      const body = { login: u.login, recovery_key: u.recovery_key, new_password: uniquePassword() };
      const res = kind === 'api'
        ? await new Client(server.url).post('/api/v1/recover', body, { headers })
        : await new Client(server.url).form('/recover', body, { headers });
      await assertRefused(res, kind, `${kind} recovery, ${label}`);
    }
  }
  const old = await new Client(server.url).post('/api/v1/login', { login: u.login, password: u.password });
  assert.equal(old.status, 200, `the password is unchanged: ${describe(old)}`);
  const pw = uniquePassword();
  const rec = await new Client(server.url).post('/api/v1/recover',
    { login: u.login, recovery_key: u.recovery_key, new_password: pw }, { headers: sameOrigin() });
  assert.equal(rec.status, 200, `the recovery key still works from our own page: ${describe(rec)}`);
});

test('signed in, a cross-site POST, PUT or DELETE is refused even with the right token', async () => {
  const m = new Client(server.url);
  await signupOk(m);
  const made = await m.post('/api/v1/journal', { body: 'original' }, { headers: sameOrigin() });
  assert.equal(made.status, 201, describe(made));
  const id = made.json.entry.id;
  for (const [label, headers] of Object.entries(crossSite())) {
    await assertRefused(await m.post('/api/v1/journal', { body: 'forged' }, { headers }), 'api',
      `POST /api/v1/journal, ${label}`);
    await assertRefused(await m.put(`/api/v1/journal/${id}`, { body: 'forged' }, { headers }), 'api',
      `PUT /api/v1/journal/{id}, ${label}`);
    await assertRefused(await m.del(`/api/v1/journal/${id}`, undefined, { headers }), 'api',
      `DELETE /api/v1/journal/{id}, ${label}`);
    await assertRefused(await m.form('/journal', { body: 'forged', csrf: m.csrf }, { headers }), 'form',
      `POST /journal, ${label}`);
    await assertRefused(await m.form('/signout', { csrf: m.csrf }, { headers }), 'form',
      `POST /signout, ${label}`);
  }
  const list = await m.get('/api/v1/journal');
  assert.equal(list.status, 200, 'still signed in');
  const bodies = list.json.entries.map((e) => e.body);
  assert.deepEqual(bodies, ['original'], 'nothing was written, changed or deleted');
  const ok = await m.put(`/api/v1/journal/${id}`, { body: 'changed' }, { headers: sameOrigin() });
  assert.equal(ok.status, 200, `the same change from our own page: ${describe(ok)}`);
});

test('from our own page, with Sec-Fetch-Site none, or with neither header, state changes pass', async () => {
  // the pages' referrer policy is why our own forms arrive with Origin: null
  const page = await new Client(server.url).get('/signin');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  const variants = {
    'same-origin and our Origin': sameOrigin(),
    'Sec-Fetch-Site: same-origin alone': { 'Sec-Fetch-Site': 'same-origin' },
    'our Origin alone': { Origin: server.url },
    'our Origin in capitals': { Origin: server.url.toUpperCase().replace('HTTP://', 'http://') },
    'Sec-Fetch-Site: none': { 'Sec-Fetch-Site': 'none' },
    // what Chromium sends for our own form posts, under Referrer-Policy: no-referrer
    'same-origin with Origin: null': { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' },
    // honest limit: a browser without Fetch Metadata that sends null is not told apart
    'Origin: null alone': { Origin: 'null' },
    'neither header': {},
  };
  for (const [label, headers] of Object.entries(variants)) {
    const res = await sendSignup('api', accountFields(), headers);
    assert.equal(res.status, 201, `${label}: ${describe(res)}`);
  }
});

test('GETs are never refused: a link from another site still opens', async () => {
  const a = new Client(server.url);
  await signupOk(a);
  const inv = await a.post('/api/v1/invites', { role: 'partner' });
  for (const [label, headers] of Object.entries(crossSite())) {
    for (const p of ['/', '/signin', `/join?invite=${encodeURIComponent(inv.json.token)}`]) {
      const res = await new Client(server.url).get(p, { headers });
      assert.equal(res.status, 200, `GET ${p.split('?')[0]}, ${label}: ${describe(res)}`);
    }
    assert.equal((await a.get('/api/v1/me', { headers })).status, 200, `GET /api/v1/me, ${label}`);
  }
});

test('with --public-url, only that origin is ours (default port and case aside)', async () => {
  const pub = await startServer({ args: ['--public-url', 'https://Kintsugi.Example'] });
  try {
    const send = (origin) => new Client(pub.url).post('/api/v1/signup', accountFields(),
      { headers: { 'Sec-Fetch-Site': 'same-origin', Origin: origin } });
    for (const origin of ['https://kintsugi.example', 'https://kintsugi.example:443', 'https://KINTSUGI.example']) {
      const res = await send(origin);
      assert.equal(res.status, 201, `Origin ${origin}: ${describe(res)}`);
    }
    for (const origin of [pub.url, 'http://kintsugi.example', 'https://kintsugi.example:8443',
      'https://evil.kintsugi.example', 'https://kintsugi.example.evil', 'https://kintsugi.example/',
      'kintsugi.example', 'https://kintsugi.example@evil.example']) {
      const res = await send(origin);
      assert.equal(res.status, 403, `Origin ${origin}: ${describe(res)}`);
      assert.equal(errCode(res), 'csrf_failed');
    }
  } finally {
    await pub.stop();
  }
});

test('with --secure-cookies and no public URL, our origin is https with the request\'s Host', async () => {
  const sec = await startServer({ args: ['--secure-cookies'] });
  try {
    const send = (origin) => new Client(sec.url).post('/api/v1/signup', accountFields(),
      { headers: { Origin: origin } });
    const ok = await send(`https://127.0.0.1:${sec.port}`);
    assert.equal(ok.status, 201, describe(ok));
    for (const origin of [sec.url, `https://127.0.0.1:${sec.port + 1}`, 'https://localhost']) {
      const res = await send(origin);
      assert.equal(res.status, 403, `Origin ${origin}: ${describe(res)}`);
      assert.equal(errCode(res), 'csrf_failed');
    }
  } finally {
    await sec.stop();
  }
});

test('a cross-site request is logged as a 403 line like any other, without its Origin', async () => {
  const before = server.stderr().length;
  const marker = `https://m${uniqueLogin()}.example`;
  await new Client(server.url).post('/api/v1/login', { login: uniqueLogin(), password: uniquePassword() },
    { headers: { Origin: marker } });
  let log = '';
  for (let i = 0; i < 50 && !/ POST \/api\/v1\/login 403 /.test(log); i++) {
    await new Promise((resolve) => { setTimeout(resolve, 20); });
    log = server.stderr().slice(before);
  }
  assert.match(log, / POST \/api\/v1\/login 403 \d+us\n/, 'one status line');
  assert.ok(!log.includes(marker), 'the Origin is not logged');
});
