// The listening exercise (step 5, speaker and listener after PREP): a
// session both partners see (a topic, who speaks first), and each
// partner's own answer (turns, minutes, "I felt heard" 1-5), sealed under
// their own key: the partner never reads it, nor whether it exists.  The
// routes are hand-written (src/api/api-listening.c, src/web/pages-
// listening.c); their authorization is in authz.test.mjs.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { joinCareTeam } from './care-member.mjs';
import { describe, errCode, leaksAtRest, markerSet, pair, startServer } from './harness.mjs';

let server;
let A;
let B;
let aId;
let bId;
let X; // another couple's partner
let xId;

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  aId = p.a.member.id;
  bId = p.b.member.id;
  const q = await pair(server.url);
  X = q.aClient;
  xId = q.a.member.id;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();

async function start(c, body) {
  const res = await c.post('/api/v1/listening', body);
  assert.equal(res.status, 201, describe(res));
  return res.json.listening;
}

test('a session names who speaks first; both partners see it, each from their side', async () => {
  const topic = mark('topic', 'How we spend Sundays');
  const s = await start(A, { topic, speaker_first: bId });
  assert.equal(s.topic, topic);
  assert.equal(s.speaker_first, bId);
  assert.equal(s.me_first, false);
  assert.equal(s.answer, null);
  const seen = (await B.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id);
  assert.ok(seen, 'the partner sees it');
  assert.equal(seen.topic, topic);
  assert.equal(seen.me_first, true, 'B speaks first');
  assert.equal(seen.mine, false);
  const noTopic = await start(B, { speaker_first: bId });
  assert.equal(noTopic.topic, null);
  assert.equal(noTopic.me_first, true);
});

test('each partner\'s "I felt heard" is their own: the other never reads it, nor whether it was given', async () => {
  const s = await start(A, { topic: 'Money', speaker_first: aId });
  const before = (await B.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id);
  const a = await A.put(`/api/v1/listening/${s.id}`, { turns: 6, minutes: 25, felt_heard: 2 });
  assert.equal(a.status, 200, describe(a));
  assert.equal(a.json.listening.answer.felt_heard, 2);
  assert.equal(a.json.listening.answer.turns, 6);
  assert.equal(a.json.listening.answer.minutes, 25);
  const after = (await B.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id);
  assert.deepEqual(after, before, 'nothing B reads changed when A answered');
  assert.equal(after.answer, null);
  const b = await B.put(`/api/v1/listening/${s.id}`, { turns: 6, minutes: 24, felt_heard: 5 });
  assert.equal(b.status, 200, describe(b));
  assert.equal(b.json.listening.answer.felt_heard, 5, 'B reads their own');
  assert.equal((await A.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id).answer.felt_heard, 2,
    'A still reads their own, not B\'s');
  assert.doesNotMatch(JSON.stringify((await A.get('/api/v1/listening')).json), /"felt_heard":5/);
  // a second answer replaces the first
  const again = await A.put(`/api/v1/listening/${s.id}`, { turns: 7, minutes: 30, felt_heard: 3 });
  assert.equal(again.json.listening.answer.felt_heard, 3);
  // the pages, too
  const aPage = await A.get(`/listening/${s.id}`);
  assert.equal(aPage.status, 200);
  assert.match(aPage.text, /id="listening-h3" name="felt_heard" value="3" checked/);
  assert.doesNotMatch(aPage.text, /value="5" checked/);
  const bPage = await B.get(`/listening/${s.id}`);
  assert.match(bPage.text, /id="listening-h5" name="felt_heard" value="5" checked/);
});

