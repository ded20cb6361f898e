// Signed-in devices and one's own sign-in history (issue 13), and issue 11
// point 1: a partner who knows the other's password signs in from their own
// browser.  The owner must see it (the new session, the history, a notice
// on home) and be able to end it; the partner, in their own account, must
// see nothing of the owner's devices and end none of them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, dbDump, dbSync, describe, errCode, hiddenInput, ID_RE, SESSION_COOKIE, startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

const UA = {
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0',
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
    + 'Chrome/126.0.0.0 Safari/537.36',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 '
    + '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  edgeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) '
    + 'Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
};
const DEVICE_COOKIE = 'kintsugi_device';

/**
 * Browser - a Client that sends its own User-Agent and keeps the device
 * cookie the server gives it, as a real browser does.
 */
class Browser extends Client {
  constructor(baseUrl, ua, opts) {
    super(baseUrl, opts);
    this.ua = ua;
    this.device = null;
  }

  async request(method, p, body, opts = {}) {
    const headers = { 'User-Agent': this.ua, ...(opts.headers || {}) };
    const own = { ...opts, headers };
    if (this.device) {
      const session = opts.cookie !== undefined ? opts.cookie : this.cookie;
      headers.Cookie = [session && `${SESSION_COOKIE}=${session}`, `${DEVICE_COOKIE}=${this.device}`]
        .filter(Boolean).join('; ');
      own.cookie = false;
    }
    const res = await super.request(method, p, body, own);
    for (const c of res.setCookies) if (c.name === DEVICE_COOKIE && c.value) this.device = c.value;
    return res;
  }

  get sessionId() { return this.cookie?.split('.')[0]; }
}

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** A signs up in one browser, invites, and B joins in another: {a, b, aBrowser, bBrowser}. */
async function couple(lang = 'en') {
  const aBrowser = new Browser(server.url, UA.firefoxAndroid);
  const a = { login: uniqueLogin('a'), password: uniquePassword(), display_name: 'Alex', language: lang };
  const res = await aBrowser.post('/api/v1/signup', a);
  assert.equal(res.status, 201, describe(res));
  a.recovery_key = res.json.recovery_key;
  a.id = res.json.member.id;
  assert.ok(aBrowser.device, 'signing up gives the browser a device cookie');
  const inv = await aBrowser.post('/api/v1/invites', { role: 'partner' });
  assert.equal(inv.status, 201, describe(inv));
  const bBrowser = new Browser(server.url, UA.chromeWindows);
  const b = { token: inv.json.token, login: uniqueLogin('b'), password: uniquePassword(), display_name: 'Sam',
    language: lang };
  const joined = await bBrowser.post('/api/v1/join', b);
  assert.equal(joined.status, 201, describe(joined));
  b.id = joined.json.member.id;
  return { a, b, aBrowser, bBrowser };
}

async function signIn(browser, who, password = who.password) {
  return browser.post('/api/v1/login', { login: who.login, password });
}

async function sessions(c) {
  const res = await c.get('/api/v1/me/sessions');
  assert.equal(res.status, 200, describe(res));
  return res.json.sessions;
}

async function activity(c) {
  const res = await c.get('/api/v1/me/activity');
  assert.equal(res.status, 200, describe(res));
  return res.json.events;
}

