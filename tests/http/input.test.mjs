// Hostile and malformed input: the JSONTestSuite, bad UTF-8, duplicate keys,
// size and media-type limits, CSRF, the order of the checks, and the Big
// List of Naughty Strings as journal text.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { Client, describe, errCode, signupOk, startServer, testdataDir } from './harness.mjs';

const suiteDir = path.join(testdataDir, 'json-test-suite');
const blnsPath = path.join(testdataDir, 'naughty-strings', 'blns.json');
const BODY_LIMIT = 64 * 1024;

let server;
let m; // a signed-in member

before(async () => {
  server = await startServer();
  m = new Client(server.url);
  await signupOk(m);
});
after(async () => { await server?.stop(); });

async function healthy() {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200, 'the server still answers /healthz');
  assert.deepEqual(await res.json(), { status: 'ok' });
}

async function entryCount(c = m) {
  const res = await c.get('/api/v1/journal?limit=100');
  assert.equal(res.status, 200, describe(res));
  return res.json.entries.length;
}

/** POST raw bytes as the member; a network error becomes status 0. */
async function postRaw(bytes, opts = {}) {
  try {
    return await m.post('/api/v1/journal', bytes, opts);
  } catch (err) {
    return { status: 0, text: String(err?.cause?.code || err?.message || err), json: null };
  }
}

const files = (prefix) => fs.readdirSync(suiteDir).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();

