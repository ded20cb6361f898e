// Two kintsugi processes on one PostgreSQL database (issue 17): they serve
// one couple interchangeably.  Requests alternate between them (sign in on
// one, write on the other, the reveal read on the first); a session made on
// one is good on the other and ends on both; writes to one item at the same
// moment through both end in 200s and 409s with nothing lost or mixed; and
// a process killed (SIGKILL) while writes stream loses nothing it
// acknowledged, and leaves no half-written row.
//
// Needs KINTSUGI_PG_URL (scripts/pg-test run ...): each run makes a database
// of its own there, whatever the suite's backend.  Without it every test
// here skips.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Client, dbSync, describe, login, makePgDatabase, pair, readJournal, scaled, signupOk, startServer,
} from './harness.mjs';
import { day, exampleBody, registryKinds } from './kinds.mjs';

const PG_URL = process.env.KINTSUGI_PG_URL;
const skip = PG_URL ? false : 'KINTSUGI_PG_URL is unset: two processes need a PostgreSQL database (scripts/pg-test run ... sets it)';

let db = null;
let A = null;
let B = null;

before(async () => {
  if (!PG_URL) return;
  // one database for both, made here: a server's own would go when it stops
  db = await makePgDatabase();
  A = await startServer({ db: db.url });
  B = await startServer({ db: db.url });
});

after(async () => {
  for (const s of [A, B]) await s?.stop();
  await db?.drop();
});

/** The client c, its next requests sent to server srv (the cookie and CSRF token go along). */
function on(srv, c) {
  c.baseUrl = srv.url;
  return c;
}

/** A second client with c's session, to send at the same moment. */
function twin(c, srv) {
  const t = new Client(srv.url);
  t.cookie = c.cookie;
  t.csrf = c.csrf;
  return t;
}

function expect(res, status, what) {
  assert.equal(res.status, status, `${what}: ${describe(res)}`);
  return res.json;
}

const checkin = (period, note) => ({
  period,
  scores: { emotional: 3, physical: 4, mental: 2, sexual: 3, financial: 5 },
  trust: 6,
  closeness: 7,
  note,
  shared_with: ['partner'],
});

test('one couple across two processes: sign in on A, write on B, the reveal read on A', { skip }, async () => {
  // sign-up, invite and join on A
  const p = await pair(A.url);
  const a = p.aClient;
  const b = p.bClient;
  // a care invite proposed on B, approved by the partner on A
  const care = expect(await on(B, a).post('/api/v1/care/invites', {}), 201, 'a care invite on B').invite;
  const approved = expect(await on(A, b).post(`/api/v1/care/invites/${care.id}/approve`), 200, 'approved on A');
  assert.ok(approved.token);
  const list = expect(await on(B, a).get('/api/v1/care'), 200, 'the care team on B');
  assert.equal(list.invites.find((i) => i.id === care.id)?.status, approved.invite.status);

  // a fresh sign-in on A, its session used on B
  const a2 = new Client(A.url);
  expect(await login(a2, p.a.login, p.a.password), 200, 'sign-in on A');
  expect(await on(B, a2).get('/api/v1/me'), 200, 'the session from A on B');

  // the journal: written on B, read and changed on A, deleted on B
  const e = expect(await on(B, a2).post('/api/v1/journal', { body: 'written on B' }), 201, 'journal on B').entry;
  assert.equal(expect(await on(A, a2).get(`/api/v1/journal/${e.id}`), 200, 'read on A').entry.body, 'written on B');
  expect(await on(A, a2).put(`/api/v1/journal/${e.id}`, { body: 'changed on A' }), 200, 'changed on A');
  assert.equal(expect(await on(B, a2).get(`/api/v1/journal/${e.id}`), 200, 'read on B').entry.body, 'changed on A');
  expect(await on(B, a2).del(`/api/v1/journal/${e.id}`), 204, 'deleted on B');
  expect(await on(A, a2).get(`/api/v1/journal/${e.id}`), 404, 'gone on A');

  // the reveal: A's check-in on B waits for B's own, made on B, then reads on A
  const period = day(-2);
  expect(await on(B, a2).post('/api/v1/checkins', checkin(period, 'a on B')), 201, 'A checks in on B');
  const waiting = expect(await on(A, b).get(`/api/v1/checkins?from=${period}&to=${period}`), 200, 'B lists on A');
  assert.equal(waiting.waiting, 1, 'A\'s check-in waits for B\'s');
  assert.equal(waiting.checkins.length, 0, 'nothing of A\'s shown before B checks in');
  expect(await on(B, b).post('/api/v1/checkins', checkin(period, 'b on B')), 201, 'B checks in on B');
  const both = expect(await on(A, b).get(`/api/v1/checkins?from=${period}&to=${period}`), 200, 'B reads on A');
  assert.deepEqual(both.checkins.map((c) => c.note).sort(), ['a on B', 'b on B']);
  const seenByA = expect(await on(A, a2).get(`/api/v1/checkins?from=${period}&to=${period}`), 200, 'A reads on A');
  assert.deepEqual(seenByA.checkins.map((c) => c.note).sort(), ['a on B', 'b on B']);

  // a statement drafted on A, delivered on B, answered on A, read on B
  const st = expect(await on(A, a2).post('/api/v1/statements', { what_i_did: 'I lied', repair: 'I tell you first' }),
    201, 'a draft on A').statement;
  expect(await on(B, b).get(`/api/v1/statements/${st.id}`), 404, 'a draft is the author\'s');
  expect(await on(B, a2).post(`/api/v1/statements/${st.id}/deliver`), 200, 'delivered on B');
  expect(await on(A, b).post(`/api/v1/statements/${st.id}/responses`, { read: true, landed: 'heard' }), 201,
    'answered on A');
  const read = expect(await on(B, a2).get(`/api/v1/statements/${st.id}`), 200, 'read on B').statement;
  assert.equal(read.responses.length, 1);

  // both processes list the same sessions; a sign-out on A (which ends every session of
  // the member) ends them on B
  const onA = expect(await on(A, a2).get('/api/v1/me/sessions'), 200, 'sessions on A').sessions;
  const onB = expect(await on(B, a2).get('/api/v1/me/sessions'), 200, 'sessions on B').sessions;
  assert.deepEqual(onA.map((s) => s.id), onB.map((s) => s.id));
  const cookie = a2.cookie;
  expect(await on(A, a2).post('/api/v1/logout'), 204, 'sign-out on A');
  expect(await on(B, a2).get('/api/v1/me', { cookie }), 401, 'the session ended on B too');
  expect(await on(B, a).get('/api/v1/me'), 401, 'and the member\'s other session');
  expect(await on(B, b).get('/api/v1/me'), 200, 'the partner\'s goes on');
});

