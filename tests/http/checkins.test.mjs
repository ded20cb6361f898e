// Check-ins (step 2): the simultaneous reveal exactly as API.md states it,
// one check-in per member per period, changing one's own, the weekly
// rhythm's periods, limits and bad input, and another couple's 404.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { Client, describe, errCode, pair, rand, signupOk, startServer } from './harness.mjs';

let server;
let a; let b; let c;

before(async () => {
  server = await startServer();
  const p = await pair(server.url);
  a = p.aClient;
  b = p.bClient;
  c = new Client(server.url);
  await signupOk(c);
});
after(async () => { await server?.stop(); });

const randomId = () => randomBytes(16).toString('hex');

/** A UTC date `days` from today, as YYYY-MM-DD. */
function day(days = 0) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the ISO week that holds the date `days` from today. */
function mondayOf(days = 0) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - sinceMonday);
  return d.toISOString().slice(0, 10);
}

function body(period, extra = {}) {
  return {
    period,
    scores: { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5 },
    trust: 6,
    closeness: 7,
    shared_with: ['partner'],
    ...extra,
  };
}

async function checkIn(client, period, extra = {}) {
  const res = await client.post('/api/v1/checkins', body(period, extra));
  assert.equal(res.status, 201, describe(res));
  return res.json.checkin;
}

async function list(client, query = '') {
  const res = await client.get(`/api/v1/checkins${query}`);
  assert.equal(res.status, 200, describe(res));
  assert.ok(Array.isArray(res.json.checkins));
  assert.equal(typeof res.json.waiting, 'number');
  return res;
}

const range = (p) => `?from=${p}&to=${p}`;

test('the reveal: B waits on A\'s shared check-in until B checks in, then both see both', async () => {
  const period = day(-3);
  const noteA = `note-a-${rand(12)}`;
  const noteB = `note-b-${rand(12)}`;
  const mine = await checkIn(a, period, { note: noteA, trust: 2, closeness: 9 });
  assert.equal(mine.mine, true);
  assert.equal(mine.period, period);
  assert.equal(mine.note, noteA);
  assert.deepEqual(mine.scores, { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5 });
  assert.deepEqual(mine.shared_with, ['partner']);

  // B has not checked in for that period: one waiting, no content at all
  let seen = await list(b, range(period));
  assert.equal(seen.json.waiting, 1);
  assert.deepEqual(seen.json.checkins, []);
  assert.ok(!seen.text.includes(noteA), 'no note before B checks in');
  assert.ok(!seen.text.includes(mine.id), 'not even the id');
  const early = await b.get(`/api/v1/checkins/${mine.id}`);
  const rnd = await b.get(`/api/v1/checkins/${randomId()}`);
  assert.equal(early.status, 404, describe(early));
  assert.equal(early.text, rnd.text, 'a waiting check-in reads as a random id');
// A sees their own, and nothing waits for A
  seen = await list(a, range(period));
  assert.equal(seen.json.waiting, 0);
  assert.deepEqual(seen.json.checkins.map((x) => x.id), [mine.id]);

  // B checks in: both see both
  const theirs = await checkIn(b, period, { note: noteB });
  for (const [who, client] of [['A', a], ['B', b]]) {
    seen = await list(client, range(period));
    assert.equal(seen.json.waiting, 0, `${who}: nothing waits`);
    const ids = seen.json.checkins.map((x) => x.id).sort();
    assert.deepEqual(ids, [mine.id, theirs.id].sort(), `${who} sees both`);
    const aOne = seen.json.checkins.find((x) => x.id === mine.id);
    assert.equal(aOne.note, noteA);
    assert.equal(aOne.trust, 2);
    assert.equal(aOne.closeness, 9);
    assert.equal(aOne.mine, who === 'A');
    assert.equal(seen.json.checkins[0].mine, true, `${who}: their own comes first`);
    const one = await client.get(`/api/v1/checkins/${mine.id}`);
    assert.equal(one.status, 200, describe(one));
    assert.equal(one.json.checkin.note, noteA);
  }
});

