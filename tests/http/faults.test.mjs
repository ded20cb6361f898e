// sqlite-only: faults of the SQLite file and its folder, through a file-system shim
// Storage faults: what the server does when its disk fails under it.
//
// Recoverable faults (disk full, a read-only file system, an I/O error on
// write): the request that meets one gets 503 storage_unavailable with
// Retry-After, in the member's language; stderr gets a "kintsugi: storage:"
// line naming the fault and nothing private; nothing of the failed write is
// readable; once the fault clears the very next writes succeed, without a
// restart; after a SIGKILL and a restart every acknowledged write is there.
//
// Fatal faults (a failed fsync; the database file, its -wal, removed or
// replaced while the server runs): 503 storage_unavailable from the request
// that finds it on, the server stops by itself with status 1 and a
// "kintsugi: stopping:" line, and every acknowledged write survives: in the
// file at --db, or (when that file was replaced) in a rescued copy beside it.
//
// The disk is made to fail by tests/fault/faultfs.c, a library preloaded
// into the server (LD_PRELOAD) that fails write/fsync calls on files under
// FAULTFS_DIR with the fault named in the file FAULTFS_CTL, and by a small
// tmpfs the test mounts (root only) and fills up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, describe, errCode, hiddenInput, rand, readJournal, repoRoot, scaled, serverBinary, signup,
  signupOk,
  startServer, underWrapper, uniqueLogin, uniquePassword, wrapper,
} from './harness.mjs';

// ---- where the shim is, and when these tests run ----

/** The fault shim: KINTSUGI_FAULTFS_LIB (tests/meson.build), else beside the server binary. */
const shimLib = process.env.KINTSUGI_FAULTFS_LIB
  ? path.resolve(repoRoot, process.env.KINTSUGI_FAULTFS_LIB)
  : path.join(path.dirname(serverBinary()), 'tests', 'faultfs.so');

const wrapperSkip = underWrapper
  ? `storage faults are tested natively and under AddressSanitizer, not under ${path.basename(wrapper[0])} ` +
    '(KINTSUGI_TEST_WRAPPER): the tests time how soon the server stops by itself, and a fault ' +
    'shim preloaded under valgrind tests valgrind\'s own file calls as much as the server\'s'
  : false;
const shimSkip = wrapperSkip ||
  (process.platform !== 'linux' ? 'the fault shim is Linux only (it reads /proc/self/fd)' : false) ||
  (!fs.existsSync(shimLib)
    ? `no fault shim at ${shimLib} (tests/meson.build builds it; set KINTSUGI_FAULTFS_LIB)` : false);

// ---- members and their journals ----

const LANGS = ['en', 'es', 'ru'];
/** The Accept-Language each member's client sends: never its account language, which must win. */
const OTHER_LANG = { en: 'ru', es: 'en', ru: 'es' };

/**
 * A member signed up with account language `language`; acked: the entries
 * the server acknowledged.  Its client sends Accept-Language: another
 * language (the account's must win), or with `same`, the account's own: after
 * a fatal fault the server refuses requests without reading the storage,
 * sessions included, so Accept-Language is all it has to go by.
 */
async function member(url, language, same = false) {
  const c = new Client(url, { lang: same ? language : OTHER_LANG[language] });
  const login = uniqueLogin('f');
  const password = uniquePassword();
  const displayName = `Fault ${rand(8)}`;
  await signupOk(c, { login, password, language, display_name: displayName });
  return { c, language, login, password, displayName, acked: [], failed: [], unknown: [] };
}

async function members(url, { same = false } = {}) {
  const out = [];
  for (const lang of LANGS) out.push(await member(url, lang, same));
  return out;
}

/** A journal body with a unique marker in it; `size` pads it with random text. */
function entryBody(tag, m, size = 0) {
  const marker = `${tag}-${m.login}-${rand(12)}`;
  let body = `${marker} «${m.language}» ёжик ñandú`;
  while (body.length < size) body += ` ${rand(16)}`;
  return size ? body.slice(0, size) : body;
}

