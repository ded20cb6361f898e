// The self-care log (step 5): exercise, meditation, yoga, therapy, sleep or
// something else, on a day, with minutes and a note if one likes; private
// unless shared with the partner or the care team.  A kind of the registry
// (src/core/rituals.c): who may call each route is in the authorization
// matrix (authz.test.mjs); this file holds its own rules, its isolation,
// the care team's view, the at-rest check, and that nothing anywhere counts
// a streak, a score or a day missed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { joinCareTeam } from './care-member.mjs';
import { describe, errCode, leaksAtRest, markerSet, pair, startServer } from './harness.mjs';
import { day, registryKinds } from './kinds.mjs';

let server;
let A;
let B;
let X; // another couple's partner

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'ru' } });
  A = p.aClient;
  B = p.bClient;
  X = (await pair(server.url)).aClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();

async function made(res) {
  assert.equal(res.status, 201, describe(res));
  return res.json.selfcare;
}

test('the registry lists selfcare: its day plain, the rest sealed, private or shared', () => {
  const k = registryKinds().find((x) => x.plural === 'selfcare');
  assert.ok(k, 'selfcare is a kind of the registry');
  assert.deepEqual(k.fields.map((f) => f.name), ['kind', 'done_on', 'minutes', 'note', 'shared_with']);
  assert.deepEqual(k.fields[0].choices, ['exercise', 'meditation', 'yoga', 'therapy', 'sleep', 'other']);
  const sealed = Object.fromEntries(k.fields.map((f) => [f.name, f.sealed]));
  assert.deepEqual(sealed, { kind: true, done_on: false, minutes: true, note: true, shared_with: false });
  assert.equal(k.shared_default, 0, 'private unless shared');
  assert.equal(k.shared_allowed, 3, 'the partner and the care team');
});

test('an entry is private unless shared; the partner sees only shared ones; another couple none', async () => {
  const note = mark('private note', 'Therapy helped with the panic');
  const mine = await made(await A.post('/api/v1/selfcare',
    { kind: 'therapy', done_on: day(-1), minutes: 50, note, shared_with: [] }));
  assert.equal(mine.kind, 'therapy');
  assert.equal(mine.minutes, 50);
  assert.equal(mine.note, note);
  assert.deepEqual(mine.shared_with, []);
  const shared = await made(await A.post('/api/v1/selfcare',
    { kind: 'yoga', done_on: day(0), note: mark('shared note', 'Slow yoga'), shared_with: ['partner'] }));
  assert.equal(shared.minutes, null);
  const bList = (await B.get('/api/v1/selfcare')).json.selfcare;
  assert.ok(bList.some((x) => x.id === shared.id && x.mine === false), 'B sees the shared one');
  assert.ok(!bList.some((x) => x.id === mine.id), 'and not the private one');
  assert.equal((await B.get(`/api/v1/selfcare/${mine.id}`)).status, 404, 'private: as a random id');
  const put = await B.put(`/api/v1/selfcare/${shared.id}`, { kind: 'yoga', done_on: day(0), shared_with: [] });
  assert.equal(put.status, 403, describe(put));
  assert.equal(errCode(put), 'forbidden');
  for (const id of [mine.id, shared.id]) {
    assert.equal((await X.get(`/api/v1/selfcare/${id}`)).status, 404);
    assert.equal((await X.del(`/api/v1/selfcare/${id}`)).status, 404);
  }
  assert.ok(!(await X.get('/api/v1/selfcare')).json.selfcare.length, 'another couple sees nothing');
  // the list runs by the day, latest first
  const aList = (await A.get('/api/v1/selfcare')).json.selfcare;
  assert.ok(aList.findIndex((x) => x.id === shared.id) < aList.findIndex((x) => x.id === mine.id));
});

test('refusals name the field, in the member\'s language, and keep nothing', async () => {
  const count = async () => (await A.get('/api/v1/selfcare')).json.selfcare.length;
  const before = await count();
  const bad = [
    [{ kind: 'running', done_on: day(0), shared_with: [] }, 'invalid_value'],
    [{ kind: 'sleep', done_on: day(-400), shared_with: [] }, 'invalid_value'],
    [{ kind: 'sleep', done_on: day(400), shared_with: [] }, 'invalid_value'],
    [{ kind: 'sleep', done_on: '2026-02-30', shared_with: [] }, 'invalid_value'],
    [{ kind: 'sleep', done_on: day(0), minutes: 0, shared_with: [] }, 'out_of_range'],
    [{ kind: 'sleep', done_on: day(0), minutes: 1441, shared_with: [] }, 'out_of_range'],
    [{ kind: 'sleep', done_on: day(0), note: 'x'.repeat(1001), shared_with: [] }, 'too_long'],
    [{ kind: 'sleep', done_on: day(0) }, 'missing_field'],
    [{ kind: 'sleep', done_on: day(0), shared_with: [], streak: 3 }, 'unknown_field'],
  ];
  for (const [body, code] of bad) {
    const res = await A.post('/api/v1/selfcare', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${JSON.stringify(body).slice(0, 80)}: ${describe(res)}`);
  }
  const ru = await B.post('/api/v1/selfcare', { kind: 'sleep', done_on: day(-400), shared_with: [] });
  assert.match(ru.json.error.message, /День/, `named, in Russian: ${describe(ru)}`);
  assert.equal(await count(), before, 'no refused entry was kept');
});

test('the care team reads only what is shared with it, and writes none', async () => {
  const p = await pair(server.url);
  const care = await joinCareTeam(server.url, p.aClient, p.bClient);
  const toCare = await made(await p.aClient.post('/api/v1/selfcare',
    { kind: 'meditation', done_on: day(0), note: 'For the team', shared_with: ['partner', 'care'] }));
  const toPartner = await made(await p.aClient.post('/api/v1/selfcare',
    { kind: 'exercise', done_on: day(0), note: 'For B only', shared_with: ['partner'] }));
  const seen = (await care.client.get('/api/v1/selfcare')).json.selfcare.map((x) => x.id);
  assert.deepEqual(seen, [toCare.id]);
  assert.equal((await care.client.get(`/api/v1/selfcare/${toPartner.id}`)).status, 404);
  const w = await care.client.post('/api/v1/selfcare', { kind: 'sleep', done_on: day(0), shared_with: [] });
  assert.equal(w.status, 403, describe(w));
});

test('the page writes without JavaScript and shows no streak, score or gap', async () => {
  const note = mark('page note', 'A long walk by the river');
  const res = await A.form('/selfcare', { kind: 'exercise', done_on: day(0), minutes: '40', note, share_partner: '1', csrf: A.csrf });
  assert.equal(res.status, 303, describe(res));
  for (const [who, c] of [['A', A], ['B', B]]) {
    const page = await c.get('/selfcare');
    assert.equal(page.status, 200, who);
    assert.ok(page.text.includes(note), `${who} sees it`);
    assert.doesNotMatch(page.text, /streak|in a row|missed|you skipped|подряд|пропущ|серия/i, `${who}: no streaks, no misses`);
  }
  const bad = await A.form('/selfcare', { kind: 'exercise', done_on: day(0), minutes: '0', csrf: A.csrf });
  assert.equal(bad.status, 400, describe(bad));
  assert.match(bad.text, /aria-invalid="true"/);
});

test('nothing of a self-care entry is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 3);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
