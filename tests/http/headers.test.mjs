// Security headers on every kind of answer, no way out of /static/, and with
// --secure-cookies the __Host- session cookie and HSTS.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, describe, rawGet, signupOk, startServer } from './harness.mjs';

let server;
let member;

before(async () => {
  server = await startServer();
  member = new Client(server.url);
  await signupOk(member);
});
after(async () => { await server?.stop(); });

function assertSecurityHeaders(res, label, { noStore = false } = {}) {
  const h = res.headers instanceof Headers ? (n) => res.headers.get(n) : (n) => res.headers[n.toLowerCase()];
  const csp = h('content-security-policy');
  assert.ok(csp, `${label}: Content-Security-Policy is set`);
  assert.ok(csp.includes("default-src 'self'"), `${label}: CSP has default-src 'self': ${csp}`);
  assert.ok(csp.includes("frame-ancestors 'none'"), `${label}: CSP has frame-ancestors 'none': ${csp}`);
  assert.ok(!csp.includes('unsafe-inline'), `${label}: CSP without unsafe-inline: ${csp}`);
  assert.ok(!csp.includes('unsafe-eval'), `${label}: CSP without unsafe-eval: ${csp}`);
  assert.equal(h('x-content-type-options'), 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(h('referrer-policy'), 'no-referrer', `${label}: Referrer-Policy`);
  if (noStore) {
    assert.ok(/\bno-store\b/.test(h('cache-control') || ''), `${label}: Cache-Control no-store, got ${h('cache-control')}`);
  }
}

test('/healthz answers {"status":"ok"} with the security headers', async () => {
  const res = await new Client(server.url).get('/healthz');
  assert.equal(res.status, 200, describe(res));
  assert.deepEqual(res.json, { status: 'ok' });
  assertSecurityHeaders(res, '/healthz');
});

test('an API answer carries the headers and no-store', async () => {
  const res = await member.get('/api/v1/me');
  assert.equal(res.status, 200, describe(res));
  assert.match(res.headers.get('content-type'), /^application\/json\b/);
  assertSecurityHeaders(res, 'GET /api/v1/me', { noStore: true });
  const created = await member.post('/api/v1/journal', { body: 'header check' });
  assert.equal(created.status, 201);
  assertSecurityHeaders(created, 'POST /api/v1/journal', { noStore: true });
});

test('error answers carry the headers and no-store', async () => {
  const anon = new Client(server.url);
  const cases = [
    ['401', await anon.get('/api/v1/me'), 401],
    ['404 unknown API route', await anon.get('/api/v1/nothing-here'), 404],
    ['400', await member.post('/api/v1/journal', { nope: 1 }), 400],
    ['403', await member.post('/api/v1/journal', { body: 'x' }, { csrf: false }), 403],
    ['415', await member.post('/api/v1/journal', 'x', { contentType: 'text/plain' }), 415],
  ];
  for (const [label, res, status] of cases) {
    assert.equal(res.status, status, `${label}: ${describe(res)}`);
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/, label);
    assertSecurityHeaders(res, label, { noStore: true });
  }
  const page404 = await anon.get('/no-such-page');
  assert.equal(page404.status, 404, describe(page404));
  assertSecurityHeaders(page404, 'page 404');
});

test('pages /, /signin and /signup carry the headers', async () => {
  const anon = new Client(server.url);
  for (const p of ['/', '/signin', '/signup']) {
    const res = await anon.get(p);
    assert.ok(res.status === 200 || (res.status >= 300 && res.status < 400), `${p}: ${res.status}`);
    assertSecurityHeaders(res, p);
    if (res.status === 200) assert.match(res.headers.get('content-type') || '', /^text\/html\b/, p);
  }
  for (const p of ['/signin', '/signup']) {
    assert.equal((await anon.get(p)).status, 200, p);
  }
});

test('a private page carries no-store', async () => {
  const res = await member.get('/journal');
  assert.equal(res.status, 200, describe(res));
  assertSecurityHeaders(res, '/journal signed in', { noStore: true });
  const home = await member.get('/home');
  assert.equal(home.status, 200, describe(home));
  assertSecurityHeaders(home, '/home signed in', { noStore: true });
});

test('the answer to a raw request (no fetch in between) carries the headers too', async () => {
  const res = await rawGet(server.port, '/healthz');
  assert.equal(res.status, 200);
  assertSecurityHeaders(res, 'raw /healthz');
});

