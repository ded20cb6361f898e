// Security headers on every kind of answer, and no way out of /static/.

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
