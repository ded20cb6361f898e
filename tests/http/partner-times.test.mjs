// No "answered at" time the partner could read (issue 13, discreet mode):
// whatever a member reads through the API of the other's actions (an item
// written, a card acknowledged, a statement delivered or answered, an
// agreement accepted, revised, declined or retired, a repair written, a date
// rated, an activity marked done, an offer ended) carries its day, not its
// time of day: "YYYY-MM-DDT00:00:00Z".  The member's own actions keep
// their time.  A running time-out's end is the exception, by design: both
// are meant to see when the break is over.
//
// How: A acts in one stretch of seconds, B in a later one, A again in a
// third, each stretch apart from the next by more than a second.  Then
// every GET route of docs/api.md each partner may call is read, and every
// time in every answer is looked at: none but a midnight may fall inside a
// stretch of the other's.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, pair, startServer } from './harness.mjs';
import { readablePaths } from './doc-routes.mjs';
import { day, exampleBody, registryKinds } from './kinds.mjs';

let server;
let A;
let B;
before(async () => {
  server = await startServer();
  ({ aClient: A, bClient: B } = await pair(server.url));
});
after(async () => { await server?.stop(); });

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

async function ok(res, status, what) {
  const r = await res;
  assert.equal(r.status, status, `${what}: ${describe(r)}`);
  return r.json;
}

/** Runs fn, and answers the whole seconds it took: [first, last] as Unix seconds. */
async function stretch(fn) {
  await sleep(1100); // the seconds of one stretch are never another's
  const first = Math.floor(Date.now() / 1000);
  await fn();
  return [first, Math.floor(Date.now() / 1000)];
}

