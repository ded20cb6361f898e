// Shared pieces of the black-box HTTP tests: start a kintsugi server on a
// free loopback port with a throwaway database, a small cookie-and-CSRF
// aware client, raw socket requests for what fetch would normalise, and
// helpers that sign members up.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The project's root directory (the one holding meson.build). */
export const repoRoot = path.resolve(here, '..', '..');

/** The shared test data (JSONTestSuite, naughty strings, mustache spec). */
export const testdataDir = path.resolve(repoRoot, '..', 'shared', 'testdata');

export const SESSION_COOKIE = 'kintsugi_session';
export const ID_RE = /^[0-9a-f]{32}$/;
export const RECOVERY_KEY_RE = /[0-9A-Z]{4}(-[0-9A-Z]{4}){7}/;
export const ERROR_CODES = new Set([
  'invalid_json', 'unknown_field', 'missing_field', 'wrong_type', 'too_short', 'too_long',
  'out_of_range', 'invalid_value', 'body_too_large', 'unsupported_media_type', 'not_signed_in',
  'bad_credentials', 'csrf_failed', 'wrong_password', 'not_found', 'method_not_allowed',
  'login_taken', 'couple_full', 'rate_limited', 'locked',
]);

/**
 * KINTSUGI_TEST_WRAPPER: a command prefix (split on spaces) that startServer()
 * puts in front of the server binary, e.g. scripts/valgrind-http (make
 * test-valgrind).  A wrapped server is slower by an order of magnitude, so
 * the harness's own waits (start-up, the stop after SIGTERM, a request's
 * answer) are multiplied by timeScale: KINTSUGI_TEST_TIME_SCALE, or 10 under
 * a wrapper, 1 without.
 */
export const wrapper = (process.env.KINTSUGI_TEST_WRAPPER || '').split(/\s+/).filter(Boolean)
  .map((w, i) => (i === 0 && w.includes('/') ? path.resolve(repoRoot, w) : w));
export const underWrapper = wrapper.length > 0;
/*
 * The backend the servers run on: SQLite (a file per server, the default) or,
 * with KINTSUGI_TEST_BACKEND=postgresql and KINTSUGI_PG_URL (scripts/pg-test),
 * PostgreSQL, in a database of its own per server, made with psql and dropped
 * at cleanup.  Tests about the SQLite file itself skip with `sqliteOnly`.
 */
export const onPostgres = process.env.KINTSUGI_TEST_BACKEND === 'postgresql';
export const sqliteOnly = onPostgres ? 'about the SQLite file, not run on PostgreSQL' : false;
const pgAdminUrl = process.env.KINTSUGI_PG_URL || '';
if (onPostgres && !pgAdminUrl) {
  throw new Error('KINTSUGI_TEST_BACKEND=postgresql needs KINTSUGI_PG_URL (scripts/pg-test run ...)');
}

/** psql on the cluster's own database (the tests' administration: never content). */
export function psql(sql, output = false) {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', pgAdminUrl, '-c', sql],
      { env: toolEnv(), stdio: ['ignore', output ? 'pipe' : 'ignore', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout?.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8'))
      : reject(new Error(`psql: ${Buffer.concat(err).toString('utf8').trim()}`))));
  });
}

/** A new, empty PostgreSQL database: {url, drop()}. */
export async function makePgDatabase() {
  const name = `kt_${randomBytes(8).toString('hex')}`;
  await psql(`CREATE DATABASE ${name}`);
  const u = new URL(pgAdminUrl);
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * dbSync() - one SQL statement on a server's database, as an operator (or an
 * attacker with the database) would run it: sqlite3 on the SQLite file, psql
 * on the server's PostgreSQL database.  Both print rows as `a|b`, one a line;
 * returns the output, trimmed.  readonly: sqlite3 -readonly (psql reads as it
 * is asked).  The schema is the same on both (times are text on both).
 */
export function dbSync(server, sql, { readonly = false } = {}) {
  if (server.dbPath) {
    return execFileSync('sqlite3', ['-bail', '-cmd', '.timeout 5000', ...(readonly ? ['-readonly'] : []),
      server.dbPath, sql], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
  }
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', server.db, '-c', sql],
    { encoding: 'utf8', maxBuffer: 64 << 20, env: toolEnv() }).trim();
}

