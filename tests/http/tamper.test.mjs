// Tampering at rest: with the server stopped, journal ciphertexts are copied
// with the database's own tool (sqlite3, psql) into another row of the same
// member, of the partner and of another couple, into another field of the
// same row, and an older version is put back over a newer one. After a
// restart none of those rows comes back as the copied plaintext (404 or 500,
// never 200 with the text), and the rows nobody touched still read as
// written.  The same on both backends: an operator of either has the rows.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, dbSync, describe, pair, rand, signupOk, startServer } from './harness.mjs';

let first; // the server whose directory (or PostgreSQL database) holds the data
let server; // the one running now
const T = {}; // label -> text
const E = {}; // label -> entry id
const who = {}; // label -> client of its author
let A; let B; let X;

function sql(statement) {
  return dbSync(first, statement);
}

/** SQL for a bytea/blob column as upper-case hex, and for hex back as bytes, on either backend. */
const hexOf = (col) => (first.dbPath ? `hex(${col})` : `upper(encode(${col}, 'hex'))`);
const bytesOf = (hex) => (first.dbPath ? `X'${hex}'` : `decode('${hex}', 'hex')`);

async function write(client, label, prompt) {
  T[label] = `${label} text ${rand(16)}`;
  const body = prompt ? { body: T[label], prompt } : { body: T[label] };
  const res = await client.post('/api/v1/journal', body);
  assert.equal(res.status, 201, describe(res));
  E[label] = res.json.entry.id;
  who[label] = client;
}

/** Points every client at a new server (sessions live in the database). */
function retarget(url) {
  for (const c of [A, B, X]) c.baseUrl = url;
}

before(async () => {
  first = await startServer();
  const p = await pair(first.url);
  A = p.aClient; B = p.bClient;
  X = new Client(first.url);
  await signupOk(X);
  await write(A, 'a1 source');
  await write(A, 'a2 same member');
  await write(A, 'a3 untouched');
  await write(A, 'a4 old version');
  T['a4 old version v1'] = T['a4 old version'];
  await write(A, 'a5 prompt swap', `Prompt ${rand(12)}?`);
  await write(B, 'b1 partner');
  await write(B, 'b2 untouched');
  await write(X, 'x1 other couple');
  await write(X, 'x2 untouched');
  await first.stop({ keepDir: true });

  // The first version of a4's ciphertext, then a second version over it.
  const v1 = sql(`SELECT ${hexOf('body_sealed')} FROM journal_entries WHERE id = '${E['a4 old version']}'`);
  assert.match(v1, /^[0-9A-F]+$/);
  server = await startServer({ db: first.db });
  retarget(server.url);
  T['a4 old version'] = `a4 second version ${rand(16)}`;
  const put = await A.put(`/api/v1/journal/${E['a4 old version']}`, { body: T['a4 old version'] });
  assert.equal(put.status, 200, describe(put));
  await server.stop();

  const src = `(SELECT body_sealed FROM journal_entries WHERE id = '${E['a1 source']}')`;
  sql(`UPDATE journal_entries SET body_sealed = ${src} WHERE id IN ` +
    `('${E['a2 same member']}', '${E['b1 partner']}', '${E['x1 other couple']}')`);
  sql(`UPDATE journal_entries SET prompt_sealed = body_sealed WHERE id = '${E['a5 prompt swap']}'`);
  sql(`UPDATE journal_entries SET body_sealed = ${bytesOf(v1)} WHERE id = '${E['a4 old version']}'`);
  assert.equal(sql(`SELECT count(*) FROM journal_entries WHERE body_sealed = ${src}`), '4', 'the copies are in place');

  server = await startServer({ db: first.db });
  retarget(server.url);
});
after(async () => {
  await server?.stop();
  await first?.cleanup();
});

// tampered row -> [the row whose text was copied, how often the author's
// list may show that text (its own row, when the author may read it)]
const TAMPERED = {
  'a2 same member': ['a1 source', 1],
  'b1 partner': ['a1 source', 0],
  'x1 other couple': ['a1 source', 0],
  'a5 prompt swap': ['a5 prompt swap', 1],
  'a4 old version': ['a4 old version v1', 0],
};

for (const [label, [src, allowed]] of Object.entries(TAMPERED)) {
  test(`a tampered row (${label}) never opens as the copied text`, async () => {
    const c = who[label];
    for (const p of [`/api/v1/journal/${E[label]}`, `/journal/${E[label]}`]) {
      const res = await c.get(p);
      assert.ok([404, 500].includes(res.status), `GET ${p}: want 404 or 500, got ${describe(res)}`);
      assert.ok(!res.text.includes(T[src]), `GET ${p} shows the copied text`);
    }
    const list = await c.get('/api/v1/journal?limit=100');
    const n = list.text.split(T[src]).length - 1;
    assert.ok(n <= allowed, `the list of ${label}'s author shows the copied text ${n} times (status ${list.status})`);
  });
}

test('untouched rows still read as written', async () => {
  for (const label of ['a1 source', 'a3 untouched', 'b2 untouched', 'x2 untouched']) {
    const res = await who[label].get(`/api/v1/journal/${E[label]}`);
    assert.equal(res.status, 200, `${label}: ${describe(res)}`);
    assert.equal(res.json.entry.body, T[label], label);
    const page = await who[label].get(`/journal/${E[label]}`);
    assert.equal(page.status, 200, `${label} page: ${describe(page)}`);
  }
});

// One damaged row is not the whole journal: the list leaves it out, and the
// operator's log says how many were left out, and where, with nothing of them.
test('a list with a tampered row still lists the untouched ones, and the operator is told', async () => {
  for (const [c, labels] of [[A, ['a1 source', 'a3 untouched']], [B, ['b2 untouched']], [X, ['x2 untouched']]]) {
    for (const p of ['/api/v1/journal?limit=100', '/journal']) {
      const res = await c.get(p);
      assert.equal(res.status, 200, `${p}: ${describe(res)}`);
      for (const label of labels) assert.ok(res.text.includes(T[label]), `${p}: ${label} is listed`);
    }
  }
  const log = server.stderr();
  assert.match(log, /^kintsugi: \d+ stored items? did not open \(damaged, or changed in the file\) and (was|were) left out of an answer to \/api\/v1\/journal$/m);
  assert.match(log, /left out of an answer to \/journal$/m);
  for (const t of Object.values(T)) assert.ok(!log.includes(t), 'no text of any entry in the log');
});