test('a private check-in is never shown to the partner, nor counted as waiting', async () => {
  const period = day(-5);
  const secret = `private-${rand(12)}`;
  const priv = await checkIn(a, period, { note: secret, shared_with: [] });
  assert.deepEqual(priv.shared_with, []);

  let seen = await list(b, range(period));
  assert.equal(seen.json.waiting, 0, 'a private check-in is not counted');
  assert.deepEqual(seen.json.checkins, []);

  await checkIn(b, period);
  seen = await list(b, range(period));
  assert.equal(seen.json.waiting, 0);
  assert.equal(seen.json.checkins.length, 1, 'only B\'s own');
  assert.equal(seen.json.checkins[0].mine, true);
  assert.ok(!seen.text.includes(secret));
  assert.ok(!seen.text.includes(priv.id));

  // over a wide range too
  const wide = await list(b);
  assert.ok(!wide.text.includes(secret));
  assert.ok(!wide.text.includes(priv.id));

  // the partner cannot read or change it, and cannot tell it exists
  const get = await b.get(`/api/v1/checkins/${priv.id}`);
  assert.equal(get.status, 404, describe(get));
  assert.equal(get.text, (await b.get(`/api/v1/checkins/${randomId()}`)).text);
const put = await b.put(`/api/v1/checkins/${priv.id}`, body(period));
  const rnd = await b.put(`/api/v1/checkins/${randomId()}`, body(period));
  assert.equal(put.status, 404, describe(put));
  assert.equal(put.text, rnd.text, 'the same answer as a random id');

  // A still has it, with its note
  seen = await list(a, range(period));
  assert.equal(seen.json.checkins.find((x) => x.id === priv.id)?.note, secret);
});

test('a check-in is never shared with care alone: the care team reads with the partner', async () => {
  const period = day(-6);
  const res = await a.post('/api/v1/checkins', body(period, { shared_with: ['care'] }));
  assert.equal(res.status, 400, describe(res));
  assert.equal(errCode(res), 'invalid_value');
  assert.deepEqual((await list(a, range(period))).json.checkins, [], 'nothing was written');
  const seen = await list(b, range(period));
  assert.equal(seen.json.waiting, 0);
  assert.deepEqual(seen.json.checkins, []);
});

test('one check-in per member and period: a second is 409, PUT changes the first', async () => {
  const period = day(-8);
  const first = await checkIn(a, period);
  const again = await a.post('/api/v1/checkins', body(period, { trust: 1 }));
  assert.equal(again.status, 409, describe(again));
  assert.equal(errCode(again), 'conflict');
  assert.ok(again.json.error.message.length > 0);

  const note = `changed-${rand(8)}`;
  const put = await a.put(`/api/v1/checkins/${first.id}`, {
    scores: { emotional: 5, physical: 5, mental: 5, sexual: 5, financial: 5 },
    trust: 10, closeness: 0, note, shared_with: ['partner'],
  });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.checkin.id, first.id);
  assert.equal(put.json.checkin.period, period);
  assert.equal(put.json.checkin.trust, 10);
  assert.equal(put.json.checkin.closeness, 0);
  assert.equal(put.json.checkin.note, note);

  // the period may be repeated, not moved
  const same = await a.put(`/api/v1/checkins/${first.id}`, body(period));
  assert.equal(same.status, 200, describe(same));
  const moved = await a.put(`/api/v1/checkins/${first.id}`, body(day(-9)));
  assert.equal(moved.status, 400, describe(moved));
  assert.equal(errCode(moved), 'invalid_value');

  // B, once B has checked in and sees it, may not change it: 403
  await checkIn(b, period);
  const byB = await b.put(`/api/v1/checkins/${first.id}`, body(period));
  assert.equal(byB.status, 403, describe(byB));
  assert.equal(errCode(byB), 'forbidden');

  // making it private hides it again from B
  const priv = await a.put(`/api/v1/checkins/${first.id}`, body(period, { shared_with: [] }));
  assert.equal(priv.status, 200, describe(priv));
  const seen = await list(b, range(period));
  assert.equal(seen.json.checkins.length, 1);
  assert.equal(seen.json.checkins[0].mine, true);
});

test('B waiting on A: B cannot change A\'s check-in, and learns nothing from trying', async () => {
  const period = day(-10);
  const aOne = await checkIn(a, period);
  const put = await b.put(`/api/v1/checkins/${aOne.id}`, body(period));
  const rnd = await b.put(`/api/v1/checkins/${randomId()}`, body(period));
  assert.equal(put.status, 404, describe(put));
  assert.equal(put.text, rnd.text);
});

test('a member of another couple gets the random-id 404 and sees nothing', async () => {
  const period = day(-11);
  const aOne = await checkIn(a, period, { note: `other-couple-${rand(8)}` });
  const put = await c.put(`/api/v1/checkins/${aOne.id}`, body(period));
  const rnd = await c.put(`/api/v1/checkins/${randomId()}`, body(period));
  assert.equal(put.status, 404, describe(put));
  assert.equal(errCode(put), 'not_found');
  assert.equal(put.text, rnd.text);
  const seen = await list(c);
  assert.equal(seen.json.waiting, 0);
  assert.ok(!seen.text.includes(aOne.id));
  // C's own check-in for the same period is fine: periods are per couple
  const own = await c.post('/api/v1/checkins', body(period));
  assert.equal(own.status, 201, describe(own));
});

