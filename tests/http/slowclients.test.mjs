// Slow and greedy clients, with CONNECTION_TIMEOUT=2 and PER_IP_CONNECTIONS=8:
// a stalled request is dropped within seconds; one address cannot hold more
// than its share of connections (and others still get in); a huge body is
// refused with 413 without the server keeping it in memory; oversized
// headers are refused; and the server keeps answering /healthz.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe as suite, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { procStatusKiB, rawGet, rawRequest, serverPid, startServer, underWrapper } from './harness.mjs';

const TIMEOUT_S = 2;
const PER_IP = 8;

let server;
let pid;
before(async () => {
  server = await startServer({ env: { CONNECTION_TIMEOUT: TIMEOUT_S, PER_IP_CONNECTIONS: PER_IP } });
  pid = serverPid(server);
});
after(async () => { await server?.stop(); });

/**
 * open() - a connected socket that records when the server closes it and
 * what it sent. opts.localAddress picks the client address.
 */
function open({ localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: server.port, host: '127.0.0.1', localAddress });
    const state = { sock, data: [], closed: false, closedAt: 0, openedAt: Date.now() };
    let settled = false;
    state.whenClosed = new Promise((res) => {
      sock.on('close', () => {
        state.closed = true;
        state.closedAt = Date.now();
        res();
      });
    });
    sock.on('data', (c) => state.data.push(c));
    sock.on('error', (e) => {
      state.error = e;
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    sock.on('connect', () => {
      settled = true;
      resolve(state);
    });
  });
}

async function closedWithin(state, ms) {
  await Promise.race([state.whenClosed, sleep(ms)]);
  return state.closed;
}

async function assertHealthy(label, opts) {
  const res = await healthz(opts);
  assert.equal(res.status, 200, `${label}: /healthz answers ${res.status}`);
}

async function healthz({ localAddress } = {}) {
  if (!localAddress) return rawGet(server.port, '/healthz');
  const s = await open({ localAddress });
  s.sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await Promise.race([s.whenClosed, sleep(5000)]);
  s.sock.destroy();
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(s.data).toString('latin1'));
  return { status: m ? Number(m[1]) : 0 };
}

test('a client that sends half a request line and stops is dropped within seconds', async () => {
  const stalls = {
    'half a request line': 'GET /heal',
    'a request line and no blank line': 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n',
    'a body that stops short': 'POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"login":',
  };
  const socks = [];
  for (const [label, bytes] of Object.entries(stalls)) {
    const s = await open();
    s.sock.write(bytes);
    socks.push([label, s]);
  }
  for (const [label, s] of socks) {
    const closed = await closedWithin(s, (TIMEOUT_S + 4) * 1000 - (Date.now() - s.openedAt));
    s.sock.destroy();
    assert.ok(closed, `${label}: the server closes the connection within ${TIMEOUT_S + 4} s`);
    const text = Buffer.concat(s.data).toString('latin1');
    assert.ok(!/^HTTP\/1\.[01] 2/.test(text), `${label}: no success answer`);
  }
  await assertHealthy('after the stalled clients');
});

test(`one address holds at most ${PER_IP} connections; other addresses still get in`, async () => {
  // Connections left open by earlier requests (keep-alive) count too: let the
  // server's idle timeout close them first.
  await sleep((TIMEOUT_S + 1.5) * 1000);
  const held = [];
  try {
    for (let i = 0; i < PER_IP; i++) {
      const s = await open();
      held.push(s);
    }
    await sleep(150);
    const early = held.filter((s) => s.closed).length;
    assert.equal(early, 0, `the first ${PER_IP} idle connections are accepted (${early} were closed at once)`);

    const extra = await open().catch((e) => ({ refused: e }));
    let refused = Boolean(extra.refused);
    if (!refused) {
      held.push(extra);
      extra.sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const closed = await closedWithin(extra, 1500);
      const text = Buffer.concat(extra.data).toString('latin1');
      refused = closed && !/^HTTP\/1\.[01] 200/.test(text);
    }
    assert.ok(refused, `connection ${PER_IP + 1} from the same address is refused or closed`);

    await assertHealthy('another loopback address while 127.0.0.1 is at its limit', { localAddress: '127.0.0.2' });
  } finally {
    for (const s of held) s.sock.destroy();
  }
  await sleep(300);
  await assertHealthy('127.0.0.1 after its connections are closed');
});

/**
 * sendBody() - POST a body of `total` bytes (Content-Length, or chunked),
 * in 64 KiB pieces, stopping if the server closes; resolves with the
 * status of the answer (0 when there was none) once the server closes.
 */