/** Every [where, time] inside v: strings of RFC 3339 form, with their JSON path. */
function times(v, where = '', out = []) {
  if (typeof v === 'string' && TIME.test(v)) out.push([where, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => times(x, `${where}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) times(x, `${where}.${k}`, out);
  return out;
}

const seconds = (t) => Date.parse(t) / 1000;
const within = (t, [first, last]) => seconds(t) >= first && seconds(t) <= last;
const midnight = (t) => t.endsWith('T00:00:00Z');

const full = (what) => ({ what_i_did: what, impact: 'It hurt you.', why: 'Fear.', regret: 'Deeply.', repair: 'Tell first.' });
const REPAIR = {
  feelings: ['hurt'], my_view: 'I saw it late.', their_view_summary: 'You were late.',
  triggers: 'Silence.', my_part: 'I went quiet.', do_differently: 'Ask first.',
};
const agreement = (text) => ({ category: 'privacy', text, consequence: '', review_on: day(30) });

test('neither partner reads at what hour the other did anything; each keeps their own times', async (t) => {
  const ids = {};
  const aFirst = await stretch(async () => {
    ids.aShare = (await ok(A.post('/api/v1/shares', { kind: 'hope', body: 'A hope', shared_with: ['partner'] }), 201, 'A card')).share.id;
    ids.aStatement = (await ok(A.post('/api/v1/statements', full('A did')), 201, 'A statement')).statement.id;
    await ok(A.post(`/api/v1/statements/${ids.aStatement}/deliver`), 200, 'A delivers');
    const cm = (await ok(A.post('/api/v1/commitments', { text: 'A keeps it', review_every_days: 7 }), 201, 'A commitment')).commitment;
    await ok(A.put(`/api/v1/commitments/${cm.id}`, { status: 'kept', note: 'kept' }), 200, 'A review');
    ids.aOffer = (await ok(A.post('/api/v1/offers', { text: 'Ask me', until: day(30) }), 201, 'A offer')).offer.id;
    ids.aActivity = (await ok(A.post('/api/v1/activities', { kind: 'cooking', title: 'Soup', planned_for: day(1) }), 201, 'A activity')).activity.id;
    await ok(A.put('/api/v1/helps-me', { body: 'Quiet', shared_with: ['partner'] }), 200, 'A helps');
    await ok(A.put('/api/v1/conflict-plan', {
      timeout_word: 'Harbour', break_minutes: 20, come_back: 'Kitchen.', soft_startup: 'I feel; I need.',
    }), 200, 'A plan');
    ids.a1 = (await ok(A.post('/api/v1/agreements', agreement('We call')), 201, 'A agreement')).agreement.id;
    ids.a3 = (await ok(A.post('/api/v1/agreements', agreement('We text')), 201, 'A agreement')).agreement.id;
    ids.breach = (await ok(A.post('/api/v1/breaches', { description: 'Late', self_report: true }), 201, 'A breach')).breach.id;
    await ok(A.post(`/api/v1/breaches/${ids.breach}/repair`, REPAIR), 201, 'A repair');
    ids.date = (await ok(A.post('/api/v1/dates', { title: 'Dinner', planned_for: day(-1) }), 201, 'A date')).date.id;
    await ok(A.put(`/api/v1/dates/${ids.date}`, { done: true, rating: 4, note: 'Good' }), 200, 'A rates');
    await ok(A.post('/api/v1/checkins', {
      period: day(0), scores: { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 },
      trust: 5, closeness: 5, note: 'A day', shared_with: ['partner'],
    }), 201, 'A check-in');
    await ok(A.post('/api/v1/chores', { title: 'Bins', first_partner: (await A.get('/api/v1/me')).json.member.id, starts_on: day(0) }), 201, 'A chore');
    for (const k of registryKinds()) await ok(A.post(`/api/v1/${k.plural}`, exampleBody(k, { mark: 'A', shared: ['partner'] })), 201, `A ${k.name}`);
  });
  const bStretch = await stretch(async () => {
    await ok(B.post(`/api/v1/shares/${ids.aShare}/ack`, { reply: 'Heard' }), 201, 'B acks');
    await ok(B.post(`/api/v1/statements/${ids.aStatement}/responses`, { read: true, landed: 'The regret.' }), 201, 'B answers');
    await ok(B.post('/api/v1/conflict-plan/accept', {}), 200, 'B accepts the plan');
    await ok(B.post(`/api/v1/agreements/${ids.a1}/accept`, { version: 1 }), 200, 'B accepts');
    ids.a2 = (await ok(B.post('/api/v1/agreements', agreement('We rest')), 201, 'B agreement')).agreement.id;
    await ok(B.post(`/api/v1/agreements/${ids.a3}/retire`, { reason: 'Done with it' }), 200, 'B retires');
    await ok(B.post(`/api/v1/breaches/${ids.breach}/repair`, REPAIR), 201, 'B repair');
    await ok(B.put(`/api/v1/dates/${ids.date}`, { done: true, rating: 5, note: 'Lovely' }), 200, 'B rates');
    await ok(B.put(`/api/v1/activities/${ids.aActivity}`, { done: true, felt: 'Warm' }), 200, 'B: done');
    ids.bShare = (await ok(B.post('/api/v1/shares', { kind: 'need', body: 'B need', shared_with: ['partner'] }), 201, 'B card')).share.id;
    ids.bStatement = (await ok(B.post('/api/v1/statements', full('B did')), 201, 'B statement')).statement.id;
    await ok(B.post(`/api/v1/statements/${ids.bStatement}/deliver`), 200, 'B delivers');
    await ok(B.post('/api/v1/checkins', {
      period: day(0), scores: { emotional: 4, physical: 4, mental: 4, sexual: 4, financial: 4 },
      trust: 6, closeness: 6, note: 'B day', shared_with: ['partner'],
    }), 201, 'B check-in');
    const off = (await ok(B.post('/api/v1/offers', { text: 'Ask me too', until: day(30) }), 201, 'B offer')).offer;
    await ok(B.post(`/api/v1/offers/${off.id}/end`, {}), 200, 'B ends the offer');
    await ok(B.put('/api/v1/helps-me', { body: 'Walks', shared_with: ['partner'] }), 200, 'B helps');
    // a help request: A reads it, and the signal's since, at the day's precision
    await ok(B.post('/api/v1/help-requests', { kind: 'overwhelmed', note: 'A lot' }), 201, 'B overwhelmed');
    for (const k of registryKinds()) await ok(B.post(`/api/v1/${k.plural}`, exampleBody(k, { mark: 'B', shared: ['partner'] })), 201, `B ${k.name}`);
  });
  const aSecond = await stretch(async () => {
    await ok(A.post(`/api/v1/shares/${ids.bShare}/ack`, { reply: 'Heard too' }), 201, 'A acks');
    await ok(A.post(`/api/v1/statements/${ids.bStatement}/responses`, { read: true, landed: 'All of it.' }), 201, 'A answers');
    await ok(A.post(`/api/v1/agreements/${ids.a1}/revise`, { text: 'We call first', consequence: '', review_on: day(30) }), 200, 'A revises');
    await ok(A.post(`/api/v1/agreements/${ids.a2}/decline`, { note: 'Not yet' }), 200, 'A declines');
    await ok(A.post(`/api/v1/offers/${ids.aOffer}/end`, {}), 200, 'A ends the offer');
  });
  await sleep(1100);

  const readers = [['A', A, [bStretch], [aFirst, aSecond]], ['B', B, [aFirst, aSecond], [bStretch]]];
  for (const [name, c, theirs, own] of readers) {
    const { paths, missing } = await readablePaths(c);
    for (const m of missing) t.diagnostic(`${name}: nothing to fill ${m}`);
    const api = paths.filter((p) => p.startsWith('/api/'));
    assert.ok(api.length >= 30, `${name} walked ${api.length} API routes`);
    const leaks = [];
    let ownSeen = 0;
    let partnersSeen = 0;
    for (const p of api) {
      const res = await c.get(p);
      if (res.status !== 200 || !res.json) continue;
      for (const [where, v] of times(res.json)) {
        if (own.some((s) => within(v, s)) && !midnight(v)) ownSeen++;
        if (midnight(v)) partnersSeen++;
        if (!midnight(v) && theirs.some((s) => within(v, s))) leaks.push(`${p} ${where} = ${v}`);
      }
    }
    assert.deepEqual(leaks, [], `${name} reads the time of day of the partner's actions`);
    assert.ok(ownSeen >= 10, `${name} still reads their own times to the second (${ownSeen})`);
    assert.ok(partnersSeen >= 10, `${name} reads the partner's actions by their day (${partnersSeen})`);
  }
});

test('a running time-out shows both partners when it ends, to the minute', async () => {
  const started = await ok(A.post('/api/v1/timeouts', { minutes: 20 }), 201, 'A calls a break');
  const seen = await ok(B.get('/api/v1/timeouts'), 200, 'B reads it');
  const running = seen.timeout;
  assert.equal(running?.id, started.timeout.id, 'B sees the running break');
  assert.equal(running.ends_at, started.timeout.ends_at, 'B knows when the break is over');
  assert.ok(!midnight(running.ends_at) || midnight(started.timeout.ends_at));
});