test('no path leaves /static/', async () => {
  const targets = [
    '/static/../../etc/passwd',
    '/static/%2e%2e/%2e%2e/etc/passwd',
    '/static/%2E%2E/%2E%2E/etc/passwd',
    '/static/..%2f..%2fetc%2fpasswd',
    '/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/static/....//....//etc/passwd',
    '/static/..\\..\\etc\\passwd',
    '/static/%252e%252e/%252e%252e/etc/passwd',
    '/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '/static//etc/passwd',
    '/static/../meson.build',
    '/static/%2e%2e/meson.build',
    '/static/../src/limits.h',
    '/static/%2e%2e/src/limits.h',
    '/static/../../../../../../../../etc/passwd',
    '/static/..%00/etc/passwd',
    '/static/%00',
  ];
  for (const t of targets) {
    const res = await rawGet(server.port, t);
    const body = res.body.toString('latin1');
    assert.ok(res.status === 404 || res.status === 400, `${t}: status ${res.status}`);
    assert.ok(!body.includes('root:'), `${t}: /etc/passwd content`);
    assert.ok(!body.includes("project('kintsugi'"), `${t}: meson.build content`);
    assert.ok(!body.includes('LIMIT_BODY_BYTES'), `${t}: source content`);
  }
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
});

// libmicrohttpd decodes %00 into a NUL that ends the path, so "app.css%00.png"
// used to be served as app.css, and "/journal%00" as /journal.
test('a %00 in the path is no end of it: no file, page or answer is found through one', async () => {
  const css = await rawGet(server.port, '/static/css/app.css');
  assert.equal(css.status, 200, 'the stylesheet itself is there');
  for (const t of ['/static/css/app.css%00.png', '/static/css/app.css%00', '/journal%00', '/healthz%00',
    '/api/v1/me%00', '/signin%00.html']) {
    const res = await rawGet(server.port, t);
    assert.equal(res.status, 404, `${t}: status ${res.status}`);
    assert.ok(!res.body.toString('latin1').includes('--'), `${t}: no stylesheet`);
  }
});

// ---- --secure-cookies: the __Host- cookie and HSTS (ASVS 3.3.1, 3.3.3, 3.4.1) ----

const HOST_COOKIE = '__Host-kintsugi_session';
const YEAR_S = 365 * 24 * 3600;

/** The session Set-Cookie of an answer, by name (or undefined). */
function sessionSetCookie(res, name) {
  return res.setCookies.find((c) => c.name === name);
}

function assertHsts(res, label) {
  const hsts = res.headers.get('strict-transport-security');
  assert.ok(hsts, `${label}: Strict-Transport-Security is sent`);
  const m = /(?:^|;)\s*max-age=(\d+)\s*(?:;|$)/i.exec(hsts);
  assert.ok(m, `${label}: HSTS has a max-age: ${hsts}`);
  assert.ok(Number(m[1]) >= YEAR_S, `${label}: HSTS max-age of at least a year: ${hsts}`);
}

test('with --secure-cookies the session cookie is __Host-kintsugi_session: Secure, HttpOnly, SameSite, Path=/, no Domain', async () => {
  const secure = await startServer({ args: ['--secure-cookies'] });
  try {
    const c = new Client(secure.url);
    const { res } = await signupOk(c);
    const names = res.setCookies.map((x) => x.name);
    // the session and the browser's device cookie (issue 11, part 3), both prefixed
    assert.deepEqual(names, [HOST_COOKIE, '__Host-kintsugi_device'], `only prefixed cookies are set: ${names}`);
    for (const dc of res.setCookies) {
      assert.equal(dc.attributes.secure, true, `Secure: ${dc.raw}`);
      assert.equal(dc.attributes.path, '/', `Path=/: ${dc.raw}`);
      assert.ok(!('domain' in dc.attributes), `no Domain: ${dc.raw}`);
    }
    const sc = sessionSetCookie(res, HOST_COOKIE);
    assert.match(sc.value, /^[0-9a-f]{32}\.[0-9a-f]{64}$/, 'the value is id.secret');
    assert.equal(sc.attributes.secure, true, `Secure: ${sc.raw}`);
    assert.equal(sc.attributes.httponly, true, `HttpOnly: ${sc.raw}`);
    assert.equal(String(sc.attributes.samesite).toLowerCase(), 'strict', `SameSite=Strict: ${sc.raw}`);
    assert.equal(sc.attributes.path, '/', `Path=/: ${sc.raw}`);
    assert.ok(!('domain' in sc.attributes), `no Domain: ${sc.raw}`);

    // A form sign-in sets the same name, and sign-out clears that name (a
    // browser drops a __Host- clearing cookie that lacks Secure or Path=/).
    const f = new Client(secure.url);
    const u = await signupOk(new Client(secure.url));
    const fres = await f.form('/signin', { login: u.login, password: u.password });
    assert.equal(fres.status, 303, describe(fres));
    const fc = sessionSetCookie(fres, HOST_COOKIE);
    assert.ok(fc && fc.attributes.secure === true && fc.attributes.path === '/', `form sign-in: ${fres.setCookies.map((x) => x.raw)}`);
    const me = await f.get('/api/v1/me', { cookie: false, headers: { Cookie: `${HOST_COOKIE}=${fc.value}` } });
    assert.equal(me.status, 200, describe(me));
    const out = await f.post('/api/v1/logout', undefined, {
      cookie: false, csrf: me.json.csrf_token, headers: { Cookie: `${HOST_COOKIE}=${fc.value}` },
    });
    assert.equal(out.status, 204, describe(out));
    const cleared = sessionSetCookie(out, HOST_COOKIE);
    assert.ok(cleared, `sign-out clears ${HOST_COOKIE}: ${out.setCookies.map((x) => x.raw)}`);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attributes['max-age'], '0');
    assert.equal(cleared.attributes.secure, true, `the clearing cookie is Secure: ${cleared.raw}`);
    assert.equal(cleared.attributes.path, '/', `the clearing cookie has Path=/: ${cleared.raw}`);
  } finally {
    await secure.stop();
  }
});