test('a last-seen mark held by one process reaches the database within seconds, with no further request, and the other process reads it', { skip }, async () => {
  // Each process holds its sessions' marks in memory and a thread of its
  // own writes them together once the oldest is a second old (docs/storage.md):
  // another process must not see a member in use as idle.
  const idle = scaled(8); // marks move every idle / 4 seconds
  const A2 = await startServer({ db: db.url, env: { SESSION_IDLE: idle } });
  const B2 = await startServer({ db: db.url, env: { SESSION_IDLE: idle } });
  try {
    const c = new Client(A2.url);
    await signupOk(c);
    const id = c.cookie.split('.')[0];
    const markOf = () => dbSync(A2, `SELECT last_seen_at FROM sessions WHERE id = '${id}'`);
    const before = markOf();
    assert.match(before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await sleep((idle / 4) * 1000 + 1300); // the mark is old enough to move
    expect(await on(A2, c).get('/api/v1/me'), 200, 'a request on A');
    const asked = Date.now();
    let written = markOf();
    while (written === before && Date.now() - asked < scaled(5000)) {
      await sleep(100);
      written = markOf();
    }
    assert.ok(written > before, `the mark moved from ${before} without another request (${written})`);
    const onB = expect(await on(B2, c).get('/api/v1/me/sessions'), 200, 'the devices on B').sessions;
    const mine = onB.find((s) => s.current);
    assert.ok(mine && mine.last_seen >= written, `B reads the mark A wrote (${mine?.last_seen} >= ${written})`);
  } finally {
    await A2.stop();
    await B2.stop();
  }
});

test('writes to one item at the same moment through both processes: 200s and 409s, none lost, none mixed', { skip }, async () => {
  const p = await pair(A.url);
  const a = p.aClient;
  const kind = registryKinds().find((k) => k.name === 'limit');
  assert.ok(kind, 'the registry has limits');
  const first = exampleBody(kind, { mark: 'first', shared: ['partner'] });
  const made = expect(await a.post('/api/v1/limits', first), 201, 'a limit').limit;
  let version = made.version;

  for (let round = 0; round < 5; round++) {
    const n = 8;
    const bodies = [];
    const sends = [];
    for (let i = 0; i < n; i++) {
      // every field of write i carries its tag, so that a mix of two writes shows
      const body = { ...first, text: `round ${round} write ${i}`, kind: kind.fields[0].choices[i % 2],
        shared_with: i % 2 ? ['partner'] : [] };
      bodies.push(body);
      sends.push(twin(a, i % 2 ? B : A).put(`/api/v1/limits/${made.id}`, body));
    }
    const answers = await Promise.all(sends);
    const won = [];
    for (const [i, r] of answers.entries()) {
      assert.ok(r.status === 200 || r.status === 409, `write ${i}: ${describe(r)}`);
      if (r.status === 200) won.push(i);
    }
    assert.ok(won.length >= 1, 'at least one write of each round lands');
    const views = [];
    for (const srv of [A, B]) {
      views.push(expect(await on(srv, a).get(`/api/v1/limits/${made.id}`), 200, 'read back').limit);
    }
    assert.deepEqual(views[0], views[1], 'both processes read the same item');
    const last = views[0];
    // each 200 is one new version: none was written over without being counted
    assert.equal(last.version, version + won.length, `round ${round}: ${won.length} writes answered 200`);
    version = last.version;
    const i = bodies.findIndex((x) => x.text === last.text);
    assert.ok(won.includes(i), `the item holds an acknowledged write (${last.text})`);
    assert.equal(last.kind, bodies[i].kind, 'and all of it');
    assert.deepEqual(last.shared_with, bodies[i].shared_with, 'and all of it');
  }

  // two first conflict plans at the same moment, one through each process: one 200, one 409
  const plan = (w) => ({ timeout_word: w, break_minutes: 30, come_back: `come back ${w}`, soft_startup: `soft ${w}` });
  const pl = await Promise.all([twin(a, A).put('/api/v1/conflict-plan', plan('alpha')),
    twin(p.bClient, B).put('/api/v1/conflict-plan', plan('beta'))]);
  const statuses = pl.map((r) => r.status).sort();
  assert.ok(statuses[0] === 200 && (statuses[1] === 200 || statuses[1] === 409), `plans: ${pl.map(describe).join(' | ')}`);
  const now = expect(await on(B, a).get('/api/v1/conflict-plan'), 200, 'the plan').plan;
  const winner = pl.findIndex((r) => r.status === 200 && r.json.plan.version === now.version);
  assert.ok(winner >= 0, 'the plan is an acknowledged one');
  assert.equal(now.come_back, `come back ${now.timeout_word}`, 'whole');
});

/** The ids of a member's journal rows in the database itself. */
function journalRows(memberId) {
  assert.match(memberId, /^[0-9a-f]{32}$/);
  return dbSync(B, `SELECT id FROM journal_entries WHERE author_id = '${memberId}'`)
    .split('\n').filter(Boolean).sort();
}

test('a process killed mid-request loses no acknowledged write, and none is half written', { skip }, async () => {
  const p = await pair(B.url);
  const a = p.aClient;
  const acked = new Map(); // id -> body
  const sent = new Set();
  let stop = false;
  let aDown = false;
  let inFlightA = 0;
  const writer = async (w) => {
    // most writes go to A, the one to be killed; every third to B
    for (let k = 0; !stop; k++) {
      const srv = w % 3 === 2 || aDown ? B : A;
      const body = `writer ${w} entry ${k} ${randomBytes(6).toString('hex')}`;
      sent.add(body);
      let r;
      if (srv === A) inFlightA++;
      try {
        r = await twin(a, srv).post('/api/v1/journal', { body }, { timeout: scaled(5000) });
      } catch {
        continue; // no answer: not acknowledged (the process was killed)
      } finally {
        if (srv === A) inFlightA--;
      }
      if (r.status === 201) acked.set(r.json.entry.id, body);
      else throw new Error(`writer ${w} on ${srv === A ? 'A' : 'B'}: ${describe(r)}`);
    }
  };
  let failure = null;
  const writers = Array.from({ length: 6 }, (_, w) => writer(w).catch((err) => {
    failure = failure || err;
    stop = true;
  }));
  // let the writes flow, then kill A while requests are in flight
  const deadline = Date.now() + scaled(15000);
  while (acked.size < 40 && Date.now() < deadline) await sleep(20);
  const caught = inFlightA;
  A.kill('SIGKILL');
  aDown = true;
  const before = acked.size;
  while (acked.size < before + 20 && Date.now() < deadline) await sleep(20);
  stop = true;
  await Promise.all(writers);
  if (failure) {
    assert.fail(`${failure.message}\nA's log:\n${A.stderr().slice(-2000)}\nB's log:\n${B.stderr().slice(-2000)}`);
  }
  assert.ok(acked.size >= 40, `writes were acknowledged (${acked.size})`);
  assert.ok(caught > 0, 'the kill caught requests on their way');
  while (!A.exited() && Date.now() < deadline + scaled(5000)) await sleep(10);
  assert.equal(A.exited()?.signal, 'SIGKILL', 'A was killed');

  // every acknowledged write is there, read through B, whole
  for (const [id, body] of acked) {
    const r = await on(B, a).get(`/api/v1/journal/${id}`);
    assert.equal(r.status, 200, `acknowledged entry ${id}: ${describe(r)}`);
    assert.equal(r.json.entry.body, body);
  }
  // every row in the database opens and is one of the bodies sent: nothing half written,
  // nothing made up (a write cut off after its commit may be there unacknowledged)
  const listed = await readJournal(on(B, a));
  const rows = journalRows(p.a.member.id);
  assert.deepEqual([...listed.keys()].sort(), rows, 'every row the database holds opens');
  for (const [id, body] of listed) assert.ok(sent.has(body), `entry ${id} holds a body that was sent`);
  assert.ok(listed.size >= acked.size);

  // a new process in A's place serves the same data and the same session
  await A.stop();
  A = await startServer({ db: db.url });
  const again = await readJournal(on(A, a));
  assert.deepEqual([...again.keys()].sort(), rows, 'the restarted process reads the same');
});
