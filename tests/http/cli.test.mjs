// The command line: clear messages for wrong flags, an unwritable database,
// a port in use; version; a backup that opens and holds the data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Client, realKdfBinary, serverBinary, signupOk, sqliteOnly, startServer } from './harness.mjs';

function run(args, opts = {}) {
  return spawnSync(serverBinary(), args, { encoding: 'utf8', timeout: 20000, ...opts });
}

test('version and help', () => {
  const v = run(['version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^kintsugi \d+\.\d+\.\d+/);
  for (const cmd of [[], ['serve'], ['backup'], ['migrate'], ['check'], ['copy']]) {
    const h = run([...cmd, '--help']);
    assert.equal(h.status, 0, `${cmd.join(' ')} --help`);
    assert.match(h.stdout, /Usage: kintsugi/);
  }
});

// kintsugi-test, the server of these tests, derives keys at Argon2id's
// lowest cost: it says so, and it will not serve anything but this host.
// kintsugi itself says nothing of the kind.
test('the build for tests says what it is and listens on loopback addresses only', (t) => {
  const real = spawnSync(realKdfBinary(), ['version'], { encoding: 'utf8' });
  assert.equal(real.status, 0);
  assert.match(real.stdout, /^kintsugi \d+\.\d+\.\d+\n$/, 'kintsugi names no test cost');
  const v = run(['version']);
  if (!/for tests only/.test(v.stdout)) {
    t.skip(`${serverBinary()} is kintsugi itself (KINTSUGI_BIN)`);
    return;
  }
  assert.match(v.stdout, /^kintsugi \d+\.\d+\.\d+ \(for tests only: Argon2id at its lowest cost\)\n$/);
  for (const addr of ['0.0.0.0:8080', '192.0.2.7:8080', '[::]:8080', '[2001:db8::1]:8080']) {
    const r = run(['serve', '--listen', addr, '--db', '/nonexistent/never-made.db']);
    assert.equal(r.status, 2, `${addr}: ${r.stderr}`);
    assert.match(r.stderr, /this build is for tests .* listens on loopback addresses only/, addr);
  }
});

test('a wrong flag or value says what is wrong and exits 2', () => {
  const bad = run(['serve', '--nonsense']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option/);
  const kdf = run(['serve', '--kdf', 'fast']);
  assert.equal(kdf.status, 2);
  assert.match(kdf.stderr, /interactive, moderate or sensitive/);
  const listen = run(['serve', '--listen', 'localhost']);
  assert.equal(listen.status, 2);
  assert.match(listen.stderr, /ADDR:PORT/);
  const sub = run(['frobnicate']);
  assert.equal(sub.status, 2);
});

test('copy: a missing or wrong name exits 2; a refused copy exits 1 and shows no password', async () => {
  for (const args of [['copy'], ['copy', '--from', 'x.db'], ['copy', '--to', 'postgresql://h/d'],
    ['copy', '--from'], ['copy', '--from', 'x.db', '--to', 'postgresql://h/d', 'extra']]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /kintsugi copy: .*\nRun 'kintsugi copy --help'/, args.join(' '));
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-cli-'));
  try {
    const db = path.join(dir, 'k.db');
    assert.equal(run(['migrate', '--db', db]).status, 0);
    const notPg = run(['copy', '--from', `sqlite:${db}`, '--to', 'mysql://h/d']);
    assert.equal(notPg.status, 2);
    assert.match(notPg.stderr, /must be a PostgreSQL database/);
    // nothing listens on port 1: refused, the URL shown without its password
    const url = 'postgresql://kintsugi:s3cret-pw@127.0.0.1:1/kintsugi?connect_timeout=2';
    const r = run(['copy', '--from', db, `--to=${url}`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot copy .* to postgresql:\/\/kintsugi@127\.0\.0\.1:1\/kintsugi: /);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret-pw|connect_timeout/);
    const gone = run(['copy', '--from', path.join(dir, 'none.db'), '--to', url]);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /cannot read the source/);
    await assert.rejects(fsp.stat(path.join(dir, 'none.db')));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('an unwritable database path is refused with a clear message', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-cli-'));
  try {
    await fsp.writeFile(path.join(dir, 'file'), 'x');
    // a path below a regular file can never be created, even as root
    const r = run(['serve', '--listen', '127.0.0.1:1', '--db', path.join(dir, 'file', 'k.db')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot open database/);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('a port in use is reported as such', async () => {
  const srv = await startServer();
  try {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-cli-'));
    const r = run(['serve', '--listen', `127.0.0.1:${srv.port}`, '--db', path.join(dir, 'k.db'),
      '--kdf', 'interactive']);
    await fsp.rm(dir, { recursive: true, force: true });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already in use/);
  } finally {
    await srv.stop();
  }
});

test('backup writes a sound copy that a new server can serve', { skip: sqliteOnly }, async () => {
  const srv = await startServer();
  const c = new Client(srv.url);
  const { login, password } = await signupOk(c);
  const wrote = await c.post('/api/v1/journal', { body: 'kept in the backup' });
  assert.equal(wrote.status, 201);
  const copy = path.join(srv.dir, 'copy.db');
  const b = run(['backup', '--db', srv.dbPath, copy]);
  assert.equal(b.status, 0, b.stderr);
  const again = run(['backup', '--db', srv.dbPath, copy]);
  assert.notEqual(again.status, 0, 'an existing backup file is never overwritten');
  const chk = run(['check', '--db', copy]);
  assert.equal(chk.status, 0, chk.stderr);
  await srv.stop({ keepDir: true });

  const restored = await startServer({ args: ['--db', copy] });
  try {
    const r = new Client(restored.url);
    const res = await r.post('/api/v1/login', { login, password });
    assert.equal(res.status, 200);
    const list = await r.get('/api/v1/journal');
    assert.deepEqual(list.json.entries.map((e) => e.body), ['kept in the backup']);
  } finally {
    await restored.stop();
    await srv.cleanup();
  }
});
