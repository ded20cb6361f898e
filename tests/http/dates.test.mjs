// Date nights (step 3, the safety net): planned together; afterwards each
// partner says it happened and how it was (1 to 5, a note), their own;
// both see both.  Who may call each route is in the authorization matrix.

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

test('a date is planned, then each partner answers on their own; both see both', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const title = mark('title', 'Dinner at the little place by the river');
  const res = await A.post('/api/v1/dates', { title, planned_for: day(-1) });
  assert.equal(res.status, 201, describe(res));
  const d = res.json.date;
  assert.equal(d.title, title);
  assert.equal(d.planned_for, day(-1));
  assert.equal(d.done, false);
  assert.deepEqual(d.ratings, { mine: null, partner: null });

  const note = mark('b note', 'It felt like the start again');
  let put = await B.put(`/api/v1/dates/${d.id}`, { done: true, rating: 5, note });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.date.done, true);
  assert.equal(put.json.date.ratings.mine.rating, 5);
  assert.equal(put.json.date.ratings.mine.note, note);
  assert.equal(put.json.date.ratings.partner, null, 'A has not answered');

  const seen = (await A.get('/api/v1/dates')).json.dates.find((x) => x.id === d.id);
  assert.equal(seen.done, true, 'either partner marks it done');
  assert.equal(seen.ratings.partner.rating, 5, 'A sees B\'s rating');
  assert.equal(seen.ratings.partner.note, note);
  assert.equal(seen.ratings.mine, null);

  put = await A.put(`/api/v1/dates/${d.id}`, { done: true, rating: 3 });
  assert.equal(put.json.date.ratings.mine.rating, 3);
  assert.equal(put.json.date.ratings.partner.rating, 5, 'B\'s stays B\'s');
  put = await A.put(`/api/v1/dates/${d.id}`, { done: true, rating: 4 });
  assert.equal(put.json.date.ratings.mine.rating, 4, 'a second answer replaces the first');

  // the list runs by day, latest first
  await A.post('/api/v1/dates', { title: 'Picnic', planned_for: day(10) });
  await A.post('/api/v1/dates', { title: 'Cinema', planned_for: day(3) });
  const days = (await B.get('/api/v1/dates')).json.dates.map((x) => x.planned_for);
  assert.deepEqual(days, [day(10), day(3), day(-1)]);

  const X = (await pair(server.url)).aClient;
  assert.deepEqual((await X.get('/api/v1/dates')).json.dates, []);
  const theirs = await X.put(`/api/v1/dates/${d.id}`, { done: true, rating: 1 });
  assert.equal(theirs.status, 404, describe(theirs));
});

test('bad dates and answers are refused, and change nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'ru' } });
  const d = (await A.post('/api/v1/dates', { title: 'Walk', planned_for: day(0) })).json.date;
  for (const [body, code] of [
    [{ title: '', planned_for: day(0) }, 'too_short'],
    [{ title: 'Far', planned_for: day(400) }, 'invalid_value'],
    [{ title: 'Long ago', planned_for: day(-400) }, 'invalid_value'],
    [{ title: 'No day' }, 'missing_field'],
  ]) {
    const res = await B.post('/api/v1/dates', body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code, describe(res));
  }
  for (const [body, code] of [
    [{ done: true, rating: 6 }, 'out_of_range'],
    [{ done: true, rating: 0 }, 'out_of_range'],
    [{ done: false, rating: 4 }, 'invalid_value'],
    [{ rating: 4 }, 'missing_field'],
    [{ done: true, note: 'x'.repeat(1001) }, 'too_long'],
  ]) {
    const res = await B.put(`/api/v1/dates/${d.id}`, body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  const ru = await B.put(`/api/v1/dates/${d.id}`, { done: true, rating: 9 });
  assert.match(ru.json.error.message, /[А-Яа-я]/, `in Russian: ${describe(ru)}`);
  const now = (await A.get('/api/v1/dates')).json.dates;
  assert.equal(now.length, 1, 'no refused date was kept');
  assert.equal(now[0].done, false, 'no refused answer was kept');
});

test('the page: plan a date and say how it was, without JavaScript', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { aFields: { display_name: 'Alex' } });
  const title = mark('page', 'Dancing in the kitchen');
  const made = await A.form('/dates', { title, planned_for: day(0), csrf: A.csrf });
  assert.equal(made.status, 303, describe(made));
  const id = /#date-([0-9a-f]{32})$/.exec(made.headers.get('location'))?.[1];
  assert.ok(id);
  const note = mark('page note', 'We laughed a lot');
  const said = await A.form(`/dates/${id}`, { done: '1', rating: '4', note, csrf: A.csrf });
  assert.equal(said.status, 303, describe(said));
  const page = await B.get('/dates');
  assert.ok(page.text.includes(title));
  assert.match(page.text, /Alex: it happened\./);
  assert.match(page.text, /Their rating: 4 of 5\./);
  assert.ok(page.text.includes(note));
  const mine = await A.get('/dates');
  assert.match(mine.text, new RegExp(`id="date-${id}-r4" name="rating" value="4" checked`), 'A\'s rating is kept in the form');
  const back = await A.form('/dates', { title: '', planned_for: day(0), csrf: A.csrf });
  assert.equal(back.status, 400);
  assert.match(back.text, /id="date-title"[^>]*aria-invalid="true"/);
  // The field for a new date starts empty (it once showed the page's title), and
  // a refused one keeps what was typed without it becoming the page's title.
  assert.match(mine.text, /id="date-title"[^>]*value=""/);
  const kept = await A.form('/dates', { title: 'Picnic', planned_for: '2000-01-01', csrf: A.csrf });
  assert.equal(kept.status, 400, describe(kept));
  assert.match(kept.text, /id="date-title"[^>]*value="Picnic"/);
  assert.match(kept.text, /<title>Date nights · kintsugi<\/title>/);
  assert.match((await A.get('/home')).text, /href="\/dates"/);
});

test('nothing of a date is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 4);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