test('the owner sees a partner who signed in with their password, ends it, and the partner sees nothing of theirs', async () => {
  const { a, aBrowser, bBrowser } = await couple();

  // B, in B's own browser (which holds a device cookie of B's own account,
  // not of A's), signs in as A with A's password.
  const thief = new Browser(server.url, UA.chromeWindows);
  thief.device = bBrowser.device;
  const res = await signIn(thief, a);
  assert.equal(res.status, 200, describe(res));
  assert.notEqual(thief.device, bBrowser.device, 'another account\'s device cookie is not taken: a new one');

  // A, on A's phone, sees the new session beside their own.
  const list = await sessions(aBrowser);
  assert.equal(list.length, 2, `A has two sessions now: ${JSON.stringify(list)}`);
  const [mine, theirs] = list;
  assert.equal(mine.current, true, 'the caller\'s own session comes first');
  assert.equal(theirs.current, false);
  assert.equal(mine.id, aBrowser.sessionId);
  assert.equal(mine.browser, 'Firefox on Android');
  assert.equal(theirs.id, thief.sessionId);
  assert.equal(theirs.browser, 'Chrome on Windows');
  for (const s of list) {
    assert.match(s.id, ID_RE);
    assert.deepEqual(Object.keys(s).sort(), ['browser', 'created_at', 'current', 'id', 'last_seen']);
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(s.last_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }

  // ...and in the history: newest first, the new device and the sign-in.
  const events = await activity(aBrowser);
  assert.deepEqual(events.slice(0, 2).map((e) => e.kind), ['new_device', 'signin'],
    `newest first: ${JSON.stringify(events)}`);
  assert.equal(events[0].browser, 'Chrome on Windows');
  assert.equal(events[1].browser, 'Chrome on Windows');
  assert.equal(events.at(-1).kind, 'signin', 'the sign-up is A\'s first sign-in');
  assert.equal(events.at(-1).browser, 'Firefox on Android');
  for (const e of events) assert.deepEqual(Object.keys(e).sort(), ['at', 'browser', 'kind']);

  // ...and on home, with the way to act on it.
  const home = await aBrowser.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /A new device signed in to your account on <time datetime="[^"]+">\d{1,2} \w+ \d{4} at \d\d:\d\d UTC<\/time>, Chrome on Windows\./);
  assert.match(home.text, /Not you\? Change your password and sign out other devices\./);
  assert.match(home.text, /href="\/settings\/devices"/);
  // The session that signed in is not told about its own sign-in.
  const thiefHome = await thief.get('/home');
  assert.equal(thiefHome.status, 200);
  assert.doesNotMatch(thiefHome.text, /A new device signed in/);

  // B, in B's own account: none of A's sessions, and A's session ids are unknown ids.
  const bList = await sessions(bBrowser);
  assert.equal(bList.length, 1, 'B sees B\'s own session only');
  assert.equal(bList[0].id, bBrowser.sessionId);
  const bEvents = await activity(bBrowser);
  assert.ok(!bEvents.some((e) => e.kind === 'new_device'), 'B\'s history holds nothing of A\'s');
  const random = await bBrowser.del('/api/v1/me/sessions/0123456789abcdef0123456789abcdef');
  assert.equal(random.status, 404, describe(random));
  assert.equal(errCode(random), 'not_found');
  for (const id of [aBrowser.sessionId, thief.sessionId]) {
    const del = await bBrowser.del(`/api/v1/me/sessions/${id}`);
    assert.equal(del.status, 404, describe(del));
    assert.equal(del.text, random.text, 'another member\'s session answers as an unknown one');
  }
  const page = await bBrowser.get('/settings/devices');
  assert.ok(!page.text.includes(aBrowser.sessionId) && !page.text.includes(thief.sessionId),
    'B\'s devices page names none of A\'s sessions');
  const bForm = await bBrowser.form(`/settings/devices/${aBrowser.sessionId}/end`,
    { csrf: hiddenInput(page.text, 'csrf') });
  assert.equal(bForm.status, 404, 'the page refuses it the same way');
  assert.equal((await aBrowser.get('/api/v1/me')).status, 200, 'A is still signed in');
  assert.equal((await thief.get('/api/v1/me')).status, 200, 'and so is the session B opened, for now');

  // A ends the session B opened: its cookie is refused from then on.
  const end = await aBrowser.del(`/api/v1/me/sessions/${thief.sessionId}`);
  assert.equal(end.status, 204, describe(end));
  const gone = await thief.get('/api/v1/me');
  assert.equal(gone.status, 401, describe(gone));
  assert.equal(errCode(gone), 'not_signed_in');
  assert.deepEqual((await sessions(aBrowser)).map((s) => s.id), [aBrowser.sessionId]);
  assert.equal((await aBrowser.del(`/api/v1/me/sessions/${thief.sessionId}`)).status, 404, 'ended once');

  // A dismisses the notice; it goes, and stays gone.
  const form = await aBrowser.form('/settings/devices/notice', {
    csrf: hiddenInput(home.text, 'csrf'), notice: hiddenInput(home.text, 'notice'),
  });
  assert.equal(form.status, 303, describe(form));
  assert.equal(form.headers.get('location'), '/home');
  assert.doesNotMatch((await aBrowser.get('/home')).text, /A new device signed in/);

  // Ending the session took that browser's standing: when B signs in as A
  // from it again, A is told again.
  const again = await signIn(thief, a);
  assert.equal(again.status, 200, describe(again));
  const newer = await activity(aBrowser);
  assert.deepEqual(newer.slice(0, 2).map((e) => e.kind), ['new_device', 'signin']);
  assert.equal(newer.filter((e) => e.kind === 'new_device').length, 2);
  assert.match((await aBrowser.get('/home')).text, /A new device signed in/);

  // A browser that has signed in to A's account before is not a new device.
  const reuse = new Browser(server.url, UA.firefoxAndroid);
  reuse.device = aBrowser.device;
  assert.equal((await signIn(reuse, a)).status, 200);
  const last = await activity(aBrowser);
  assert.equal(last[0].kind, 'signin', 'A\'s own phone signing in again is a sign-in, not a new device');
  assert.equal(last.filter((e) => e.kind === 'new_device').length, 2);
});

