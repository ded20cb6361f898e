// Journal: write, read, change, delete, page, limits; and nothing is lost
// when the password changes or the recovery key is used.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, ID_RE, describe, errCode, login, signupOk, startServer, uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

async function member() {
  const c = new Client(server.url);
  const r = await signupOk(c);
  return { c, r };
}

async function write(c, body, prompt) {
  const res = await c.post('/api/v1/journal', prompt === undefined ? { body } : { body, prompt });
  assert.equal(res.status, 201, describe(res));
  return res.json.entry;
}

function assertEntryShape(e) {
  assert.deepEqual(Object.keys(e).sort(), ['body', 'created_at', 'id', 'prompt', 'updated_at']);
  assert.match(e.id, ID_RE);
  for (const t of [e.created_at, e.updated_at]) {
    assert.match(t, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `RFC 3339 UTC time: ${t}`);
  }
}

test('create, read, change and delete an entry', async () => {
  const { c } = await member();
  const text = 'Today we talked for an hour. 🌱 Хорошо. ¡Bien!';
  const res = await c.post('/api/v1/journal', { body: text });
  assert.equal(res.status, 201, describe(res));
  assert.deepEqual(Object.keys(res.json), ['entry']);
  const e = res.json.entry;
  assertEntryShape(e);
  assert.equal(e.body, text);
  assert.equal(e.prompt, null, 'prompt is null when not given');
  assert.ok(Date.parse(e.updated_at) >= Date.parse(e.created_at));
  assert.ok(Math.abs(Date.parse(e.created_at) - Date.now()) < 5 * 60 * 1000, 'created_at is now');

  const got = await c.get(`/api/v1/journal/${e.id}`);
  assert.equal(got.status, 200, describe(got));
  assert.deepEqual(got.json, { entry: e });

  const list = await c.get('/api/v1/journal');
  assert.equal(list.status, 200, describe(list));
  assert.deepEqual(Object.keys(list.json), ['entries']);
  assert.deepEqual(list.json.entries, [e]);

  const changed = await c.put(`/api/v1/journal/${e.id}`, { body: 'Changed my mind.' });
  assert.equal(changed.status, 200, describe(changed));
  assertEntryShape(changed.json.entry);
  assert.equal(changed.json.entry.id, e.id);
  assert.equal(changed.json.entry.body, 'Changed my mind.');
  assert.equal(changed.json.entry.created_at, e.created_at, 'created_at stays');
  assert.ok(Date.parse(changed.json.entry.updated_at) >= Date.parse(changed.json.entry.created_at));
  assert.ok(Date.parse(changed.json.entry.updated_at) >= Date.parse(e.updated_at));
  assert.equal((await c.get(`/api/v1/journal/${e.id}`)).json.entry.body, 'Changed my mind.');

  const del = await c.del(`/api/v1/journal/${e.id}`);
  assert.equal(del.status, 204, describe(del));
  assert.equal(del.text, '');
  const gone = await c.get(`/api/v1/journal/${e.id}`);
  assert.equal(gone.status, 404, describe(gone));
  assert.equal(errCode(gone), 'not_found');
  assert.equal((await c.del(`/api/v1/journal/${e.id}`)).status, 404);
  assert.equal((await c.put(`/api/v1/journal/${e.id}`, { body: 'x' })).status, 404);
  assert.deepEqual((await c.get('/api/v1/journal')).json.entries, []);
});

test('a prompt is stored with the entry', async () => {
  const { c } = await member();
  const prompt = 'What did you notice in your body today?';
  const e = await write(c, 'Tight shoulders, then calmer.', prompt);
  assert.equal(e.prompt, prompt);
  assert.equal((await c.get(`/api/v1/journal/${e.id}`)).json.entry.prompt, prompt);
  const changed = await c.put(`/api/v1/journal/${e.id}`, { body: 'Calmer.' });
  assert.equal(changed.json.entry.prompt, prompt, 'changing the body keeps the prompt');
});

test('the list is newest first and pages with limit and before over 7 entries', async () => {
  const { c } = await member();
  const written = [];
  for (let i = 1; i <= 7; i++) written.push(await write(c, `entry number ${i}`));
  const newestFirst = [...written].reverse().map((e) => e.id);

  const all = await c.get('/api/v1/journal');
  assert.deepEqual(all.json.entries.map((e) => e.id), newestFirst, 'newest first');
  for (let i = 1; i < all.json.entries.length; i++) {
    assert.ok(all.json.entries[i - 1].created_at >= all.json.entries[i].created_at);
  }

  const seen = [];
  let before = null;
  const sizes = [];
  for (let page = 0; page < 5; page++) {
    const q = before ? `?limit=3&before=${before}` : '?limit=3';
    const res = await c.get(`/api/v1/journal${q}`);
    assert.equal(res.status, 200, describe(res));
    sizes.push(res.json.entries.length);
    if (res.json.entries.length === 0) break;
    seen.push(...res.json.entries.map((e) => e.id));
    before = res.json.entries.at(-1).id;
  }
  assert.deepEqual(sizes, [3, 3, 1, 0]);
  assert.deepEqual(seen, newestFirst, 'the pages together are the whole list, in order');

  assert.equal((await c.get('/api/v1/journal?limit=1')).json.entries[0].id, newestFirst[0]);
  assert.equal((await c.get('/api/v1/journal?limit=100')).json.entries.length, 7);
  const mid = await c.get(`/api/v1/journal?before=${newestFirst[2]}`);
  assert.deepEqual(mid.json.entries.map((e) => e.id), newestFirst.slice(3));
});

