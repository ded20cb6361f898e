// Check-ins shared with the care team (issue 14): a therapist with active
// access lists and reads the check-ins either partner shared with the care
// team, at once (the simultaneous reveal is between the partners: `mine`
// false, `waiting` 0), and nothing private or shared with the partner alone;
// a check-in shared with care before the first approval opens for them after
// it; one changed back to the partner alone is gone for them; a therapist
// whose access ended sees none, and the one who stays reads old and new
// under the new care key.  The partners' own views do not change.  The
// vault-level half is src/core/test-care.c.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { joinCareTeam } from './care-member.mjs';
import {
  Client, describe, leaksAtRest, login, markerSet, pair, startServer,
} from './harness.mjs';

let server;
let A;
let B;

before(async () => {
  server = await startServer();
  const p = await pair(server.url);
  A = p.aClient;
  B = p.bClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const randomId = () => randomBytes(16).toString('hex');
const scores = { emotional: 3, physical: 4, mental: 2, sexual: 3, financial: 5 };
const LIST = `/api/v1/checkins?from=${day(-300)}&to=${day(1)}`;

let nextDay = 1; // one check-in per member and period: each test takes days of its own
const freshDay = () => day(-(nextDay++));

/** A check-in of c for period, shared as shared, its note the marker label. */
async function checkIn(c, period, shared, label) {
  const res = await c.post('/api/v1/checkins', {
    period, scores, trust: 6, closeness: 7, note: mark(label, 'Quiet evening, we talked a little'),
    shared_with: shared,
  });
  assert.equal(res.status, 201, describe(res));
  return res.json.checkin;
}

async function list(c) {
  const res = await c.get(LIST);
  assert.equal(res.status, 200, describe(res));
  return res.json;
}

/** A therapist of A and B, proposed by A and approved by B. */
const therapist = (name) => joinCareTeam(server.url, A, B, name);

let early;
let t1;

test('a check-in shared with care before the first approval opens for the therapist after it', async () => {
  early = await checkIn(A, freshDay(), ['partner', 'care'], 'early care check-in');
  t1 = await therapist('Dr. Early');
  const one = await t1.client.get(`/api/v1/checkins/${early.id}`);
  assert.equal(one.status, 200, describe(one));
  assert.equal(one.json.checkin.note, markers.get('early care check-in'));
  assert.equal(one.json.checkin.mine, false);
  assert.deepEqual(one.json.checkin.scores, scores);
  const seen = await list(t1.client);
  assert.deepEqual(seen.checkins.map((x) => x.id), [early.id]);
  assert.equal(seen.waiting, 0);
});

const ids = {};

test('a therapist lists and reads both partners\' care-shared check-ins, never private or partner-only ones', async () => {
  const d1 = freshDay(); const d2 = freshDay(); const d3 = freshDay(); const d4 = freshDay();
  ids.aPrivate = (await checkIn(A, d1, [], 'A private')).id;
  ids.bPartner = (await checkIn(B, d1, ['partner'], 'B partner')).id;
  ids.aCare = (await checkIn(A, d2, ['partner', 'care'], 'A care')).id;
  ids.bPrivate = (await checkIn(B, d2, [], 'B private')).id;
  ids.bCare = (await checkIn(B, d3, ['partner', 'care'], 'B care')).id;
  // the care team reads with the partner, never instead: "care" alone is refused, nothing written
  const careOnly = await A.post('/api/v1/checkins',
    { period: d4, scores, trust: 6, closeness: 7, note: 'For the therapist alone', shared_with: ['care'] });
  assert.equal(careOnly.status, 400, describe(careOnly));
  assert.equal(careOnly.json.error.code, 'invalid_value');
  const labels = {
    aPrivate: 'A private', bPartner: 'B partner', aCare: 'A care', bPrivate: 'B private',
    bCare: 'B care',
  };
  const T = t1.client;
  const forT = new Set(['aCare', 'bCare']);

  // the therapist: care-shared ones at once (no reveal between partner and care), nothing else
  const seen = await list(T);
  assert.equal(seen.waiting, 0);
  const listed = new Map(seen.checkins.map((x) => [x.id, x]));
  const random = await T.get(`/api/v1/checkins/${randomId()}`);
  assert.equal(random.status, 404, describe(random));
  for (const [name, id] of Object.entries(ids)) {
    const one = await T.get(`/api/v1/checkins/${id}`);
    if (forT.has(name)) {
      assert.ok(listed.has(id), `T lists ${name}`);
      assert.equal(listed.get(id).note, markers.get(labels[name]));
      assert.equal(listed.get(id).mine, false);
      assert.equal(one.status, 200, `T reads ${name}: ${describe(one)}`);
      assert.equal(one.json.checkin.note, markers.get(labels[name]));
    } else {
      assert.ok(!listed.has(id), `T must not list ${name}`);
      assert.ok(!JSON.stringify(seen).includes(markers.get(labels[name])), `T's list leaks ${name}`);
      assert.equal(one.status, 404, `T reads ${name}: ${describe(one)}`);
      assert.equal(one.text, random.text, `T on ${name}: the body of a random id`);
    }
  }

  // writes stay the partners': 403, nothing changed
  const put = await T.put(`/api/v1/checkins/${ids.aCare}`,
    { scores, trust: 0, closeness: 0, note: 'changed', shared_with: ['partner', 'care'] });
  assert.equal(put.status, 403, describe(put));
  const post = await T.post('/api/v1/checkins',
    { period: day(0), scores, trust: 1, closeness: 1, shared_with: ['care'] });
  assert.equal(post.status, 403, describe(post));

  // the partners' views are as before: their own, the partner's shared once revealed
  const a = await list(A);
  const aIds = new Set(a.checkins.map((x) => x.id));
  for (const n of ['aPrivate', 'aCare', 'bPartner']) assert.ok(aIds.has(ids[n]), `A lists ${n}`);
  assert.ok(!a.checkins.some((x) => x.period === d4), 'the refused one was not written');
  for (const n of ['bPrivate', 'bCare']) assert.ok(!aIds.has(ids[n]), `A must not list ${n}`);
  assert.ok(a.waiting >= 1, 'B\'s care-shared one waits for A, who has not checked in that day');
  assert.equal(a.checkins.find((x) => x.id === ids.aCare).note, markers.get('A care'));
  assert.equal(a.checkins.find((x) => x.id === ids.bPartner).note, markers.get('B partner'));
  const b = await list(B);
  const bIds = new Set(b.checkins.map((x) => x.id));
  for (const n of ['bPrivate', 'bPartner', 'bCare', 'aCare']) assert.ok(bIds.has(ids[n]), `B lists ${n}`);
  assert.ok(!bIds.has(ids.aPrivate), 'B must not list aPrivate');
  assert.equal(b.checkins.find((x) => x.id === ids.aCare).note, markers.get('A care'));
  assert.equal(b.checkins.find((x) => x.id === ids.bCare).note, markers.get('B care'));
  assert.equal((await B.get(`/api/v1/checkins/${ids.aCare}`)).status, 200);

  // what reads check-ins for a partner still works with care rows under the care key
  for (const c of [A, B]) {
    const sig = await c.get('/api/v1/help-signals');
    assert.equal(sig.status, 200, describe(sig));
    const home = await c.get('/home');
    assert.equal(home.status, 200, describe(home));
  }
  const sum = await A.get(`/api/v1/summary?from=${day(-300)}&to=${day(1)}`);
  assert.equal(sum.status, 200, describe(sum));
  const summed = sum.json.summary.checkins.map((x) => x.id);
  assert.ok(summed.includes(ids.aCare), 'A\'s summary has aCare');
  assert.ok(!summed.includes(ids.aPrivate) && !summed.includes(ids.bCare), 'only A\'s own care-shared');
  // and for the therapist: the home page answers, the partners' signals stay theirs
  assert.equal((await T.get('/home')).status, 200);
  assert.equal((await T.get('/api/v1/help-signals')).status, 403);
});

test('a check-in changed from ["partner","care"] to ["partner"] is gone for the therapist', async () => {
  const T = t1.client;
  const body = (shared) => ({ scores, trust: 3, closeness: 3, note: markers.get('A care'), shared_with: shared });
  const put = await A.put(`/api/v1/checkins/${ids.aCare}`, body(['partner']));
  assert.equal(put.status, 200, describe(put));
  assert.ok(!(await list(T)).checkins.some((x) => x.id === ids.aCare), 'not listed for T');
  const gone = await T.get(`/api/v1/checkins/${ids.aCare}`);
  const random = await T.get(`/api/v1/checkins/${randomId()}`);
  assert.equal(gone.status, 404, describe(gone));
  assert.equal(gone.text, random.text);
  for (const c of [A, B]) {
    const one = await c.get(`/api/v1/checkins/${ids.aCare}`);
    assert.equal(one.status, 200, describe(one));
    assert.equal(one.json.checkin.trust, 3);
  }
  // shared with the care team again: it opens for T once more
  assert.equal((await A.put(`/api/v1/checkins/${ids.aCare}`, body(['partner', 'care']))).status, 200);
  const back = await T.get(`/api/v1/checkins/${ids.aCare}`);
  assert.equal(back.status, 200, describe(back));
  assert.equal(back.json.checkin.note, markers.get('A care'));
});

test('after a partner ends access the ended therapist sees none; the one who stays reads old and new', async () => {
  const t2 = await therapist('Dr. Stays');
  const t1c = t1.client;
  const before1 = await checkIn(B, freshDay(), ['partner', 'care'], 'care before the end');
  assert.ok((await list(t1c)).checkins.some((x) => x.id === before1.id));

  const end = await B.del(`/api/v1/care/${t1.id}`);
  assert.equal(end.status, 204, describe(end));
  const after1 = await checkIn(A, freshDay(), ['partner', 'care'], 'care after the end');

  const back = new Client(server.url);
  assert.equal((await login(back, t1.login, t1.password)).status, 200);
  const none = await list(back);
  assert.deepEqual(none.checkins, []);
  assert.equal(none.waiting, 0);
  for (const id of [early.id, ids.aCare, before1.id, after1.id]) {
    assert.equal((await back.get(`/api/v1/checkins/${id}`)).status, 404, 'the ended therapist reads none');
  }

  const t2back = new Client(server.url);
  assert.equal((await login(t2back, t2.login, t2.password)).status, 200);
  const seen = new Map((await list(t2back)).checkins.map((x) => [x.id, x.note]));
  assert.equal(seen.get(early.id), markers.get('early care check-in'));
  assert.equal(seen.get(before1.id), markers.get('care before the end'));
  assert.equal(seen.get(after1.id), markers.get('care after the end'));
  // the partners read them under the new key too: each their own, and the other's once revealed
  await checkIn(A, before1.period, [], 'A on the day of B\'s');
  await checkIn(B, after1.period, [], 'B on the day of A\'s');
  for (const c of [A, B]) {
    for (const ci of [before1, after1]) {
      const one = await c.get(`/api/v1/checkins/${ci.id}`);
      assert.equal(one.status, 200, describe(one));
      assert.equal(one.json.checkin.note, ci.note);
    }
  }
  assert.equal((await A.get(`/api/v1/checkins/${early.id}`)).status, 200);
  assert.equal((await A.del(`/api/v1/care/${t2.id}`)).status, 204);
  // with no care team left, the partners still read every care check-in
  for (const c of [A, B]) {
    for (const ci of [before1, after1]) {
      const one = await c.get(`/api/v1/checkins/${ci.id}`);
      assert.equal(one.status, 200, describe(one));
      assert.equal(one.json.checkin.note, ci.note);
    }
  }
});

test('a partner who leaves: the one who stays reads the care check-ins, the leaver takes theirs', async () => {
  const p = await pair(server.url);
  const th = await joinCareTeam(server.url, p.aClient, p.bClient, 'Dr. Leave');
  const t = th.client;
  const d1 = freshDay(); const d2 = freshDay();
  const stays = await checkIn(p.bClient, d1, ['partner', 'care'], 'care check-in of the one who stays');
  const shared = await checkIn(p.aClient, d1, ['partner', 'care'], 'care check-in of the one who leaves');
  const alone = await checkIn(p.aClient, d2, [], 'private check-in of the one who leaves');
  assert.equal((await list(t)).checkins.length, 2);

  const left = await p.aClient.post('/api/v1/couple/leave', { password: p.a.password });
  assert.equal(left.status, 200, describe(left));
  const back = new Client(server.url);
  assert.equal((await login(back, th.login, th.password)).status, 200);
  assert.deepEqual((await list(back)).checkins, [], 'the care team ends with the leave');
  // the one who stays reads both shared with them, and never the leaver's private one
  const b = new Map((await list(p.bClient)).checkins.map((x) => [x.id, x.note]));
  assert.equal(b.get(stays.id), stays.note);
  assert.equal(b.get(shared.id), shared.note);
  assert.ok(!b.has(alone.id));
  // the leaver takes theirs: a copy of the shared one, and the private one itself
  const a = await p.aClient.get(LIST);
  assert.equal(a.status, 200, describe(a));
  const notes = a.json.checkins.map((x) => x.note);
  assert.ok(notes.includes(shared.note), 'the leaver reads their copy');
  assert.ok(notes.includes(alone.note), 'the leaver reads their private one');
  assert.ok(!notes.includes(stays.note), 'and nothing of the partner\'s');
});

test('care check-ins are sealed at rest', async () => {
  assert.ok(markers.size >= 8);
  assert.deepEqual(await leaksAtRest(server, markers), []);
});
