// Homework (step 4): a partner (or, once the care team exists, the couple's
// therapist) assigns something to do by a day; either partner marks it done
// or not yet, with a note; the partner always sees it, the care team when
// it is shared with "care".  Who may call each route is in the
// authorization matrix.

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

test('homework is assigned, the partner sees it, either partner marks it done', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const title = mark('title', 'Write down three things you appreciated this week');
  const body = mark('body', 'Read them to each other on Sunday evening');
  const res = await A.post('/api/v1/homework', { title, body, due_on: day(7) });
  assert.equal(res.status, 201, describe(res));
  const h = res.json.homework;
  assert.equal(h.title, title);
  assert.equal(h.body, body);
  assert.equal(h.due_on, day(7));
  assert.deepEqual(h.shared_with, ['partner'], 'shared with the partner by default');
  assert.equal(h.by, 'partner');
  assert.equal(h.mine, true);
  assert.equal(h.done, false);
  assert.deepEqual(h.marks, []);

  const seen = (await B.get('/api/v1/homework')).json.homework;
  assert.ok(Array.isArray(seen), 'a list comes back under the plural, which is "homework" too');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].id, h.id);
  assert.equal(seen[0].title, title);
  assert.equal(seen[0].mine, false);

  const note = mark('note', 'We did it over breakfast and it was lovely');
  let put = await B.put(`/api/v1/homework/${h.id}`, { done: true, note });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.homework.done, true);
  assert.equal(put.json.homework.marks.length, 1);
  assert.equal(put.json.homework.marks[0].mine, true);
  assert.equal(put.json.homework.marks[0].note, note);

  const forA = (await A.get('/api/v1/homework')).json.homework[0];
  assert.equal(forA.done, true, 'the author sees the partner\'s mark');
  assert.equal(forA.marks[0].mine, false);
  assert.equal(forA.marks[0].note, note);

  put = await A.put(`/api/v1/homework/${h.id}`, { done: false });
  assert.equal(put.status, 200, describe(put), 'the author may mark it too');
  assert.equal(put.json.homework.done, true, 'done while either partner says so');
  assert.equal(put.json.homework.marks.length, 2);
  put = await B.put(`/api/v1/homework/${h.id}`, { done: false });
  assert.equal(put.json.homework.done, false, 'a second mark replaces the first');
  assert.equal(put.json.homework.marks.find((m) => m.mine).note, null);

  const care = await A.post('/api/v1/homework', { title: 'Bring the list', due_on: day(1), shared_with: ['partner', 'care'] });
  assert.equal(care.status, 201, describe(care));
  assert.deepEqual(care.json.homework.shared_with, ['partner', 'care']);
  const list = (await B.get('/api/v1/homework')).json.homework;
  assert.deepEqual(list.map((x) => x.due_on), [day(7), day(1)], 'latest due first');
});

test('due_on runs from today to today + 366, UTC; anything else is 400 and keeps nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'es' } });
  for (const d of [day(0), day(366)]) {
    const ok = await A.post('/api/v1/homework', { title: 'Edge', due_on: d });
    assert.equal(ok.status, 201, `${d}: ${describe(ok)}`);
  }
  for (const [body, code, field] of [
    [{ title: 'Yesterday', due_on: day(-1) }, 'invalid_value', 'Due on'],
    [{ title: 'Too far', due_on: day(367) }, 'invalid_value', 'Due on'],
    [{ title: 'Not a day', due_on: '2026-02-30' }, 'invalid_value', 'Due on'],
    [{ title: 'No day' }, 'missing_field', 'Due on'],
    [{ title: '', due_on: day(1) }, 'too_short', 'Title'],
    [{ title: 'x'.repeat(201), due_on: day(1) }, 'too_long', 'Title'],
    [{ title: 'Private', due_on: day(1), shared_with: [] }, 'invalid_value', 'Who sees it'],
    [{ title: 'Care only', due_on: day(1), shared_with: ['care'] }, 'invalid_value', 'Who sees it'],
    [{ title: 'Who', due_on: day(1), by: 'care' }, 'unknown_field', 'by'],
  ]) {
    const res = await A.post('/api/v1/homework', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
    assert.ok(res.json.error.message.includes(field), `names ${field}: ${describe(res)}`);
  }
  const es = await B.post('/api/v1/homework', { title: 'Ayer', due_on: day(-1) });
  assert.equal(es.status, 400, describe(es));
  assert.ok(es.json.error.message.includes('Fecha límite'), `in Spanish, naming the field: ${describe(es)}`);
  assert.equal((await A.get('/api/v1/homework')).json.homework.length, 2, 'no refused homework was kept');

  const h = (await A.get('/api/v1/homework')).json.homework[0];
  for (const [body, code] of [
    [{ note: 'x' }, 'missing_field'],
    [{ done: 'yes' }, 'wrong_type'],
    [{ done: true, note: 'x'.repeat(1001) }, 'too_long'],
  ]) {
    const res = await B.put(`/api/v1/homework/${h.id}`, body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code, describe(res));
  }
  assert.deepEqual((await A.get('/api/v1/homework')).json.homework[0].marks, [], 'no refused mark was kept');
});

test('another couple sees none of it and cannot mark it (404)', async () => {
  const { aClient: A } = await pair(server.url);
  const h = (await A.post('/api/v1/homework', { title: 'Ours', due_on: day(2) })).json.homework;
  const X = (await pair(server.url)).aClient;
  assert.deepEqual((await X.get('/api/v1/homework')).json.homework, []);
  const theirs = await X.put(`/api/v1/homework/${h.id}`, { done: true });
  assert.equal(theirs.status, 404, describe(theirs));
  const none = await A.put('/api/v1/homework/0123456789abcdef0123456789abcdef', { done: true });
  assert.equal(none.status, 404, describe(none));
});

test('the page: assign homework and mark it done, without JavaScript', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { aFields: { display_name: 'Alex' } });
  const title = mark('page', 'A walk without phones');
  const made = await A.form('/homework', {
    title, body: '', due_on: day(3), share_partner: '1', share_care: '1', csrf: A.csrf,
  });
  assert.equal(made.status, 303, describe(made));
  const id = /#homework-([0-9a-f]{32})$/.exec(made.headers.get('location'))?.[1];
  assert.ok(id, made.headers.get('location'));
  assert.deepEqual((await A.get('/api/v1/homework')).json.homework[0].shared_with, ['partner', 'care']);
  const note = mark('page note', 'We walked to the river');
  const said = await B.form(`/homework/${id}`, { done: '1', note, csrf: B.csrf });
  assert.equal(said.status, 303, describe(said));
  const page = await A.get('/homework');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(title));
  assert.ok(page.text.includes(note));
  assert.match(page.text, /marked it done\./);
  const back = await A.form('/homework', { title: 'Late', due_on: day(-1), share_partner: '1', csrf: A.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="homework-due"[^>]*aria-invalid="true"/);
  assert.match(back.text, /value="Late"/);
  for (const lang of ['es', 'ru']) {
    const { aClient: L } = await pair(server.url, { aFields: { language: lang } });
    await L.post('/api/v1/homework', { title: 'Tarea', due_on: day(1) });
    const p = await L.get('/homework');
    assert.equal(p.status, 200);
    assert.match(p.text, new RegExp(`<html lang="${lang}"`));
    assert.ok(!p.text.includes('Assign homework'), `${lang}: the page is translated`);
    assert.ok(!p.text.includes('Mark it done'), `${lang}: the form is translated`);
  }
});

test('nothing of homework is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 5);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