test('daily periods: any day up to tomorrow; not the day after', async () => {
  const ok = await a.post('/api/v1/checkins', body(day(1)));
  assert.equal(ok.status, 201, describe(ok));
  const far = await a.post('/api/v1/checkins', body(day(2)));
  assert.equal(far.status, 400, describe(far));
  assert.equal(errCode(far), 'invalid_value');
  const old = await a.post('/api/v1/checkins', body('2001-09-11'));
  assert.equal(old.status, 201, describe(old));
});

test('the weekly rhythm: either partner sets it; periods are Mondays that have begun', async () => {
  const p = await pair(server.url);
  const wa = p.aClient;
  const wb = p.bClient;
  let res = await wa.get('/api/v1/couple');
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.couple.rhythm, 'daily', 'daily until changed');

  res = await wb.put('/api/v1/couple', { rhythm: 'weekly' });
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.couple.rhythm, 'weekly');
  res = await wa.get('/api/v1/couple');
  assert.equal(res.json.couple.rhythm, 'weekly', 'for both partners');
  assert.equal(res.json.couple.partners.length, 2);

  const monday = mondayOf(0);
  const notMonday = day(-((new Date().getUTCDay() + 6) % 7) - 2); // a Saturday
  let bad = await wa.post('/api/v1/checkins', body(notMonday));
  assert.equal(bad.status, 400, describe(bad));
  assert.equal(errCode(bad), 'invalid_value');
  bad = await wa.post('/api/v1/checkins', body(mondayOf(8)));
  assert.equal(bad.status, 400, `a Monday a week ahead: ${describe(bad)}`);

  const week = await checkIn(wa, monday, { note: `weekly-${rand(8)}` });
  assert.equal(week.period, monday);
  assert.equal(week.rhythm, 'weekly');
  const last = await checkIn(wa, mondayOf(-7));
  assert.equal(last.period, mondayOf(-7));

  let seen = await list(wb, range(monday));
  assert.equal(seen.json.waiting, 1);
  await checkIn(wb, monday);
  seen = await list(wb, range(monday));
  assert.equal(seen.json.checkins.length, 2);

  res = await wa.put('/api/v1/couple', { rhythm: 'monthly' });
  assert.equal(res.status, 400, describe(res));
  res = await wa.put('/api/v1/couple', { rhythm: 'daily' });
  assert.equal(res.json.couple.rhythm, 'daily');
});

test('limits and bad input are refused with the field named', async () => {
  const period = day(-20);
  const cases = [
    [{ scores: { emotional: 0, physical: 4, mental: 2, sexual: 1, financial: 5 } }, 'out_of_range'],
    [{ scores: { emotional: 6, physical: 4, mental: 2, sexual: 1, financial: 5 } }, 'out_of_range'],
    [{ scores: { emotional: 3, physical: 4, mental: 2, sexual: 1 } }, 'missing_field'],
    [{ scores: { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5, spiritual: 3 } }, 'unknown_field'],
    [{ scores: { emotional: '3', physical: 4, mental: 2, sexual: 1, financial: 5 } }, 'wrong_type'],
    [{ trust: 11 }, 'out_of_range'],
    [{ trust: -1 }, 'out_of_range'],
    [{ closeness: 2.5 }, 'wrong_type'],
    [{ note: 'x'.repeat(2001) }, 'too_long'],
    [{ shared_with: ['everyone'] }, 'invalid_value'],
    [{ shared_with: ['partner', 'partner'] }, 'invalid_value'],
    [{ shared_with: 'partner' }, 'wrong_type'],
    [{ period: '2024-02-30' }, 'invalid_value'],
    [{ period: 'today' }, 'invalid_value'],
    [{ mood: 'fine' }, 'unknown_field'],
  ];
  for (const [extra, code] of cases) {
    const res = await a.post('/api/v1/checkins', body(period, extra));
    assert.equal(res.status, 400, `${JSON.stringify(extra).slice(0, 80)}: ${describe(res)}`);
    assert.equal(errCode(res), code, JSON.stringify(extra).slice(0, 80));
  }
  const missing = await a.post('/api/v1/checkins', { period, trust: 3 });
  assert.equal(missing.status, 400);
  assert.equal(errCode(missing), 'missing_field');
  // the longest note there may be, in Cyrillic (characters, not bytes)
  const long = await a.post('/api/v1/checkins', body(period, { note: 'ж'.repeat(2000) }));
  assert.equal(long.status, 201, describe(long));
  assert.equal(long.json.checkin.note.length, 2000);
  // nothing was stored by the refused ones
  const seen = await list(a, range(period));
  assert.equal(seen.json.checkins.length, 1);
});

