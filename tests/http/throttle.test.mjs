// Sign-in throttling. The contract: after SIGNIN_LOGIN_FAILURES (5) failed
// sign-ins for one login within SIGNIN_WINDOW, POST /api/v1/login for that
// login answers 429 {"error":{"code":"rate_limited"}} with Retry-After, even
// with the right password, while other logins still work; after
// SIGNIN_ADDRESS_FAILURES (20) failures from one address, any sign-in from
// it answers 429; the /signin form likewise. An unknown login and a wrong
// password get the same answer in about the same time. Every scenario runs
// on a fresh server so that the counters start empty.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, describe, errCode, hiddenInput, login, scaled, signupOk, startServer, timingSkip, uniqueLogin,
} from './harness.mjs';

// Every failure of a scenario must fall within the window: scaled()
// stretches it for a slow server (under valgrind a sign-in takes seconds).
const LIMITS = { SIGNIN_LOGIN_FAILURES: 5, SIGNIN_ADDRESS_FAILURES: 20, SIGNIN_WINDOW: scaled(60) };

async function withServer(env, fn, opts = {}) {
  const s = await startServer({ ...opts, env: { ...LIMITS, ...env } });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

function attempt(url, loginName, password) {
  return login(new Client(url), loginName, password);
}

function assertBadCredentials(res, label) {
  assert.equal(res.status, 401, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), 'bad_credentials', label);
}

function assertLimited(res, label) {
  assert.equal(res.status, 429, `${label}: ${describe(res)}`);
  assert.equal(errCode(res), 'rate_limited', label);
  const ra = res.headers.get('retry-after');
  assert.match(ra || '', /^[1-9]\d*$/, `${label}: Retry-After is a positive number of seconds, got ${ra}`);
  return Number(ra);
}

async function formSignin(url, loginName, password) {
  const c = new Client(url);
  const page = await c.get('/signin');
  const fields = { login: loginName, password };
  const csrf = hiddenInput(page.text, 'csrf');
  if (csrf !== null) fields.csrf = csrf;
  return c.form('/signin', fields);
}

test('five failures for one login lock that login, not the others', async () => {
  await withServer({}, async (s) => {
    const m = await signupOk(new Client(s.url));
    const n = await signupOk(new Client(s.url));
    for (let i = 1; i <= 5; i++) {
      assertBadCredentials(await attempt(s.url, m.login, `wrong-password-${i}`), `failure ${i}`);
    }
    assertLimited(await attempt(s.url, m.login, m.password), 'the right password after five failures');
    assertLimited(await attempt(s.url, m.login.toUpperCase(), m.password), 'the same login in upper case');
    const ok = await attempt(s.url, n.login, n.password);
    assert.equal(ok.status, 200, `another login still signs in: ${describe(ok)}`);

    const page = await formSignin(s.url, m.login, m.password);
    assert.equal(page.status, 429, `the /signin form for the locked login: ${describe(page)}`);
    assert.match(page.headers.get('content-type') || '', /^text\/html\b/);
    assert.match(page.headers.get('retry-after') || '', /^[1-9]\d*$/, 'the form answer has Retry-After');
    assert.ok(!page.setCookies.some((c) => c.value), 'no session cookie');
  });
});

test('an unknown login is locked the same way, with the same answer', async () => {
  await withServer({}, async (s) => {
    const m = await signupOk(new Client(s.url));
    const ghost = uniqueLogin('ghost');
    for (let i = 1; i <= 5; i++) {
      assertBadCredentials(await attempt(s.url, m.login, `wrong-password-${i}`), `known login, failure ${i}`);
      assertBadCredentials(await attempt(s.url, ghost, `wrong-password-${i}`), `unknown login, failure ${i}`);
    }
    const known = await attempt(s.url, m.login, 'wrong-password-6');
    const unknown = await attempt(s.url, ghost, 'wrong-password-6');
    assertLimited(known, 'known login, sixth try');
    assertLimited(unknown, 'unknown login, sixth try');
    assert.equal(unknown.text, known.text, 'the 429 does not tell a known login from an unknown one');
  });
});

test('twenty failures from one address lock every sign-in from it', async () => {
  await withServer({}, async (s) => {
    const c = new Client(s.url);
    const m = await signupOk(c);
    for (let i = 1; i <= 20; i++) {
      assertBadCredentials(await attempt(s.url, uniqueLogin('nobody'), 'wrong-password'), `failure ${i}`);
    }
    assertLimited(await attempt(s.url, m.login, m.password), 'a right password from the same address');
    assertLimited(await attempt(s.url, uniqueLogin('fresh'), 'wrong-password'), 'a login never tried before');
    const page = await formSignin(s.url, m.login, m.password);
    assert.equal(page.status, 429, `the /signin form from the same address: ${describe(page)}`);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200, `a session that already exists keeps working: ${describe(me)}`);
  });
});

