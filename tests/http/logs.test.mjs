// The request log: after a full flow (sign-up, failed sign-ins, journal with
// markers, invite and join, password change, recovery, pages), stderr holds
// exactly one line per request, "<time> <method> <route pattern> <status>
// <n>us", other lines only at start and stop, and none of the flow's
// secrets: no marker, password, recovery key, cookie, CSRF token, invite
// token, login name, display name or 32-hex id.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  Client, describe, hiddenInput, rand, rawRequest, startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

const LINE_RE = /^\d{4}-\d\d-\d\dT\S+Z (GET|POST|PUT|DELETE|HEAD) \S+ \d{3} \d+us$/;

let log = '';
let requests = 0; // requests this file made (the harness's /healthz probes aside)
const secrets = new Map(); // label -> string

/** A Client that counts its requests. */
class Counted extends Client {
  async request(...args) {
    requests++;
    return super.request(...args);
  }

  fresh() { return new Counted(this.baseUrl); }
}

function keep(label, value) {
  if (!value) return;
  secrets.set(label, value);
  if (/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/.test(value)) secrets.set(`${label} without dashes`, value.replace(/-/g, ''));
}

function keepCookies(label, c) {
  if (c.cookie) {
    keep(`${label} cookie`, c.cookie);
    keep(`${label} cookie secret`, c.cookie.split('.').slice(1).join('.'));
  }
  keep(`${label} csrf token`, c.csrf);
}

async function ok(res, status, label) {
  assert.equal(res.status, status, `${label}: ${describe(res)}`);
  return res;
}