/** POST an entry; a 201 goes to m.acked.  Returns the answer. */
async function write(m, body, opts) {
  const res = await m.c.post('/api/v1/journal', { body }, opts);
  if (res.status === 201) m.acked.push({ id: res.json.entry.id, body });
  return res;
}

/**
 * checkJournal() - every acknowledged entry of m is in `seen` with its exact
 * text; nothing of m.failed is (strict), or (wholeOrAbsent) each failed or
 * unanswered write is either absent or there exactly once with its whole text.
 */
function checkJournal(m, seen, { wholeOrAbsent = false, where = '' } = {}) {
  const lost = m.acked.filter((a) => seen.get(a.id) !== a.body);
  assert.equal(lost.length, 0,
    `${where}: ${lost.length} of the ${m.acked.length} entries acknowledged to the ${m.language} member ` +
    `are missing or changed, e.g. ${lost.slice(0, 3).map((a) => `${a.body.split(' ')[0]} ` +
      `(${seen.has(a.id) ? 'changed' : 'missing'})`).join(', ')}`);
  const bodies = [...seen.values()];
  for (const f of wholeOrAbsent ? [...m.failed, ...m.unknown] : m.failed) {
    const marker = f.split(' ')[0];
    const hits = bodies.filter((b) => b.includes(marker));
    if (wholeOrAbsent) {
      assert.ok(hits.length === 0 || (hits.length === 1 && hits[0] === f),
        `${where}: the unacknowledged write ${marker} is wholly there or wholly absent ` +
        `(found ${hits.length}: ${hits.map((h) => h.slice(0, 80)).join(' | ')})`);
    } else {
      assert.equal(hits.length, 0, `${where}: nothing of the failed write ${marker} is readable`);
    }
  }
}

/** Sign in afresh on url as m (after a restart); returns the client. */
async function signIn(url, m) {
  const c = new Client(url);
  const res = await c.post('/api/v1/login', { login: m.login, password: m.password });
  assert.equal(res.status, 200, `${m.login} signs in after the restart: ${describe(res)}`);
  return c;
}

// ---- the 503 and the logs ----

/** The last lines of a server's stderr, for an assertion's message. */
function tail(stderr, n = 40) {
  const lines = stderr.trimEnd().split('\n');
  return (lines.length > n ? [`[... ${lines.length - n} lines before]`, ...lines.slice(-n)] : lines).join('\n');
}

/** res is a 503 storage_unavailable with Retry-After; its message goes to messages[lang]. */
function expectUnavailable(res, lang, messages, what) {
  assert.equal(res.status, 503, `${what}: ${describe(res)}`);
  assert.equal(errCode(res), 'storage_unavailable', `${what}: ${describe(res)}`);
  const msg = res.json.error.message;
  assert.equal(typeof msg, 'string', `${what}: the error has a message`);
  assert.ok(msg.trim().length > 0, `${what}: the message is not empty`);
  const ra = res.headers.get('retry-after');
  assert.ok(ra && (/^\d+$/.test(ra) || !Number.isNaN(Date.parse(ra))),
    `${what}: Retry-After is a number of seconds or a date (got ${ra})`);
  if (messages) (messages[lang] ??= new Set()).add(msg);
}

/**
 * The storage_unavailable messages are there in en, es and ru, and the three
 * languages differ.  context(): more to say when one is missing.
 */
function expectLanguages(messages, context = () => '') {
  for (const lang of LANGS) {
    assert.ok(messages[lang]?.size > 0, `a storage_unavailable answer in ${lang} was seen${context()}`);
  }
  for (const [a, b] of [['en', 'es'], ['en', 'ru'], ['es', 'ru']]) {
    for (const x of messages[a]) {
      assert.ok(!messages[b].has(x), `the ${a} and ${b} messages differ (both say ${JSON.stringify(x)})`);
    }
  }
}