function attemptFrom(url, forwardedFor, loginName, password) {
  return new Client(url).post('/api/v1/login', { login: loginName, password },
    { headers: { 'X-Forwarded-For': forwardedFor } });
}

test('behind the trusted proxy, X-Forwarded-For names the address that is throttled', async () => {
  // The tests' requests come from 127.0.0.1: here that is the proxy.
  await withServer({ SIGNIN_ADDRESS_FAILURES: 3, TRUSTED_PROXY: '127.0.0.1' }, async (s) => {
    const m = await signupOk(new Client(s.url));
    for (let i = 1; i <= 3; i++) {
      // a client-written first entry is ignored: the proxy's last entry counts
      assertBadCredentials(await attemptFrom(s.url, `10.9.9.${i}, 203.0.113.7`, uniqueLogin('nobody'),
        'wrong-password'), `failure ${i} from 203.0.113.7`);
    }
    assertLimited(await attemptFrom(s.url, '203.0.113.7', m.login, m.password),
      'the address that failed three times must wait');
    assertLimited(await attemptFrom(s.url, '0:0:0:0:0:ffff:cb00:7107', m.login, m.password),
      'the same address written as IPv4-mapped IPv6 is the same address');
    const other = await attemptFrom(s.url, '198.51.100.2', m.login, m.password);
    assert.equal(other.status, 200, `another client behind the proxy still signs in: ${describe(other)}`);
    const bare = await attempt(s.url, m.login, m.password);
    assert.equal(bare.status, 200, `the proxy itself (no header) is its own bucket: ${describe(bare)}`);
    const junk = await attemptFrom(s.url, 'not-an-address', m.login, m.password);
    assert.equal(junk.status, 200, `a header that is no address counts as the proxy: ${describe(junk)}`);
  });
});

test('without a trusted proxy, X-Forwarded-For cannot buy a fresh address', async () => {
  await withServer({ SIGNIN_ADDRESS_FAILURES: 3 }, async (s) => {
    const m = await signupOk(new Client(s.url));
    for (let i = 1; i <= 3; i++) {
      assertBadCredentials(await attemptFrom(s.url, `198.51.100.${i}`, uniqueLogin('nobody'), 'wrong-password'),
        `failure ${i}`);
    }
    assertLimited(await attemptFrom(s.url, '198.51.100.99', m.login, m.password),
      'a new X-Forwarded-For from the same peer is still the same address');
  });
});

// Short, since the test waits it out: scaled() as above.
const SHORT_WINDOW = scaled(5);

test('the lock frees itself after the window', async () => {
  await withServer({ SIGNIN_WINDOW: SHORT_WINDOW }, async (s) => {
    const m = await signupOk(new Client(s.url));
    for (let i = 1; i <= 5; i++) {
      assertBadCredentials(await attempt(s.url, m.login, `wrong-password-${i}`), `failure ${i}`);
    }
    const ra = assertLimited(await attempt(s.url, m.login, m.password), 'locked');
    assert.ok(ra <= SHORT_WINDOW + 1, `Retry-After (${ra} s) is within the ${SHORT_WINDOW} s window`);
    await sleep(Math.max(ra, SHORT_WINDOW) * 1000 + 700);
    const res = await attempt(s.url, m.login, m.password);
    assert.equal(res.status, 200, `after the window the right password signs in again: ${describe(res)}`);
  });
});

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

