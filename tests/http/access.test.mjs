// Access: a journal entry is its author's alone. The partner and a member
// of another couple get exactly the answer a random id gets, and the entry
// stays as it was.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { Client, describe, errCode, pair, signupOk, startServer } from './harness.mjs';

let server;
let a; let b; let c;
let aCreds;
let entry;
const TEXT = 'Only mine: what I could not say aloud yet.';

before(async () => {
  server = await startServer();
  const p = await pair(server.url);
  a = p.aClient;
  aCreds = p.a;
  b = p.bClient;
  c = new Client(server.url);
  await signupOk(c);
  const res = await a.post('/api/v1/journal', { body: TEXT, prompt: 'private prompt' });
  assert.equal(res.status, 201, describe(res));
  entry = res.json.entry;
});
after(async () => { await server?.stop(); });

const randomId = () => randomBytes(16).toString('hex');

async function assertUnchanged() {
  const res = await a.get(`/api/v1/journal/${entry.id}`);
  assert.equal(res.status, 200, describe(res));
  assert.deepEqual(res.json.entry, entry, 'A\'s entry is exactly as written');
  const list = await a.get('/api/v1/journal');
  assert.deepEqual(list.json.entries, [entry]);
}

for (const [who, getClient] of [['the partner', () => b], ['a member of another couple', () => c]]) {
  test(`${who} gets the random-id 404 for GET, PUT and DELETE of A's entry`, async () => {
    const other = getClient();
    const rid = randomId();
    const probes = [
      ['GET', (id) => other.get(`/api/v1/journal/${id}`)],
      ['PUT', (id) => other.put(`/api/v1/journal/${id}`, { body: 'overwritten by someone else' })],
      ['DELETE', (id) => other.del(`/api/v1/journal/${id}`)],
    ];
    for (const [method, probe] of probes) {
      const real = await probe(entry.id);
      const random = await probe(rid);
      assert.equal(real.status, 404, `${method} A's entry: ${describe(real)}`);
      assert.equal(errCode(real), 'not_found');
      assert.equal(random.status, 404, `${method} random id: ${describe(random)}`);
      assert.equal(real.text, random.text, `${method}: the same body as for a random id`);
      assert.ok(!real.text.includes(TEXT));
      await assertUnchanged();
    }
  });

  test(`${who} never sees A's entry in their own list, and cannot page from its id`, async () => {
    const other = getClient();
    const list = await other.get('/api/v1/journal');
    assert.equal(list.status, 200, describe(list));
    assert.ok(!list.text.includes(entry.id));
    assert.ok(!list.text.includes(TEXT));
    const paged = await other.get(`/api/v1/journal?before=${entry.id}`);
    const randomPaged = await other.get(`/api/v1/journal?before=${randomId()}`);
    assert.equal(paged.status, 400, describe(paged));
    assert.equal(errCode(paged), 'invalid_value');
    assert.equal(paged.text, randomPaged.text, 'the same answer as for an unknown id');
  });
}

test('the partner\'s own entries stay theirs too', async () => {
  const res = await b.post('/api/v1/journal', { body: 'B writes alone.' });
  assert.equal(res.status, 201, describe(res));
  const id = res.json.entry.id;
  assert.equal((await a.get(`/api/v1/journal/${id}`)).status, 404);
  assert.ok(!(await a.get('/api/v1/journal')).text.includes('B writes alone.'));
  assert.equal((await b.get(`/api/v1/journal/${id}`)).json.entry.body, 'B writes alone.');
});

test('without a session: 401 for the entry and the list, and the entry is untouched', async () => {
  const anon = new Client(server.url);
  const results = [
    await anon.get(`/api/v1/journal/${entry.id}`),
    await anon.put(`/api/v1/journal/${entry.id}`, { body: 'anonymous' }),
    await anon.del(`/api/v1/journal/${entry.id}`),
    await anon.get('/api/v1/journal'),
    await anon.get(`/api/v1/journal/${randomId()}`),
  ];
  for (const res of results) {
    assert.equal(res.status, 401, describe(res));
    assert.equal(errCode(res), 'not_signed_in');
    assert.ok(!res.text.includes(TEXT));
  }
  assert.equal(results[0].text, results[4].text, 'the same 401 whether the id exists or not');
  await assertUnchanged();
});

test('a signed-out session of A cannot read the entry', async () => {
  const a2 = new Client(server.url);
  const res0 = await a2.post('/api/v1/login', { login: aCreds.login, password: aCreds.password });
  assert.equal(res0.status, 200, describe(res0));
  const stale = a2.cookie;
  assert.equal((await a2.get(`/api/v1/journal/${entry.id}`)).status, 200);
  const out = await a2.post('/api/v1/logout');
  assert.equal(out.status, 204, describe(out));
  const res = await new Client(server.url).get(`/api/v1/journal/${entry.id}`, { cookie: stale });
  assert.equal(res.status, 401, describe(res));
  assert.ok(!res.text.includes(TEXT));
  // signing out ends every session of the member, A's first one included
  assert.equal((await a.get('/api/v1/me')).status, 401, 'sign-out ended the other session');
  const back = await a.post('/api/v1/login', { login: aCreds.login, password: aCreds.password });
  assert.equal(back.status, 200, describe(back));
  a.csrf = back.json.csrf_token;
  await assertUnchanged();
});
