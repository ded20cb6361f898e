// `kintsugi copy` (docs/storage.md, "Moving to PostgreSQL"): an instance built
// through the API on SQLite, stopped and copied into a new PostgreSQL
// database, gives the same answers when served from PostgreSQL: both partners
// sign in with their passwords and read the same journal, check-ins and
// cards, byte for byte, each still private to its author, and go on writing
// there.  Copied from PostgreSQL into a new SQLite file, it answers the same
// again.  The copies never open a sealed field: no password or key is given
// to them, yet every sealed text reads back.
//
// Needs a PostgreSQL server: run under `scripts/pg-test run` (it sets
// KINTSUGI_PG_URL); skipped without it.  The source is a SQLite file on
// either backend of the suite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  Client, describe, makePgDatabase, pair, rand, runTool, scaled, serverBinary, startServer,
} from './harness.mjs';

const pgUrl = process.env.KINTSUGI_PG_URL;
const output = (r) => `exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).trim()}`;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** url without its password: copy is given that through PGPASSWORD, as docs/storage.md says. */
function withoutPassword(url) {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** What each partner reads through the API: journal, check-ins, cards. */
async function readAll(baseUrl, partners) {
  const seen = {};
  for (const m of partners) {
    const c = new Client(baseUrl);
    const res = await c.post('/api/v1/login', { login: m.login, password: m.password });
    assert.equal(res.status, 200, `${m.who} signs in: ${describe(res)}`);
    seen[m.who] = {};
    for (const route of ['/api/v1/journal?limit=100', '/api/v1/checkins', '/api/v1/shares']) {
      const r = await c.get(route);
      assert.equal(r.status, 200, `${m.who} ${route}: ${describe(r)}`);
      seen[m.who][route] = r.json;
    }
  }
  return seen;
}

test('an instance copied to PostgreSQL answers the same there, and copied back again', {
  skip: !pgUrl && 'needs PostgreSQL: scripts/pg-test run node --test tests/http/copy.test.mjs',
  timeout: scaled(120000),
}, async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-copy-'));
  const live = await startServer({ db: path.join(dir, 'k.db') }); // SQLite on either backend
  const target = await makePgDatabase();
  const servers = [];
  const savedPassword = process.env.PGPASSWORD;
  try {
    const p = await pair(live.url);
    const partners = [
      { who: 'A', c: p.aClient, login: p.a.login, password: p.a.password },
      { who: 'B', c: p.bClient, login: p.b.login, password: p.b.password },
    ];
    const scores = { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5 };
    for (const m of partners) {
      for (let n = 0; n < 4; n++) {
        const res = await m.c.post('/api/v1/journal', { body: `${m.who} #${n} «private» ñ Ж ${rand(8)}` });
        assert.equal(res.status, 201, describe(res));
      }
      const ci = await m.c.post('/api/v1/checkins', {
        period: day(0), scores, trust: 6, closeness: 7, note: `note of ${m.who} ${rand(6)}`,
        shared_with: ['partner'],
      });
      assert.equal(ci.status, 201, describe(ci));
      const card = await m.c.post('/api/v1/shares', {
        kind: 'hope', body: `card of ${m.who} ${rand(8)}`, shared_with: ['partner'],
      });
      assert.equal(card.status, 201, describe(card));
    }
    const before = await readAll(live.url, partners);
    assert.equal(before.A['/api/v1/journal?limit=100'].entries.length, 4, 'A reads only their own');
    assert.equal(before.A['/api/v1/checkins'].checkins.length, 2, 'A sees both check-ins');
    await live.stop({ keepDir: true });

    // SQLite -> PostgreSQL, the password through the environment
    process.env.PGPASSWORD = new URL(target.url).password;
    const to = withoutPassword(target.url);
    const there = await runTool(serverBinary(), ['copy', '--from', `sqlite:${live.dbPath}`, '--to', to]);
    assert.equal(there.code, 0, `kintsugi copy: ${output(there)}`);
    assert.equal(there.stdout.trim().replace(/^copied \d+ rows of \d+ tables/, 'copied'),
      `copied from sqlite:${live.dbPath} to ${to.replace(/\?.*$/, '')}`);
    assert.match(there.stderr, /^kintsugi copy: journal_entries: 8 rows$/m);
    assert.match(there.stderr, /^kintsugi copy: couples: 1 row$/m);

    // a second copy into the same database is refused, and changes nothing
    const again = await runTool(serverBinary(), ['copy', '--from', live.dbPath, '--to', to]);
    assert.equal(again.code, 1, output(again));
    assert.match(again.stderr, /is not empty \(table \w+ has rows\)/);

    // served from PostgreSQL: the same answers, and writes go on
    const onPg = await startServer({ db: target.url });
    servers.push(onPg);
    assert.deepEqual(await readAll(onPg.url, partners), before, 'every answer is the same on PostgreSQL');
    const a = new Client(onPg.url);
    assert.equal((await a.post('/api/v1/login', { login: p.a.login, password: p.a.password })).status, 200);
    const more = await a.post('/api/v1/journal', { body: `after the move ${rand(8)}` });
    assert.equal(more.status, 201, describe(more));
    const latest = await readAll(onPg.url, partners);
    const entries = latest.A['/api/v1/journal?limit=100'].entries;
    assert.equal(entries.length, 5);
    assert.equal(entries[0].id, more.json.entry.id, 'the entry written after the move is the newest');
    await onPg.stop({ keepDir: true });

    // PostgreSQL -> a new SQLite file, served
    const backPath = path.join(dir, 'back', 'k.db');
    const home = await runTool(serverBinary(), ['copy', '--from', to, '--to', `sqlite:${backPath}`]);
    assert.equal(home.code, 0, `kintsugi copy back: ${output(home)}`);
    assert.equal((await fsp.stat(backPath)).mode & 0o777, 0o600, 'the new file is owner-only');
    const back = await startServer({ db: backPath });
    servers.push(back);
    assert.deepEqual(await readAll(back.url, partners), latest, 'every answer is the same on the copy back');
  } finally {
    if (savedPassword === undefined) delete process.env.PGPASSWORD;
    else process.env.PGPASSWORD = savedPassword;
    for (const s of servers) {
      await s.stop().catch(() => {});
      await s.cleanup();
    }
    await live.cleanup();
    await target.drop();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