test('failed sign-ins against the owner\'s login show in the owner\'s history only', async () => {
  const { a, aBrowser, bBrowser } = await couple();
  const guesser = new Browser(server.url, UA.safariIphone);
  const wrong = await signIn(guesser, a, `not-it-${uniquePassword()}`);
  assert.equal(wrong.status, 401, describe(wrong));
  const unknown = await guesser.post('/api/v1/login', { login: uniqueLogin('nobody'), password: uniquePassword() });
  assert.equal(unknown.status, 401);
  const badKey = await guesser.post('/api/v1/recover', {
    login: a.login, recovery_key: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH', new_password: uniquePassword(),
  });
  assert.equal(badKey.status, 401, describe(badKey));

  const events = await activity(aBrowser);
  const failed = events.filter((e) => e.kind === 'signin_failed');
  assert.equal(failed.length, 2, `a wrong password and a wrong recovery key: ${JSON.stringify(events)}`);
  for (const e of failed) assert.equal(e.browser, 'Safari on iPhone');
  assert.ok(!(await activity(bBrowser)).some((e) => e.kind === 'signin_failed'),
    'the partner\'s history has none of them');
  const history = await aBrowser.get('/settings/history');
  assert.equal(history.status, 200);
  assert.match(history.text, /A sign-in failed/);
  assert.match(history.text, /Safari on iPhone/);
});

test('a password change, a new recovery key and a recovery show in the history', async () => {
  const { a, aBrowser } = await couple();
  const pw = uniquePassword();
  const changed = await aBrowser.post('/api/v1/password', { old_password: a.password, new_password: pw });
  assert.equal(changed.status, 204, describe(changed));
  const key = await aBrowser.post('/api/v1/recovery-key', { recovery_key: a.recovery_key });
  assert.equal(key.status, 200, describe(key));
  let events = (await activity(aBrowser)).map((e) => e.kind);
  assert.deepEqual(events.slice(0, 2), ['recovery_key_changed', 'password_changed'], events.join(', '));

  const laptop = new Browser(server.url, UA.edgeMac);
  const rec = await laptop.post('/api/v1/recover', {
    login: a.login, recovery_key: key.json.recovery_key, new_password: uniquePassword(),
  });
  assert.equal(rec.status, 200, describe(rec));
  events = await activity(laptop);
  assert.equal(events[0].kind, 'recovery_used');
  assert.equal(events[0].browser, 'Edge on macOS');
  const history = await laptop.get('/settings/history');
  for (const words of ['Signed in with the recovery key', 'New recovery key made', 'Password changed', 'Signed in']) {
    assert.ok(history.text.includes(words), `the history page says "${words}"`);
  }
});

test('the devices page: this device marked, another signed out, then everywhere else', async () => {
  const { a, aBrowser } = await couple();
  const others = [new Browser(server.url, UA.chromeWindows), new Browser(server.url, UA.safariIphone)];
  for (const o of others) assert.equal((await signIn(o, a)).status, 200);

  let page = await aBrowser.get('/settings/devices');
  assert.equal(page.status, 200);
  assert.match(page.text, /Firefox on Android <span class="tag">This device<\/span>/);
  assert.match(page.text, /Chrome on Windows/);
  assert.match(page.text, /Safari on iPhone/);
  assert.ok(!page.text.includes(`/settings/devices/${aBrowser.sessionId}/end`), 'no button to end this one');
  for (const o of others) assert.ok(page.text.includes(`/settings/devices/${o.sessionId}/end`));
  assert.match(page.text, /Signed in on <time datetime="[^"]+">\d{1,2} \w+ \d{4} at \d\d:\d\d UTC<\/time>/);

  const csrf = hiddenInput(page.text, 'csrf');
  const one = await aBrowser.form(`/settings/devices/${others[0].sessionId}/end`, { csrf });
  assert.equal(one.status, 303, describe(one));
  assert.equal(one.headers.get('location'), '/settings/devices?ended=one');
  assert.equal((await others[0].get('/api/v1/me')).status, 401);
  assert.equal((await others[1].get('/api/v1/me')).status, 200);
  page = await aBrowser.get('/settings/devices?ended=one');
  assert.match(page.text, /That device is signed out/);

  const rest = await aBrowser.form('/settings/devices/others', { csrf });
  assert.equal(rest.status, 303, describe(rest));
  assert.equal((await others[1].get('/api/v1/me')).status, 401, 'everywhere else is signed out');
  assert.equal((await aBrowser.get('/api/v1/me')).status, 200, 'this one is not');
  page = await aBrowser.get('/settings/devices?ended=others');
  assert.match(page.text, /Every other device is signed out/);
  assert.match(page.text, /You are not signed in anywhere else/);

  // Ending this device's own session signs it out, like /signout.
  const old = aBrowser.cookie;
  const self = await aBrowser.form(`/settings/devices/${aBrowser.sessionId}/end`, { csrf });
  assert.equal(self.status, 303);
  assert.equal(self.headers.get('location'), '/');
  assert.equal(aBrowser.cookie, null, 'the answer clears the cookie');
  assert.equal((await aBrowser.get('/api/v1/me', { cookie: old })).status, 401, 'and the session is over');
});

