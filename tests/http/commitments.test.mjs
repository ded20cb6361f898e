// Commitments (step 1): private to their author, reviewed over time as
// kept, slipped or renewed with the history kept and the next review date
// computed; limits hold; the pages work without JavaScript; the guided
// reflection page lists its steps; and no commitment text or note is
// readable in the database files or the log.

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { Client, dbDump, describe, errCode, ID_RE, leaksAtRest, pair, rand, signupOk, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** The UTC date `days` from today, as YYYY-MM-DD. */
function inDays(days) {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days))
    .toISOString().slice(0, 10);
}

async function make(c, body) {
  const res = await c.post('/api/v1/commitments', body);
  assert.equal(res.status, 201, describe(res));
  assert.deepEqual(Object.keys(res.json), ['commitment']);
  return res.json.commitment;
}

test('a commitment keeps the history of its reviews and its next review date', async () => {
  const { aClient } = await pair(server.url);
  const cm = await make(aClient, { text: 'I will tell you when she writes to me.', review_every_days: 7 });
  assert.deepEqual(Object.keys(cm).sort(),
    ['created_at', 'due', 'id', 'next_review_on', 'review_every_days', 'reviews', 'text']);
  assert.match(cm.id, ID_RE);
  assert.equal(cm.text, 'I will tell you when she writes to me.');
  assert.equal(cm.review_every_days, 7);
  assert.deepEqual(cm.reviews, []);
  assert.equal(cm.due, false);
  // created now (UTC), reviewed a week later; allow for a run across midnight
  assert.ok([inDays(7), inDays(8)].includes(cm.next_review_on), cm.next_review_on);

  const kept = await aClient.put(`/api/v1/commitments/${cm.id}`, { status: 'kept' });
  assert.equal(kept.status, 200, describe(kept));
  assert.deepEqual(kept.json.commitment.reviews.map((r) => [r.status, r.note]), [['kept', null]]);
  const slipped = await aClient.put(`/api/v1/commitments/${cm.id}`,
    { status: 'slipped', note: 'I waited a day before telling you.' });
  const renewed = await aClient.put(`/api/v1/commitments/${cm.id}`, { status: 'renewed', note: '' });
  assert.equal(slipped.status, 200);
  assert.equal(renewed.status, 200);
  const got = await aClient.get(`/api/v1/commitments/${cm.id}`);
  assert.equal(got.status, 200, describe(got));
  const { reviews } = got.json.commitment;
  assert.deepEqual(reviews.map((r) => r.status), ['kept', 'slipped', 'renewed']);
  assert.equal(reviews[1].note, 'I waited a day before telling you.');
  assert.equal(reviews[2].note, null);
  for (const r of reviews) {
    assert.deepEqual(Object.keys(r).sort(), ['at', 'note', 'status']);
    assert.match(r.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  }
  assert.equal(got.json.commitment.next_review_on,
    new Date(Date.parse(`${reviews[2].at.slice(0, 10)}T12:00:00Z`) + 7 * 86400000)
      .toISOString().slice(0, 10));

  const daily = await make(aClient, { text: 'I will check in with you every evening.', review_every_days: 1 });
  const list = await aClient.get('/api/v1/commitments');
  assert.equal(list.status, 200);
  assert.deepEqual(Object.keys(list.json), ['commitments']);
  assert.deepEqual(list.json.commitments.map((c) => c.id), [daily.id, cm.id], 'newest first');
  assert.equal(list.json.commitments[1].reviews.length, 3);
});

test('commitments are private: the partner and other couples get 404', async () => {
  const { aClient, bClient } = await pair(server.url);
  const cm = await make(aClient, { text: 'No more secrets about money.', review_every_days: 14 });
  const { aClient: other } = await pair(server.url);
  const lone = new Client(server.url);
  await signupOk(lone);
  for (const c of [bClient, other, lone]) {
    assert.equal((await c.get(`/api/v1/commitments/${cm.id}`)).status, 404);
    const put = await c.put(`/api/v1/commitments/${cm.id}`, { status: 'kept' });
    assert.equal(put.status, 404, describe(put));
    assert.equal(errCode(put), 'not_found');
    assert.deepEqual((await c.get('/api/v1/commitments')).json.commitments, []);
    assert.equal((await c.get(`/commitments`)).text.includes('No more secrets about money.'), false);
    const page = await c.form(`/commitments/${cm.id}/review`, { csrf: c.csrf, status: 'kept' });
    assert.equal(page.status, 404);
  }
  assert.equal((await aClient.get(`/api/v1/commitments/${cm.id}`)).json.commitment.reviews.length, 0);
  assert.equal((await aClient.get(`/api/v1/commitments/${'f'.repeat(32)}`)).status, 404);
  assert.equal((await aClient.put(`/api/v1/commitments/${'f'.repeat(32)}`, { status: 'kept' })).status, 404);
});

test('limits and bad input', async () => {
  const { aClient } = await pair(server.url);
  const cm = await make(aClient, { text: 'x'.repeat(1000), review_every_days: 365 });
  assert.equal(cm.text.length, 1000);
  const cases = [
    [{ text: '', review_every_days: 7 }, 'too_short'],
    [{ text: 'x'.repeat(1001), review_every_days: 7 }, 'too_long'],
    [{ text: 'ok', review_every_days: 0 }, 'out_of_range'],
    [{ text: 'ok', review_every_days: 366 }, 'out_of_range'],
    [{ text: 'ok', review_every_days: '7' }, 'wrong_type'],
    [{ text: 'ok', review_every_days: 7.5 }, 'wrong_type'],
    [{ text: 'ok' }, 'missing_field'],
    [{ text: 'ok', review_every_days: 7, shared_with: [] }, 'unknown_field'],
  ];
  for (const [body, code] of cases) {
    const res = await aClient.post('/api/v1/commitments', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${describe(res)}`);
    assert.equal(errCode(res), code);
  }
  const reviews = [
    [{ status: 'forgotten' }, 'invalid_value'],
    [{ status: 'kept', note: 'n'.repeat(2001) }, 'too_long'],
    [{ note: 'hello' }, 'missing_field'],
    [{ status: true }, 'wrong_type'],
  ];
  for (const [body, code] of reviews) {
    const res = await aClient.put(`/api/v1/commitments/${cm.id}`, body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code);
  }
  assert.equal((await aClient.put(`/api/v1/commitments/${cm.id}`,
    { status: 'kept', note: 'n'.repeat(2000) })).status, 200);
  assert.equal((await aClient.post('/api/v1/commitments',
    { text: 'ok', review_every_days: 7 }, { csrf: false })).status, 403);
  assert.equal((await aClient.get('/api/v1/commitments?x=1')).status, 400);
  assert.equal((await new Client(server.url).get('/api/v1/commitments')).status, 401);
});

test('pages: make, review and read the history without JavaScript', async () => {
  const { aClient } = await pair(server.url);
  const empty = await aClient.get('/commitments');
  assert.equal(empty.status, 200);
  assert.match(empty.text, /<form class="form" method="post" action="\/commitments">/);

  const made = await aClient.form('/commitments', {
    csrf: aClient.csrf, text: 'I will put my phone away at dinner.', review_every_days: '3',
  });
  assert.equal(made.status, 303, describe(made));
  assert.equal(made.headers.get('location'), '/commitments?made=1');
  const listed = (await aClient.get('/api/v1/commitments')).json.commitments;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].review_every_days, 3);
  const { id } = listed[0];

  const page = await aClient.get('/commitments?made=1');
  assert.match(page.text, /I will put my phone away at dinner\./);
  assert.match(page.text, /role="status"/);
  assert.match(page.text, new RegExp(`action="/commitments/${id}/review"`));
  for (const s of ['kept', 'slipped', 'renewed']) {
    assert.match(page.text, new RegExp(`<input type="radio" id="${s}-${id}" name="status" value="${s}"`));
    assert.match(page.text, new RegExp(`<label for="${s}-${id}">`));
  }

  const reviewed = await aClient.form(`/commitments/${id}/review`, {
    csrf: aClient.csrf, status: 'slipped', note: 'Twice this week.',
  });
  assert.equal(reviewed.status, 303, describe(reviewed));
  const history = await aClient.get('/commitments');
  assert.match(history.text, /Twice this week\./);
  assert.match(history.text, /class="review-slipped"/);

  const noStatus = await aClient.form(`/commitments/${id}/review`, { csrf: aClient.csrf, note: 'x' });
  assert.equal(noStatus.status, 400);
  assert.match(noStatus.text, /role="alert"/);
  const bad = await aClient.form('/commitments', {
    csrf: aClient.csrf, text: 'Kept as typed.', review_every_days: '400',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Kept as typed\./);
  assert.equal((await aClient.form('/commitments', { text: 'x', review_every_days: '7' })).status, 403);
});

test('the reflection page lists its steps, and its timer script is served', async () => {
  const { aClient } = await pair(server.url);
  const page = await aClient.get('/reflect');
  assert.equal(page.status, 200);
  assert.match(page.text, /<ol class="reflect-steps">/);
  assert.ok((page.text.match(/<li class="reflect-step card" data-seconds="\d+">/g) || []).length >= 5);
  assert.match(page.text, /<script src="\/static\/js\/reflect\.js" defer><\/script>/);
  assert.match(page.text, /<div class="reflect-timer" hidden>/, 'the timer appears only with JavaScript');
  assert.doesNotMatch(page.text, /<script>|style="/);
  const js = await aClient.get('/static/js/reflect.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.match(js.text, /prefers-reduced-motion/);
  assert.equal((await new Client(server.url).get('/reflect')).status, 303);
  const es = await pair(server.url, { aFields: { language: 'es' } });
  assert.equal((await es.aClient.get('/reflect')).status, 200);
});

test('the journal offers at least twelve prompts, and a random one', async () => {
  const { aClient } = await pair(server.url);
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    const res = await aClient.get(`/journal/new?prompt=${i}`);
    const m = /<blockquote id="prompt-text">([^<]*)<\/blockquote>/.exec(res.text);
    if (m) seen.add(m[1]);
  }
  assert.ok(seen.size >= 12, `${seen.size} prompts`);
  const random = await aClient.get('/journal/new?prompt=random');
  assert.match(random.text, /<blockquote id="prompt-text">[^<]+<\/blockquote>/);
});

test('commitment texts and notes are not readable in the database, its WAL or the log', async () => {
  const { aClient } = await pair(server.url);
  const markers = new Map();
  const mk = (label) => {
    const m = `cmt-marker-${rand(16)}`;
    markers.set(label, m);
    return m;
  };
  const cm = await make(aClient, { text: `I will ${mk('text')}.`, review_every_days: 2 });
  await aClient.put(`/api/v1/commitments/${cm.id}`, { status: 'kept', note: mk('note') });
  await aClient.put(`/api/v1/commitments/${cm.id}`, { status: 'slipped', note: `Ой ${mk('note ru')}` });
  const page = await aClient.form('/commitments', {
    csrf: aClient.csrf, text: mk('page text'), review_every_days: '7',
  });
  assert.equal(page.status, 303);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  // the statuses are sealed too: "slipped" is nobody's business
  if (server.dbPath) {
    const db = await fsp.readFile(server.dbPath);
    const wal = await fsp.readFile(`${server.dbPath}-wal`).catch(() => Buffer.alloc(0));
    for (const bytes of [db, wal]) assert.equal(bytes.includes(Buffer.from('slipped\n')), false);
  } else {
    assert.doesNotMatch(dbDump(server), /slipped/, 'no status in the PostgreSQL database');
  }
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)), []);
});
