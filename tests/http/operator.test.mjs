// sqlite-only: kintsugi check, backup, sqlite3 and migrate on the live SQLite file
// Nothing acknowledged is lost while the operator's tools run: members keep
// writing journal entries while `kintsugi check`, `kintsugi backup`, a plain
// `sqlite3` reader and `kintsugi migrate` open the live database one after
// the other.  Each tool exits 0, every write is answered 201, the server's
// -wal file stays where it is (no tool may checkpoint it away and delete it
// from under the server), and after a SIGKILL and a restart on the same file
// every acknowledged entry is there with its exact text.
//
// Three servers, since what the tools may do depends on how many database
// handles the server holds (each worker thread opens one on its first
// request, the harness's /healthz included):
//   - one worker thread, so one worker's handle, however many requests;
//   - four worker threads after as few requests as possible (the harness's
//     /healthz, one sign-up, a few writes over one connection): one or two
//     workers' handles, depending on which threads took the two connections;
//   - four worker threads warmed up by several members, hundreds of writes
//     and bursts of short connections until no thread opens another handle.
// A process that opens the database file again must not lose the locks that
// tell other programs it still uses the -wal, whichever handle opened last.
//
// Problems are collected rather than thrown at the first one, so that a
// failure says both what the tools did to the files and how many
// acknowledged entries that cost.  The number of descriptors the server has
// on the database file comes from /proc/PID/fd (Linux); it steers the
// warm-up and is reported, never required (it is the server's own business).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, ID_RE, errCode, rand, rawGet, readJournal, runTool, scaled, serverBinary, serverPid,
  signupOk, startServer, underWrapper, uniqueLogin, uniquePassword,
} from './harness.mjs';

const THREADS = 4;

/** The operator's tools, in the order they run against the live file. */
function tools(dbPath, dir) {
  const bin = serverBinary();
  return [
    { name: 'kintsugi check', cmd: bin, args: () => ['check', '--db', dbPath], ok: /: ok$/m },
    { name: 'kintsugi backup', cmd: bin,
      args: () => ['backup', '--db', dbPath, path.join(dir, `backup-${rand(8)}.db`)],
      ok: /^backed up /m },
    { name: 'sqlite3 reader', cmd: 'sqlite3', args: () => [dbPath, 'select count(*) from members'],
      ok: /^[1-9]\d*$/m },
    { name: 'kintsugi migrate', cmd: bin, args: () => ['migrate', '--db', dbPath],
      ok: /^schema version \d+$/m },
  ];
}

/**
 * The server's open files named after the database (Linux /proc): how many
 * descriptors it has on the main file (SQLite keeps one per handle), and
 * which of them are deleted files it still writes to.  null where /proc
 * cannot be read.
 */