test('an unknown login and a wrong password: the same answer, in about the same time', { skip: timingSkip }, async () => {
  await withServer({ SIGNIN_LOGIN_FAILURES: 1000, SIGNIN_ADDRESS_FAILURES: 1000 }, async (s) => {
    const m = await signupOk(new Client(s.url));
    const unknownT = []; const wrongT = [];
    let unknownRes; let wrongRes;
    // one warm-up each, then interleaved so that load affects both alike
    await attempt(s.url, uniqueLogin('warm'), 'wrong-password');
    await attempt(s.url, m.login, 'wrong-password-warm');
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      unknownRes = await attempt(s.url, uniqueLogin('nobody'), `wrong-password-${i}`);
      unknownT.push(performance.now() - t);
      t = performance.now();
      wrongRes = await attempt(s.url, m.login, `wrong-password-${i}`);
      wrongT.push(performance.now() - t);
      assertBadCredentials(unknownRes, `unknown login, try ${i + 1}`);
      assertBadCredentials(wrongRes, `wrong password, try ${i + 1}`);
      assert.equal(unknownRes.text, wrongRes.text, 'the same body');
    }
    const mu = median(unknownT); const mw = median(wrongT);
    const ratio = Math.max(mu, mw) / Math.min(mu, mw);
    assert.ok(ratio <= 2,
      `median times within a factor of 2: unknown login ${mu.toFixed(1)} ms, wrong password ${mw.toFixed(1)} ms`);
  }, { realKdf: true }); // the real Argon2id cost: at the lowest, any difference would hide in the noise
});

// Device cookies against targeted lockout (issue 11, part 3): a browser that
// has signed in to an account keeps a kintsugi_device cookie; its sign-ins
// are counted against that browser alone, so that failures from elsewhere,
// even from the same address, never lock the owner out of it.
const DEVICE_COOKIE = 'kintsugi_device';

function deviceOf(res) {
  const c = res.setCookies.find((x) => x.name === DEVICE_COOKIE);
  return c || null;
}

// the device cookie alone, as a browser sends it to the sign-in after its session ended
function withDevice(device) {
  return { cookie: false, headers: { Cookie: `${DEVICE_COOKIE}=${device}` } };
}

test('a browser that signed in before is not locked out by failures from elsewhere', async () => {
  await withServer({}, async (s) => {
    const owner = new Client(s.url);
    const m = await signupOk(owner);
    const dc = deviceOf(m.res);
    assert.ok(dc, `sign-up sets a device cookie: ${m.res.setCookies.map((x) => x.raw)}`);
    assert.match(dc.value, /^[0-9a-f]{64}$/, 'a random value, not the login');
    assert.equal(dc.attributes.httponly, true, `HttpOnly: ${dc.raw}`);
    assert.equal(String(dc.attributes.samesite).toLowerCase(), 'strict', `SameSite=Strict: ${dc.raw}`);
    assert.equal(dc.attributes.path, '/', `Path=/: ${dc.raw}`);
    assert.ok(Number(dc.attributes['max-age']) >= 180 * 24 * 3600, `kept for months: ${dc.raw}`);

    // the partner, at the same address, tries the login 25 times: the login
    // and the address are both over their limits
    for (let i = 1; i <= 25; i++) {
      const res = await attempt(s.url, m.login, `partner-guess-${i}`);
      assert.ok(res.status === 401 || res.status === 429, `guess ${i}: ${describe(res)}`);
    }
    assertLimited(await attempt(s.url, m.login, m.password), 'the right password from another browser');

    // the owner's own browser still signs in, by the API and by the form
    const back = await owner.post('/api/v1/login', { login: m.login, password: m.password }, withDevice(dc.value));
    assert.equal(back.status, 200, `the owner's browser signs in: ${describe(back)}`);
    assert.equal(deviceOf(back), null, 'the browser keeps its device cookie: no new one');
    const page = await owner.request('GET', '/signin');
    const csrf = hiddenInput(page.text, 'csrf');
    const fields = { login: m.login, password: m.password };
    if (csrf !== null) fields.csrf = csrf;
    const formRes = await owner.request('POST', '/signin', new URLSearchParams(fields).toString(), {
      contentType: 'application/x-www-form-urlencoded', csrf: false, ...withDevice(dc.value),
    });
    assert.equal(formRes.status, 303, `the /signin form from the owner's browser: ${describe(formRes)}`);

    // in the settings too: the owner changes the password the partner knew
    const session = `kintsugi_session=${back.setCookies.find((x) => x.name === 'kintsugi_session').value}`;
    const changed = await owner.post('/api/v1/password', { old_password: m.password, new_password: `${m.password}-new` }, {
      cookie: false, csrf: back.json.csrf_token, headers: { Cookie: `${session}; ${DEVICE_COOKIE}=${dc.value}` },
    });
    assert.equal(changed.status, 204, `the owner's browser changes the password: ${describe(changed)}`);
    m.password = `${m.password}-new`;

    // a device cookie vouches for its own account only, and a made-up one for none
    const other = await signupOk(new Client(s.url));
    assertLimited(await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password },
      withDevice(deviceOf(other.res).value)), "another account's device cookie");
    assertLimited(await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password },
      withDevice('ab'.repeat(32))), 'a made-up device cookie');
  });
});

