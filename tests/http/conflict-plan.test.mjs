// The conflict plan and time-outs (step 3): either partner proposes the
// plan or a change; it is agreed only while both accepted its current
// version; a break taken now is seen by both at once.  Who may call each
// route is in the authorization matrix (authz.test.mjs).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, startServer,
} from './harness.mjs';

let server;
const { markers, mark } = markerSet(); // texts that must never be readable at rest

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function planBody(label, over = {}) {
  return {
    timeout_word: mark(`${label} word`, 'Pineapple'),
    break_minutes: 30,
    come_back: mark(`${label} come back`, 'The one who called the break comes to find the other'),
    soft_startup: mark(`${label} soft`, 'I feel scared about the messages; I need to hear the truth'),
    ...over,
  };
}

async function plan(c) {
  const res = await c.get('/api/v1/conflict-plan');
  assert.equal(res.status, 200, describe(res));
  return res.json.plan;
}

test('a plan holds only while both accepted its current version', async () => {
  const { aClient: A, bClient: B, a, b } = await pair(server.url);
  const aId = a.member.id;
  const bId = b.member.id;
  assert.equal(await plan(A), null, 'no plan before the first one');
  assert.equal((await A.post('/api/v1/conflict-plan/accept', {})).status, 404, 'nothing to accept');

  const body = planBody('v1');
  const put = await A.put('/api/v1/conflict-plan', body);
  assert.equal(put.status, 200, describe(put));
  let p = put.json.plan;
  assert.equal(p.version, 1);
  assert.equal(p.proposed_by, aId);
  assert.deepEqual(p.accepted_by, [aId]);
  assert.equal(p.agreed, false, 'one-sided: not agreed');
  assert.equal(p.timeout_word, body.timeout_word);
  assert.equal(p.break_minutes, 30);
  assert.equal((await plan(B)).agreed, false, 'B sees it as proposed, not agreed');

  const own = await A.post('/api/v1/conflict-plan/accept', {});
  assert.equal(own.status, 403, describe(own));
  assert.equal(errCode(own), 'forbidden');

  const stale = await B.post('/api/v1/conflict-plan/accept', { version: 2 });
  assert.equal(stale.status, 409, describe(stale));
  assert.equal((await plan(B)).agreed, false, 'a refused accept changes nothing');

  p = (await B.post('/api/v1/conflict-plan/accept', { version: 1 })).json.plan;
  assert.deepEqual(p.accepted_by, [aId, bId]);
  assert.equal(p.agreed, true);
  assert.equal((await plan(A)).agreed, true, 'A sees it agreed too');

  // B proposes a change: back to one-sided, B's own version
  p = (await B.put('/api/v1/conflict-plan', planBody('v2', { break_minutes: 45 }))).json.plan;
  assert.equal(p.version, 2);
  assert.equal(p.proposed_by, bId);
  assert.deepEqual(p.accepted_by, [bId], 'A\'s acceptance of version 1 does not count for version 2');
  assert.equal(p.agreed, false);
  p = (await A.post('/api/v1/conflict-plan/accept', {})).json.plan;
  assert.equal(p.agreed, true);
  assert.equal(p.break_minutes, 45);
});

test('a change at the moment of an accept never ends in "agreed" on a version not accepted', async () => {
  for (let round = 0; round < 4; round++) {
    const { aClient: A, bClient: B } = await pair(server.url);
    await A.put('/api/v1/conflict-plan', planBody(`race ${round}`));
    const [acc, rev] = await Promise.all([
      B.post('/api/v1/conflict-plan/accept', { version: 1 }),
      A.put('/api/v1/conflict-plan', planBody(`race ${round} b`)),
    ]);
    assert.ok([200, 409].includes(acc.status), describe(acc));
    assert.equal(rev.status, 200, describe(rev));
    const p = await plan(A);
    assert.equal(p.version, 2);
    assert.equal(p.agreed, false, 'version 2 was accepted by A alone');
    assert.deepEqual(p.accepted_by.length, 1);
  }
});