/** stderr names none of the members' private words: logins, passwords, names, entry texts. */
function expectNothingPrivate(stderr, ms, extra = []) {
  const secrets = [...extra];
  for (const m of ms) {
    secrets.push(m.login, m.password, m.displayName);
    for (const b of [...m.acked.map((a) => a.body), ...m.failed, ...m.unknown]) secrets.push(b.split(' ')[0]);
  }
  for (const s of secrets) {
    assert.ok(!stderr.includes(s), `stderr carries no private content (found ${JSON.stringify(s)}):\n${tail(stderr)}`);
  }
}

/** The "kintsugi: storage:" lines of stderr; at least one, and one of them matches kind. */
function expectStorageLine(stderr, kind) {
  const lines = stderr.split('\n').filter((l) => l.startsWith('kintsugi: storage:'));
  assert.ok(lines.length > 0, `stderr has a line beginning "kintsugi: storage:":\n${tail(stderr)}`);
  assert.ok(lines.some((l) => kind.test(l)), `a storage line names the fault (${kind}):\n${lines.join('\n')}`);
}

// ---- servers, restarts, clean-up ----

/**
 * scope() - runs fn(ctx) and, whatever happens, stops every server it
 * started (SIGKILL if still running), unmounts what it mounted and removes
 * its directories.  ctx: serve(dbPath, rawEnv), dir(name), mounted(path).
 */
async function scope(fn) {
  const servers = [];
  const mounts = [];
  const dirs = [];
  const ctx = {
    async serve(dbPath, rawEnv) {
      const s = await startServer({ args: ['--db', dbPath], ...(rawEnv ? { rawEnv } : {}) });
      servers.push(s);
      return s;
    },
    async dir(name) {
      const d = await fsp.mkdtemp(path.join(os.tmpdir(), `kintsugi-${name}-`));
      dirs.push(d);
      return fs.realpathSync(d);
    },
    mounted(p) { mounts.push(p); },
  };
  try {
    await fn(ctx);
  } finally {
    for (const s of servers) {
      if (!s.exited()) s.kill('SIGKILL');
      await s.stop().catch(() => {});
    }
    for (const p of mounts.reverse()) {
      const u = spawnSync('umount', [p], { encoding: 'utf8' });
      if (u.status !== 0) spawnSync('umount', ['-l', p]);
    }
    for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  }
}

/** SIGKILL the server; it died of it. */
async function crash(server) {
  assert.equal(server.exited(), null,
    `the server is still running before the SIGKILL (a recoverable fault must not stop it):\n${tail(server.stderr())}`);
  server.kill('SIGKILL');
  const end = await server.stop();
  assert.equal(end?.signal, 'SIGKILL', `the server died of the SIGKILL: ${JSON.stringify(end)}`);
}

/** `kintsugi check` finds the database at dbPath sound. */
function expectSound(dbPath) {
  const check = spawnSync(serverBinary(), ['check', '--db', dbPath], { encoding: 'utf8' });
  assert.equal(check.status, 0, `kintsugi check --db ${dbPath}: ${check.stdout}${check.stderr}`);
}

/** A server on dbPath with no fault: every member's journal passes checkJournal(). */
async function restartAndCheck(ctx, dbPath, ms, opts = {}) {
  const again = await ctx.serve(dbPath);
  for (const m of ms) {
    const c = await signIn(again.url, m);
    checkJournal(m, await readJournal(c), { ...opts, where: `after the restart on ${path.basename(dbPath)}` });
  }
  await again.stop();
}

/** Waits until the server exits by itself (up to ms); its exit, or null. */
async function exitWithin(server, ms) {
  const end = Date.now() + ms;
  while (!server.exited() && Date.now() < end) await sleep(25);
  if (server.exited()) await server.stop({ keepDir: true }).catch(() => {}); // reads stderr to its end
  return server.exited();
}

/** A server using the fault shim, on a fresh database under its own FAULTFS_DIR. */
async function shimServer(ctx) {
  const root = await ctx.dir('faults');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  // beside the database: the server reads it, and Landlock lets it read nothing else
  const ctl = path.join(dataDir, 'faultfs-ctl');
  fs.writeFileSync(ctl, '');
  const dbPath = path.join(dataDir, 'k.db');
  const server = await ctx.serve(dbPath, { LD_PRELOAD: shimLib, FAULTFS_DIR: dataDir, FAULTFS_CTL: ctl });
  return { server, dbPath, fault: (what) => fs.writeFileSync(ctl, what) };
}