test('refusals: who speaks first is one of the couple\'s partners; the answer\'s bounds', async () => {
  const count = async () => (await A.get('/api/v1/listening')).json.listening.length;
  const n = await count();
  for (const [body, code] of [
    [{ speaker_first: xId }, 'invalid_value'],
    [{ speaker_first: 'f'.repeat(32) }, 'invalid_value'],
    [{ speaker_first: 'me' }, 'invalid_value'],
    [{ topic: 'T' }, 'missing_field'],
    [{ topic: 'x'.repeat(201), speaker_first: aId }, 'too_long'],
    [{ speaker_first: aId, felt_heard: 3 }, 'unknown_field'],
  ]) {
    const res = await A.post('/api/v1/listening', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
  }
  assert.equal(await count(), n, 'nothing kept');
  const s = await start(A, { speaker_first: aId });
  for (const [body, code] of [
    [{ turns: 1, minutes: 1, felt_heard: 0 }, 'out_of_range'],
    [{ turns: 1, minutes: 1, felt_heard: 6 }, 'out_of_range'],
    [{ turns: 101, minutes: 1, felt_heard: 3 }, 'out_of_range'],
    [{ turns: 1, minutes: 601, felt_heard: 3 }, 'out_of_range'],
    [{ turns: 1, minutes: 1 }, 'missing_field'],
    [{ turns: 1, minutes: 1, felt_heard: '4' }, 'wrong_type'],
  ]) {
    const res = await A.put(`/api/v1/listening/${s.id}`, body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${JSON.stringify(body)}: ${describe(res)}`);
  }
  const es = await B.put(`/api/v1/listening/${s.id}`, { turns: 1, minutes: 1, felt_heard: 9 });
  assert.match(es.json.error.message, /Sentí que me escucharon/, `named, in Spanish: ${describe(es)}`);
  assert.equal((await A.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id).answer, null);
});

test('another couple and the care team see nothing of it', async () => {
  const s = await start(A, { topic: 'Ours', speaker_first: aId });
  assert.ok(!(await X.get('/api/v1/listening')).json.listening.some((x) => x.id === s.id));
  const put = await X.put(`/api/v1/listening/${s.id}`, { turns: 1, minutes: 1, felt_heard: 1 });
  assert.equal(put.status, 404, describe(put));
  assert.equal((await X.get(`/listening/${s.id}`)).status, 404);
  const p = await pair(server.url);
  const care = await joinCareTeam(server.url, p.aClient, p.bClient);
  await start(p.aClient, { speaker_first: p.a.member.id });
  for (const res of [await care.client.get('/api/v1/listening'),
    await care.client.post('/api/v1/listening', { speaker_first: care.id })]) {
    assert.equal(res.status, 403, describe(res));
  }
});

test('the pages start a session and save an answer without JavaScript', async () => {
  const list = await A.get('/listening');
  assert.equal(list.status, 200);
  assert.match(list.text, /Markman/);
  assert.match(list.text, new RegExp(`name="speaker_first" value="${bId}"`));
  const topic = mark('page topic', 'The holidays');
  const res = await A.form('/listening', { topic, speaker_first: bId, csrf: A.csrf });
  assert.equal(res.status, 303, describe(res));
  const loc = res.headers.get('location');
  assert.match(loc, /^\/listening\/[0-9a-f]{32}$/);
  const page = await B.get(loc);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(topic));
  assert.match(page.text, /<ol class="reflect-steps">/, 'the steps are a list');
  assert.match(page.text, /<script src="\/static\/js\/listening\.js" defer><\/script>/);
  assert.doesNotMatch(page.text, /<script>(?!<)/, 'no inline script');
  const saved = await B.form(loc, { turns: '4', minutes: '20', felt_heard: '4', csrf: B.csrf });
  assert.equal(saved.status, 303, describe(saved));
  assert.match(saved.headers.get('location'), /\?saved=1#answer$/);
  const again = await B.get(saved.headers.get('location'));
  assert.match(again.text, /Guardado, solo para ti/);
  const bad = await B.form(loc, { turns: '4', minutes: '20', felt_heard: '7', csrf: B.csrf });
  assert.equal(bad.status, 400, describe(bad));
  assert.match(bad.text, /aria-invalid="true"/);
  const badStart = await A.form('/listening', { speaker_first: xId, csrf: A.csrf });
  assert.equal(badStart.status, 400, describe(badStart));
  const js = await A.get('/static/js/listening.js');
  assert.equal(js.status, 200);
});

test('a partner who leaves keeps the session they started and their own answer; neither reads the other\'s', async () => {
  const p = await pair(server.url);
  const s = await start(p.bClient, { topic: 'Before', speaker_first: p.b.member.id });
  assert.equal((await p.aClient.put(`/api/v1/listening/${s.id}`, { turns: 2, minutes: 10, felt_heard: 3 })).status, 200);
  assert.equal((await p.bClient.put(`/api/v1/listening/${s.id}`, { turns: 2, minutes: 11, felt_heard: 5 })).status, 200);
  const left = await p.bClient.post('/api/v1/couple/leave', { password: p.b.password });
  assert.equal(left.status, 200, describe(left));
  const a = (await p.aClient.get('/api/v1/listening')).json.listening.find((x) => x.id === s.id);
  assert.ok(a, 'the one who stays keeps the session');
  assert.equal(a.answer.felt_heard, 3, 'with their own answer');
  const b = (await p.bClient.get('/api/v1/listening')).json.listening;
  const mine = b.find((x) => x.id === s.id);
  assert.ok(mine, 'the leaver keeps the session they started');
  assert.equal(mine.answer.felt_heard, 5, 'with their own answer');
  assert.doesNotMatch(JSON.stringify(b), /"felt_heard":3/, 'never the other\'s');
});

test('nothing of a session is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 2);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