/** dbDump() - the whole database as text (sqlite3 .dump, pg_dump): what a copy of it shows. */
export function dbDump(server) {
  if (server.dbPath) {
    return execFileSync('sqlite3', ['-readonly', server.dbPath, '.dump'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  }
  return execFileSync('pg_dump', ['--no-owner', '-d', server.db], { encoding: 'utf8', maxBuffer: 256 << 20, env: toolEnv() });
}

/** dbColumns() - the names of a table's columns, on either backend. */
export function dbColumns(server, table) {
  const sql = server.dbPath ? `SELECT name FROM pragma_table_info('${table}')`
    : `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`;
  return dbSync(server, sql, { readonly: true }).split('\n').filter(Boolean);
}

export const timeScale = Number(process.env.KINTSUGI_TEST_TIME_SCALE) || (underWrapper ? 10 : 1);

/**
 * scaled() - a duration (any unit) times timeScale: for waits on the server,
 * and for a short limit of the server (a throttle window, an idle limit)
 * that some of its work must fit in, together with the waits past it.
 */
export function scaled(d) {
  return d * timeScale;
}

/**
 * timingSkip - for node:test's {skip}: false natively; under a wrapper, the
 * reason a test that compares the server's response times is skipped
 * (valgrind slows each instruction by a different factor, so the times
 * say nothing about the native build; the native suite keeps the check).
 */
export const timingSkip = underWrapper
  ? `times mean nothing under ${path.basename(wrapper[0])} (KINTSUGI_TEST_WRAPPER); checked by the native run`
  : false;

/**
 * serverBinary() - the server the tests start and the tools they run:
 * KINTSUGI_BIN, which meson and the Makefile set to kintsugi-test (the same
 * program with Argon2id at its lowest cost, src/vault/vault.c), else
 * build/kintsugi.
 */
export function serverBinary() {
  const bin = process.env.KINTSUGI_BIN;
  return bin ? path.resolve(repoRoot, bin) : path.join(repoRoot, 'build', 'kintsugi');
}

let realKdfChecked = null;

/**
 * realKdfBinary() - kintsugi with the real Argon2id cost, for the tests of
 * that cost and of the time a sign-in takes (startServer's opts.realKdf):
 * KINTSUGI_REAL_KDF_BIN, else serverBinary().  Throws when that binary says
 * it is a build for tests, since such a test would then prove nothing.
 */
export function realKdfBinary() {
  const env = process.env.KINTSUGI_REAL_KDF_BIN;
  const bin = env ? path.resolve(repoRoot, env) : serverBinary();
  if (realKdfChecked !== bin) {
    const v = spawnSync(bin, ['version'], { encoding: 'utf8', env: toolEnv() });
    if (v.status !== 0 || /for tests only/.test(v.stdout)) {
      throw new Error(`${bin} is not kintsugi with the real Argon2id cost (${v.stdout.trim() || v.error}): ` +
        'set KINTSUGI_REAL_KDF_BIN to build/kintsugi');
    }
    realKdfChecked = bin;
  }
  return bin;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The bytes of an RFC 4648 base32 string (no padding), as a TOTP secret is shown. */
export function base32Decode(text) {
  let bits = 0;
  let acc = 0;
  const out = [];
  for (const ch of text) {
    acc = (acc << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 time step (30 s) of now. */
export function totpStep() {
  return Math.floor(Date.now() / 1000 / 30);
}

/** RFC 6238 with node's HMAC-SHA1: the 6-digit code of a base32 secret at `step` (default now). */
export function totpCode(secret, step = totpStep()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const bin = mac.readUInt32BE(mac[19] & 0x0f) & 0x7fffffff;
  return String(bin % 1000000).padStart(6, '0');
}

/** A short random lowercase suffix, for unique logins and markers. */
export function rand(n = 10) {
  return randomBytes(n).toString('hex').slice(0, n);
}

/** A login that no other test uses (lowercase letters and digits). */
export function uniqueLogin(prefix = 'u') {
  return `${prefix}${rand(10)}`;
}

/** A strong synthetic password, unique per call. */
export function uniquePassword() {
  return `pw-${rand(16)}-Test`;
}

/** The test's environment without any KINTSUGI_* setting: for the server and the tools. */
export function toolEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('KINTSUGI_')) env[k] = v;
  }
  return env;
}

/**
 * runTool() - run cmd (an operator's tool: kintsugi check, backup, sqlite3)
 * asynchronously, so that writers keep going meanwhile, with toolEnv();
 * killed after timeoutMs.  Resolves to {code, signal, timedOut, ms, stdout,
 * stderr, error}; a command that cannot start has error set (and its
 * message in stderr).
 */
export function runTool(cmd, args, timeoutMs = scaled(30000)) {
  return new Promise((resolve) => {
    const started = performance.now();
    const out = [];
    const err = [];
    let timedOut = false;
    let settled = false;
    const finish = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, timedOut, ms: Math.round(performance.now() - started),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (r.error ?? '') });
    };
    const child = spawn(cmd, args, { env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', (e) => finish({ code: null, signal: null, error: e.message }));
    child.on('close', (code, signal) => finish({ code, signal }));
  });
}

/** Every entry of the signed-in client's journal, Map id -> body, page by page. */
export async function readJournal(c) {
  const seen = new Map();
  let before = null;
  for (;;) {
    const page = await c.get(`/api/v1/journal?limit=100${before ? `&before=${before}` : ''}`);
    if (page.status !== 200) throw new Error(`a journal page: ${describe(page)}`);
    for (const e of page.json.entries) seen.set(e.id, e.body);
    if (page.json.entries.length < 100) return seen;
    before = page.json.entries.at(-1).id;
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * startServer() - run `kintsugi serve` on a free loopback port with a fresh
 * database in a temporary directory.
 * opts.args: extra command-line arguments; opts.env: extra environment
 * variables (names get the KINTSUGI_ prefix when they lack it); opts.rawEnv:
 * environment variables passed as named (LD_PRELOAD and the fault shim's
 * FAULTFS_*, tests/http/faults.test.mjs); opts.uid and opts.gid: run it as
 * that user (from root; its directory is handed to them).  With LD_PRELOAD, ASAN_OPTIONS
 * gains verify_asan_link_order=0, without which an AddressSanitizer build
 * refuses a library loaded ahead of its runtime.
 * Under KINTSUGI_TEST_WRAPPER the command is the wrapper's, with the binary
 * and these arguments after it.
 * opts.db: the database of an earlier server (its .db), for a restart on it.
 * opts.realKdf: start kintsugi with the real Argon2id cost (realKdfBinary())
 * instead of kintsugi-test.
 * Returns {url, port, pid, dir, dbPath (null on PostgreSQL), db (path or URL), stderr(), stdout(), wrapperLog(), stop({keepDir}),
 * cleanup(), kill(signal), exited()}; stop() throws unless the server exits 0.
 */
export async function startServer(opts = {}) {
  // Another test file running at the same time (--test-concurrency) may take
  // the free port between freePort() and the server's bind: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !err.portInUse) throw err;
    }
  }
}

async function startServerOnce(opts) {
  const bin = opts.realKdf ? realKdfBinary() : serverBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`server binary not found at ${bin} (build it, or set KINTSUGI_BIN)`);
  }
  const port = await freePort();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-http-'));
  // opts.db: another server's db (a restart on the same database), else a new one
  const pgdb = onPostgres && !opts.db ? await makePgDatabase() : null;
  const db = pgdb ? pgdb.url : opts.db || path.join(dir, 'k.db');
  const dbPath = /^postgres(ql)?:/.test(db) ? null : db;
  if (opts.uid !== undefined) fs.chownSync(dir, opts.uid, opts.gid);
  const env = toolEnv();
  for (const [k, v] of Object.entries(opts.env || {})) {
    env[k.startsWith('KINTSUGI_') ? k : `KINTSUGI_${k}`] = String(v);
  }
  for (const [k, v] of Object.entries(opts.rawEnv || {})) env[k] = String(v);
  if (opts.rawEnv?.LD_PRELOAD && !('ASAN_OPTIONS' in opts.rawEnv)) {
    env.ASAN_OPTIONS = [env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
  }
  // a PostgreSQL URL carries a password: through the environment, not argv
  if (pgdb || /^postgres(ql)?:/.test(db)) env.KINTSUGI_DB = db;
  const args = ['serve', '--listen', `127.0.0.1:${port}`, ...(env.KINTSUGI_DB === db ? [] : ['--db', db]), '--kdf', 'interactive',
    ...(opts.args || [])];
  const [cmd, ...argv] = [...wrapper, bin, ...args];
  // Under a wrapper, fd 3 is a pipe for the wrapper's own report (valgrind
  // --log-fd=3), so that the server's stderr stays what the tests expect.
  const stdio = underWrapper ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
  const ids = opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {};
  const child = spawn(cmd, argv, { cwd: repoRoot, env, stdio, ...ids });
  const errChunks = [];
  const outChunks = [];
  const wrapChunks = [];
  child.stderr.on('data', (c) => errChunks.push(c));
  child.stdout.on('data', (c) => outChunks.push(c));
  child.stdio[3]?.on('data', (c) => wrapChunks.push(c));
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });
  // 'close': the process is gone and its pipes are read to the end.
  const closePromise = new Promise((resolve) => {
    child.on('close', resolve);
    child.on('error', resolve);
  });
  const drained = async () => {
    let timer;
    await Promise.race([closePromise, new Promise((r) => { timer = setTimeout(r, 2000); })]);
    clearTimeout(timer);
  };
  const stderr = () => Buffer.concat(errChunks).toString('utf8');
  const stdout = () => Buffer.concat(outChunks).toString('utf8');
  /** The wrapper's report (valgrind's errors and leaks), '' natively or when clean. */
  const wrapperLog = () => Buffer.concat(wrapChunks).toString('utf8');
  const report = () => {
    const w = wrapperLog();
    return w ? `${stderr()}\n--- ${path.basename(wrapper[0])} (fd 3):\n${w}` : stderr();
  };
  const url = `http://127.0.0.1:${port}`;

  let removed = false;
  const cleanup = async () => {
    if (removed) return;
    removed = true;
    await fsp.rm(dir, { recursive: true, force: true });
    if (pgdb) await pgdb.drop();
  };
  let stopping = null;
  let hung = false;
  const graceMs = scaled(5000);
  const stop = async ({ keepDir = false } = {}) => {
    if (!stopping) {
      stopping = (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          let timer;
          const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs); });
          const first = await Promise.race([exitPromise, timeout]);
          clearTimeout(timer);
          if (first === 'timeout') {
            hung = true;
            child.kill('SIGKILL');
            await exitPromise;
          }
        }
        return exited;
      })();
    }
    const result = await stopping;
    await drained();
    if (!keepDir) await cleanup();
    // A clean stop exits 0: under AddressSanitizer a leak or an error at exit
    // turns into a non-zero status, and so does valgrind's --error-exitcode
    // (make test-valgrind): that must fail the test that ran it.  A server
    // that needs SIGKILL would hide both, so that fails too.
    if (hung) {
      throw new Error(`server did not exit within ${graceMs / 1000} s of SIGTERM:\n${report()}`);
    }
    if (result && result.signal === null && result.code !== 0) {
      throw new Error(`server exited with status ${result.code} after SIGTERM:\n${report()}`);
    }
    return result;
  };

  const deadline = Date.now() + scaled(10000);
  for (;;) {
    if (exited) {
      await drained();
      await cleanup();
      const err = new Error(`server exited during start-up (${JSON.stringify(exited)}):\n${report()}`);
      err.portInUse = /already in use/.test(stderr());
      throw err;
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(scaled(1000)) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not answer /healthz with 200 within ${scaled(10)} s:\n${report()}`);
    }
    await sleep(50);
  }
  // kill(): a signal of the test's own choosing (SIGKILL for a crash), which
  // stop() then takes as the way the server ended.
  const kill = (signal) => child.kill(signal);
  return { url, port, pid: child.pid, dir, dbPath, db, stderr, stdout, wrapperLog, stop, cleanup, kill, exited: () => exited };
}

function parseSetCookie(line) {
  const parts = line.split(';').map((s) => s.trim());
  const [nv, ...attrs] = parts;
  const eq = nv.indexOf('=');
  const name = nv.slice(0, eq).trim();
  const value = nv.slice(eq + 1).trim();
  const attributes = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    if (i < 0) attributes[a.toLowerCase()] = true;
    else attributes[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name, value, attributes, raw: line };
}

/** All Set-Cookie lines of a fetch Response (or Headers), parsed. */
export function setCookies(headers) {
  const h = headers.headers instanceof Headers ? headers.headers : headers;
  const lines = typeof h.getSetCookie === 'function' ? h.getSetCookie() : [];
  return lines.map(parseSetCookie);
}

/**
 * Client - one browser-like member: keeps the session cookie and the CSRF
 * token the server last gave, and speaks JSON.
 */
export class Client {
  constructor(baseUrl, { lang } = {}) {
    this.baseUrl = baseUrl;
    this.lang = lang || null;
    this.cookie = null; // kintsugi_session value
    this.csrf = null;
    this.lastSetCookie = null;
  }

  /** A second client that shares nothing with this one. */
  fresh() {
    return new Client(this.baseUrl, { lang: this.lang });
  }

  /**
   * request() - send method path with body; a plain object/array goes as
   * JSON, a string or Buffer goes as-is with opts.contentType.
   * opts: headers, contentType, csrf (false to leave it out, or a string),
   * cookie (false to leave it out, or a string), lang.
   * Returns {status, headers, json, text, bytes, setCookies}.
   */
  async request(method, p, body, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const lang = opts.lang !== undefined ? opts.lang : this.lang;
    if (lang) headers['Accept-Language'] = lang;
    const cookie = opts.cookie !== undefined ? opts.cookie : this.cookie;
    if (cookie) headers.Cookie = `${SESSION_COOKIE}=${cookie}`;
    const csrf = opts.csrf !== undefined ? opts.csrf : this.csrf;
    if (csrf && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
    let payload;
    if (body !== undefined && body !== null) {
      if (typeof body === 'string' || body instanceof Uint8Array) {
        payload = body;
        headers['Content-Type'] = opts.contentType || 'application/json';
      } else {
        payload = JSON.stringify(body);
        headers['Content-Type'] = opts.contentType || 'application/json';
      }
    }
    let res;
    try {
      res = await fetch(this.baseUrl + p, {
        method,
        headers,
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeout || scaled(20000)),
      });
    } catch (err) {
      const cause = err?.cause?.code || err?.cause?.message || err?.message;
      throw new Error(`${method} ${p}: no answer (${cause})`, { cause: err });
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let json = null;
    const ct = res.headers.get('content-type') || '';
    if (ct.includes('json') || (text.startsWith('{') && !ct.includes('html'))) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    const cookies = setCookies(res.headers);
    for (const c of cookies) {
      if (c.name !== SESSION_COOKIE) continue;
      this.lastSetCookie = c;
      const expired = c.value === '' || c.attributes['max-age'] === '0' ||
        (c.attributes.expires && Date.parse(c.attributes.expires) < Date.now());
      this.cookie = expired ? null : c.value;
    }
    if (json && typeof json.csrf_token === 'string') this.csrf = json.csrf_token;
    return { status: res.status, headers: res.headers, json, text, bytes, setCookies: cookies };
  }

  get(p, opts) { return this.request('GET', p, undefined, opts); }
  post(p, body, opts) { return this.request('POST', p, body, opts); }
  put(p, body, opts) { return this.request('PUT', p, body, opts); }
  del(p, body, opts) { return this.request('DELETE', p, body, opts); }

  /** POST an HTML form (application/x-www-form-urlencoded). */
  form(p, fields, opts = {}) {
    const body = new URLSearchParams(fields).toString();
    return this.request('POST', p, body, {
      ...opts,
      csrf: opts.csrf !== undefined ? opts.csrf : false,
      contentType: 'application/x-www-form-urlencoded',
    });
  }
}

/** signup() - POST /api/v1/signup with defaults; returns {res, login, password, ...}. */
export async function signup(client, fields = {}) {
  const body = {
    login: uniqueLogin(),
    password: uniquePassword(),
    display_name: 'Test Person',
    language: 'en',
    ...fields,
  };
  const res = await client.post('/api/v1/signup', body);
  return { res, ...body, recovery_key: res.json?.recovery_key, member: res.json?.member,
    couple: res.json?.couple };
}

/** signupOk() - signup() that fails the test unless the answer is 201. */
export async function signupOk(client, fields = {}) {
  const r = await signup(client, fields);
  if (r.res.status !== 201) {
    throw new Error(`signup answered ${r.res.status}: ${r.res.text}`);
  }
  return r;
}

export async function login(client, loginName, password) {
  return client.post('/api/v1/login', { login: loginName, password });
}

/** pair() - A signs up, invites, B joins; returns {a, b, aClient, bClient}. */
export async function pair(baseUrl, { aFields = {}, bFields = {} } = {}) {
  const aClient = new Client(baseUrl);
  const a = await signupOk(aClient, aFields);
  const inv = await aClient.post('/api/v1/invites', { role: 'partner' });
  if (inv.status !== 201) throw new Error(`invite answered ${inv.status}: ${inv.text}`);
  const bClient = new Client(baseUrl);
  const b = {
    token: inv.json.token,
    login: uniqueLogin('b'),
    password: uniquePassword(),
    display_name: 'Partner B',
    language: 'en',
    ...bFields,
  };
  const res = await bClient.post('/api/v1/join', b);
  if (res.status !== 201) throw new Error(`join answered ${res.status}: ${res.text}`);
  return { a, b: { ...b, res, member: res.json.member, recovery_key: res.json.recovery_key },
    aClient, bClient };
}

/** The error code of a JSON error answer (or undefined). */
export function errCode(res) {
  return res.json?.error?.code;
}

/** A readable one-line description of an answer, for assertion messages. */
export function describe(res) {
  return `${res.status} ${res.text.length > 300 ? `${res.text.slice(0, 300)}...` : res.text}`;
}

/**
 * rawRequest() - send bytes over a plain socket, exactly as given (fetch
 * would normalise "/../" and percent escapes), and read the answer until the
 * server closes. Returns {status, headers (lower-case names), body (Buffer), raw}.
 */
export function rawRequest(port, request, { timeout = scaled(5000) } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    }, timeout);
    sock.on('connect', () => sock.write(request));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const sep = raw.indexOf('\r\n\r\n');
      const head = (sep < 0 ? raw : raw.subarray(0, sep)).toString('latin1');
      const lines = head.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] || '');
      const headers = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = sep < 0 ? Buffer.alloc(0) : raw.subarray(sep + 4);
      if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') body = dechunk(body);
      resolve({ status: m ? Number(m[1]) : 0, headers, body, raw });
    });
  });
}

function dechunk(buf) {
  const out = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** rawGet() - a GET of an exact request target over a raw socket. */
export function rawGet(port, target, extraHeaders = '') {
  return rawRequest(port,
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extraHeaders}\r\n`);
}

