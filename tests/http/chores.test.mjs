// The chores rota (step 3, the safety net): a chore alternates between the
// partners week by week from the week it starts; the one who added it
// takes it off.  Who may call each route is in the authorization matrix.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, startServer,
} from './harness.mjs';
import { day } from './kinds.mjs';

let server;
const { markers, mark } = markerSet(); // texts that must never be readable at rest

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** The Monday of the week of date (YYYY-MM-DD), plus weeks. */
function monday(date, weeks = 0) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + weeks * 7);
  return d.toISOString().slice(0, 10);
}

test('a chore alternates week by week from the week it starts; both see the same rota', async () => {
  const { aClient: A, bClient: B, a, b } = await pair(server.url);
  const aId = a.member.id;
  const bId = b.member.id;
  const title = mark('bins', 'Take the bins out');
  const res = await A.post('/api/v1/chores', { title, first_partner: bId, starts_on: day(0) });
  assert.equal(res.status, 201, describe(res));
  const ch = res.json.chore;
  assert.equal(ch.title, title);
  assert.equal(ch.first_partner, bId);
  assert.equal(ch.starts_on, monday(day(0)), 'kept as the Monday of its week');
  assert.equal(ch.assigned_to, bId, 'this week: the one who starts');
  assert.equal(ch.next_to, aId, 'next week: the other');
  const thisWeek = monday(day(0));
  for (const [weeks, who] of [[0, bId], [1, aId], [2, bId], [7, aId], [52, bId]]) {
    const got = await B.get(`/api/v1/chores?week=${monday(thisWeek, weeks)}`);
    assert.equal(got.status, 200, describe(got));
    const one = got.json.chores.find((c) => c.id === ch.id);
    assert.equal(one.assigned_to, who, `week +${weeks}`);
  }
  const early = (await A.get(`/api/v1/chores?week=${monday(thisWeek, -1)}`)).json.chores[0];
  assert.equal(early.assigned_to, null, 'not started the week before');
  assert.equal(early.next_to, bId, 'but starts the week after');

  // a chore that starts in three weeks
  const later = (await B.post('/api/v1/chores', { title: 'Windows', first_partner: aId, starts_on: day(21) })).json.chore;
  assert.equal(later.assigned_to, null);
  assert.equal((await A.get(`/api/v1/chores?week=${monday(day(21))}`)).json.chores
    .find((c) => c.id === later.id).assigned_to, aId);

  // another couple sees nothing of it
  const X = (await pair(server.url)).aClient;
  const other = await X.get('/api/v1/chores');
  assert.equal(other.status, 200);
  assert.deepEqual(other.json.chores, []);
  assert.equal((await X.del(`/api/v1/chores/${ch.id}`)).status, 404);
});

test('bad chores and weeks are refused, and nothing is kept', async () => {
  const { aClient: A, bClient: B, a } = await pair(server.url, { bFields: { language: 'es' } });
  const X = await pair(server.url);
  const bad = [
    [{ title: '', first_partner: a.member.id, starts_on: day(0) }, 'too_short'],
    [{ title: 'x'.repeat(201), first_partner: a.member.id, starts_on: day(0) }, 'too_long'],
    [{ title: 'Stranger', first_partner: X.a.member.id, starts_on: day(0) }, 'invalid_value'],
    [{ title: 'Not an id', first_partner: 'me', starts_on: day(0) }, 'invalid_value'],
    [{ title: 'Too far', first_partner: a.member.id, starts_on: day(400) }, 'invalid_value'],
    [{ title: 'Too long ago', first_partner: a.member.id, starts_on: day(-400) }, 'invalid_value'],
    [{ title: 'No date', first_partner: a.member.id, starts_on: '2027-02-30' }, 'invalid_value'],
    [{ title: 'Missing', first_partner: a.member.id }, 'missing_field'],
  ];
  for (const [body, code] of bad) {
    const res = await B.post('/api/v1/chores', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 70)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  const es = await B.post('/api/v1/chores', { title: '', first_partner: a.member.id, starts_on: day(0) });
  assert.match(es.json.error.message, /Título.*corto/, `in Spanish: ${describe(es)}`);
  assert.deepEqual((await A.get('/api/v1/chores')).json.chores, [], 'nothing was kept');
  const tuesday = monday(day(0), 1).replace(/-(\d\d)$/, (m, d) => `-${String(Number(d) + 1).padStart(2, '0')}`);
  for (const q of [`week=${tuesday}`, 'week=2027-13-01', 'week=soon', 'when=2027-01-04']) {
    const res = await A.get(`/api/v1/chores?${q}`);
    assert.equal(res.status, 400, `${q}: ${describe(res)}`);
  }
});

test('only the one who added a chore takes it off', async () => {
  const { aClient: A, bClient: B, a } = await pair(server.url);
  const ch = (await A.post('/api/v1/chores', { title: 'Dishes', first_partner: a.member.id, starts_on: day(0) })).json.chore;
  const theirs = await B.del(`/api/v1/chores/${ch.id}`);
  assert.equal(theirs.status, 403, describe(theirs));
  assert.equal(errCode(theirs), 'forbidden');
  assert.equal((await B.get('/api/v1/chores')).json.chores.length, 1, 'still on the rota');
  assert.equal((await A.del(`/api/v1/chores/${ch.id}`)).status, 204);
  assert.deepEqual((await B.get('/api/v1/chores')).json.chores, []);
});

test('the page: add a chore for the partner and take it off, without JavaScript', async () => {
  const { aClient: A, bClient: B, b } = await pair(server.url, { aFields: { display_name: 'Alex' }, bFields: { display_name: 'Sam' } });
  const back = await A.form('/chores', { title: '', first_partner: b.member.id, starts_on: day(0), csrf: A.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="chore-title"[^>]*aria-invalid="true"/);
  assert.match(back.text, /id="chore-first-partner"[^>]*checked/, 'the choice of who starts is kept');
  // The field for a new chore starts empty (it once showed the page's title), and
  // a refused one keeps what was typed without it becoming the page's title.
  assert.match((await A.get('/chores')).text, /id="chore-title"[^>]*value=""/);
  const kept = await A.form('/chores', { title: 'Dishes', first_partner: b.member.id, starts_on: '2000-01-03', csrf: A.csrf });
  assert.equal(kept.status, 400, describe(kept));
  assert.match(kept.text, /id="chore-title"[^>]*value="Dishes"/);
  assert.match(kept.text, /<title>Chores, week by week · kintsugi<\/title>/);

  const title = mark('page', 'Water the plants');
  const made = await A.form('/chores', { title, first_partner: b.member.id, starts_on: day(0), csrf: A.csrf });
  assert.equal(made.status, 303, describe(made));
  const id = /#chore-([0-9a-f]{32})$/.exec(made.headers.get('location'))?.[1];
  assert.ok(id);
  const page = await B.get('/chores');
  assert.ok(page.text.includes(title));
  assert.match(page.text, /This week: You\./, 'B does it this week');
  assert.match(page.text, /Next week: Alex\./);
  assert.ok(!page.text.includes(`/chores/${id}/delete`), 'B cannot take A\'s chore off');
  const home = await A.get('/home');
  assert.match(home.text, /href="\/chores"/);
  const gone = await A.form(`/chores/${id}/delete`, { csrf: A.csrf });
  assert.equal(gone.status, 303, describe(gone));
  assert.ok(!(await B.get('/chores')).text.includes(title));
});

test('nothing of a chore is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 2);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