test('the list: from/to must be dates, in order, at most a year apart; nothing else is taken', async () => {
  for (const q of ['?from=2024-13-01', '?to=yesterday', '?from=2024-05-02&to=2024-05-01',
    '?limit=5', '?from=2020-01-01&to=2024-01-01']) {
    const res = await a.get(`/api/v1/checkins${q}`);
    assert.equal(res.status, 400, `${q}: ${describe(res)}`);
    assert.ok(['invalid_value', 'out_of_range'].includes(errCode(res)), q);
  }
  const res = await list(a, `?from=${day(-365)}&to=${day(0)}`);
  assert.ok(res.json.checkins.length >= 5);
  const periods = res.json.checkins.map((x) => x.period);
  assert.deepEqual([...periods].sort().reverse(), periods, 'newest period first');
});

test('without a session: 401; without the CSRF token: 403', async () => {
  const anon = new Client(server.url);
  assert.equal((await anon.get('/api/v1/checkins')).status, 401);
  assert.equal((await anon.post('/api/v1/checkins', body(day(0)))).status, 401);
  const noCsrf = await a.post('/api/v1/checkins', body(day(-30)), { csrf: false });
  assert.equal(noCsrf.status, 403, describe(noCsrf));
});

test('the check-in pages: the form, then the reveal view, without JavaScript', async () => {
  const p = await pair(server.url);
  const pa = p.aClient;
  const pb = p.bClient;
  let page = await pa.get('/checkin');
  assert.equal(page.status, 200, describe(page));
  assert.match(page.text, /name="scores\.emotional"/);
  assert.match(page.text, /name="share_partner"/);
  assert.ok(!/\sstyle=/i.test(page.text), 'no inline style');
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page.text)[1];
  const period = /name="period" value="(\d{4}-\d{2}-\d{2})"/.exec(page.text)[1];
  assert.equal(period, day(0));

  const note = `page-note-${rand(10)}`;
  const fields = {
    csrf, period, 'scores.emotional': '2', 'scores.physical': '3', 'scores.mental': '4',
    'scores.sexual': '1', 'scores.financial': '5', trust: '4', closeness: '6', note,
    share_partner: '1',
  };
  // a missing score comes back with the note as typed
  const { 'scores.sexual': _, ...partial } = fields;
  let res = await pa.form('/checkin', partial);
  assert.equal(res.status, 400, describe(res));
  assert.ok(res.text.includes(note), 'the note comes back');
  assert.match(res.text, /role="alert"/);

  res = await pa.form('/checkin', fields);
  assert.equal(res.status, 303, describe(res));
  assert.equal(res.headers.get('location'), `/checkin?period=${period}`);
  page = await pa.get(`/checkin?period=${period}`);
  assert.ok(page.text.includes(note));
  assert.match(page.text, /not shared a check-in for this day yet/);

  // B is told A checked in, and sees nothing of it yet
  page = await pb.get('/checkin');
  assert.ok(!page.text.includes(note));
  assert.match(page.text, /Your partner has checked in for this day/);
  const bres = await pb.form('/checkin', { ...fields, csrf: /name="csrf" value="([0-9a-f]+)"/.exec(page.text)[1], note: 'B here' });
  assert.equal(bres.status, 303, describe(bres));
  page = await pb.get(`/checkin?period=${period}`);
  assert.ok(page.text.includes(note), 'now B sees A\'s note');

  const hist = await pa.get('/checkins');
  assert.equal(hist.status, 200);
  assert.ok(hist.text.includes(note));
  assert.ok(hist.text.includes('B here'));

  const home = await pa.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /<svg class="chart"/);
  assert.match(home.text, /<title id="trust-chart-title">/);
  assert.match(home.text, /class="visually-hidden">[^<]*<table>/, 'the numbers, in a table for screen readers');
  assert.ok(!/\sstyle=/i.test(home.text), 'no inline style on the chart');

  // the rhythm from the page; settings shows the one chosen, to both partners
  const checkedRhythm = (html) => /<input type="radio" name="rhythm" value="(\w+)" checked/.exec(html)?.[1];
  assert.equal(checkedRhythm((await pb.get('/settings')).text), 'daily', 'settings shows the daily rhythm');
  const hcsrf = /name="csrf" value="([0-9a-f]+)"/.exec(hist.text)[1];
  res = await pa.form('/settings/rhythm', { csrf: hcsrf, rhythm: 'weekly' });
  assert.equal(res.status, 303, describe(res));
  assert.equal((await pb.get('/api/v1/couple')).json.couple.rhythm, 'weekly');
  assert.equal(checkedRhythm((await pb.get('/settings')).text), 'weekly', 'B\'s settings show the new rhythm');
  page = await pa.get('/checkin');
  assert.match(page.text, /This week, from Monday/);
});
