// The trigger plan and "I'm triggered" (step 5, be patient and kind): each
// partner writes what they would like when triggered and the words that
// help, shared with the partner or private; one tap tells the partner at
// once, with that plan when shared; the partner answers "I'm here" once, the
// author never.  Who may call each route is in the authorization matrix
// (authz.test.mjs); this file holds the rules, isolation, pages and what is
// left at rest.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, startServer,
} from './harness.mjs';

let server;
let A;
let B;
let X; // a partner of another couple

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'ru' } });
  A = p.aClient;
  B = p.bClient;
  X = (await pair(server.url)).aClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet(); // texts that must never be readable at rest

async function plan(c) {
  const res = await c.get('/api/v1/trigger-plan');
  assert.equal(res.status, 200, describe(res));
  return res.json.trigger_plan;
}

async function alerts(c) {
  const res = await c.get('/api/v1/triggered');
  assert.equal(res.status, 200, describe(res));
  return res.json.triggered;
}

test('a plan each: written, changed in place; the partner reads it only while shared', async () => {
  assert.deepEqual(await plan(A), { mine: null, partner: null });
  const words = mark('words', 'Tell me you are not going anywhere');
  let res = await A.put('/api/v1/trigger-plan', { wants: ['reassurance', 'hold'], words, shared_with: ['partner'] });
  assert.equal(res.status, 200, describe(res));
  const mine = res.json.trigger_plan.mine;
  assert.deepEqual(mine.wants, ['reassurance', 'hold']);
  assert.equal(mine.words, words);
  assert.deepEqual(mine.shared_with, ['partner']);
  assert.equal((await plan(B)).partner.words, words, 'B reads it');

  res = await A.put('/api/v1/trigger-plan', { wants: ['space'], words: '', shared_with: [] });
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.trigger_plan.mine.id, mine.id, 'one per member: the same, changed');
  assert.equal(res.json.trigger_plan.mine.version, 2);
  const hidden = await B.get('/api/v1/trigger-plan');
  assert.equal(hidden.json.trigger_plan.partner, null, 'private now');
  assert.ok(!hidden.text.includes(mine.id));
  assert.deepEqual((await X.get('/api/v1/trigger-plan')).json.trigger_plan, { mine: null, partner: null });
});

