// Durability: SIGKILL while several members write, restart on the same
// database, and every entry the server acknowledged (201) is there with its
// exact text; `kintsugi check` finds the file sound.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, onPostgres, readJournal, scaled, serverBinary, signupOk, startServer, toolEnv, uniqueLogin,
  uniquePassword,
} from './harness.mjs';

/** The harness's server on the database db (a path, or on PostgreSQL a URL). */
function serve(db) {
  return startServer({ db });
}

test('entries acknowledged before a SIGKILL are all there after a restart', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-durable-'));
  // SQLite: a file of this test's own; PostgreSQL: the first server's database
  const first = onPostgres ? await startServer() : await serve(path.join(dir, 'k.db'));
  const db = first.db;
  try {
    const members = [];
    for (let i = 0; i < 4; i++) {
      const c = new Client(first.url);
      const login = uniqueLogin('d');
      const password = uniquePassword();
      await signupOk(c, { login, password });
      members.push({ c, login, password, acked: [] });
    }
    // Every member writes as fast as it can; the server dies mid-stream.
    let stop = false;
    const writers = members.map(async (m) => {
      for (let n = 0; !stop; n++) {
        const body = `durable ${m.login} ${n}`;
        try {
          const res = await m.c.post('/api/v1/journal', { body });
          if (res.status === 201) m.acked.push({ id: res.json.entry.id, body });
        } catch {
          return; // the connection died with the server
        }
      }
    });
    await sleep(1500);
    // A slow server (under valgrind) gets longer to acknowledge enough.
    const acked = () => members.reduce((n, m) => n + m.acked.length, 0);
    for (const end = Date.now() + scaled(1500) - 1500; acked() < 40 && Date.now() < end;) await sleep(100);
    first.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    const killed = await first.stop({ keepDir: true });
    assert.equal(killed?.signal, 'SIGKILL', `the first server died of the SIGKILL: ${JSON.stringify(killed)}`);

    const total = members.reduce((n, m) => n + m.acked.length, 0);
    assert.ok(total > 20, `the writers got ${total} acknowledgements before the kill`);

    const check = spawnSync(serverBinary(), ['check'],
      { encoding: 'utf8', env: { ...toolEnv(), KINTSUGI_DB: db } });
    assert.equal(check.status, 0, `kintsugi check: ${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /ok/);

    const second = await serve(db);
    try {
      for (const m of members) {
        const c = new Client(second.url);
        const res = await c.post('/api/v1/login', { login: m.login, password: m.password });
        assert.equal(res.status, 200);
        c.csrf = res.json.csrf_token;
        const seen = await readJournal(c);
        for (const a of m.acked) {
          assert.equal(seen.get(a.id), a.body, `acknowledged entry ${a.body} survived`);
        }
      }
    } finally {
      await second.stop();
    }
  } finally {
    await first.cleanup();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
