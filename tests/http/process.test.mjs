// The server's process keeps its memory to itself: no core file, and not
// dumpable, so that no other process of the same user can attach to it or
// read its memory through /proc, and a crash writes no keys or text to
// disk.  The server is started as an unprivileged user here (not root
// with --user, whose change of user would make it undumpable by itself):
// /proc/PID's files belong to root exactly when a process is not dumpable.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, rand, repoRoot, serverBinary, signupOk, startServer, underWrapper,
} from './harness.mjs';

const NOBODY = 65534;
const sanitized = process.env.KINTSUGI_SANITIZED === '1';
const isRoot = process.getuid?.() === 0;
/** Whether the unprivileged user can run the binary and read the templates of this checkout. */
function nobodyCanRun() {
  const as = { uid: NOBODY, gid: NOBODY, stdio: 'ignore' };
  return spawnSync(serverBinary(), ['version'], as).status === 0 &&
    spawnSync('test', ['-r', path.join(repoRoot, 'templates', 'home.mustache')], as).status === 0;
}
const skip = (!isRoot && 'needs root, to start the server as another user') ||
  (underWrapper && 'under valgrind the process is valgrind\'s') || false;
const nobodySkip = skip ||
  (!nobodyCanRun() && `user ${NOBODY} cannot run ${serverBinary()} or read this checkout`) || false;

test('the server writes no core file and cannot be attached to or read by another process', { skip: nobodySkip }, async () => {
  const server = await startServer({ uid: NOBODY, gid: NOBODY });
  try {
    const pid = server.pid;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, new RegExp(`^Uid:\\s+${NOBODY}\\b`, 'm'), 'the server runs as the unprivileged user');
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    assert.match(limits, /^Max core file size\s+0\s+0\s+bytes/m, `no core file: ${limits}`);
    if (!sanitized) {
      assert.equal(fs.statSync(`/proc/${pid}/environ`).uid, 0,
        '/proc/PID belongs to root: the process is not dumpable');
    }
    assert.doesNotMatch(server.stderr(), /cannot (turn core files off|make the process undumpable)/);
    assert.doesNotMatch(server.stderr(), /running as root/, 'no warning for an unprivileged server');
  } finally {
    await server.stop();
  }
});

test('a server started as root without --user says so at start, and serves', { skip }, async () => {
  const server = await startServer();
  try {
    // the server is ready (its /healthz answers) a moment before its request thread's line and
    // its start-up line are both written: wait for the start-up line, not for readiness
    for (let i = 0; i < 100 && !/ listening on http:\/\//.test(server.stderr()); i++) await sleep(20);
    const lines = server.stderr().split('\n');
    const warn = lines.findIndex((l) => /^kintsugi: warning: running as root; give --user/.test(l));
    const listening = lines.findIndex((l) => / listening on http:\/\//.test(l));
    assert.ok(warn >= 0 && warn < listening, `the warning comes before "listening":\n${server.stderr()}`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'and it goes on serving');
  } finally {
    await server.stop();
  }
});

/** How many times needle is in the readable memory of process pid (root reads /proc/PID/mem). */
function countInMemory(pid, needle) {
  let hits = 0;
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) r/.exec(line);
      if (!m) continue;
      const start = BigInt(`0x${m[1]}`);
      const len = Number(BigInt(`0x${m[2]}`) - start);
      const buf = Buffer.alloc(len);
      let got = 0;
      try {
        got = fs.readSync(fd, buf, 0, len, start);
      } catch {
        continue; // a guard page or a mapping gone meanwhile
      }
      for (let at = buf.subarray(0, got).indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) hits++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hits;
}

// Natively only: AddressSanitizer keeps stack frames on its own heap after
// they return (to catch a use after return), so a text a function held on
// its stack stays readable there in a sanitizer build.
const memSkip = skip || (sanitized && 'a sanitizer build keeps returned stack frames');

test('what a member wrote does not linger in the server\'s memory once the answers are sent', { skip: memSkip }, async () => {
  const server = await startServer();
  try {
    const c = new Client(server.url);
    await signupOk(c);
    const marker = `lingering-${rand(16)}`;
    assert.equal((await c.post('/api/v1/journal', { body: `${marker} is what I never said` })).status, 201);
    for (let i = 0; i < 3; i++) {
      assert.ok((await c.get('/api/v1/journal')).text.includes(marker));
      assert.ok((await c.get('/journal')).text.includes(marker));
    }
    assert.equal((await c.post('/api/v1/logout')).status, 204);
    await sleep(200); // the last answer's body is freed once it is sent
    assert.equal(countInMemory(server.pid, Buffer.from(marker)), 0,
      'the text is in none of the server\'s memory: every copy was wiped before it was freed');
  } finally {
    await server.stop();
  }
});