// ---- recoverable faults through the shim: read-only, I/O error ----

/**
 * A recoverable write fault (`fault`, stderr naming it per `kind`): each
 * member's write under it gets 503 in the member's language; extra(ctx)
 * runs more requests under the fault; then the fault clears and the very
 * next writes succeed; a SIGKILL and a restart lose no acknowledged write.
 */
async function recoverable(fault, kind, extra) {
  await scope(async (ctx) => {
    const { server, dbPath, fault: setFault } = await shimServer(ctx);
    const ms = await members(server.url);
    for (const m of ms) {
      for (let i = 0; i < 3; i++) {
        const res = await write(m, entryBody('before', m));
        assert.equal(res.status, 201, describe(res));
      }
    }
    const prepared = extra?.prepare ? await extra.prepare(server, ms) : null;

    setFault(fault);
    const messages = {};
    for (const m of ms) {
      const body = entryBody(fault, m);
      m.failed.push(body);
      const res = await write(m, body);
      expectUnavailable(res, m.language, messages, `POST /api/v1/journal under ${fault} (${m.language})`);
    }
    const more = extra?.under ? await extra.under(server, ms, messages, prepared) : null;
    expectLanguages(messages);

    setFault('');
    for (const m of ms) {
      const res = await write(m, entryBody('after', m));
      assert.equal(res.status, 201, `the first write after the fault cleared succeeds: ${describe(res)}`);
    }
    for (const m of ms) checkJournal(m, await readJournal(m.c), { where: 'after the fault cleared' });
    if (extra?.after) await extra.after(server, ms, more);

    expectStorageLine(server.stderr(), kind);
    expectNothingPrivate(server.stderr(), ms, more?.secrets);
    await crash(server);
    expectSound(dbPath);
    await restartAndCheck(ctx, dbPath, ms);
    if (extra?.afterRestart) await extra.afterRestart(ctx, dbPath, ms, more);
  });
}

test('a read-only file system: 503 in the member\'s language, nothing half-written, writes resume', { skip: shimSkip }, async () => {
  await recoverable('erofs', /read-only|read only|EROFS/i, {
    // Under the fault: a delete (the entry stays), and a sign-up with only
    // Accept-Language to choose the language by (nothing of it is kept).
    async under(server, ms, messages) {
      const [en] = ms;
      const victim = en.acked[0];
      const del = await en.c.del(`/api/v1/journal/${victim.id}`);
      expectUnavailable(del, 'en', messages, 'DELETE /api/v1/journal/{id} under erofs');

      const anon = { login: uniqueLogin('g'), password: uniquePassword(), display_name: `Anon ${rand(8)}` };
      const su = await signup(new Client(server.url, { lang: 'ru' }), { ...anon, language: 'ru' });
      expectUnavailable(su.res, 'ru', messages, 'POST /api/v1/signup under erofs (Accept-Language: ru)');
      const anonEs = { login: uniqueLogin('g'), password: uniquePassword(), display_name: `Anon ${rand(8)}` };
      const suEs = await signup(new Client(server.url, { lang: 'es' }), { ...anonEs, language: 'en' });
      expectUnavailable(suEs.res, 'es', messages, 'POST /api/v1/signup under erofs (Accept-Language: es)');
      return { victim, anon, secrets: [anon, anonEs].flatMap((a) => [a.login, a.password, a.display_name]) };
    },
    async after(server, ms, { victim, anon }) {
      const [en] = ms;
      const got = await en.c.get(`/api/v1/journal/${victim.id}`);
      assert.equal(got.status, 200, `the entry whose delete failed is still there: ${describe(got)}`);
      assert.equal(got.json.entry.body, victim.body);
      const li = await new Client(server.url).post('/api/v1/login', { login: anon.login, password: anon.password });
      assert.equal(li.status, 401, `the failed sign-up left no account behind: ${describe(li)}`);
      assert.equal(errCode(li), 'bad_credentials');
      const again = await signup(new Client(server.url), { ...anon, language: 'en' });
      assert.equal(again.res.status, 201, `the login of the failed sign-up is free: ${describe(again.res)}`);
    },
  });
});