test('bad paging parameters get 400 invalid_value', async () => {
  const { c } = await member();
  const e = await write(c, 'one');
  for (const q of ['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=', 'limit=1.5', 'limit=3x',
    'before=0123456789abcdef0123456789abcdef', 'before=zzz', 'before=', `before=${e.id.toUpperCase()}`]) {
    const res = await c.get(`/api/v1/journal?${q}`);
    assert.equal(res.status, 400, `?${q}: ${describe(res)}`);
    assert.equal(errCode(res), 'invalid_value', `?${q}`);
  }
});

test('body length: 20000 characters ok, 20001 refused, empty refused', async () => {
  const { c } = await member();
  const ascii = 'a'.repeat(20000);
  const e1 = await write(c, ascii);
  assert.equal((await c.get(`/api/v1/journal/${e1.id}`)).json.entry.body, ascii);

  const cyr = 'ж'.repeat(20000); // 20000 characters, 40000 bytes
  const e2 = await write(c, cyr);
  assert.equal((await c.get(`/api/v1/journal/${e2.id}`)).json.entry.body, cyr);

  for (const body of ['a'.repeat(20001), 'ж'.repeat(20001)]) {
    const res = await c.post('/api/v1/journal', { body });
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), 'too_long');
  }
  const empty = await c.post('/api/v1/journal', { body: '' });
  assert.equal(empty.status, 400, describe(empty));
  assert.equal(errCode(empty), 'too_short');

  const longPut = await c.put(`/api/v1/journal/${e1.id}`, { body: 'b'.repeat(20001) });
  assert.equal(longPut.status, 400, describe(longPut));
  const emptyPut = await c.put(`/api/v1/journal/${e1.id}`, { body: '' });
  assert.equal(emptyPut.status, 400, describe(emptyPut));
  assert.equal((await c.get(`/api/v1/journal/${e1.id}`)).json.entry.body, ascii, 'refused changes change nothing');

  assert.equal((await c.get('/api/v1/journal')).json.entries.length, 2, 'refused entries were not stored');
});

test('missing body, wrong types and unknown fields are refused', async () => {
  const { c } = await member();
  const cases = [
    [{}, 'missing_field'],
    [{ prompt: 'only a prompt' }, 'missing_field'],
    [{ body: 42 }, 'wrong_type'],
    [{ body: ['a'] }, 'wrong_type'],
    [{ body: 'ok', prompt: 7 }, 'wrong_type'],
    [{ body: 'ok', id: '0123456789abcdef0123456789abcdef' }, 'unknown_field'],
    [{ body: 'ok', created_at: '2020-01-01T00:00:00Z' }, 'unknown_field'],
  ];
  for (const [body, code] of cases) {
    const res = await c.post('/api/v1/journal', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${describe(res)}`);
    assert.equal(errCode(res), code, JSON.stringify(body));
  }
  const e = await write(c, 'x');
  const put = await c.put(`/api/v1/journal/${e.id}`, { body: 'y', prompt: 'sneaky' });
  assert.equal(put.status, 400, describe(put));
  assert.equal(errCode(put), 'unknown_field');
  assert.equal((await c.get('/api/v1/journal')).json.entries.length, 1);
});

test('the journal needs a session and the CSRF token', async () => {
  const anon = new Client(server.url);
  for (const res of [await anon.get('/api/v1/journal'), await anon.post('/api/v1/journal', { body: 'x' })]) {
    assert.equal(res.status, 401, describe(res));
    assert.equal(errCode(res), 'not_signed_in');
  }
  const { c } = await member();
  const res = await c.post('/api/v1/journal', { body: 'no token' }, { csrf: false });
  assert.equal(res.status, 403, describe(res));
  assert.equal(errCode(res), 'csrf_failed');
  assert.deepEqual((await c.get('/api/v1/journal')).json.entries, []);
});

test('a password change and a recovery keep every entry readable, word for word', async () => {
  const { c, r } = await member();
  const texts = [
    'First entry: plain words.',
    'Второй день. Было трудно, но мы поговорили.',
    'Tercer día: ¿cómo nos sentimos? 💛\nNew line\tand tab.',
  ];
  const prompt = 'What would repair look like?';
  const ids = [];
  for (const t of texts) ids.push((await write(c, t, prompt)).id);
  const expected = async (client, label) => {
    const list = await client.get('/api/v1/journal');
    assert.equal(list.status, 200, `${label}: ${describe(list)}`);
    assert.deepEqual(list.json.entries.map((e) => e.body), [...texts].reverse(), label);
    assert.ok(list.json.entries.every((e) => e.prompt === prompt), label);
    for (const [i, id] of ids.entries()) {
      const one = await client.get(`/api/v1/journal/${id}`);
      assert.equal(one.json.entry.body, texts[i], label);
    }
  };

  const pw2 = uniquePassword();
  const ch = await c.post('/api/v1/password', { old_password: r.password, new_password: pw2 });
  assert.equal(ch.status, 204, describe(ch));
  await expected(c, 'same session after the password change');
  const c2 = new Client(server.url);
  assert.equal((await login(c2, r.login, pw2)).status, 200);
  await expected(c2, 'new session with the new password');

  const c3 = new Client(server.url);
  const rec = await c3.post('/api/v1/recover', { login: r.login, recovery_key: r.recovery_key, new_password: uniquePassword() });
  assert.equal(rec.status, 200, describe(rec));
  await expected(c3, 'session made by recovery');

  const pw4 = uniquePassword();
  const c4 = new Client(server.url);
  await c4.post('/api/v1/recover', { login: r.login, recovery_key: rec.json.recovery_key, new_password: pw4 });
  const c5 = new Client(server.url);
  assert.equal((await login(c5, r.login, pw4)).status, 200);
  await expected(c5, 'sign-in after a second recovery');
});