function dbFiles(pid, dbPath) {
  let names;
  try {
    names = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const links = [];
  for (const n of names) {
    try {
      links.push(fs.readlinkSync(`/proc/${pid}/fd/${n}`));
    } catch {
      // closed meanwhile
    }
  }
  return {
    handles: links.filter((l) => l === dbPath).length,
    deleted: links.filter((l) => l.startsWith(dbPath) && l.endsWith(' (deleted)'))
      .map((l) => path.basename(l)),
  };
}

async function waitFor(cond, ms) {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(10);
  return cond();
}

/**
 * startWriters() - every member posts journal entries one after the other
 * until stop(); each 201 is kept as {id, body, t0, t1} (t0 when the request
 * went out, t1 when its answer came), anything else is a failure.
 */
function startWriters(members, label, server) {
  const st = { stopped: false, writes: [], failures: [] };
  st.done = Promise.all(members.map(async (m) => {
    for (let n = 0; !st.stopped; n++) {
      const body = `operator ${label} m${m.n} #${n} ✓ ${rand(8)}`;
      const t0 = performance.now();
      let res;
      try {
        res = await m.c.post('/api/v1/journal', { body });
      } catch (err) {
        st.failures.push(`m${m.n} #${n}: no answer (${err.cause?.cause?.code || err.message})`);
        if (server.exited()) return;
        await sleep(50);
        continue;
      }
      const t1 = performance.now();
      const id = res.json?.entry?.id;
      if (res.status === 201 && ID_RE.test(id || '')) {
        const w = { id, body, t0, t1 };
        m.acked.push(w);
        st.writes.push(w);
      } else {
        st.failures.push(`m${m.n} #${n}: ${res.status} ${errCode(res) || ''}`.trim());
      }
    }
  }));
  st.stop = async () => {
    st.stopped = true;
    await st.done;
  };
  return st;
}

/**
 * scenario() - sign members up on a server over a database of our own,
 * warm it up (or not), run every tool while the members write, SIGKILL,
 * restart and read everything back.  Returns the problems found.
 */
async function scenario(t, { label, threads, members: nMembers, warmWrites, minBefore, minAfter }) {
  const problems = [];
  const check = (ok, msg) => {
    if (!ok) problems.push(msg);
    return ok;
  };
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-operator-'));
  const dbPath = path.join(dir, 'k.db');
  const walPath = `${dbPath}-wal`;
  let first = null;
  let writers = null;
  try {
    first = await startServer({ args: ['--db', dbPath, '--threads', String(threads)] });
    const pid = serverPid(first);
    const files = () => dbFiles(pid, dbPath);
    const members = [];
    for (let n = 0; n < nMembers; n++) {
      const c = new Client(first.url);
      const login = uniqueLogin('op');
      const password = uniquePassword();
      await signupOk(c, { login, password });
      members.push({ n, c, login, password, acked: [] });
    }
    t.diagnostic(`${label}: after the sign-up(s), ${files()?.handles ?? '?'} handle(s) on the file`);

    writers = startWriters(members, label, first);
    if (warmWrites > 0) {
      // Hundreds of writes, then bursts of short connections (each thread
      // of the pool takes some) until three bursts in a row open no handle.
      await waitFor(() => writers.writes.length >= warmWrites, scaled(5000));
      for (let burst = 0, calm = 0, was = files()?.handles; burst < 20 && calm < 3; burst++) {
        await Promise.all(Array.from({ length: 2 * threads }, () => rawGet(first.port, '/healthz')));
        const now = files()?.handles;
        calm = now === was ? calm + 1 : 0;
        was = now;
      }
      t.diagnostic(`${label}: warmed up with ${writers.writes.length} writes; ` +
        `${files()?.handles ?? '?'} handle(s) on the file`);
    }

    let lastEnd = 0;
    for (const tool of tools(dbPath, dir)) {
      const since = () => writers.writes.filter((w) => w.t1 > lastEnd).length;
      await waitFor(() => since() >= minBefore || writers.failures.length > 0, scaled(5000));
      const handles = files()?.handles;
      const start = performance.now();
      const r = await runTool(tool.cmd, tool.args());
      const end = performance.now();
      const walThere = fs.existsSync(walPath);
      const open = files();
      const before = writers.writes.filter((w) => w.t1 > lastEnd && w.t1 < start).length;
      const during = writers.writes.filter((w) => w.t0 < end && w.t1 > start).length;
      t.diagnostic(`${label}: ${tool.name} took ${r.ms} ms with ${handles ?? '?'} handle(s) ` +
        `on the file; ${before} writes acknowledged just before, ${during} overlapped it`);

      check(r.code === 0 && tool.ok.test(r.stdout),
        `${tool.name} exited ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}` +
        `${r.error ? ` (${r.error})` : ''}: ${(r.stdout + r.stderr).trim()}`);
      check(walThere, `after ${tool.name}, the live ${path.basename(walPath)} file is gone`);
      if (open) {
        check(open.deleted.length === 0, `after ${tool.name}, the server writes to deleted ` +
          `file(s): ${[...new Set(open.deleted)].join(', ')}`);
      }
      check(before >= minBefore, `only ${before} writes were acknowledged just before ${tool.name}`);
      await waitFor(() => writers.writes.filter((w) => w.t0 > end).length >= minAfter ||
        writers.failures.length > 0, scaled(5000));
      const after = writers.writes.filter((w) => w.t0 > end).length;
      check(after >= minAfter, `only ${after} writes were acknowledged after ${tool.name} ran`);
      lastEnd = end;
    }
    await writers.stop();
    const total = writers.writes.length;
    check(writers.failures.length === 0, `${writers.failures.length} of ` +
      `${total + writers.failures.length} writes were not acknowledged with 201, first: ` +
      `${writers.failures.slice(0, 5).join('; ')}`);
    t.diagnostic(`${label}: ${total} writes acknowledged in all`);

    // A crash: nothing checkpoints or closes on the way out.
    first.kill('SIGKILL');
    const killed = await first.stop();
    first = null;
    assert.equal(killed?.signal, 'SIGKILL', `the server died of the SIGKILL: ${JSON.stringify(killed)}`);

    const sound = await runTool(serverBinary(), ['check', '--db', dbPath]);
    check(sound.code === 0, `kintsugi check after the crash exited ${sound.code ?? sound.signal}: ` +
      `${(sound.stdout + sound.stderr).trim()}`);

    let second;
    try {
      second = await startServer({ args: ['--db', dbPath] });
    } catch (err) {
      check(false, `the server does not start again on the file: ${err.message.split('\n')[0]}`);
      return problems;
    }
    try {
      let lost = 0;
      const examples = [];
      for (const m of members) {
        const c = new Client(second.url);
        const res = await c.post('/api/v1/login', { login: m.login, password: m.password });
        if (!check(res.status === 200, `m${m.n} cannot sign in after the restart: ${res.status}`)) {
          lost += m.acked.length;
          continue;
        }
        const seen = await readJournal(c);
        for (const a of m.acked) {
          if (seen.get(a.id) === a.body) continue;
          lost++;
          if (examples.length < 3) examples.push(a.body);
        }
      }
      check(lost === 0, `${lost} of ${total} acknowledged entries are missing or changed after ` +
        `the restart (e.g. ${examples.map((e) => JSON.stringify(e)).join(', ')})`);
    } finally {
      await second.stop();
    }
    return problems;
  } finally {
    if (writers && !writers.stopped) await writers.stop().catch(() => {});
    if (first) {
      first.kill('SIGKILL');
      await first.stop().catch(() => {});
    }
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

function report(problems) {
  if (problems.length) assert.fail(problems.join('\n'));
}

test('one worker thread: nothing acknowledged is lost while the tools run',
  { timeout: scaled(120000) }, async (t) => {
    report(await scenario(t, {
      label: 'one', threads: 1, members: 1, warmWrites: 0, minBefore: 3, minAfter: 3,
    }));
  });

test('four worker threads after one sign-up: nothing acknowledged is lost while the tools run',
  { timeout: scaled(120000) }, async (t) => {
    report(await scenario(t, {
      label: 'few', threads: THREADS, members: 1, warmWrites: 0, minBefore: 3, minAfter: 3,
    }));
  });

test('four worker threads, each with its handle open: nothing acknowledged is lost while the tools run',
  { timeout: scaled(180000) }, async (t) => {
    report(await scenario(t, {
      label: 'many', threads: THREADS, members: 4, warmWrites: underWrapper ? 60 : 300,
      minBefore: 20, minAfter: 20,
    }));
  });
