// Home's "Be patient and kind" (step 5): where the couple stands and the one
// next action, the partner first.  An "I'm triggered" of the partner's comes
// before anything else, at the top of the page, until it is answered; then
// the pace (the reader's own answers missing), a trigger plan, a ritual, the
// listening exercise, and last a small thanks.  A pause is said as such, and
// nothing on home ever tells what the partner answered on their pace.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, pair, startServer } from './harness.mjs';

let server;
let A; // reads home in English
let B; // in Russian

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'ru' } });
  A = p.aClient;
  B = p.bClient;
});
after(async () => { await server?.stop(); });

const RUNGS = ['hands', 'hug', 'kiss', 'cuddle', 'massage', 'sensate_1', 'sensate_2', 'sensate_3', 'intercourse'];

async function home(c) {
  const res = await c.get('/home');
  assert.equal(res.status, 200, describe(res));
  return res.text;
}

// The step's part of the page: from its heading to the end of its list.
function step5(html) {
  const at = html.indexOf('href="/pace">');
  assert.ok(at > 0, 'home has the step');
  return html.slice(at, html.indexOf('</li>\n</ol>', at));
}

async function answerAll(c, choice) {
  for (const key of RUNGS) {
    const res = await c.put(`/api/v1/pace/${key}`, { choice: typeof choice === 'function' ? choice(key) : choice });
    assert.equal(res.status, 200, describe(res));
  }
}

test('the next action goes partner first, then the pace, the plan, a ritual, listening, a thanks', async () => {
  let s = step5(await home(A));
  assert.match(s, /Go at the pace of the slower of you/);
  assert.match(s, /href="\/pace">Set your pace</, 'the reader has not answered their pace');
  assert.doesNotMatch(await home(A), /Your partner needs you/);

  // B is triggered: A's home says so first, at the top, with the way to answer
  let res = await B.post('/api/v1/triggered', { note: 'today was hard' });
  assert.equal(res.status, 201, describe(res));
  const alert = res.json.triggered;
  let page = await home(A);
  const top = page.indexOf('Your partner needs you');
  assert.ok(top > 0 && top < page.indexOf('href="/pace">'), 'the alert comes before the steps');
  assert.match(page, /href="\/triggered">Be there for them</);
  assert.doesNotMatch(page, /today was hard/, 'the note stays on /triggered, not on home');
  assert.doesNotMatch(await home(B), /Вы нужны партнёру/, 'the one who is triggered is not asked to come');
  res = await A.post(`/api/v1/triggered/${alert.id}/answer`, {});
  assert.equal(res.status, 201, describe(res));
  page = await home(A);
  assert.doesNotMatch(page, /Your partner needs you/, 'answered: it is gone');

  // the pace, answered; then the plan
  await answerAll(A, 'yes');
  s = step5(await home(A));
  assert.doesNotMatch(s, /Set your pace/);
  assert.match(s, /href="\/triggered">Write your plan</);
  res = await A.put('/api/v1/trigger-plan', { wants: ['hold'], words: '', shared_with: [] });
  assert.equal(res.status, 200, describe(res));
  s = step5(await home(A));
  assert.match(s, /href="\/rituals">/);

  res = await A.post('/api/v1/rituals', { kind: 'parting', title: 'A kiss at the door', every: 'day' });
  assert.equal(res.status, 201, describe(res));
  s = step5(await home(A));
  assert.match(s, /You keep 1 ritual of connection together\./);
  assert.match(s, /href="\/listening">Start listening</);

  const aId = (await A.get('/api/v1/me')).json.member.id;
  res = await A.post('/api/v1/listening', { speaker_first: aId });
  assert.equal(res.status, 201, describe(res));
  s = step5(await home(A));
  assert.match(s, /href="\/appreciations">Write an appreciation</);
});

test('what both want is counted once both answered every step; a pause hides it, in Russian too', async () => {
  // A said yes to every step above; B's home, before B answered, says nothing of A's answers
  let s = step5(await home(B));
  assert.doesNotMatch(s, /«да»/, 'nothing shows before both answered every step');
  await answerAll(B, (key) => (key === 'hands' || key === 'hug' ? 'yes' : 'not_yet'));
  s = step5(await home(B));
  assert.match(s, /Вы оба ответили «да» на 2 шага вашего темпа\./);
  assert.match(step5(await home(A)), /You both said yes to 2 steps of your pace\./);

  let res = await A.post('/api/v1/pace/pause');
  assert.equal(res.status, 200, describe(res));
  assert.match(step5(await home(B)), /Ваш темп на паузе\./, 'the partner sees the pause at once');
  assert.match(step5(await home(A)), /Your pace is paused\./);
  assert.doesNotMatch(step5(await home(A)), /said yes to/);
  res = await A.post('/api/v1/pace/resume');
  assert.equal(res.status, 200, describe(res));
  assert.match(step5(await home(A)), /You both said yes to 2 steps/);

  // a withdrawn yes counts at once
  res = await B.put('/api/v1/pace/hug', { choice: 'maybe' });
  assert.equal(res.status, 200, describe(res));
  assert.match(step5(await home(A)), /You both said yes to 1 step of your pace\./);
});