test('every n_ file of JSONTestSuite is refused with 400 invalid_json (413 when over 64 KiB)', async () => {
  const before0 = await entryCount();
  const names = files('n_');
  assert.ok(names.length > 150, `found ${names.length} n_ files`);
  const wrong = [];
  for (const name of names) {
    const bytes = fs.readFileSync(path.join(suiteDir, name));
    const res = await postRaw(bytes);
    const expected = bytes.length > BODY_LIMIT ? [413, 'body_too_large'] : [400, 'invalid_json'];
    // An empty body may also be read as "no fields at all".
    const codeOk = errCode(res) === expected[1] || (bytes.length === 0 && res.status === 400);
    if (res.status !== expected[0] || !codeOk) {
      wrong.push(`${name}: ${res.status} ${res.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(wrong, [], `files not refused as expected:\n${wrong.join('\n')}`);
  assert.equal(await entryCount(), before0, 'nothing was stored');
  await healthy();
});

test('every i_ file of JSONTestSuite gets an answer below 500', async () => {
  const wrong = [];
  for (const name of files('i_')) {
    const res = await postRaw(fs.readFileSync(path.join(suiteDir, name)));
    if (res.status === 0 || res.status >= 500) wrong.push(`${name}: ${res.status} ${res.text.slice(0, 120)}`);
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
  await healthy();
});

test('invalid UTF-8 in a JSON body is refused with 400', async () => {
  const before0 = await entryCount();
  const badBytes = [
    [0xff], [0xfe, 0xff], [0xc0, 0xaf], // stray bytes, overlong "/"
    [0xe0, 0x80, 0xaf], // overlong three-byte
    [0xed, 0xa0, 0x80], // UTF-16 surrogate
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xc3], // truncated sequence
    [0x80], // lone continuation byte
  ];
  for (const bad of badBytes) {
    const bytes = Buffer.concat([Buffer.from('{"body":"abc'), Buffer.from(bad), Buffer.from('def"}')]);
    const res = await postRaw(bytes);
    assert.equal(res.status, 400, `bytes ${Buffer.from(bad).toString('hex')}: ${describe(res)}`);
  }
  const inKey = Buffer.concat([Buffer.from('{"bo'), Buffer.from([0xff]), Buffer.from('dy":"x"}')]);
  assert.equal((await postRaw(inKey)).status, 400);
  assert.equal(await entryCount(), before0, 'nothing was stored');
});

test('a NUL character in a string is refused with 400', async () => {
  const res = await postRaw('{"body":"a\\u0000b"}');
  assert.equal(res.status, 400, describe(res));
});

test('duplicate keys are refused with 400', async () => {
  const before0 = await entryCount();
  for (const raw of ['{"body":"a","body":"b"}', '{"body":"same","body":"same"}', '{"body":"x","prompt":"p","prompt":"q"}']) {
    const res = await postRaw(raw);
    assert.equal(res.status, 400, `${raw}: ${describe(res)}`);
    assert.equal(errCode(res), 'invalid_json', raw);
  }
  assert.equal(await entryCount(), before0);
});

test('a body of 64 KiB + 1 byte gets 413; exactly 64 KiB is read (and refused only for its length)', async () => {
  const wrap = (n) => `{"body":"${'a'.repeat(n - 11)}"}`;
  assert.equal(Buffer.byteLength(wrap(BODY_LIMIT + 1)), BODY_LIMIT + 1);
  const over = await postRaw(wrap(BODY_LIMIT + 1));
  assert.equal(over.status, 413, describe(over));
  assert.equal(errCode(over), 'body_too_large');
  const at = await postRaw(wrap(BODY_LIMIT));
  assert.equal(at.status, 400, describe(at));
  assert.equal(errCode(at), 'too_long');
  const big = await postRaw(`{"body":"${'a'.repeat(1024 * 1024)}"}`);
  assert.ok(big.status === 413 || big.status === 0, `1 MiB: ${describe(big)}`);
  await healthy();
});

test('a body that is not application/json gets 415; application/json with a charset is fine', async () => {
  const before0 = await entryCount();
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
    'application/jsonx', 'text/json']) {
    const res = await m.post('/api/v1/journal', '{"body":"typed wrong"}', { contentType: ct });
    assert.equal(res.status, 415, `${ct}: ${describe(res)}`);
    assert.equal(errCode(res), 'unsupported_media_type', ct);
  }
  assert.equal(await entryCount(), before0, 'nothing was stored');
  const ok = await m.post('/api/v1/journal', '{"body":"with charset"}', { contentType: 'application/json; charset=utf-8' });
  assert.equal(ok.status, 201, describe(ok));
});

test('no CSRF header (or a wrong one) gets 403 and creates nothing', async () => {
  const before0 = await entryCount();
  const none = await m.post('/api/v1/journal', { body: 'csrf-less write' }, { csrf: false });
  assert.equal(none.status, 403, describe(none));
  assert.equal(errCode(none), 'csrf_failed');
  const wrong = await m.post('/api/v1/journal', { body: 'csrf-less write' }, { csrf: 'a'.repeat(64) });
  assert.equal(wrong.status, 403, describe(wrong));
  const empty = await m.post('/api/v1/journal', { body: 'csrf-less write' }, { headers: { 'X-CSRF-Token': '' }, csrf: false });
  assert.equal(empty.status, 403, describe(empty));
  const list = await m.get('/api/v1/journal?limit=100');
  assert.equal(list.json.entries.length, before0);
  assert.ok(!list.text.includes('csrf-less write'));
});

test('the checks come in order: route, size, session, CSRF, media type, JSON', async () => {
  const anon = new Client(server.url);
  const huge = `{"body":"${'a'.repeat(BODY_LIMIT)}"}`;

  const unknown = await anon.post('/api/v1/no-such-thing', huge, { contentType: 'text/plain' });
  assert.equal(unknown.status, 404, `unknown route first: ${describe(unknown)}`);
  assert.equal(errCode(unknown), 'not_found');
  assert.equal((await anon.get('/api/v1/no-such-thing')).status, 404);

  const tooBig = await anon.post('/api/v1/journal', huge, { contentType: 'text/plain' });
  assert.equal(tooBig.status, 413, `size before session: ${describe(tooBig)}`);

  const noSession = await anon.post('/api/v1/journal', 'not json', { contentType: 'text/plain' });
  assert.equal(noSession.status, 401, `session before CSRF and media type: ${describe(noSession)}`);

  const noCsrf = await m.post('/api/v1/journal', 'not json', { contentType: 'text/plain', csrf: false });
  assert.equal(noCsrf.status, 403, `CSRF before media type: ${describe(noCsrf)}`);

  const badType = await m.post('/api/v1/journal', 'not json', { contentType: 'text/plain' });
  assert.equal(badType.status, 415, `media type before JSON: ${describe(badType)}`);

  const badJson = await m.post('/api/v1/journal', 'not json');
  assert.equal(badJson.status, 400, describe(badJson));
  assert.equal(errCode(badJson), 'invalid_json');
});

test('a method a route does not have gets 405, with the methods it does have', async () => {
  for (const [method, p, allow] of [['DELETE', '/api/v1/journal', 'GET, HEAD, POST'],
    ['PUT', '/api/v1/journal', 'GET, HEAD, POST'], ['POST', '/api/v1/me', 'GET, HEAD, PUT, DELETE']]) {
    const res = await m.request(method, p, method === 'DELETE' ? undefined : { body: 'x' });
    assert.equal(res.status, 405, `${method} ${p}: ${describe(res)}`);
    assert.equal(errCode(res), 'method_not_allowed');
    assert.equal(res.headers.get('allow'), allow, `${method} ${p}: Allow`);
  }
  const signout = await m.get('/signout');
  assert.equal(signout.status, 405, `GET /signout: ${describe(signout)}`);
  assert.equal(signout.headers.get('allow'), 'POST', 'sign-out is a POST only');
});

test('JSON that is not an object is refused with 400', async () => {
  for (const raw of ['[]', '"body"', '42', 'null', '[{"body":"x"}]', '{"body":"x"} {"body":"y"}', '{"body":"x"}x']) {
    const res = await postRaw(raw);
    assert.equal(res.status, 400, `${raw}: ${describe(res)}`);
  }
  await healthy();
});

test('naughty strings come back byte-identical or are refused with 400', async (t) => {
  const all = JSON.parse(fs.readFileSync(blnsPath, 'utf8'));
  const strings = all.filter((s) => typeof s === 'string' && [...s].length >= 1 && [...s].length <= 20000);
  assert.ok(strings.length > 400, `found ${strings.length} strings`);
  let roundTrip = 0;
  let refused = 0;
  const wrong = [];
  for (const s of strings) {
    const res = await m.post('/api/v1/journal', { body: s });
    if (res.status === 400) {
      refused++;
      continue;
    }
    if (res.status !== 201) {
      wrong.push(`${JSON.stringify(s).slice(0, 60)}: POST ${res.status}`);
      continue;
    }
    const got = await m.get(`/api/v1/journal/${res.json.entry.id}`);
    const back = got.json?.entry?.body;
    if (got.status !== 200 || back === undefined ||
        !Buffer.from(back, 'utf8').equals(Buffer.from(s, 'utf8')) || res.json.entry.body !== s) {
      wrong.push(`${JSON.stringify(s).slice(0, 60)}: came back as ${JSON.stringify(back).slice(0, 60)}`);
      continue;
    }
    roundTrip++;
  }
  t.diagnostic(`naughty strings: ${roundTrip} round-tripped, ${refused} refused with 400, of ${strings.length}`);
  assert.deepEqual(wrong, [], wrong.join('\n'));
  assert.ok(roundTrip > strings.length * 0.9,
    `most strings round-trip: ${roundTrip} came back, ${refused} refused of ${strings.length}`);
  await healthy();
});