before(async () => {
  const server = await startServer();
  try {
    const url = server.url;
    const mark = (label) => { const m = `mk${rand(16)}`; keep(label, m); return m; };

    // Sign-up through the API, and failed sign-ins.
    const a = new Counted(url);
    const aLogin = uniqueLogin('logwatch'); const aPw = uniquePassword();
    keep('A login', aLogin); keep('A password', aPw);
    const aName = `Name ${mark('A display name')}`;
    const su = await ok(await a.post('/api/v1/signup', { login: aLogin, password: aPw, display_name: aName, language: 'en' }), 201, 'signup');
    keep('A recovery key', su.json.recovery_key);
    keep('A member id', su.json.member.id);
    keep('couple id', su.json.couple.id);
    keepCookies('A signup', a);
    const wrong = `wrong-${rand(12)}`; keep('wrong password', wrong);
    await ok(await a.fresh().post('/api/v1/login', { login: aLogin, password: wrong }), 401, 'wrong password');
    const ghost = uniqueLogin('ghostlog'); keep('unknown login', ghost);
    await ok(await a.fresh().post('/api/v1/login', { login: ghost, password: wrong }), 401, 'unknown login');
    await ok(await a.fresh().post('/api/v1/login', { login: aLogin.toUpperCase(), password: wrong }), 401, 'wrong password, upper case');
    keep('A login upper case', aLogin.toUpperCase());

    // The journal, with markers in body and prompt, ids in paths and queries.
    const e1 = (await ok(await a.post('/api/v1/journal', { body: `Body ${mark('entry 1')}`, prompt: `Prompt ${mark('prompt 1')}?` }), 201, 'write')).json.entry;
    const e2 = (await ok(await a.post('/api/v1/journal', { body: `Body ${mark('entry 2')}` }), 201, 'write 2')).json.entry;
    keep('entry 1 id', e1.id); keep('entry 2 id', e2.id);
    await ok(await a.get(`/api/v1/journal/${e1.id}`), 200, 'read');
    await ok(await a.put(`/api/v1/journal/${e1.id}`, { body: `Changed ${mark('entry 1 changed')}` }), 200, 'change');
    await ok(await a.get(`/api/v1/journal?limit=5&before=${e2.id}`), 200, 'page');
    await ok(await a.del(`/api/v1/journal/${e2.id}`), 204, 'delete');
    await ok(await a.get(`/api/v1/journal/${e2.id}`), 404, 'deleted');
    await ok(await a.get(`/nowhere/${mark('unknown path')}`), 404, 'unknown path');

    // Invite and join (the token in a query string and in a body).
    const inv = await ok(await a.post('/api/v1/invites', { role: 'partner' }), 201, 'invite');
    keep('invite token', inv.json.token);
    keep('invite token secret', inv.json.token.split('.').slice(1).join('.'));
    keep('invite url', inv.json.url);
    const b = new Counted(url);
    await ok(await b.get(`/join?invite=${encodeURIComponent(inv.json.token)}`), 200, 'join page');
    const bLogin = uniqueLogin('logpartner'); const bPw = uniquePassword();
    keep('B login', bLogin); keep('B password', bPw);
    const bName = `Partner ${mark('B display name')}`;
    const jn = await ok(await b.post('/api/v1/join', { token: inv.json.token, login: bLogin, password: bPw, display_name: bName, language: 'es' }), 201, 'join');
    keep('B recovery key', jn.json.recovery_key);
    keep('B member id', jn.json.member.id);
    keepCookies('B join', b);
    await ok(await b.get(`/api/v1/journal/${e1.id}`), 404, 'partner probes A\'s entry');

    // Password change, sign-in with the new one, recovery.
    const aPw2 = uniquePassword(); keep('A new password', aPw2);
    await ok(await a.post('/api/v1/password', { old_password: aPw, new_password: aPw2 }), 204, 'password change');
    const a2 = new Counted(url);
    await ok(await a2.post('/api/v1/login', { login: aLogin, password: aPw2 }), 200, 'login with the new password');
    keepCookies('A second session', a2);
    const bPw2 = uniquePassword(); keep('B recovered password', bPw2);
    const rec = await ok(await new Counted(url).post('/api/v1/recover', { login: bLogin, recovery_key: jn.json.recovery_key, new_password: bPw2 }), 200, 'recover');
    keep('B new recovery key', rec.json.recovery_key);

    // Pages: form sign-in, the journal form, an entry page.
    const f = new Counted(url);
    const page = await ok(await f.get('/signin'), 200, 'signin page');
    const fields = { login: bLogin, password: bPw2 };
    const fcsrf = hiddenInput(page.text, 'csrf');
    if (fcsrf !== null) fields.csrf = fcsrf;
    await ok(await f.form('/signin', fields), 303, 'form sign-in');
    await ok(await f.get('/api/v1/me'), 200, 'me');
    keepCookies('B form session', f);
    await ok(await f.form('/journal', { body: `Form ${mark('form entry')}`, csrf: f.csrf }), 303, 'form journal');
    await ok(await f.get(`/journal/${e1.id}`), 404, 'someone else\'s entry page');
    await ok(await a2.get(`/journal/${e1.id}`), 200, 'own entry page');
    await ok(await a2.post('/api/v1/logout'), 204, 'logout');
    await ok(await f.form('/signout', { csrf: f.csrf }), 303, 'form sign-out');
  } finally {
    await server.stop();
    log = server.stderr();
  }
});

test('one line per request, in the fixed format; other lines only at start and stop', () => {
  const lines = log.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const isReq = lines.map((l) => LINE_RE.test(l));
  // the harness's health probe may be answered while the server finishes
  // starting (its sandbox, the "listening" line): start-up ends at that line
  const started = lines.findIndex((l) => / listening on http:/.test(l));
  assert.ok(started >= 0, `the server says where it listens:\n${log}`);
  const first = isReq.indexOf(true, started);
  const last = isReq.lastIndexOf(true);
  assert.ok(first >= 0, `request lines are logged:\n${log}`);
  const stray = lines.filter((l, i) => i > first && i < last && !isReq[i]);
  assert.deepEqual(stray, [], 'no other lines between requests');
  const reqLines = lines.filter((l, i) => isReq[i]);
  const probes = reqLines.filter((l) => / GET \/healthz 200 /.test(l)).length;
  assert.equal(reqLines.length - probes, requests, `one line for each of the ${requests} requests`);
  assert.ok(lines.slice(0, first).length <= 3, `at most a few lines at start:\n${lines.slice(0, first).join('\n')}`);
  assert.ok(lines.slice(last + 1).length <= 3, `at most a few lines at stop:\n${lines.slice(last + 1).join('\n')}`);
});

