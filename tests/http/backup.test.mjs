// sqlite-only: kintsugi backup copies the SQLite file; PostgreSQL is copied with pg_dump
// A backup taken during writes restores: while both partners of a couple
// write private journal entries, `kintsugi backup` copies the live database;
// restored the way README.md says (the file put in place with owner-only
// mode, `kintsugi check`, then `kintsugi serve`), it lets both partners sign
// in with their passwords and read every entry acknowledged before the
// backup began, word for word, still private to its author, and the cards
// they shared with each other.  It is a snapshot: entries written after the
// backup finished are not in it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, ID_RE, describe, errCode, pair, rand, readJournal, runTool, scaled, serverBinary,
  startServer,
} from './harness.mjs';

const output = (r) => `exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).trim()}`;

async function waitFor(cond, ms) {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(10);
  return cond();
}

test('a backup taken while both partners write restores, each partner\'s entries still private',
  { timeout: scaled(120000) }, async (t) => {
    const live = await startServer();
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-backup-'));
    let restored = null;
    try {
      const p = await pair(live.url);
      const partners = [
        { who: 'A', c: p.aClient, login: p.a.login, password: p.a.password, acked: [] },
        { who: 'B', c: p.bClient, login: p.b.login, password: p.b.password, acked: [] },
      ];
      // One openness card each, shared with the partner.
      for (const m of partners) {
        const body = `backup card of ${m.who} ${rand(8)}`;
        const res = await m.c.post('/api/v1/shares', { kind: 'hope', body, shared_with: ['partner'] });
        assert.equal(res.status, 201, `${m.who}'s card: ${describe(res)}`);
        m.card = { id: res.json.share.id, body };
      }

      // Both write private entries, one after the other, until stopped;
      // t0 is when a request went out, t1 when its 201 came back.
      let stopped = false;
      const failures = [];
      const writers = partners.map(async (m) => {
        for (let n = 0; !stopped; n++) {
          const body = `backup ${m.who} #${n} — «private» ${rand(8)}`;
          const t0 = performance.now();
          const res = await m.c.post('/api/v1/journal', { body });
          const t1 = performance.now();
          if (res.status === 201 && ID_RE.test(res.json?.entry?.id || '')) {
            m.acked.push({ id: res.json.entry.id, body, t0, t1 });
          } else {
            failures.push(`${m.who} #${n}: ${res.status} ${errCode(res) || ''}`.trim());
          }
        }
      });
      const count = (f) => partners.reduce((n, m) => n + m.acked.filter(f).length, 0);
      try {
        await waitFor(() => partners.every((m) => m.acked.length >= 20) || failures.length > 0,
          scaled(5000));

        const backupPath = path.join(dir, 'backup.db');
        const started = performance.now();
        const backup = await runTool(serverBinary(), ['backup', '--db', live.dbPath, backupPath]);
        const finished = performance.now();
        assert.equal(backup.code, 0, `kintsugi backup: ${output(backup)}`);
        assert.equal(backup.stdout.trim(), `backed up ${live.dbPath} to ${backupPath}`);
        for (const m of partners) m.before = m.acked.filter((w) => w.t1 < started);
        t.diagnostic(`backup took ${Math.round(finished - started)} ms; ${count((w) => w.t1 < started)} ` +
          `entries acknowledged before it began, ${count((w) => w.t0 < finished && w.t1 > started)} ` +
          'overlapped it');

        // Writes that went out only after the backup had finished.
        await waitFor(() => partners.every((m) => m.acked.filter((w) => w.t0 > finished).length >= 5) ||
          failures.length > 0, scaled(5000));
        stopped = true;
        await Promise.all(writers);
        assert.deepEqual(failures, [], 'every write during the backup was answered 201');
        for (const m of partners) {
          assert.ok(m.before.length >= 20, `${m.who}: ${m.before.length} entries before the backup`);
          m.later = m.acked.filter((w) => w.t0 > finished);
          assert.ok(m.later.length >= 5, `${m.who}: ${m.later.length} entries after the backup`);
        }

        // The backup is one private file: owner-only, and no -wal or
        // journal beside it that a copy of the file alone would miss.
        const st = await fsp.stat(backupPath);
        assert.equal(st.mode & 0o777, 0o600, `the backup's mode is ${(st.mode & 0o777).toString(8)}`);
        for (const suffix of ['-wal', '-shm', '-journal']) {
          assert.ok(!fs.existsSync(backupPath + suffix), `no ${path.basename(backupPath)}${suffix}`);
        }

        // Restore as README.md says, into a folder of its own (the live
        // server goes on meanwhile): install -m 600, check, serve.
        const restoreDir = path.join(dir, 'restored');
        await fsp.mkdir(restoreDir, { mode: 0o700 });
        const dbPath = path.join(restoreDir, 'kintsugi.db');
        const put = await runTool('install', ['-m', '600', backupPath, dbPath]);
        assert.equal(put.code, 0, `install: ${output(put)}`);
        assert.equal((await fsp.stat(dbPath)).mode & 0o777, 0o600, 'the restored file is owner-only');
        const check = await runTool(serverBinary(), ['check', '--db', dbPath]);
        assert.equal(check.code, 0, `kintsugi check: ${output(check)}`);
        assert.equal(check.stdout.trim(), `database ${dbPath}: ok`);
        restored = await startServer({ args: ['--db', dbPath] });
      } finally {
        stopped = true;
        await Promise.all(writers).catch(() => {});
      }

      for (const m of partners) {
        const other = partners.find((o) => o !== m);
        const c = new Client(restored.url);
        const res = await c.post('/api/v1/login', { login: m.login, password: m.password });
        assert.equal(res.status, 200, `${m.who} signs in on the restored copy: ${res.status}`);
        const seen = await readJournal(c);

        const missing = m.before.filter((w) => seen.get(w.id) !== w.body);
        assert.equal(missing.length, 0, `${missing.length} of ${m.before.length} of ${m.who}'s ` +
          `entries acknowledged before the backup are missing or changed, e.g. ${missing[0]?.body}`);
        const later = m.later.filter((w) => seen.has(w.id));
        assert.equal(later.length, 0, `${later.length} of ${m.who}'s entries written after the ` +
          'backup had finished are in it');
        const leaked = other.acked.filter((w) => seen.has(w.id));
        assert.equal(leaked.length, 0, `${m.who} lists ${leaked.length} of ${other.who}'s private entries`);
        for (const w of [other.before[0], other.before.at(-1)]) {
          const one = await c.get(`/api/v1/journal/${w.id}`);
          assert.equal(one.status, 404, `${m.who} reads one of ${other.who}'s private entries: ${one.status}`);
        }
        const gone = await c.get(`/api/v1/journal/${m.later[0].id}`);
        assert.equal(gone.status, 404, `an entry written after the backup: ${gone.status}`);

        const shares = await c.get('/api/v1/shares');
        assert.equal(shares.status, 200, `${m.who}'s cards: ${describe(shares)}`);
        const byId = new Map(shares.json.shares.map((s) => [s.id, s.body]));
        assert.equal(byId.get(m.card.id), m.card.body, `${m.who} still has their own card`);
        assert.equal(byId.get(other.card.id), other.card.body, `${m.who} still sees ${other.who}'s shared card`);
      }
    } finally {
      await restored?.stop();
      await live.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
