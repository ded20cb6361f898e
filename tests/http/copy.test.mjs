// `kintsugi copy` (docs/storage.md, "Moving to PostgreSQL"): an instance built
// through the API on SQLite, stopped, copied into a new PostgreSQL database
// and from there back into a new SQLite file, gives the same answers when
// served from the copy: both partners sign in with their passwords and read
// the same journal, check-ins and cards, byte for byte, each still private to
// its author.  The copies never open a sealed field: no password or key is
// given to them, yet every sealed text reads back.
//
// Needs a PostgreSQL server: run under `scripts/pg-test run` (it sets
// KINTSUGI_PG_URL); skipped without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { Client, describe, pair, rand, runTool, scaled, serverBinary, startServer } from './harness.mjs';

const pgUrl = process.env.KINTSUGI_PG_URL;
const output = (r) => `exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).trim()}`;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** A new, empty database on the server of KINTSUGI_PG_URL; returns its URL. */
async function createDatabase(name) {
  const made = await runTool('psql', [pgUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE ${name}`]);
  assert.equal(made.code, 0, `psql: ${output(made)}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
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

test('an instance copied to PostgreSQL and back answers the same', { skip: !pgUrl &&
  'needs PostgreSQL: scripts/pg-test run node --test tests/http/copy.test.mjs', timeout: scaled(120000) },
async () => {
  const live = await startServer();
  let back = null;
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
    assert.equal(before.A['/api/v1/journal?limit=100'].entries.length, 4);
    assert.equal(before.A['/api/v1/checkins'].checkins.length, 2, 'A sees both check-ins');
    await live.stop({ keepDir: true });

    // SQLite -> PostgreSQL
    const target = await createDatabase(`copy_${rand(8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`);
    const shown = target.replace(/:[^:@/]*@/, '@');
    const there = await runTool(serverBinary(), ['copy', '--from', `sqlite:${live.dbPath}`, '--to', target]);
    assert.equal(there.code, 0, `kintsugi copy: ${output(there)}`);
    assert.match(there.stdout, /^copied \d+ rows of \d+ tables from sqlite:\S+ to postgresql:\/\//);
    assert.ok(there.stdout.includes(shown), `the URL shown: ${there.stdout}`);
    assert.match(there.stderr, /^kintsugi copy: journal_entries: 8 rows$/m);
    const password = new URL(pgUrl).password;
    assert.ok(password && !(there.stdout + there.stderr).includes(password), 'no password shown');

    // a second copy into the same database is refused, and changes nothing
    const again = await runTool(serverBinary(), ['copy', '--from', live.dbPath, '--to', target]);
    assert.equal(again.code, 1, output(again));
    assert.match(again.stderr, /is not empty/);

    // PostgreSQL -> a new SQLite file, served
    const backPath = path.join(live.dir, 'back', 'k.db');
    const home = await runTool(serverBinary(), ['copy', '--from', target, '--to', `sqlite:${backPath}`]);
    assert.equal(home.code, 0, `kintsugi copy back: ${output(home)}`);
    assert.equal((await fsp.stat(backPath)).mode & 0o777, 0o600, 'the new file is owner-only');
    back = await startServer({ args: ['--db', backPath] });
    const after = await readAll(back.url, partners);
    assert.deepEqual(after, before, 'every answer is the same on the copy');
  } finally {
    if (back) await back.stop();
    await live.cleanup();
  }
});