/** Every regular file under dir, recursively. */
export async function filesUnder(dir) {
  const out = [];
  for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...(await filesUnder(p)));
    else if (ent.isFile()) out.push(p);
  }
  return out;
}

/**
 * markerSet() - texts a test writes and then looks for at rest and in the
 * log: {markers, mark(label, words)}, where mark() adds words plus a random
 * tail under label and returns it, and markers is the Map leaksAtRest() takes.
 */
export function markerSet() {
  const markers = new Map();
  const mark = (label, words) => {
    const m = `${words} ${rand(12)}`;
    markers.set(label, m);
    return m;
  };
  return { markers, mark };
}

/**
 * leaksAtRest() - "<label> in <file>" for each marker of markers (a Map of
 * label -> text) found in a file under where (a folder, or a server's
 * folder), as UTF-8 or UTF-16; for a server on PostgreSQL, also in a dump
 * of its database (as text, or as the hex of a bytea).
 */
export async function leaksAtRest(where, markers) {
  const dir = typeof where === 'string' ? where : where.dir;
  const leaks = [];
  for (const file of await filesUnder(dir)) {
    const bytes = await fsp.readFile(file);
    for (const [label, m] of markers) {
      if (bytes.includes(Buffer.from(m)) || bytes.includes(Buffer.from(m, 'utf16le'))) {
        leaks.push(`${label} in ${path.basename(file)}`);
      }
    }
  }
  // a server on PostgreSQL: what a copy of its database shows (text, and bytea as hex)
  if (typeof where !== 'string' && !where.dbPath && where.db) {
    const dump = dbDump(where);
    for (const [label, m] of markers) {
      if (dump.includes(m) || dump.includes(Buffer.from(m).toString('hex'))) {
        leaks.push(`${label} in the PostgreSQL database`);
      }
    }
  }
  return leaks;
}

/** The value attribute of the first <input> named `name` in an HTML page. */
export function hiddenInput(html, name) {
  const re = /<input\b[^>]*>/gi;
  let m;
  while ((m = re.exec(html))) {
    const tag = m[0];
    const n = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    if (!n || (n[1] ?? n[2] ?? n[3]) !== name) continue;
    const v = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    return v ? (v[1] ?? v[2] ?? v[3]) : '';
  }
  return null;
}

// ---- security-regime helpers (authz, sessions, throttle, slowclients, tamper, logs) ----

/**
 * serverPid() - the process id of a server from startServer(), found in
 * /proc by the --listen address on its command line (Linux only).
 */
export function serverPid(server) {
  const want = `127.0.0.1:${server.port}`;
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes('serve') && argv.includes(want)) return Number(ent);
  }
  throw new Error(`no process listens as ${want}`);
}

/** procStatusKiB() - a "kB" field of /proc/<pid>/status (VmRSS, VmHWM, ...). */
export function procStatusKiB(pid, field = 'VmRSS') {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

// ---- end of security-regime helpers ----
