// The differential test of issue 17: one seeded random sequence of API
// operations by several couples and their therapists (sign-up, invite,
// join, a care invite; then every item kind, every state change, errors on
// purpose; late in the run a therapist's access ends and a partner leaves)
// goes to two servers, and
// each answer (status and JSON body) must be the same on both, ids (mapped
// by order of appearance), times and secrets (tokens, CSRF) aside.
//
// With KINTSUGI_PG_URL set, the two are a SQLite-backed and a
// PostgreSQL-backed server (a database of its own on that cluster:
// scripts/pg-test run ...); without it that half skips.  First, two
// servers of the suite's backend (KINTSUGI_TEST_BACKEND) take a shorter
// sequence, which keeps the generator, the normaliser and the server's
// determinism honest; the http-pg run (every server on PostgreSQL) leaves
// the SQLite / PostgreSQL comparison to the SQLite run.
//
// KINTSUGI_DIFF_SEED (a number) replays a sequence; KINTSUGI_DIFF_OPS sets
// its length (default 10,000; 400 under KINTSUGI_TEST_WRAPPER, with two
// couples instead of four).  The seed is printed first, and a failure names
// the operation's number, its route and both answers (synthetic text only).
// KINTSUGI_DIFF_PROFILE=1 prints each route's answers by status and the
// slowest steps.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';

import { Ids, Model, difference, printable, prng } from './diffgen.mjs';
import { Client, makePgDatabase, onPostgres, startServer, underWrapper } from './harness.mjs';
import { registryKinds } from './kinds.mjs';

const SEED = process.env.KINTSUGI_DIFF_SEED !== undefined
  ? Number(process.env.KINTSUGI_DIFF_SEED) >>> 0 : randomInt(2 ** 32 - 1);
const OPS = Number(process.env.KINTSUGI_DIFF_OPS) || (underWrapper ? 400 : 10000);
const PG_URL = process.env.KINTSUGI_PG_URL;
/**
 * The length of the run between two servers of the suite's backend:
 * shorter, and shorter still when the SQLite / PostgreSQL run follows,
 * unless KINTSUGI_DIFF_OPS says.
 */
const SQLITE_OPS = Number(process.env.KINTSUGI_DIFF_OPS) ||
  Math.round((PG_URL ? 500 : 2000) / (underWrapper ? 10 : process.env.KINTSUGI_SANITIZED === '1' ? 2 : 1));
/** Under a wrapper (valgrind) every sign-up's password hash takes many seconds: two couples then. */
const COUPLES = underWrapper ? 2 : 4;

console.log(`differential: seed ${SEED} (KINTSUGI_DIFF_SEED=${SEED} replays it)`);

function clip(s, n = 1500) {
  return s.length > n ? `${s.slice(0, n)}... (${s.length} characters)` : s;
}

/**
 * runSequence() - ops operations of the seeded sequence against servers
 * (two of startServer()'s); fails at the first answer that differs.
 * Returns {ms, statuses: Map label -> Map status -> count}.
 */
