// Soak run (`make soak`; not part of `make test`): a release server on a free
// loopback port with a fresh database, SOAK_COUPLES couples (both partners
// signed up and joined, through tests/http/harness.mjs), and then mixed load
// for SOAK_SECONDS from one virtual user per member plus a few signed-out
// visitors: page views, API reads, journal writes and edits (API and forms),
// check-ins and their changes, and every so often a sign-out (API or form),
// a check that the old cookie is refused, and a sign-in again with the right
// password (API or form).
//
// Every minute one line: requests, errors (any 5xx, any status the request
// should not get, any socket error or timeout), p50/p99/max latency (p99 and
// max also without the sign-ins, which cost an Argon2id hash each), the
// server's CPU use, its RSS (VmRSS) and open file descriptors
// (/proc/PID/fd), and the size of the database and its WAL.  RSS and
// descriptors are sampled every second at a moment when none of our sign-ins
// is in flight (an Argon2id hash maps 64 MB while it runs), and shown as the
// minute's last such sample, with the highest of any sample in brackets.
// At the end: total errors, which must be zero, the kinds of request that
// took over 100 ms, and whether RSS and descriptors stayed within 10% after
// the warm-up (the first 3 minutes, or the first 20% of a shorter run),
// judged on the lowest of those samples in every 10 seconds against the one
// that ends the warm-up.  Exits 1 on any error, on growth past 10%, or when
// the server does not stop cleanly after SIGTERM.
//
//   KINTSUGI_BIN=build-release/kintsugi node tests/soak/soak.mjs
//
// Environment: SOAK_SECONDS (1800), SOAK_COUPLES (20), SOAK_VISITORS (4
// signed-out users), SOAK_CONNECTIONS (24 keep-alive connections; the server
// takes 32 from one address), SOAK_THINK_MS (50: each user waits 0 to this
// long between actions), SOAK_SESSION_SECONDS (60: each user signs out and in
// again about this often), SOAK_WARMUP_SECONDS (180, or 20% of a shorter
// run).  Latency is measured from the moment a request has a connection to
// the end of its answer, so waiting for a free connection of the pool does
// not count; "our CPU" and "our lag" say how busy this client was, since its
// own delays add to what it measures.  No password, cookie or token is printed.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { pair, repoRoot, startServer } from '../http/harness.mjs';

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`soak: ${name} must be a number, not ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
};

const SECONDS = num('SOAK_SECONDS', 1800);
const COUPLES = num('SOAK_COUPLES', 20);
const VISITORS = num('SOAK_VISITORS', 4);
const CONNECTIONS = num('SOAK_CONNECTIONS', 24);
const THINK_MS = num('SOAK_THINK_MS', 50);
const SESSION_S = num('SOAK_SESSION_SECONDS', 60);
const WARMUP_S = num('SOAK_WARMUP_SECONDS', Math.min(180, SECONDS * 0.2));
const GROWTH_LIMIT = 0.10;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
const REQUEST_TIMEOUT_MS = 30000;
const FLOOR_WINDOW_S = 10;
const LAG_RESOLUTION_MS = 10;
const CHECKIN_DAYS = 60; // each member checks in for the last 60 days, then changes those
const KEEP_ENTRIES = 200; // each member keeps at most this many entries; older ones are deleted

if (!process.env.KINTSUGI_BIN) {
  process.env.KINTSUGI_BIN = path.join(repoRoot, 'build-release', 'kintsugi');
}

// ---- the HTTP client: keep-alive, a bounded pool, one latency per request ----

const agent = new http.Agent({
  keepAlive: true,
  maxSockets: CONNECTIONS,
  maxTotalSockets: CONNECTIONS,
  // closed by us well before the server's idle limit (15 s), so that a
  // request never goes out on a connection the server is closing
  timeout: 5000,
  scheduling: 'fifo',
});

let port = 0;
let stopping = false;
let passwordsInFlight = 0; // sign-ins sent and not yet answered: the server may be hashing

/** Per-minute figures; `all` collects the whole run's. */
function newBucket() {
  return { requests: 0, errors: 0, lat: [], latNoPw: [], max: 0, maxNoPw: 0, kinds: new Map() };
}
let bucket = newBucket();
const SLOW_MS = 100;
// byAction: label -> {count, slow (over SLOW_MS), max}
const all = { requests: 0, errors: 0, byAction: new Map(), errorKinds: new Map() };

function noteError(kind) {
  bucket.errors++;
  all.errors++;
  bucket.kinds.set(kind, (bucket.kinds.get(kind) || 0) + 1);
  all.errorKinds.set(kind, (all.errorKinds.get(kind) || 0) + 1);
}

/**
 * send() - one request; `label` names it in error reports (a route pattern,
 * never a secret).  opts: cookie, csrf, json (an object to send as JSON),
 * form (fields to send urlencoded), expect (statuses that are right; default
 * [200]), location (for a 303: a RegExp its Location must match), password
 * (a sign-in: its latency is kept apart).
 * Returns {status, headers, text, json, ok} (status 0 on a socket error).
 */
function send(method, p, label, opts = {}) {
  const expect = opts.expect || [200];
  const headers = { Accept: opts.json !== undefined || p.startsWith('/api/') ? 'application/json' : 'text/html' };
  if (opts.cookie) headers.Cookie = `kintsugi_session=${opts.cookie}`;
  // the API takes the token in a header; a form carries it as a field
  if (opts.csrf && method !== 'GET' && opts.form === undefined) headers['X-CSRF-Token'] = opts.csrf;
  let payload = null;
  if (opts.json !== undefined) {
    payload = Buffer.from(JSON.stringify(opts.json));
    headers['Content-Type'] = 'application/json';
  } else if (opts.form !== undefined) {
    payload = Buffer.from(new URLSearchParams(opts.form).toString());
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  if (payload) headers['Content-Length'] = String(payload.length);

  if (opts.password) passwordsInFlight++;
  return new Promise((resolve) => {
    let t0 = 0;
    let done = false;
    const finish = (status, res, text) => {
      if (done) return;
      done = true;
      if (opts.password) passwordsInFlight--;
      const ms = t0 ? performance.now() - t0 : 0;
      bucket.requests++;
      all.requests++;
      const a = all.byAction.get(label) || { count: 0, slow: 0, max: 0 };
      a.count++;
      if (ms > SLOW_MS) a.slow++;
      if (ms > a.max) a.max = ms;
      all.byAction.set(label, a);
      bucket.lat.push(ms);
      if (ms > bucket.max) bucket.max = ms;
      if (!opts.password) {
        bucket.latNoPw.push(ms);
        if (ms > bucket.maxNoPw) bucket.maxNoPw = ms;
      }
      // a page's 303 must go where it should (to /signin means the session was lost)
      const ok = status !== 0 && expect.includes(status) &&
        !(opts.location && status === 303 && !opts.location.test(res.headers.location || ''));
      let json = null;
      if (text && res && (res.headers['content-type'] || '').includes('json')) {
        try { json = JSON.parse(text); } catch { json = null; }
      }
      if (!ok) {
        const code = json?.error?.code ? ` ${json.error.code}` : '';
        const to = status === 303 ? ` to ${(res.headers.location || '').replace(/[?#].*/, '')}` : '';
        noteError(status === 0 ? `${method} ${label}: ${text}` : `${method} ${label}: ${status}${code}${to}`);
      }
      resolve({ status, headers: res ? res.headers : {}, text, json, ok });
    };
    const req = http.request({
      host: '127.0.0.1', port, method, path: p, headers, agent,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish(res.statusCode, res, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (e) => finish(0, null, `response ${e.code || e.message}`));
    });
    req.on('socket', (sock) => {
      // the request has a connection now (an idle one, or a new one that
      // still has to connect: then the connect counts)
      t0 = performance.now();
      sock.setNoDelay(true);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS / 1000} s`));
    });
    req.on('error', (e) => finish(0, null, `socket ${e.code || e.message}`));
    req.end(payload || undefined);
  });
}

function sessionCookie(headers) {
  for (const line of headers['set-cookie'] || []) {
    const m = /^kintsugi_session=([^;]*)/.exec(line);
    if (m) return m[1];
  }
  return null;
}

// ---- what the users do ----

const rnd = (n) => Math.floor(Math.random() * n);
const pick = (xs) => xs[rnd(xs.length)];

function day(offset) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

const TEXTS = [
  'Today we talked for an hour without raising our voices, and I noticed how much I had been bracing for the worst.',
  'I felt shut out at dinner when the phone came out again. I said so calmly this time, and we agreed on a rule.',
  'Walked by the river after work. She asked about my day first, and I listened instead of planning my answer.',
  'Hard morning. The old fear came back; I wrote it down here instead of accusing, and later asked a question.',
  'We cooked together for the first time in months, burnt the rice, laughed, and nothing else mattered.',
  'Старый страх вернулся утром, но я записала его сюда и потом спокойно спросила. Так лучше.',
  'Hoy hablamos con calma durante una hora. Quiero recordar esta tarde y lo que la hizo posible.',
];
const text = (tag) => `${pick(TEXTS)} (${tag} ${rnd(1e6)})`;

function checkinBody(period) {
  const s = () => 1 + rnd(5);
  return {
    period,
    scores: { emotional: s(), physical: s(), mental: s(), sexual: s(), financial: s() },
    trust: rnd(11),
    closeness: rnd(11),
    note: Math.random() < 0.5 ? text('note') : '',
    shared_with: Math.random() < 0.8 ? ['partner'] : [],
  };
}

const PAGES = ['/home', '/journal', '/journal/new', '/checkin', '/checkins', '/commitments',
  '/statements', '/statements/new', '/shares', '/offers', '/activities', '/reflect', '/settings',
  '/invite'];
const PUBLIC_PAGES = ['/', '/privacy', '/signin', '/signup', '/recover', '/exit',
  '/static/css/app.css', '/static/js/app.js', '/favicon.ico', '/healthz'];

class Member {
  constructor(login, password, cookie, csrf) {
    this.login = login;
    this.password = password;
    this.cookie = cookie;
    this.csrf = csrf;
    this.entries = []; // ids of this member's journal entries, oldest first
    this.checkins = []; // ids of this member's check-ins
    this.nextDay = 1; // the next check-in is for day(-nextDay)
    this.signInAt = Date.now() + (0.5 + Math.random()) * SESSION_S * 1000;
  }

  get auth() { return { cookie: this.cookie, csrf: this.csrf }; }

  async signOutAndIn() {
    const old = this.cookie;
    if (Math.random() < 0.5) {
      await send('POST', '/api/v1/logout', 'api logout', { ...this.auth, expect: [204] });
    } else {
      await send('POST', '/signout', 'page signout', { cookie: old, form: { csrf: this.csrf }, expect: [303] });
    }
    // the old cookie must be refused now
    await send('GET', '/api/v1/me', 'me after sign-out', { cookie: old, expect: [401] });
    this.cookie = null;
    for (let attempt = 0; !this.cookie && !stopping; attempt++) {
      if (attempt > 0) await sleep(1000);
      if (Math.random() < 0.5) {
        const r = await send('POST', '/api/v1/login', 'api login',
          { json: { login: this.login, password: this.password }, password: true });
        if (r.ok && r.json?.csrf_token) {
          this.cookie = sessionCookie(r.headers);
          this.csrf = r.json.csrf_token;
        }
      } else {
        await send('GET', '/signin', 'page signin form');
        const r = await send('POST', '/signin', 'page signin',
          { form: { login: this.login, password: this.password }, expect: [303], location: /^\/(?!signin)/,
          password: true });
        const cookie = r.ok ? sessionCookie(r.headers) : null;
        if (cookie) {
          const me = await send('GET', '/api/v1/me', 'api me', { cookie });
          if (me.ok && me.json?.csrf_token) {
            this.cookie = cookie;
            this.csrf = me.json.csrf_token;
          }
        }
      }
    }
    this.signInAt = Date.now() + (0.5 + Math.random()) * SESSION_S * 1000;
  }

  async writeEntry() {
    if (Math.random() < 0.8) {
      const r = await send('POST', '/api/v1/journal', 'api journal create',
        { ...this.auth, json: { body: text('entry') }, expect: [201] });
      if (r.ok && r.json?.entry?.id) this.entries.push(r.json.entry.id);
    } else {
      // (the form answers with a 303 to the list, so the new entry's id stays unknown here)
      await send('POST', '/journal', 'page journal create',
        { cookie: this.cookie, form: { csrf: this.csrf, body: text('form entry') }, expect: [303], location: /^\/journal$/ });
    }
    if (this.entries.length > KEEP_ENTRIES) {
      const id = this.entries.shift();
      if (Math.random() < 0.5) {
        await send('DELETE', `/api/v1/journal/${id}`, 'api journal delete', { ...this.auth, expect: [204] });
      } else {
        await send('GET', `/journal/${id}/delete`, 'page journal delete form', { cookie: this.cookie });
        await send('POST', `/journal/${id}/delete`, 'page journal delete',
          { cookie: this.cookie, form: { csrf: this.csrf }, expect: [303], location: /^\/journal$/ });
      }
    }
  }

  async editEntry() {
    if (!this.entries.length) return this.writeEntry();
    const id = pick(this.entries);
    if (Math.random() < 0.7) {
      await send('GET', `/api/v1/journal/${id}`, 'api journal get', this.auth);
      await send('PUT', `/api/v1/journal/${id}`, 'api journal put',
        { ...this.auth, json: { body: text('edited') } });
    } else {
      await send('GET', `/journal/${id}`, 'page journal show', { cookie: this.cookie });
      await send('POST', `/journal/${id}`, 'page journal update',
        { cookie: this.cookie, form: { csrf: this.csrf, body: text('form edit') }, expect: [303],
        location: new RegExp(`^/journal/${id}`) });
    }
  }

  async apiRead() {
    const r = Math.random();
    if (r < 0.4) {
      await send('GET', '/api/v1/journal?limit=50', 'api journal list', this.auth);
    } else if (r < 0.55 && this.entries.length > 10) {
      const id = this.entries[rnd(this.entries.length)];
      await send('GET', `/api/v1/journal?limit=10&before=${id}`, 'api journal list before', this.auth);
    } else if (r < 0.7 && this.entries.length) {
      await send('GET', `/api/v1/journal/${pick(this.entries)}`, 'api journal get', this.auth);
    } else if (r < 0.8) {
      await send('GET', '/api/v1/me', 'api me', this.auth);
    } else if (r < 0.9) {
      await send('GET', '/api/v1/checkins', 'api checkins list', this.auth);
    } else {
      await send('GET', '/api/v1/couple', 'api couple', this.auth);
    }
  }

  async pageView() {
    const p = pick(PAGES);
    await send('GET', p, `page ${p}`, { cookie: this.cookie });
    if (p === '/journal' && this.entries.length) {
      await send('GET', `/journal/${pick(this.entries)}`, 'page journal show', { cookie: this.cookie });
    }
  }

  async checkIn() {
    if (this.nextDay <= CHECKIN_DAYS) {
      const period = day(-this.nextDay);
      this.nextDay++;
      const r = await send('POST', '/api/v1/checkins', 'api checkin create',
        { ...this.auth, json: checkinBody(period), expect: [201] });
      if (r.ok && r.json?.checkin?.id) this.checkins.push(r.json.checkin.id);
      await send('GET', `/checkin?period=${period}`, 'page checkin period', { cookie: this.cookie });
    } else {
      const id = pick(this.checkins);
      await send('GET', `/api/v1/checkins/${id}`, 'api checkin get', this.auth);
      const body = checkinBody(undefined);
      delete body.period;
      await send('PUT', `/api/v1/checkins/${id}`, 'api checkin put', { ...this.auth, json: body });
    }
  }

  async step() {
    if (Date.now() >= this.signInAt) return this.signOutAndIn();
    const r = Math.random();
    if (r < 0.35) return this.pageView();
    if (r < 0.70) return this.apiRead();
    if (r < 0.82) return this.writeEntry();
    if (r < 0.90) return this.editEntry();
    return this.checkIn();
  }
}

async function memberLoop(m) {
  while (!stopping) {
    await m.step();
    if (THINK_MS > 0) await sleep(rnd(THINK_MS + 1));
  }
}

async function visitorLoop() {
  while (!stopping) {
    const p = pick(PUBLIC_PAGES);
    await send('GET', p, `public ${p}`);
    if (THINK_MS > 0) await sleep(rnd(THINK_MS + 1));
  }
}

// ---- the server's process: RSS, descriptors, database size ----

function findServerPid(dbPath) {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && cmd.includes(dbPath)) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

function sampleProcess(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)[1]);
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  // /proc/PID/stat: utime and stime are fields 14 and 15, the 12th and 13th
  // after the command's closing parenthesis
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssKb, fds, ticks: Number(f[11]) + Number(f[12]) };
}

/**
 * quietSample() - a sample taken while no sign-in of ours is in flight, so
 * that no Argon2id hash (64 MB, mapped for the hash and unmapped after it)
 * is in the RSS: waits up to maxWaitMs for that; null if it never happens.
 */
async function quietSample(pid, maxWaitMs) {
  const until = performance.now() + maxWaitMs;
  while (passwordsInFlight > 0) {
    if (performance.now() > until) return null;
    await sleep(5);
  }
  return sampleProcess(pid);
}

const fileMb = (f) => {
  try { return fs.statSync(f).size / 1048576; } catch { return 0; }
};

function percentile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

// ---- the run ----

async function main() {
  const t00 = Date.now();
  const server = await startServer({
    env: { LOG_REQUESTS: 'false' },
    // Every sign-in of the soak uses the right password, so none should count
    // as a failure; all the users share one address, though, so neither limit
    // may stand in their way (10000, the most the server takes).
    args: ['--signin-login-failures', '10000', '--signin-address-failures', '10000',
      '--per-ip-connections', '32'],
  });
  port = server.port;
  const pid = findServerPid(server.dbPath);
  let exitCode = 0;
  try {
    if (!pid) throw new Error('soak: cannot find the server\'s process');
    console.log(`soak: ${process.env.KINTSUGI_BIN} (pid ${pid}), ${COUPLES} couples + ${VISITORS} visitors, ` +
      `${CONNECTIONS} connections, think 0-${THINK_MS} ms, sign-out/in about every ${SESSION_S} s, ` +
      `${SECONDS} s, warm-up ${WARMUP_S.toFixed(0)} s`);

    // Couples, two at a time (sign-up and join each hash a password).
    const members = [];
    for (let i = 0; i < COUPLES; i += 2) {
      const batch = [];
      for (let j = i; j < Math.min(COUPLES, i + 2); j++) batch.push(pair(server.url));
      for (const p of await Promise.all(batch)) {
        members.push(new Member(p.a.login, p.a.password, p.aClient.cookie, p.aClient.csrf));
        members.push(new Member(p.b.login, p.b.password, p.bClient.cookie, p.bClient.csrf));
      }
    }
    // the couples check in daily (the default; set it anyway, once per couple)
    for (let i = 0; i < members.length; i += 2) {
      await send('PUT', '/api/v1/couple', 'api couple put', { ...members[i].auth, json: { rhythm: 'daily' } });
    }
    console.log(`soak: ${members.length} members signed up and paired in ${((Date.now() - t00) / 1000).toFixed(1)} s`);
    bucket = newBucket();

    const quiet = []; // {t, rssKb, fds}: samples without a password hash in flight
    let peakKb = 0;
    const minutes = [];
    const start = Date.now();
    const end = start + SECONDS * 1000;
    const loops = [...members.map(memberLoop), ...Array.from({ length: VISITORS }, visitorLoop)];

    console.log(' min  requests errors  p50 ms  p99 ms  max ms  w/o sign-in: p99  max  server CPU  ' +
      'RSS MB (peak)  fds (peak)  db MB  wal MB  our CPU  our lag p99');
    let minuteStart = start;
    // our own CPU and event-loop delay: a busy client adds to every latency it measures
    const loopDelay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    loopDelay.enable();
    let cpu0 = process.cpuUsage();
    const first = sampleProcess(pid);
    let ticks0 = first.ticks;
    let last = { rssKb: first.rssKb, fds: first.fds };
    let highKb = 0;
    let highFds = 0;
    let n = 0;
    while (Date.now() < end) {
      const now = Date.now();
      await sleep(Math.max(0, Math.min(end, now + 1000 - ((now - start) % 1000)) - now));
      let raw;
      try {
        raw = sampleProcess(pid);
        highKb = Math.max(highKb, raw.rssKb);
        highFds = Math.max(highFds, raw.fds);
        peakKb = Math.max(peakKb, raw.rssKb);
        const q = await quietSample(pid, 800);
        if (q) {
          quiet.push({ t: (Date.now() - start) / 1000, rssKb: q.rssKb, fds: q.fds });
          last = q;
        }
      } catch (err) {
        throw new Error(`soak: the server's process is gone (${err.message})`);
      }
      const final = Date.now() >= end;
      if (Date.now() - minuteStart >= 60000 || final) {
        const b = bucket;
        bucket = newBucket();
        n++;
        const lat = Float64Array.from(b.lat).sort();
        const latNoPw = Float64Array.from(b.latNoPw).sort();
        const secs = (Date.now() - minuteStart) / 1000;
        const m = {
          minute: n,
          seconds: secs,
          requests: b.requests,
          errors: b.errors,
          p50: percentile(lat, 0.5),
          p99: percentile(lat, 0.99),
          p99NoPw: percentile(latNoPw, 0.99),
          max: b.max,
          maxNoPw: b.maxNoPw,
          cpu: ((raw.ticks - ticks0) / CLK_TCK / secs) * 100,
          rss: last.rssKb / 1024,
          rssHigh: highKb / 1024,
          fds: last.fds,
          fdsHigh: highFds,
          db: fileMb(server.dbPath),
          wal: fileMb(`${server.dbPath}-wal`),
          ourCpu: ((process.cpuUsage().user + process.cpuUsage().system - cpu0.user - cpu0.system) / 1e4) / secs,
          // the histogram holds whole timer intervals: less the resolution, the delay
          lag: Math.max(0, loopDelay.percentile(99) / 1e6 - LAG_RESOLUTION_MS),
        };
        cpu0 = process.cpuUsage();
        loopDelay.reset();
        minutes.push(m);
        const partial = secs < 55 ? ` (${secs.toFixed(0)} s)` : '';
        console.log(`${String(n).padStart(4)}  ${String(m.requests).padStart(8)} ${String(m.errors).padStart(6)}  ` +
          `${fmtMs(m.p50).padStart(6)}  ${fmtMs(m.p99).padStart(6)}  ${fmtMs(m.max).padStart(6)}  ` +
          `${fmtMs(m.p99NoPw).padStart(16)}  ${fmtMs(m.maxNoPw).padStart(5)}  ${`${m.cpu.toFixed(0)}%`.padStart(10)}  ` +
          `${m.rss.toFixed(1).padStart(6)} (${m.rssHigh.toFixed(0).padStart(4)})  ` +
          `${String(m.fds).padStart(3)} (${String(m.fdsHigh).padStart(4)})  ${m.db.toFixed(1).padStart(5)}  ` +
          `${m.wal.toFixed(1).padStart(6)}  ${`${m.ourCpu.toFixed(0)}%`.padStart(7)}  ` +
          `${fmtMs(m.lag).padStart(8)} ms${partial}`);
        for (const [kind, count] of b.kinds) console.log(`        error: ${kind} (${count})`);
        minuteStart = Date.now();
        ticks0 = raw.ticks;
        highKb = 0;
        highFds = 0;
      }
    }
    stopping = true;
    loopDelay.disable();
    await Promise.all(loops);

    // ---- the verdict ----
    const total = minutes.reduce((a, m) => a + m.requests, 0) + bucket.requests;
    const errors = all.errors;
    const elapsed = (Date.now() - start) / 1000;
    console.log(`\nsoak: ${total} requests in ${elapsed.toFixed(0)} s (${(total / elapsed).toFixed(0)}/s), ` +
      `errors ${errors}${errors ? ' (must be 0)' : ''}`);
    for (const [kind, count] of all.errorKinds) console.log(`  error: ${kind} (${count})`);
    const range = (key) => `${fmtMs(Math.min(...minutes.map((m) => m[key])))}-` +
      `${fmtMs(Math.max(...minutes.map((m) => m[key])))} ms`;
    console.log(`p99 per minute: ${range('p99')}, without sign-ins ${range('p99NoPw')}; slowest request ` +
      `${fmtMs(Math.max(...minutes.map((m) => m.max)))} ms, without sign-ins ` +
      `${fmtMs(Math.max(...minutes.map((m) => m.maxNoPw)))} ms`);
    const kinds = [...all.byAction.entries()];
    console.log(`requests by kind: ${kinds.sort((a, b) => b[1].count - a[1].count)
      .map(([k, a]) => `${k} ${a.count}`).join(', ')}`);
    const slow = kinds.filter(([, a]) => a.slow > 0).sort((a, b) => b[1].slow / b[1].count - a[1].slow / a[1].count);
    console.log(`over ${SLOW_MS} ms, by kind (count, share, slowest): ${slow.slice(0, 12)
      .map(([k, a]) => `${k} ${a.slow} (${((a.slow / a.count) * 100).toFixed(2)}%, ${fmtMs(a.max)} ms)`)
      .join('; ') || 'none'}`);

    // the lowest quiet sample of every FLOOR_WINDOW_S seconds
    const floors = [];
    for (const q of quiet) {
      const w = Math.floor((q.t - 1e-6) / FLOOR_WINDOW_S);
      const f = floors[w] || (floors[w] = { t: (w + 1) * FLOOR_WINDOW_S, rssKb: Infinity, fds: Infinity });
      f.rssKb = Math.min(f.rssKb, q.rssKb);
      f.fds = Math.min(f.fds, q.fds);
    }
    const dense = floors.filter(Boolean);
    // the baseline: the window that ends the warm-up; judged: every window after it
    const base = dense.filter((f) => f.t <= WARMUP_S + 1e-6).pop() || dense[0];
    const after = base ? dense.filter((f) => f.t > base.t) : [];
    let growthFail = false;
    if (!after.length) {
      console.log('growth: the run is too short to judge (no quiet sample after the warm-up)');
      growthFail = true;
    } else {
      for (const [name, key, unit, scale] of [['RSS', 'rssKb', 'MB', 1 / 1024], ['fds', 'fds', '', 1]]) {
        const top = Math.max(...after.map((f) => f[key]));
        const lastV = after[after.length - 1][key];
        const growth = (top - base[key]) / base[key];
        const ok = growth <= GROWTH_LIMIT;
        if (!ok) growthFail = true;
        const v = (x) => (scale === 1 ? String(x) : (x * scale).toFixed(1)) + (unit ? ` ${unit}` : '');
        console.log(`${name}: ${v(base[key])} at ${base.t} s (end of warm-up), ${v(lastV)} at the end, ` +
          `at most ${v(top)} after the warm-up (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%, ` +
          `limit +${GROWTH_LIMIT * 100}%): ${ok ? 'flat' : 'GROWING'}`);
        if (!ok && key === 'rssKb' && SECONDS < 600) {
          // docs/performance.md, "Soak": 13.9 MB after a minute, 17.8 MB from the fourth on
          console.log('  (in the 30-minute run RSS rose for the first 3-4 minutes and stayed flat ' +
            'after: judge growth on a run of 10 minutes or more)');
        }
      }
    }
    console.log(`RSS: ${quiet.length} samples without a sign-in in flight, highest sample of all ` +
      `${(peakKb / 1024).toFixed(1)} MB (each Argon2id hash maps 64 MB, two at once); ` +
      `database ${fileMb(server.dbPath).toFixed(1)} MB, WAL ${fileMb(`${server.dbPath}-wal`).toFixed(1)} MB`);
    if (errors > 0 || growthFail) exitCode = 1;
  } catch (err) {
    console.error(err.stack || String(err));
    exitCode = 1;
  } finally {
    stopping = true;
    agent.destroy();
    try {
      await server.stop();
      console.log('server: stopped cleanly (exit 0 after SIGTERM)');
    } catch (err) {
      console.error(`server: ${err.message.split('\n')[0]}`);
      exitCode = 1;
    }
    const log = server.stderr().split('\n').filter((l) => l.trim());
    if (log.length) {
      console.log(`server log: ${log.length} lines; the last ones:`);
      for (const l of log.slice(-15)) console.log(`  ${l}`);
    }
  }
  console.log(exitCode ? 'soak: FAIL' : 'soak: PASS');
  process.exit(exitCode);
}

main();