test('an I/O error on write: 503 in the member\'s language (API and page), nothing half-written, writes resume', { skip: shimSkip }, async () => {
  await recoverable('eio', /I\/O|input\/output|EIO/i, {
    // A journal page open before the fault, for its form's CSRF field.
    async prepare(server, ms) {
      const es = ms[1];
      const page = await es.c.get('/journal');
      assert.equal(page.status, 200, describe(page));
      const csrf = hiddenInput(page.text, 'csrf');
      assert.ok(csrf, 'the journal page has a csrf field');
      return { csrf };
    },
    // Under the fault: a change of an entry (it keeps its text) and the
    // journal form (a 503 page in the member's language).
    async under(server, ms, messages, { csrf }) {
      const [, es, ru] = ms;
      const victim = ru.acked[0];
      const newText = entryBody('changed', ru);
      ru.failed.push(newText);
      const put = await ru.c.put(`/api/v1/journal/${victim.id}`, { body: newText });
      expectUnavailable(put, 'ru', messages, 'PUT /api/v1/journal/{id} under eio');

      const formBody = entryBody('form', es);
      es.failed.push(formBody);
      const form = await es.c.form('/journal', { body: formBody, csrf });
      assert.equal(form.status, 503, `the journal form under eio: ${describe(form)}`);
      assert.match(form.headers.get('content-type') || '', /text\/html/, 'the 503 of a page is an HTML page');
      assert.ok(form.headers.get('retry-after'), 'the 503 page has Retry-After');
      assert.match(form.text, /<html lang="es"/, 'the 503 page is in the member\'s language (es)');
      assert.ok(!form.text.includes(formBody.split(' ')[0]), 'the 503 page does not echo the entry');
      return { victim };
    },
    async after(server, ms, { victim }) {
      const got = await ms[2].c.get(`/api/v1/journal/${victim.id}`);
      assert.equal(got.status, 200, describe(got));
      assert.equal(got.json.entry.body, victim.body, 'the entry whose change failed keeps its text');
    },
  });
});

// ---- disk full: a small tmpfs ----

function tmpfsSkip() {
  if (wrapperSkip) return wrapperSkip;
  if (process.platform !== 'linux') return 'mounting a tmpfs needs Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the disk-full test mounts a tmpfs, which needs root (CI runs as root)';
  }
  return false;
}