test('bad plans and breaks are refused, and change nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'es' } });
  await A.put('/api/v1/conflict-plan', planBody('bad'));
  const before = await plan(A);
  const bad = [
    [{ ...planBody('x'), break_minutes: 19 }, 'out_of_range'],
    [{ ...planBody('x'), break_minutes: 1441 }, 'out_of_range'],
    [{ ...planBody('x'), break_minutes: '30' }, 'wrong_type'],
    [{ ...planBody('x'), timeout_word: '' }, 'too_short'],
    [{ ...planBody('x'), come_back: 'y'.repeat(2001) }, 'too_long'],
    [{ timeout_word: 'Stop', break_minutes: 20 }, 'missing_field'],
    [{ ...planBody('x'), proposed_by: 'someone' }, 'unknown_field'],
  ];
  for (const [body, code] of bad) {
    const res = await B.put('/api/v1/conflict-plan', body);
    assert.equal(res.status, 400, `${code}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  assert.deepEqual(await plan(A), before, 'nothing changed');
  for (const minutes of [0, 19, 1441]) {
    const res = await A.post('/api/v1/timeouts', { minutes });
    assert.equal(res.status, 400, describe(res));
  }
  assert.equal((await A.get('/api/v1/timeouts')).json.timeout, null, 'no break was taken');
  const es = await B.put('/api/v1/conflict-plan', { ...planBody('x'), break_minutes: 5 });
  assert.match(es.json.error.message, /Cuánto dura una pausa.*fuera del rango/, `in Spanish, naming the field: ${describe(es)}`);
});

test('a break taken now: both see it at once, on the API and on home', async () => {
  const { aClient: A, bClient: B, a } = await pair(server.url);
  assert.equal((await B.get('/api/v1/timeouts')).json.timeout, null);
  // without a plan a break lasts 20 minutes; with one, the plan's length
  let res = await A.post('/api/v1/timeouts', {});
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.timeout.minutes, 20);
  await A.put('/api/v1/conflict-plan', planBody('break'));
  res = await A.post('/api/v1/timeouts', {});
  const t = res.json.timeout;
  assert.equal(t.minutes, 30, 'the plan\'s length');
  assert.equal(t.author_id, a.member.id);
  const ends = Date.parse(t.ends_at) - Date.parse(t.started_at);
  assert.equal(ends, 30 * 60 * 1000);
  const seen = (await B.get('/api/v1/timeouts')).json.timeout;
  assert.equal(seen.id, t.id, 'B sees the break at once');
  assert.equal(seen.mine, false);
  const home = await B.get('/home');
  assert.match(home.text, /Your partner asked for a break\. Come back to it together in about (29|30) minutes\./);
  assert.match(home.text, new RegExp(`<time datetime="${t.ends_at}"`));
  const mine = await A.get('/home');
  assert.match(mine.text, /You asked for a break/);
  // another couple sees nothing of it
  const other = (await pair(server.url)).aClient;
  assert.equal((await other.get('/api/v1/timeouts')).json.timeout, null);
});

test('the page: propose, accept and take a break without JavaScript', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'ru' } });
  const back = await A.form('/conflict-plan', { timeout_word: '', break_minutes: '30', come_back: 'x', soft_startup: 'y', csrf: A.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="plan-word"[^>]*aria-invalid="true"/);
  assert.ok(back.text.includes('value="30"'), 'the typed length is kept');

  const body = planBody('page');
  const saved = await A.form('/conflict-plan', { ...body, break_minutes: '30', csrf: A.csrf });
  assert.equal(saved.status, 303, describe(saved));
  let page = await B.get('/conflict-plan');
  assert.ok(page.text.includes(body.timeout_word), 'B reads the proposal');
  assert.match(page.text, /<html lang="ru"/);
  assert.match(page.text, /action="\/conflict-plan\/accept"/, 'B is offered to accept');
  const aPage = await A.get('/conflict-plan');
  assert.ok(!/action="\/conflict-plan\/accept"/.test(aPage.text), 'A is not offered to accept their own');

  const ok = await B.form('/conflict-plan/accept', { version: '1', csrf: B.csrf });
  assert.equal(ok.status, 303, describe(ok));
  assert.equal((await plan(A)).agreed, true);
  page = await A.get('/conflict-plan');
  assert.match(page.text, /You have both accepted this plan/);

  const brk = await B.form('/timeouts', { minutes: '25', csrf: B.csrf });
  assert.equal(brk.status, 303, describe(brk));
  assert.equal((await A.get('/api/v1/timeouts')).json.timeout.minutes, 25);
  page = await A.get('/conflict-plan');
  assert.match(page.text, /Your partner asked for a break/);
  assert.ok(!/action="\/timeouts"/.test(page.text), 'no second break while one is on');
});

test('home: step 3 begins with a plan, and the partner is asked to read it first', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const step3 = async (c) => {
    const home = await c.get('/home');
    return [...home.text.matchAll(/<p class="step-status">([^<]*)<\/p>/g)].map((m) => m[1])[2];
  };
  assert.match(await step3(A), /You have not begun this step yet/);
  const scores = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };
  const today = new Date().toISOString().slice(0, 10);
  const ci = await B.post('/api/v1/checkins', { period: today, scores, trust: 5, closeness: 5, shared_with: [] });
  assert.equal(ci.status, 201, describe(ci));
  await A.put('/api/v1/conflict-plan', planBody('home'));
  assert.match(await step3(A), /You have begun this step/);
  const home = await B.get('/home');
  assert.match(home.text, /Your partner proposed a plan for hard conversations/, 'B\'s next step');
  assert.match(home.text, /href="\/conflict-plan"/);
  await B.post('/api/v1/conflict-plan/accept', {});
  assert.ok(!(await B.get('/home')).text.includes('Your partner proposed a plan'), 'accepted: asked no more');
  assert.match(await step3(A), /You have begun this step/, 'agreed, but A has not written what helps them');
  await A.put('/api/v1/helps-me', { body: 'A walk first.', shared_with: [] });
  assert.match(await step3(A), /This step is going steadily/);
});

test('nothing of a plan is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 6);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