async function runSequence(servers, { seed, ops, tag }) {
  const rng = prng(seed);
  const model = new Model(rng, registryKinds(), { couples: COUPLES, tag });
  const ids = servers.map(() => new Ids());
  const clients = servers.map((srv) => {
    const m = new Map([['anon', new Client(srv.url)]]);
    for (const c of model.couples) for (const k of [0, 1, 2]) m.set(`${c.i}.${k}`, new Client(srv.url));
    return m;
  });
  const statuses = new Map();
  const profile = new Map();
  const started = performance.now();

  const send = async (op, s) => {
    const client = clients[s].get(op.who);
    let body = typeof op.body === 'function' ? op.body(s) : op.body;
    if (typeof body === 'string') body = ids[s].real(body);
    else if (body !== undefined) body = ids[s].realBody(body);
    const target = typeof op.path === 'function' ? op.path() : op.path;
    const res = await client.request(op.method, ids[s].real(target), body, op.opts || {});
    return res;
  };

  const steps = model.setupSteps();
  const setupOps = steps.flat().length;
  const total = setupOps + ops;
  let n = 0;
  for (let k = 0; n < total; k++) {
    const step = k < steps.length ? steps[k] : model.nextStep((n - setupOps) / ops).slice(0, total - n);
    const t0 = performance.now();
    const sent = step.map((op) => Promise.all(servers.map((_, s) => send(op, s))));
    const results = await Promise.allSettled(sent);
    const ms = performance.now() - t0;
    for (let j = 0; j < step.length; j++, n++) {
      const op = step[j];
      const replay = `KINTSUGI_DIFF_SEED=${seed} KINTSUGI_DIFF_OPS=${Math.max(1, n - setupOps + 1)}`;
      if (results[j].status === 'rejected') {
        throw new Error(`operation ${n} of seed ${seed} (${op.label}): ${results[j].reason.message}\nreplay: ${replay}`,
          { cause: results[j].reason });
      }
      const raws = results[j].value;
      if (process.env.KINTSUGI_DIFF_PROFILE) {
        const p = profile.get(op.label) || [0, 0];
        profile.set(op.label, [p[0] + 1, p[1] + ms]);
      }
      const answers = raws.map((r, s) => ({ status: r.status, body: ids[s].canonValue(r.json ?? r.text) }));
      const where = difference(answers[0], answers[1]);
      if (where !== null) {
        assert.fail(`operation ${n} of seed ${seed} (${op.label}, by ${op.who}): the answers differ at ${where}\n` +
          `  ${servers[0].name}: ${clip(printable(answers[0]))}\n` +
          `  ${servers[1].name}: ${clip(printable(answers[1]))}\n` +
          `replay: ${replay}`);
      }
      if (k < steps.length && answers[0].status >= 300) {
        assert.fail(`setting up the couples, ${op.label} answered ${printable(answers[0])}`);
      }
      op.after?.(answers[0], raws);
      model.learn(answers[0].body);
      const perLabel = statuses.get(op.label) || new Map();
      perLabel.set(answers[0].status, (perLabel.get(answers[0].status) || 0) + 1);
      statuses.set(op.label, perLabel);
    }
  }
  if (process.env.KINTSUGI_DIFF_PROFILE) {
    const rows = [...profile].sort((x, y) => y[1][1] - x[1][1]).slice(0, 25);
    for (const [l, [n, ms]] of rows) console.log(`profile ${l}: ${n} x ${(ms / n).toFixed(1)} ms = ${Math.round(ms)} ms`);
    for (const [l, per] of [...statuses].sort()) console.log(`statuses ${l}: ${[...per].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return { ms: Math.round(performance.now() - started), statuses };
}

/** A short account of a run: its length, time, answers by class, routes never answered 2xx. */
function summary(t, name, ops, { ms, statuses }) {
  const classes = new Map();
  const never = [];
  let ok = 0;
  let all = 0;
  for (const [label, per] of statuses) {
    let good = 0;
    for (const [status, n] of per) {
      const k = `${String(status)[0]}xx`;
      classes.set(k, (classes.get(k) || 0) + n);
      all += n;
      if (status < 300) good += n;
    }
    ok += good;
    if (!good && !/\(|bad id|unknown route|PATCH/.test(label)) never.push(label);
  }
  t.diagnostic(`${name}: seed ${SEED}, ${ops} operations (${all} with the set-up) in ${(ms / 1000).toFixed(1)} s; ` +
    `answers ${[...classes].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // (a short run leaves many routes to chance: said for long ones only)
  if (never.length && ops >= 5000) t.diagnostic(`${name}: routes that never answered 2xx: ${never.sort().join('; ')}`);
  const fives = [...statuses].filter(([, per]) => [...per.keys()].some((s) => s >= 500));
  if (fives.length) t.diagnostic(`${name}: 5xx answers on: ${fives.map(([l]) => l).join('; ')}`);
  // a sequence that only ever meets errors would compare little
  assert.ok(ok > all * 0.4, `only ${ok} of ${all} answers were 2xx`);
}

test('the comparison: ids by order of appearance, times aside, a tie in either order, nothing else', () => {
  const x = new Ids();
  const y = new Ids();
  const idA = 'a'.repeat(32);
  const idB = 'b'.repeat(32);
  const one = x.canonValue({ entry: { id: idA, created_at: '2026-01-01T10:00:00Z', url: `/j/${idA}`, csrf_token: 'k1' } });
  const two = y.canonValue({ entry: { id: idB, created_at: '2026-01-01T10:00:07Z', url: `/j/${idB}`, csrf_token: 'k2' } });
  assert.equal(difference(one, two), null);
  assert.deepEqual(x.realBody({ id: '#1', path: '/x/#1/y', n: 3 }), { id: idA, path: `/x/${idA}/y`, n: 3 });
  const item = (id, at, body = 'same') => ({ id, body, created_at: at });
  const t0 = '2026-01-01T10:00:00Z';
  const t5 = '2026-01-01T10:00:05Z';
  // made in the same second: either order
  assert.equal(difference([item('#1', t0), item('#2', t0)], [item('#2', t0), item('#1', t0)]), null);
  // seconds apart: the order counts
  assert.notEqual(difference([item('#1', t5), item('#2', t0)], [item('#2', t0), item('#1', t5)]), null);
  // the same order with another text, status, key or length
  assert.notEqual(difference([item('#1', t0)], [item('#1', t0, 'other')]), null);
  assert.notEqual(difference({ status: 200, body: {} }, { status: 201, body: {} }), null);
  assert.notEqual(difference({ a: 1 }, { a: 1, b: 2 }), null);
  assert.notEqual(difference([1, 2], [1, 2, 3]), null);
  // a tie with other contents is still a difference
  assert.notEqual(difference([item('#1', t0), item('#2', t0)], [item('#2', t0), item('#1', t0, 'x')]), null);
});

const backend = onPostgres ? 'PostgreSQL' : 'SQLite';

test(`two ${backend} servers answer a seeded random sequence alike (${SQLITE_OPS} operations)`, async (t) => {
  const servers = [await startServer(), await startServer()];
  servers[0].name = `${backend} 1`;
  servers[1].name = `${backend} 2`;
  try {
    const r = await runSequence(servers, { seed: SEED, ops: SQLITE_OPS, tag: `s${SEED.toString(36)}` });
    summary(t, `${backend} / ${backend}`, SQLITE_OPS, r);
  } finally {
    for (const s of servers) await s.stop();
  }
});

test(`a SQLite and a PostgreSQL server answer a seeded random sequence alike (${OPS} operations)`, {
  skip: !PG_URL ? 'KINTSUGI_PG_URL is unset: no PostgreSQL to compare with (scripts/pg-test run ... sets it)'
    : onPostgres ? 'the SQLite-backend run of the suite compares the two (KINTSUGI_PG_URL set there too)' : false,
}, async (t) => {
  const db = await makePgDatabase();
  const servers = [];
  try {
    servers.push(await startServer());
    servers.push(await startServer({ db: db.url }));
    servers[0].name = 'SQLite';
    servers[1].name = 'PostgreSQL';
    const r = await runSequence(servers, { seed: SEED, ops: OPS, tag: `p${SEED.toString(36)}` });
    summary(t, 'SQLite / PostgreSQL', OPS, r);
  } finally {
    for (const s of servers) await s.stop();
    await db.drop();
  }
});