test('a full disk: 503 in the member\'s language, nothing half-written, writes resume once space is freed', { skip: tmpfsSkip() }, async (t) => {
  await scope(async (ctx) => {
    const root = await ctx.dir('diskfull');
    const mnt = path.join(root, 'mnt');
    fs.mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) {
      if (/permission denied|must be superuser|not permitted|EPERM/i.test(mount.stderr)) {
        t.skip(`cannot mount a tmpfs here: ${mount.stderr.trim()}`);
        return;
      }
      assert.fail(`mount -t tmpfs failed (${mount.status}): ${mount.stderr}`);
    }
    ctx.mounted(mnt);
    const dbPath = path.join(mnt, 'k.db');
    const server = await ctx.serve(dbPath);
    const ms = await members(server.url);
    for (const m of ms) {
      const res = await write(m, entryBody('before', m, 2000));
      assert.equal(res.status, 201, describe(res));
    }

    // Fill the file system to the last block.
    const filler = path.join(mnt, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (const size of [1 << 20, 1 << 16, 4096, 512]) {
        const chunk = Buffer.alloc(size, 0x5a);
        for (;;) {
          try {
            fs.writeSync(fd, chunk);
          } catch (err) {
            if (err.code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
    } finally {
      fs.closeSync(fd);
    }

    // Entries big enough to need new space: each member writes until it
    // meets the full disk (a few may still fit in space SQLite holds).
    const messages = {};
    for (const m of ms) {
      let res = null;
      for (let i = 0; i < 40; i++) {
        const body = entryBody('full', m, 19000);
        res = await write(m, body);
        if (res.status === 201) continue;
        m.failed.push(body);
        break;
      }
      expectUnavailable(res, m.language, messages, `POST /api/v1/journal on a full disk (${m.language})`);
    }
    expectLanguages(messages);

    fs.unlinkSync(filler);
    for (const m of ms) {
      const res = await write(m, entryBody('freed', m, 19000));
      assert.equal(res.status, 201, `the first write after space was freed succeeds: ${describe(res)}`);
    }
    for (const m of ms) checkJournal(m, await readJournal(m.c), { where: 'after space was freed' });

    expectStorageLine(server.stderr(), /full|space|ENOSPC/i);
    expectNothingPrivate(server.stderr(), ms);
    await crash(server);
    expectSound(dbPath);
    await restartAndCheck(ctx, dbPath, ms);
  });
});

// ---- fatal faults: the server stops, and loses nothing acknowledged ----

/**
 * writeThrough() - every member writes as fast as it can; once each has a
 * few entries acknowledged, trigger() breaks the storage.  The writers go on
 * until the server has exited (or, at most, until `scaled(6)` s after the
 * trigger or after the first 503).
 * Returns {answers, first503, triggeredAt}: every answer with the time its
 * request was sent, and when the first 503 came back.
 */
async function writeThrough(server, ms, trigger) {
  const answers = [];
  let triggeredAt = null;
  let first503 = null;
  let done = false;
  const writers = ms.map(async (m) => {
    while (!done && !server.exited()) {
      const body = entryBody(triggeredAt ? 'during' : 'steady', m, 300);
      const sentAt = Date.now();
      let res;
      try {
        res = await write(m, body, { timeout: scaled(10000) });
      } catch (err) {
        m.unknown.push(body); // no answer: it may or may not have been written
        answers.push({ m, sentAt, error: err.message });
        await sleep(50);
        continue;
      }
      answers.push({ m, sentAt, res, at: Date.now() });
      if (res.status !== 201) {
        m.failed.push(body);
        if (res.status === 503 && first503 === null) first503 = Date.now();
      }
      if (first503 !== null || res.status !== 201) await sleep(20);
    }
  });
  const ready = Date.now() + scaled(5000);
  while (ms.some((m) => m.acked.length < 3) && Date.now() < ready) await sleep(20);
  await sleep(100);
  triggeredAt = Date.now();
  await trigger();
  // Until the server is gone, or 6 s (scaled) after the trigger or the first
  // 503 passed without its going (which fails the test).
  while (!server.exited() && Date.now() < (first503 ?? triggeredAt) + scaled(6000)) await sleep(25);
  done = true;
  await Promise.all(writers);
  return { answers, first503, triggeredAt };
}

/**
 * The shared checks of a fatal fault: a 503 storage_unavailable came within
 * scaled(5) s of the trigger, every answer to a request sent after the first
 * 503 is one too, in each member's language (each writer had a request in
 * flight when the fault was found, and the server answers every request it
 * took, so each language gets one; a request sent after the server stopped
 * listening finds nobody, which is fine); the server exited with status 1
 * within scaled(5) s of that first 503, with a "kintsugi: stopping:" line
 * matching why; stderr holds nothing private.  Returns the stopping line.
 */
async function expectStopped(server, ms, { answers, first503, triggeredAt }, why) {
  const ackedBefore = ms.reduce((n, m) => n + m.acked.length, 0);
  assert.ok(ackedBefore >= 9, `the writers had entries acknowledged before the fault (${ackedBefore})`);
  const exit = await exitWithin(server, first503 === null ? 0 : Math.max(0, first503 + scaled(5000) - Date.now()));
  const stderr = server.stderr();
  const seen = answers.filter((a) => a.res).map((a) => `${a.m.language} ${a.res.status}`).slice(-12).join(', ');
  assert.ok(first503 !== null,
    `a request got 503 after the fault (last answers: ${seen}; server ${JSON.stringify(server.exited())}):\n${tail(stderr)}`);
  assert.ok(first503 - triggeredAt <= scaled(5000), `the first 503 came ${first503 - triggeredAt} ms after the fault`);

  const messages = {};
  for (const a of answers) {
    if (!a.res || a.res.status === 201) {
      if (a.res && a.sentAt > first503) {
        assert.fail(`a write sent ${a.sentAt - first503} ms after the first 503 was acknowledged: ${describe(a.res)}`);
      }
      continue;
    }
    expectUnavailable(a.res, a.m.language, messages, `POST /api/v1/journal after the fault (${a.m.language})`);
  }
  expectLanguages(messages, () => {
    // what each member got after the fault, in order, runs of the same answer counted
    const runs = LANGS.map((lang) => {
      const out = [];
      for (const a of answers.filter((x) => x.m.language === lang && x.sentAt >= triggeredAt)) {
        const what = a.res ? String(a.res.status) : `no answer (${a.error})`;
        const last = out.at(-1);
        if (last && last.what === what) last.n++;
        else out.push({ what, n: 1, at: a.sentAt - first503 });
      }
      return `  ${lang}: ${out.map((r) => `${r.n} x ${r.what} from ${r.at} ms`).join(', ') || 'nothing sent'}`;
    });
    return ` (answers after the fault, times from the first 503, server ${JSON.stringify(exit)}):\n` +
      `${runs.join('\n')}\n${tail(stderr, 15)}`;
  });

  assert.ok(exit, `the server stopped by itself within ${scaled(5)} s of the first 503:\n${tail(stderr)}`);
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 1, signal: null },
    `the server exited with status 1:\n${tail(stderr)}`);
  const line = stderr.split('\n').find((l) => l.startsWith('kintsugi: stopping:'));
  assert.ok(line, `stderr has a line beginning "kintsugi: stopping:":\n${tail(stderr)}`);
  assert.match(line, why, 'the stopping line says why');
  expectNothingPrivate(stderr, ms);
  return line;
}

test('a failed fsync: 503, the server stops with status 1, and a restart finds every acknowledged write', { skip: shimSkip }, async () => {
  await scope(async (ctx) => {
    const { server, dbPath, fault } = await shimServer(ctx);
    const ms = await members(server.url, { same: true });
    const run = await writeThrough(server, ms, () => fault('fsync'));
    try {
      await expectStopped(server, ms, run, /sync|flush|I\/O|EIO/i);
    } finally {
      fault('');
    }
    expectSound(dbPath);
    await restartAndCheck(ctx, dbPath, ms, { wholeOrAbsent: true });
  });
});

test('the -wal file removed while members write: 503, stop with status 1, nothing acknowledged lost', { skip: wrapperSkip }, async () => {
  await scope(async (ctx) => {
    const root = await ctx.dir('walgone');
    const dbPath = path.join(root, 'k.db');
    const server = await ctx.serve(dbPath);
    const ms = await members(server.url, { same: true });
    const run = await writeThrough(server, ms, () => fs.unlinkSync(`${dbPath}-wal`));
    await expectStopped(server, ms, run, /wal/i);
    expectSound(dbPath);
    await restartAndCheck(ctx, dbPath, ms, { wholeOrAbsent: true });
  });
});

test('the database file removed while members write: 503, stop with status 1, a full copy at --db', { skip: wrapperSkip }, async () => {
  await scope(async (ctx) => {
    const root = await ctx.dir('dbgone');
    const dbPath = path.join(root, 'k.db');
    const server = await ctx.serve(dbPath);
    const ms = await members(server.url, { same: true });
    const run = await writeThrough(server, ms, () => fs.unlinkSync(dbPath));
    await expectStopped(server, ms, run, /remov|delet|missing|gone|unlink|no longer/i);
    assert.ok(fs.existsSync(dbPath), `the server wrote a copy at ${dbPath}`);
    expectSound(dbPath);
    await restartAndCheck(ctx, dbPath, ms, { wholeOrAbsent: true });
  });
});

test('the database file replaced by another while members write: 503, stop with status 1, a rescued copy beside it', { skip: wrapperSkip }, async () => {
  await scope(async (ctx) => {
    const root = await ctx.dir('dbswap');
    const dbPath = path.join(root, 'k.db');
    // The other database: a fresh kintsugi one, made aside, then renamed over.
    const other = path.join(root, 'other.db');
    const mig = spawnSync(serverBinary(), ['migrate', '--db', other], { encoding: 'utf8' });
    assert.equal(mig.status, 0, `kintsugi migrate: ${mig.stdout}${mig.stderr}`);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${other}${suffix}`, { force: true });
    const sha = (p) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    const otherHash = sha(other);

    const server = await ctx.serve(dbPath);
    const ms = await members(server.url, { same: true });
    const started = Date.now();
    const run = await writeThrough(server, ms, () => fs.renameSync(other, dbPath));
    const line = await expectStopped(server, ms, run, /replac|another|differ|changed|swapp|moved|not the (same )?file/i);

    assert.equal(sha(dbPath), otherHash, 'the replacement at --db is left alone, byte for byte');
    const rescued = fs.readdirSync(root)
      .filter((n) => n.startsWith('k.db.rescued-') && !/-(wal|shm|journal)$/.test(n));
    assert.equal(rescued.length, 1, `one rescued copy beside the database (${fs.readdirSync(root).join(', ')})`);
    const name = rescued[0];
    const m = /^k\.db\.rescued-(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?Z$/.exec(name);
    assert.ok(m, `the copy is named <db>.rescued-<UTC timestamp>: ${name}`);
    const stamp = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    assert.ok(stamp >= started - 2000 && stamp <= Date.now() + 2000,
      `the timestamp of ${name} is now, in UTC`);
    assert.ok(line.includes(name), `the stopping line names the rescued copy (${name}): ${line}`);

    // Put the copy in place, on its own, and every acknowledged write is in it.
    const restored = path.join(await ctx.dir('restored'), 'k.db');
    fs.copyFileSync(path.join(root, name), restored);
    expectSound(restored);
    await restartAndCheck(ctx, restored, ms, { wholeOrAbsent: true });
  });
});

test('the database file removed before most threads opened it: each answer is 503 in its language, stop with status 1', { skip: wrapperSkip }, async () => {
  await scope(async (ctx) => {
    const root = await ctx.dir('dbgone-early');
    const dbPath = path.join(root, 'k.db');
    // Eight threads: /healthz opened one connection of the eight, and the
    // sign-ups below go to the others as often as to it.
    const server = await ctx.serve(dbPath, { KINTSUGI_THREADS: '8' });
    fs.unlinkSync(dbPath);
    const tries = LANGS.flatMap((lang) => Array.from({ length: 6 }, () => lang));
    const answers = await Promise.all(tries.map(async (lang) => {
      const anon = { login: uniqueLogin('e'), password: uniquePassword(), display_name: `Early ${rand(8)}` };
      try {
        const { res } = await signup(new Client(server.url, { lang }), { ...anon, language: lang });
        return { lang, res, anon };
      } catch (err) {
        return { lang, error: String(err), anon };
      }
    }));
    const messages = {};
    for (const a of answers.filter((x) => x.res)) {
      expectUnavailable(a.res, a.lang, messages, `POST /api/v1/signup after the file was removed (${a.lang})`);
    }
    expectLanguages(messages);
    const exit = await exitWithin(server, scaled(5000));
    assert.deepEqual(exit && { code: exit.code, signal: exit.signal }, { code: 1, signal: null },
      `the server stopped by itself with status 1:\n${tail(server.stderr())}`);
    const stderr = server.stderr();
    assert.match(stderr.split('\n').find((l) => l.startsWith('kintsugi: stopping:')) || '',
      /remov|delet|missing|gone|unlink|no longer/i, `the stopping line says why:\n${tail(stderr)}`);
    expectNothingPrivate(stderr, [], answers.flatMap((a) => [a.anon.login, a.anon.password, a.anon.display_name]));
    assert.ok(fs.existsSync(dbPath), `the server wrote a copy at ${dbPath}`);
    expectSound(dbPath);
  });
});