test('the API can end the caller\'s own session: the cookie is cleared', async () => {
  const { aBrowser } = await couple();
  const id = aBrowser.sessionId;
  const old = aBrowser.cookie;
  const res = await aBrowser.del(`/api/v1/me/sessions/${id}`);
  assert.equal(res.status, 204, describe(res));
  assert.equal(aBrowser.cookie, null, 'the answer clears the cookie');
  assert.equal((await aBrowser.get('/api/v1/me', { cookie: old })).status, 401);
});

test('browser names in the member\'s language, and the User-Agent itself is kept nowhere', async () => {
  const marker = `Marker${uniquePassword().replace(/\W/g, '')}`;
  const { a, aBrowser } = await couple('es');
  const odd = new Browser(server.url, `${marker}/1.0 (Plan9)`);
  assert.equal((await signIn(odd, a)).status, 200);
  const list = await sessions(aBrowser);
  assert.deepEqual(list.map((s) => s.browser).sort(), ['Firefox en Android', 'Navegador desconocido']);
  const page = await aBrowser.get('/settings/history');
  assert.match(page.text, /Navegador desconocido/);
  assert.match(page.text, /\d{1,2} de \w+ de \d{4}/, 'a Spanish date');
  const home = await aBrowser.get('/home');
  assert.match(home.text, /Un dispositivo nuevo/);

  const dump = dbDump(server);
  assert.ok(!dump.includes(marker), 'no User-Agent in the database');
  assert.ok(!dump.includes('Mozilla/5.0'), 'no User-Agent in the database');
  assert.ok(!server.stderr().includes(marker), 'nor in the log');
});

test('the notice goes after 14 days, and a notice cannot be dismissed in advance', async () => {
  const { a, aBrowser } = await couple();
  const other = new Browser(server.url, UA.chromeWindows);
  assert.equal((await signIn(other, a)).status, 200);
  const home = await aBrowser.get('/home');
  const id = Number(hiddenInput(home.text, 'notice'));
  assert.ok(id > 0, 'the notice names its event');
  const csrf = hiddenInput(home.text, 'csrf');

  // The session that made the sign-in cannot dismiss it, nor can anyone name a future one.
  const otherHome = await other.get('/home');
  for (const [c, token, n] of [[other, hiddenInput(otherHome.text, 'csrf'), id], [aBrowser, csrf, id + 1000]]) {
    const res = await c.form('/settings/devices/notice', { csrf: token, notice: String(n) });
    assert.equal(res.status, 303, describe(res));
  }
  assert.match((await aBrowser.get('/home')).text, /A new device signed in/, 'still shown');
  const bad = await aBrowser.form('/settings/devices/notice', { csrf, notice: 'x' });
  assert.equal(bad.status, 400, describe(bad));

  // Fifteen days later (moved in the file), it is gone by itself.
  const fifteenDaysAgo = new Date(Date.now() - 15 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  dbSync(server, `UPDATE audit_log SET at = '${fifteenDaysAgo}' WHERE id = ${id}`);
  assert.doesNotMatch((await aBrowser.get('/home')).text, /A new device signed in/);
  // ...and it stays in the history.
  assert.ok((await activity(aBrowser)).some((e) => e.kind === 'new_device'));
});