test("a browser's own failures lock that browser, and a planted cookie is never adopted", async () => {
  await withServer({}, async (s) => {
    const owner = new Client(s.url);
    const m = await signupOk(owner);
    const dev = deviceOf(m.res).value;
    for (let i = 1; i <= 5; i++) {
      const res = await owner.post('/api/v1/login', { login: m.login, password: `mistyped-${i}` }, withDevice(dev));
      assertBadCredentials(res, `the owner's failure ${i}`);
    }
    assertLimited(await owner.post('/api/v1/login', { login: m.login, password: m.password }, withDevice(dev)),
      "the owner's browser after its own five failures");
    // those failures were its own: another browser is not locked by them
    const elsewhere = await attempt(s.url, m.login, m.password);
    assert.equal(elsewhere.status, 200, `another browser signs in: ${describe(elsewhere)}`);
    const fresh = deviceOf(elsewhere);
    assert.ok(fresh && fresh.value !== dev, 'a browser without one gets its own device cookie');

    // a cookie the server never made is replaced, not adopted
    const planted = 'cd'.repeat(32);
    const res = await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password }, withDevice(planted));
    assert.equal(res.status, 200, describe(res));
    const given = deviceOf(res);
    assert.ok(given && given.value !== planted, `a new cookie replaces the planted one: ${given?.raw}`);
  });
});

test('a password change takes the standing from every other browser that signed in', async () => {
  await withServer({}, async (s) => {
    const owner = new Client(s.url);
    const m = await signupOk(owner);
    const mine = deviceOf(m.res).value;
    // the partner signs in once with the owner's password, from their own browser
    const partnerRes = await new Client(s.url).post('/api/v1/login', { login: m.login, password: m.password });
    assert.equal(partnerRes.status, 200, describe(partnerRes));
    const theirs = deviceOf(partnerRes).value;
    assert.notEqual(theirs, mine);

    // the owner changes the password from their own browser
    const newPassword = `${m.password}-changed`;
    const changed = await owner.post('/api/v1/password', { old_password: m.password, new_password: newPassword }, {
      cookie: false, csrf: m.res.json.csrf_token,
      headers: { Cookie: `kintsugi_session=${owner.cookie}; ${DEVICE_COOKIE}=${mine}` },
    });
    assert.equal(changed.status, 204, describe(changed));

    // the partner's browser now counts like any other: its failures lock the login
    for (let i = 1; i <= 5; i++) {
      const res = await new Client(s.url).post('/api/v1/login', { login: m.login, password: `guess-${i}` }, withDevice(theirs));
      assertBadCredentials(res, `the partner's browser, guess ${i}`);
    }
    assertLimited(await attempt(s.url, m.login, newPassword), 'a browser that never signed in');
    assertLimited(await new Client(s.url).post('/api/v1/login', { login: m.login, password: newPassword }, withDevice(theirs)),
      "the partner's browser, after the change");
    // while the owner's own browser keeps its standing
    const back = await new Client(s.url).post('/api/v1/login', { login: m.login, password: newPassword }, withDevice(mine));
    assert.equal(back.status, 200, `the owner's browser: ${describe(back)}`);
  });
});

test('the sign-in form gives a browser its device cookie too, and it keeps that browser in', async () => {
  await withServer({}, async (s) => {
    const m = await signupOk(new Client(s.url));
    const page = await formSignin(s.url, m.login, m.password);
    assert.equal(page.status, 303, describe(page));
    const dc = deviceOf(page);
    assert.ok(dc && /^[0-9a-f]{64}$/.test(dc.value), `the form sets a device cookie: ${page.setCookies.map((x) => x.raw)}`);
    for (let i = 1; i <= 5; i++) assertBadCredentials(await attempt(s.url, m.login, `guess-${i}`), `guess ${i}`);
    assertLimited(await attempt(s.url, m.login, m.password), 'another browser');
    const c = new Client(s.url);
    const form = await c.get('/signin');
    const fields = { login: m.login, password: m.password };
    const csrf = hiddenInput(form.text, 'csrf');
    if (csrf !== null) fields.csrf = csrf;
    const back = await c.request('POST', '/signin', new URLSearchParams(fields).toString(), {
      contentType: 'application/x-www-form-urlencoded', csrf: false, ...withDevice(dc.value),
    });
    assert.equal(back.status, 303, `the browser with its device cookie: ${describe(back)}`);
  });
});
