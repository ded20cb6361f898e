// Rituals of connection (step 5): partings, reunions, a weekly date, a
// weekly "state of the union" talk.  A kind of the registry
// (src/core/rituals.c): who may call each route is in the authorization
// matrix (authz.test.mjs); this file holds its own rules: both partners see
// every ritual, the one who wrote it changes or removes it, a time of day
// is HH:MM, another couple sees nothing, nothing is readable at rest, and
// nothing anywhere counts a streak or a miss.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, errCode, leaksAtRest, markerSet, pair, startServer } from './harness.mjs';
import { registryKinds } from './kinds.mjs';

let server;
let A;
let B;
let X; // another couple's partner

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  X = (await pair(server.url)).aClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();

async function made(res) {
  assert.equal(res.status, 201, describe(res));
  return res.json.ritual;
}

test('the registry lists rituals: the couple\'s, every field sealed, no shared_with', () => {
  const k = registryKinds().find((x) => x.plural === 'rituals');
  assert.ok(k, 'rituals is a kind of the registry');
  assert.equal(k.name, 'ritual');
  assert.deepEqual(k.fields.map((f) => f.name), ['kind', 'title', 'every', 'time']);
  assert.deepEqual(k.fields[0].choices, ['parting', 'reunion', 'date', 'state_of_union']);
  assert.deepEqual(k.fields[2].choices, ['day', 'week']);
  assert.ok(k.fields.every((f) => f.sealed), 'all sealed');
  assert.equal(k.shared_allowed, 0, 'always the couple\'s');
  assert.equal(k.who, 'partner');
});

test('both partners see a ritual; only the one who wrote it changes or removes it', async () => {
  const title = mark('parting', 'A six-second kiss at the door');
  const r = await made(await A.post('/api/v1/rituals', { kind: 'parting', title, every: 'day', time: '07:45' }));
  assert.equal(r.title, title);
  assert.equal(r.kind, 'parting');
  assert.equal(r.every, 'day');
  assert.equal(r.time, '07:45');
  const seen = (await B.get('/api/v1/rituals')).json.rituals.find((x) => x.id === r.id);
  assert.ok(seen, 'the partner sees it');
  assert.equal(seen.mine, false);
  assert.equal(seen.title, title);
  const put = await B.put(`/api/v1/rituals/${r.id}`, { kind: 'parting', title: 'B', every: 'week' });
  assert.equal(put.status, 403, describe(put));
  assert.equal(errCode(put), 'forbidden');
  assert.equal((await B.del(`/api/v1/rituals/${r.id}`)).status, 403);
  const changed = await A.put(`/api/v1/rituals/${r.id}`, { kind: 'reunion', title, every: 'day' });
  assert.equal(changed.status, 200, describe(changed));
  assert.equal(changed.json.ritual.kind, 'reunion');
  assert.equal(changed.json.ritual.time, null, 'every field again: the time left out is gone');
  // another couple: as a random id
  assert.equal((await X.get(`/api/v1/rituals/${r.id}`)).status, 404);
  assert.equal((await X.put(`/api/v1/rituals/${r.id}`, { kind: 'date', title: 'X', every: 'week' })).status, 404);
  assert.ok(!(await X.get('/api/v1/rituals')).json.rituals.some((x) => x.id === r.id));
  assert.equal((await A.del(`/api/v1/rituals/${r.id}`)).status, 204);
  assert.equal((await B.get(`/api/v1/rituals/${r.id}`)).status, 404);
});

test('a ritual refuses a bad kind, rhythm or time, naming the field, and keeps nothing', async () => {
  const count = async () => (await A.get('/api/v1/rituals')).json.rituals.length;
  const before = await count();
  const bad = [
    [{ kind: 'anniversary', title: 'T', every: 'day' }, 'invalid_value'],
    [{ kind: 'date', title: 'T', every: 'month' }, 'invalid_value'],
    [{ kind: 'date', title: '', every: 'week' }, 'too_short'],
    [{ kind: 'date', title: 'T', every: 'week', time: '25:00' }, 'invalid_value'],
    [{ kind: 'date', title: 'T', every: 'week', time: '7:5' }, 'too_short'],
    [{ kind: 'date', title: 'T', every: 'week', time: '19h30' }, 'invalid_value'],
    [{ kind: 'date', title: 'T', every: 'week', shared_with: [] }, 'unknown_field'],
    [{ title: 'T', every: 'week' }, 'missing_field'],
  ];
  for (const [body, code] of bad) {
    const res = await A.post('/api/v1/rituals', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${JSON.stringify(body)}: ${describe(res)}`);
  }
  const es = await B.post('/api/v1/rituals', { kind: 'date', title: 'T', every: 'week', time: '24:00' });
  assert.equal(es.status, 400, describe(es));
  assert.match(es.json.error.message, /A qué hora/, `named, in Spanish: ${describe(es)}`);
  assert.equal(await count(), before, 'no refused ritual was kept');
  const late = await A.post('/api/v1/rituals', { kind: 'state_of_union', title: 'Sunday talk', every: 'week', time: '23:59' });
  assert.equal(late.status, 201, describe(late));
});

test('the page writes a ritual without JavaScript and counts nothing', async () => {
  const title = mark('page ritual', 'Tell each other about the day');
  const res = await A.form('/rituals', { kind: 'reunion', title, every: 'day', time: '', csrf: A.csrf });
  assert.equal(res.status, 303, describe(res));
  const page = await B.get('/rituals');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(title), 'the partner sees it on the page');
  assert.doesNotMatch(page.text, /streak|missed|in a row|racha|пропущ/i, 'no streaks and no misses');
  const bad = await A.form('/rituals', { kind: 'reunion', title: 'T', every: 'day', time: '99:99', csrf: A.csrf });
  assert.equal(bad.status, 400, describe(bad));
  assert.match(bad.text, /aria-invalid="true"/);
});

test('nothing of a ritual is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 2);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