function sendBody(total, { chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    const chunks = [];
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer within 30 s')); }, 30000);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => { /* the server may close while we write: read what came */ });
    sock.on('close', () => {
      closed = true;
      clearTimeout(timer);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(m ? Number(m[1]) : 0);
    });
    sock.on('connect', async () => {
      sock.write('POST /api/v1/journal HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' +
        'Content-Type: application/json\r\n' +
        (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`) + '\r\n');
      const piece = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      while (sent < total && !closed && !sock.destroyed) {
        const n = Math.min(piece.length, total - sent);
        const buf = chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')])
          : piece.subarray(0, n);
        sent += n;
        if (!sock.write(buf)) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
      }
      if (chunked && !closed && !sock.destroyed) sock.write('0\r\n\r\n');
    });
  });
}

test('a 2 MiB body is refused with 413, and the server does not keep it in memory', async (t) => {
  const rssBefore = procStatusKiB(pid, 'VmRSS');
  const hwmBefore = procStatusKiB(pid, 'VmHWM');
  let peak = rssBefore;
  const sampler = setInterval(() => {
    try { peak = Math.max(peak, procStatusKiB(pid, 'VmRSS')); } catch { /* gone */ }
  }, 10);
  try {
    const two = 2 * 1024 * 1024;
    assert.equal(await sendBody(two), 413, '2 MiB with Content-Length');
    assert.equal(await sendBody(two, { chunked: true }), 413, '2 MiB chunked');
    const many = await Promise.all([0, 1, 2, 3].map(() => sendBody(two)));
    assert.deepEqual(many, [413, 413, 413, 413], 'four 2 MiB bodies at once');
    // Big enough that keeping it would show: 32 MiB.
    const big = await sendBody(32 * 1024 * 1024);
    assert.equal(big, 413, '32 MiB with Content-Length');
  } finally {
    clearInterval(sampler);
  }
  const hwmAfter = procStatusKiB(pid, 'VmHWM');
  if (hwmAfter > hwmBefore) peak = Math.max(peak, hwmAfter);
  const grew = (peak - rssBefore) / 1024;
  if (underWrapper) {
    // Under valgrind the resident memory is valgrind's (shadow memory, code
    // translations, a 20 MB queue of freed blocks): it says nothing about
    // the server's, which the native run measures.  The 413s still count.
    t.diagnostic(`resident memory grew by ${grew.toFixed(1)} MiB (not checked under a wrapper)`);
  } else {
    assert.ok(grew < 20, `resident memory grew by ${grew.toFixed(1)} MiB while refusing big bodies (limit 20)`);
  }
  await assertHealthy('after the big bodies');
});

/** The status of the answer to request, or 0 when the server closed or reset without one. */
async function statusOf(request) {
  try {
    return (await rawRequest(server.port, request, { timeout: 8000 })).status;
  } catch {
    return 0; // reset by the server
  }
}

test('an 8 KiB+ header line, a huge request line and 200 headers are refused', async () => {
  const head = (extra, target = '/healthz') =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;
  let many = '';
  for (let i = 0; i < 200; i++) many += `X-Header-${i}: value-${i}\r\n`;
  const cases = {
    'a header line over 8 KiB': head(`X-Long: ${'a'.repeat(8 * 1024 + 16)}\r\n`),
    'a 9 KiB cookie': head(`Cookie: kintsugi_session=${'b'.repeat(9 * 1024)}\r\n`),
    'a 64 KiB header line': head(`X-Huge: ${'c'.repeat(64 * 1024)}\r\n`),
    '200 headers': head(many),
    'a 9 KiB request line': head('', `/healthz?${'q'.repeat(9 * 1024)}`),
  };
  const accepted = [];
  for (const [label, request] of Object.entries(cases)) {
    const status = await statusOf(request);
    if (status !== 0 && status < 400) accepted.push(`${label}: ${status}`);
  }
  await assertHealthy('after the oversized headers');
  assert.deepEqual(accepted, [], 'each is refused (>= 400) or the connection closed');
});

// Issue 11, part 10: an idle timeout alone lets a client keep its
// connection by sending a header line every few seconds, and seventeen
// addresses doing that filled every place. Now a request must arrive whole
// within REQUEST_DEADLINE of the connection opening (or of its last answer),
// and once three quarters of the places are taken only addresses that hold
// none get one.
suite('trickling clients', () => {
  // room for a loaded machine to reach 136 connections before any deadline strikes: a
  // sanitizer build on two cores shared with the other test files needs more than 4 s
  const slow = underWrapper || process.env.KINTSUGI_SANITIZED === '1';
  const DEADLINE_S = slow ? 10 : 5;
  const LIMITS = { CONNECTION_TIMEOUT: 2, REQUEST_DEADLINE: DEADLINE_S, PER_IP_CONNECTIONS: 8, MAX_CONNECTIONS: 64 };
  let s;
  const tricklers = [];
  before(async () => { s = await startServer({ env: LIMITS }); });
  after(async () => {
    for (const t of tricklers) clearInterval(t);
    await s?.stop();
  });

  /** A connection to s that sends a request line, then a header line every second, never the end. */
  function trickle(localAddress) {
    return new Promise((resolve) => {
      const sock = net.connect({ port: s.port, host: '127.0.0.1', localAddress });
      const st = { sock, closed: false, openedAt: Date.now(), closedAt: 0, refused: false };
      st.whenClosed = new Promise((res) => sock.on('close', () => {
        st.closed = true;
        st.closedAt = Date.now();
        res();
      }));
      sock.on('error', () => { st.refused = true; resolve(st); });
      sock.on('connect', () => {
        sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        let n = 0;
        const t = setInterval(() => {
          if (sock.destroyed) { clearInterval(t); return; }
          sock.write(`X-Slow-${n++}: still here\r\n`);
        }, 1000);
        tricklers.push(t);
        resolve(st);
      });
    });
  }

  async function fresh(localAddress) {
    const c = await new Promise((resolve) => {
      const sock = net.connect({ port: s.port, host: '127.0.0.1', localAddress });
      const data = [];
      const st = { data };
      st.done = new Promise((res) => sock.on('close', res));
      sock.on('data', (d) => data.push(d));
      sock.on('error', () => {});
      sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
      st.sock = sock;
      resolve(st);
    });
    await Promise.race([c.done, sleep(3000)]);
    c.sock.destroy();
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(c.data).toString('latin1'));
    return m ? Number(m[1]) : 0;
  }

  test('a request trickled a header line at a time is cut at the deadline', async () => {
    const t = await trickle();
    await Promise.race([t.whenClosed, sleep((DEADLINE_S + 3) * 1000)]);
    t.sock.destroy();
    assert.ok(t.closed, `closed within ${DEADLINE_S + 3} s, though it never went idle for ${LIMITS.CONNECTION_TIMEOUT} s`);
    const lived = (t.closedAt - t.openedAt) / 1000;
    assert.ok(lived >= DEADLINE_S - 0.5, `not before the deadline: it lived ${lived} s`);
    // the line follows the shutdown: give the pipe a moment
    const lineOf = () => s.stderr().split('\n').find((l) => /did not send a whole request/.test(l));
    for (let i = 0; i < 40 && !lineOf(); i++) await sleep(50);
    const line = lineOf();
    assert.equal(line, `kintsugi: closed 1 connection that did not send a whole request within ${DEADLINE_S} s`,
      'one line for the operator, with a count and no address');
  });

  test('seventeen trickling addresses do not shut a new client out', async () => {
    const held = [];
    for (let a = 10; a < 27; a++) {
      for (let i = 0; i < LIMITS.PER_IP_CONNECTIONS; i++) held.push(trickle(`127.0.0.${a}`));
    }
    const conns = await Promise.all(held);
    // What a person notices: new clients get their answers while the
    // tricklers hold on, before any request deadline can have struck (so
    // the room was kept by the guard, not made by the deadline).  How many
    // of the 136 look open from here is only a clue: the guard refuses at
    // accept, and a connection still waiting in the listen queue (a busy
    // machine, or a pool thread at its share of the connection limit) looks
    // open from the client's side.
    const openNow = () => conns.filter((c) => !c.closed && !c.refused).length;
    const firstOpened = Math.min(...conns.map((c) => c.openedAt));
    await sleep(300);
    for (const addr of ['127.0.0.50', '127.0.0.51', '127.0.0.52']) {
      const status = await fresh(addr);
      assert.equal(status, 200, `a new client from ${addr} gets its answer (${openNow()} of 136 look open)`);
    }
    assert.ok(Date.now() - firstOpened < DEADLINE_S * 1000,
      'the new clients were answered before any trickler reached its deadline');
    // and the tricklers are gone at the deadline, without anyone closing them
    await sleep((DEADLINE_S + 1.5) * 1000);
    const still = conns.filter((c) => !c.closed && !c.refused).length;
    for (const c of conns) c.sock.destroy();
    assert.equal(still, 0, `every trickling connection was closed (${still} left)`);
  });
});