test('with --secure-cookies a cookie under the old name kintsugi_session is ignored', async () => {
  const secure = await startServer({ args: ['--secure-cookies'] });
  try {
    const c = new Client(secure.url);
    const { res } = await signupOk(c);
    const value = sessionSetCookie(res, HOST_COOKIE).value;
    const right = await c.get('/api/v1/me', { cookie: false, headers: { Cookie: `${HOST_COOKIE}=${value}` } });
    assert.equal(right.status, 200, `the prefixed name works: ${describe(right)}`);
    const old = await c.get('/api/v1/me', { cookie: false, headers: { Cookie: `kintsugi_session=${value}` } });
    assert.equal(old.status, 401, `the bare name is not read: ${describe(old)}`);
    const page = await c.get('/home', { cookie: false, headers: { Cookie: `kintsugi_session=${value}` } });
    assert.equal(page.status, 303, `a private page redirects to sign-in: ${describe(page)}`);
    assert.equal(new URL(page.headers.get('location'), secure.url).pathname, '/signin');
  } finally {
    await secure.stop();
  }
});

test('with --secure-cookies pages and API answers carry HSTS of at least a year', async () => {
  const secure = await startServer({ args: ['--secure-cookies'] });
  try {
    const c = new Client(secure.url);
    const { res: signup } = await signupOk(c);
    const value = sessionSetCookie(signup, HOST_COOKIE).value;
    const anon = new Client(secure.url);
    const answers = [
      ['GET /', await anon.get('/')],
      ['GET /signin', await anon.get('/signin')],
      ['GET /healthz', await anon.get('/healthz')],
      ['GET /api/v1/me (401)', await anon.get('/api/v1/me')],
      ['a page 404', await anon.get('/no-such-page')],
    ];
    // The harness client only keeps the bare name; send the prefixed one by hand.
    const cookie = { cookie: false, headers: { Cookie: `${HOST_COOKIE}=${value}` } };
    answers.push(['GET /api/v1/me', await c.get('/api/v1/me', cookie)]);
    answers.push(['GET /home', await c.get('/home', cookie)]);
    for (const [label, res] of answers) {
      assertHsts(res, label);
      assertSecurityHeaders(res, label);
    }
    assert.equal(answers.find(([l]) => l === 'GET /api/v1/me')[1].status, 200);
    assert.equal(answers.find(([l]) => l === 'GET /home')[1].status, 200);
  } finally {
    await secure.stop();
  }
});

test('without --secure-cookies: the bare kintsugi_session name, not Secure, and no HSTS', async () => {
  const c = new Client(server.url);
  const { res } = await signupOk(c);
  assert.deepEqual(res.setCookies.map((x) => x.name), ['kintsugi_session', 'kintsugi_device']);
  for (const c of res.setCookies) assert.ok(!c.attributes.secure, `not Secure over plain HTTP: ${c.raw}`);
  for (const r of [res, await c.get('/signin'), await c.get('/api/v1/me')]) {
    assert.equal(r.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
  }
  const prefixed = await c.get('/api/v1/me', { cookie: false, headers: { Cookie: `${HOST_COOKIE}=${c.cookie}` } });
  assert.equal(prefixed.status, 401, `the prefixed name is not read in this mode: ${describe(prefixed)}`);
});