test('a plan that says nothing, or a wish not on the list, is refused and changes nothing', async () => {
  const before = await plan(B);
  const bad = [
    [{ wants: [], words: '', shared_with: [] }, 'invalid_value'],
    [{ shared_with: [] }, 'invalid_value'],
    [{ wants: ['chocolate'], shared_with: [] }, 'invalid_value'],
    [{ wants: ['space', 'space'], shared_with: [] }, 'invalid_value'],
    [{ words: 'x'.repeat(2001), shared_with: [] }, 'too_long'],
    [{ words: 'Hi' }, 'missing_field'],
    [{ words: 'Hi', shared_with: ['care'] }, null],
  ];
  for (const [body, code] of bad) {
    const res = await B.put('/api/v1/trigger-plan', body);
    if (code === null) { // the care team never reads it: shared with the partner at most
      if (res.status === 200) assert.deepEqual(res.json.trigger_plan.mine.shared_with, []);
      continue;
    }
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  const ru = await B.put('/api/v1/trigger-plan', { wants: [], words: '', shared_with: [] });
  assert.match(ru.json.error.message, /[а-я]/i, `in Russian: ${describe(ru)}`);
  const now = await plan(B);
  if (before.mine === null) assert.ok(now.mine === null || now.mine.words === 'Hi');
});

test('"I\'m triggered" reaches the partner at once with the shared plan; the partner answers once', async () => {
  const words = mark('plan2', 'Sit with me, quietly');
  await A.put('/api/v1/trigger-plan', { wants: ['hold'], words, shared_with: ['partner'] });
  const note = mark('note', 'The song in the shop');
  const res = await A.post('/api/v1/triggered', { note });
  assert.equal(res.status, 201, describe(res));
  const t = res.json.triggered;
  assert.equal(t.note, note);
  assert.equal(t.mine, true);
  assert.equal(t.answered, false);
  assert.equal(t.can_answer, false);
  assert.equal(t.open, true);
  assert.equal(t.plan, null, 'the author is not shown their own plan as the partner\'s');

  const seen = (await alerts(B)).find((x) => x.id === t.id);
  assert.ok(seen, 'B sees it at once');
  assert.equal(seen.note, note);
  assert.equal(seen.open, true);
  assert.equal(seen.can_answer, true);
  assert.equal(seen.plan?.words, words, 'with A\'s shared plan');
  assert.deepEqual(seen.plan.wants, ['hold']);

  const own = await A.post(`/api/v1/triggered/${t.id}/answer`, {});
  assert.equal(own.status, 403, `answering one's own: ${describe(own)}`);
  const answer = await B.post(`/api/v1/triggered/${t.id}/answer`, {});
  assert.equal(answer.status, 201, describe(answer));
  assert.equal(answer.json.triggered.answered, true);
  assert.equal(answer.json.triggered.open, false);
  const twice = await B.post(`/api/v1/triggered/${t.id}/answer`, {});
  assert.equal(twice.status, 409, describe(twice));
  assert.equal(errCode(twice), 'conflict');
  const back = (await alerts(A)).find((x) => x.id === t.id);
  assert.equal(back.answered, true, 'A sees the answer');
  assert.match(back.answered_at, /T00:00:00Z$/, 'the day, never the hour');

  // without a note, and with the plan kept private: no plan travels with it
  await A.put('/api/v1/trigger-plan', { wants: ['hold'], words, shared_with: [] });
  const bare = await A.post('/api/v1/triggered', {});
  assert.equal(bare.status, 201, describe(bare));
  assert.equal(bare.json.triggered.note, null);
  const b2 = (await alerts(B)).find((x) => x.id === bare.json.triggered.id);
  assert.equal(b2.plan, null, 'a private plan stays private');
  const bad = await A.post('/api/v1/triggered', { note: 'x'.repeat(501) });
  assert.equal(bad.status, 400, describe(bad));
  assert.equal(errCode(bad), 'too_long');
});

test('another couple sees no alert and answers none', async () => {
  const t = (await B.post('/api/v1/triggered', { note: mark('iso', 'Крик на улице') })).json.triggered;
  assert.ok(!(await alerts(X)).some((x) => x.id === t.id));
  const res = await X.post(`/api/v1/triggered/${t.id}/answer`, {});
  assert.equal(res.status, 404, describe(res));
  const random = await X.post(`/api/v1/triggered/${'0'.repeat(31)}2/answer`, {});
  assert.equal(res.text, random.text, 'answered as a random id is');
  assert.equal((await alerts(B)).find((x) => x.id === t.id).answered, false, 'nothing changed');
});

test('the page: the button, the partner\'s open alert with "I\'m here", the plan form, all without JavaScript', async () => {
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  const C = p.aClient;
  const D = p.bClient;
  const refused = await C.form('/trigger-plan', { words: '', share_partner: '1', csrf: C.csrf });
  assert.equal(refused.status, 400, describe(refused));
  assert.match(refused.text, /<fieldset[^>]*aria-invalid="true"/, 'the wishes are marked');
  assert.match(refused.text, /role="alert"/);

  const words = mark('pageplan', 'Breathe with me, slowly');
  const saved = await C.form('/trigger-plan', { 'wants.space': '1', 'wants.talk_later': '1', words, share_partner: '1', csrf: C.csrf });
  assert.equal(saved.status, 303, describe(saved));
  let page = await C.get('/triggered?saved=1');
  assert.match(page.text, /name="wants\.space" value="1" checked/);
  assert.doesNotMatch(page.text, /name="wants\.hold" value="1" checked/);
  assert.ok(page.text.includes(words));

  const sent = await C.form('/triggered', { note: '', csrf: C.csrf });
  assert.equal(sent.status, 303, describe(sent));
  assert.match(sent.headers.get('location'), /^\/triggered\?sent=1/);
  page = await D.get('/triggered');
  assert.equal(page.status, 200);
  assert.match(page.text, /<html lang="es"/);
  const m = page.text.match(/action="\/triggered\/([0-9a-f]{32})\/answer"/);
  assert.ok(m, 'D has an "I\'m here" button');
  assert.ok(page.text.includes(words), 'with C\'s plan');
  assert.ok(!(await C.get('/triggered')).text.includes('/answer"'), 'C has none on their own');

  const own = await C.form(`/triggered/${m[1]}/answer`, { csrf: C.csrf });
  assert.equal(own.status, 403, describe(own));
  const here = await D.form(`/triggered/${m[1]}/answer`, { csrf: D.csrf });
  assert.equal(here.status, 303, describe(here));
  const again = await D.form(`/triggered/${m[1]}/answer`, { csrf: D.csrf });
  assert.equal(again.status, 303, 'a second tap lands back on the page');
  page = await D.get('/triggered');
  assert.ok(!page.text.includes('/answer"'), 'answered: no button');
  for (const words2 of [/streak/i, /score/i, /missed/i]) assert.doesNotMatch(page.text, words2);
});

test('nothing of it is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 5);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
