// The server on PostgreSQL when its connections are cut (a database
// restart, a failover, an operator's pg_terminate_backend): every request
// answers either as usual or 503 storage_unavailable with Retry-After, in
// the member's language; the process stays up; the connections come back
// under the sandbox; nothing acknowledged is lost, nothing half-written.
// Runs only with KINTSUGI_TEST_BACKEND=postgresql (make test's http-pg).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, describe, onPostgres, psql, readJournal, signupOk, startServer,
} from './harness.mjs';

const skip = onPostgres ? false : 'the PostgreSQL backend only (KINTSUGI_TEST_BACKEND=postgresql)';
let server;
before(async () => { if (onPostgres) server = await startServer({ args: ['--threads', '2'] }); });
after(async () => { await server?.stop(); });

function dbName() {
  return new URL(server.db).pathname.slice(1);
}

/** Cuts every connection the server holds; resolves to how many there were. */
async function cutConnections() {
  const before = await countConnections();
  await psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName()}'`);
  return before;
}

async function countConnections() {
  const out = await psql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${dbName()}'`, true);
  return Number(out.trim());
}

function okOrUnavailable(res, ok) {
  if (res.status === ok) return true;
  assert.equal(res.status, 503, describe(res));
  assert.ok(Number(res.headers.get('retry-after')) > 0, 'a 503 says when to try again');
  return false;
}

test('the connections are made before the first request, one per worker, the server\'s own and the marks\' writer\'s',
  { skip }, async () => {
    assert.equal(await countConnections(), 4,
      '--threads 2: two workers, the main handle and the thread that writes last-seen marks');
  });

test('cut connections: every answer is the usual one or a clear 503, and the server comes back',
  { skip }, async () => {
    const c = new Client(server.url);
    await signupOk(c, { language: 'es' });
    const acked = new Map();
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/api/v1/journal', { body: `before the cut ${i}` });
      assert.equal(res.status, 201, describe(res));
      acked.set(res.json.entry.id, `before the cut ${i}`);
    }
    for (let round = 0; round < 3; round++) {
      assert.ok(await cutConnections() >= 1, 'the server held connections to cut');
      let served = 0;
      for (let i = 0; i < 12; i++) {
        const body = `round ${round} entry ${i}`;
        const res = await c.post('/api/v1/journal', { body });
        if (okOrUnavailable(res, 201)) {
          acked.set(res.json.entry.id, body);
          served++;
        }
        const page = await c.get('/journal');
        if (!okOrUnavailable(page, 200)) {
          assert.match(page.text, /lang="es"/, 'the 503 page is in the member\'s language');
        }
      }
      assert.ok(served >= 8, `round ${round}: the server came back (${served} of 12 writes served)`);
    }
    assert.equal(server.exited(), null, 'the process stayed up');
    const journal = await readJournal(c);
    for (const [id, body] of acked) assert.equal(journal.get(id), body, 'every acknowledged entry is there');
    assert.equal(journal.size, acked.size, 'no entry that was refused was written after all');
    assert.doesNotMatch(server.stderr(), /round \d entry|before the cut|password=|postgresql:\/\/[^\s]*:[^\s]*@/,
      'the log carries no content and no password');
  });