test('the log names route patterns, never paths with ids or tokens', () => {
  assert.match(log, / GET \/api\/v1\/journal\/\{id\} 200 /);
  assert.match(log, / DELETE \/api\/v1\/journal\/\{id\} 204 /);
  assert.ok(!/\?/.test(log), 'no query strings');
  assert.ok(!/\/nowhere/.test(log), 'an unknown path is not logged as sent');
});

test('the log holds no secret of the flow and no 32-hex id', () => {
  assert.ok(secrets.size >= 25, `${secrets.size} secrets collected`);
  const leaks = [...secrets].filter(([, v]) => log.includes(v) || log.toLowerCase().includes(v.toLowerCase()))
    .map(([label]) => label);
  assert.deepEqual(leaks, [], `secrets in the log:\n${leaks.join('\n')}`);
  const hex = log.match(/[0-9a-f]{32}/gi) || [];
  assert.deepEqual(hex, [], 'no 32-hex value (ids, tokens) in the log');
});

test('control bytes sent in a method, path or header never reach the log', async () => {
  const server = await startServer();
  let log;
  const answers = [];
  try {
    const send = async (label, head) => {
      try {
        const res = await rawRequest(server.port, Buffer.from(head, 'latin1'));
        answers.push(`${label}: ${res.status}`);
      } catch (err) {
        answers.push(`${label}: ${err.message}`); // a connection the server cut is fine too
      }
    };
    const tail = `HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`;
    await send('ESC in the method', `G\x1bT / ${tail}`);
    await send('ESC sequence in the method', `\x1b[2J / ${tail}`);
    await send('BEL in the method', `PO\x07T /signin ${tail}`);
    await send('DEL in the method', `\x7fGET / ${tail}`);
    await send('CR in the method', `GE\rT / ${tail}`);
    await send('a high byte in the method', `G\xe9T / ${tail}`);
    await send('a lower-case method', `get / ${tail}`);
    await send('a method of 8 letters', `GETTTTTT / ${tail}`);
    await send('ESC in the path', `GET /%1b[31mred%0a2026-01-01T00:00:00Z ${tail}`);
    await send('ESC in a page path', `GET /journal/%1b%5b31m ${tail}`);
    await send('ESC in a query', `GET /signin?x=%1b%07%7f ${tail}`);
    await send('ESC in headers', `POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
      'Origin: https://e\x1b[31m.example\r\nSec-Fetch-Site: cross\x07site\r\nCookie: kintsugi_session=\x1b\x7f\r\n' +
      'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  } finally {
    await server.stop();
    log = server.stderr();
  }
  const bad = [...log].map((ch, i) => [ch.codePointAt(0), i])
    .filter(([c]) => (c < 0x20 && c !== 0x0a) || c >= 0x7f);
  assert.deepEqual(bad.map(([c, i]) => `0x${c.toString(16)} at ${i}`), [],
    `only printable ASCII and newlines in the log:\n${JSON.stringify(log)}\n${answers.join('\n')}`);
  assert.match(log, / \? - 405 \d+us\n/, `a mangled method is logged as "?":\n${log}\n${answers.join('\n')}`);
  assert.ok(!/GETTTTTT|\bget\b/.test(log), 'methods that are not 1 to 7 capital letters are not shown');
  assert.ok(!/red|31m/.test(log), 'no piece of a path is logged');
});
