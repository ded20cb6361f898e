// What the care team reads beyond the registry's lists (issue 14): the
// openness cards, "what helps me" and the session-prep summary of either
// partner, each only as far as a partner shared it with the care team.
// The consent, the care key and ending access are care.test.mjs's; who may
// call each route is the authorization matrix's (authz.test.mjs).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, login, markerSet, pair, startServer,
} from './harness.mjs';
import { joinCareTeam } from './care-member.mjs';

let server;
let A;
let B;
let X; // a partner of another couple
let aId;
let bId;
let xId;
let T; // the couple's therapist, access active

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en', display_name: 'Alma' },
    bFields: { language: 'es', display_name: 'Bruno' } });
  A = p.aClient;
  B = p.bClient;
  aId = p.a.member.id;
  bId = p.b.member.id;
  const q = await pair(server.url);
  X = q.aClient;
  xId = q.a.member.id;
  T = (await joinCareTeam(server.url, A, B, 'Dr. Reads')).client;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet(); // texts that must never be readable at rest
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

async function card(c, shared, label) {
  const res = await c.post('/api/v1/shares',
    { kind: 'fear', body: mark(label, 'That I will not be believed'), shared_with: shared });
  assert.equal(res.status, 201, describe(res));
  return res.json.share.id;
}

async function helps(c, shared, label) {
  const res = await c.put('/api/v1/helps-me',
    { body: mark(label, 'Sit near me and say nothing for a while'), shared_with: shared });
  assert.equal(res.status, 200, describe(res));
  return res.json.helps_me.mine.id;
}

test('openness cards: the therapist reads those shared with the care team, never the answer', async () => {
  const ids = {
    aPrivate: await card(A, [], 'card A private'),
    aPartner: await card(A, ['partner'], 'card A partner'),
    aCare: await card(A, ['partner', 'care'], 'card A care'),
    bCare: await card(B, ['partner', 'care'], 'card B care'),
    xCare: await card(X, ['partner', 'care'], 'card X care'),
  };
  const reply = mark('card reply', 'I hear you, and I believe you');
  const ack = await B.post(`/api/v1/shares/${ids.aCare}/ack`, { reply });
  assert.equal(ack.status, 201, describe(ack));

  const list = await T.get('/api/v1/shares');
  assert.equal(list.status, 200, describe(list));
  assert.deepEqual(new Set(list.json.shares.map((s) => s.id)), new Set([ids.aCare, ids.bCare]),
    'only the two cards shared with the care team');
  const aCare = list.json.shares.find((s) => s.id === ids.aCare);
  assert.equal(aCare.body, markers.get('card A care'));
  assert.equal(aCare.mine, false);
  assert.equal(aCare.ack, null, 'the answer is between the partners');
  assert.equal(aCare.can_ack, false);
  assert.ok(!list.text.includes(reply), 'the reply never reaches the therapist');

  const one = await T.get(`/api/v1/shares/${ids.bCare}`);
  assert.equal(one.status, 200, describe(one));
  assert.equal(one.json.share.body, markers.get('card B care'));
  const random = await T.get(`/api/v1/shares/${'0'.repeat(32)}`);
  assert.equal(random.status, 404);
  for (const hidden of ['aPrivate', 'aPartner', 'xCare']) {
    const res = await T.get(`/api/v1/shares/${ids[hidden]}`);
    assert.equal(res.status, 404, `${hidden}: ${describe(res)}`);
    assert.equal(res.text, random.text, `${hidden} answers as a random id`);
  }
  const tAck = await T.post(`/api/v1/shares/${ids.bCare}/ack`, { reply: 'noted' });
  assert.equal(tAck.status, 403, describe(tAck));
  const tMake = await T.post('/api/v1/shares', { kind: 'hope', body: 'x', shared_with: ['care'] });
  assert.equal(tMake.status, 403, describe(tMake));

  // the partners' view is as it was: A reads B's answer, B reads A's card
  const aView = (await A.get(`/api/v1/shares/${ids.aCare}`)).json.share;
  assert.equal(aView.ack.reply, reply);
  assert.equal((await B.get(`/api/v1/shares/${ids.aCare}`)).json.share.body, markers.get('card A care'));
});

test('what helps me: the therapist reads each text shared with the care team', async () => {
  const before = await T.get('/api/v1/helps-me');
  assert.equal(before.status, 200, describe(before));
  assert.deepEqual(before.json.helps_me, { mine: null, partner: null, care: [] });

  const aText = await helps(A, ['partner', 'care'], 'helps A care');
  await helps(B, ['partner'], 'helps B partner');
  await helps(X, ['partner', 'care'], 'helps X care');
  let res = await T.get('/api/v1/helps-me');
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.helps_me.mine, null);
  assert.equal(res.json.helps_me.partner, null);
  assert.deepEqual(res.json.helps_me.care.map((h) => [h.id, h.author_id, h.body]),
    [[aText, aId, markers.get('helps A care')]]);
  assert.ok(!res.text.includes(markers.get('helps B partner')), 'B\'s text is for A alone');

  const bText = await helps(B, ['partner', 'care'], 'helps B care');
  res = await T.get('/api/v1/helps-me');
  assert.deepEqual(new Set(res.json.helps_me.care.map((h) => h.id)), new Set([aText, bText]));
  // A partner's answer keeps its shape: no care list there
  const aRead = await A.get('/api/v1/helps-me');
  assert.equal(aRead.json.helps_me.care, undefined);
  assert.equal(aRead.json.helps_me.partner.body, markers.get('helps B care'));

  // kept private again: gone from the therapist's answer
  await helps(A, [], 'helps A private');
  res = await T.get('/api/v1/helps-me');
  assert.deepEqual(res.json.helps_me.care.map((h) => h.id), [bText]);
  const tPut = await T.put('/api/v1/helps-me', { body: 'x', shared_with: ['care'] });
  assert.equal(tPut.status, 403, describe(tPut));
});

test('the summary: the therapist names a partner and reads what that partner shared with the care team', async () => {
  const limit = async (c, shared, label) => {
    const res = await c.post('/api/v1/limits',
      { kind: 'trigger', text: mark(label, 'Being asked where I was'), shared_with: shared });
    assert.equal(res.status, 201, describe(res));
    return res.json.limit.id;
  };
  const aCare = await limit(A, ['partner', 'care'], 'summary A care');
  const bLimit = await limit(B, ['partner', 'care'], 'limit B care');
  // the therapist's page names whoever wrote each: both partners, each by their own name
  const limits = await T.get('/limits');
  assert.equal(limits.status, 200, describe(limits));
  const cardOf = (id) => limits.text.slice(limits.text.indexOf(`id="item-${id}"`)).split('</li>')[0];
  assert.match(cardOf(aCare), /Alma shared this with the care team/);
  assert.match(cardOf(bLimit), /Bruno shared this with the care team/);
  const aPartner = await limit(A, ['partner'], 'summary A partner');
  const bCare = await limit(B, ['partner', 'care'], 'summary B care');
  const entry = await A.post('/api/v1/journal', { body: mark('summary journal', 'Nobody reads this') });
  assert.equal(entry.status, 201, describe(entry));
  const checkin = await A.post('/api/v1/checkins', {
    period: day(0), scores: { emotional: 3, physical: 3, mental: 2, sexual: 2, financial: 4 },
    trust: 4, closeness: 5, note: mark('summary check-in', 'A hard day, but we talked'),
    shared_with: ['partner', 'care'] });
  assert.equal(checkin.status, 201, describe(checkin));
  const breach = await A.post('/api/v1/breaches',
    { description: mark('summary breach', 'I read your messages'), self_report: true, shared_with: ['partner', 'care'] });
  assert.equal(breach.status, 201, describe(breach));
  const breachId = breach.json.breach.id;
  for (const [c, label] of [[A, 'A repair'], [B, 'B repair']]) {
    const rep = await c.post(`/api/v1/breaches/${breachId}/repair`, {
      feelings: ['hurt'], my_view: mark(label, 'I felt shut out'), my_part: 'I went quiet.',
      do_differently: 'Ask before I assume.' });
    assert.equal(rep.status, 201, describe(rep));
  }
  const range = `from=${day(-1)}&to=${day(1)}`;

  const ofA = await T.get(`/api/v1/summary?${range}&member=${aId}`);
  assert.equal(ofA.status, 200, describe(ofA));
  assert.equal(ofA.json.summary.member_id, aId);
  const itemIds = (res) => new Set(res.json.summary.items.map((i) => i.item.id));
  assert.ok(itemIds(ofA).has(aCare), 'A\'s care-shared limit');
  assert.ok(!itemIds(ofA).has(aPartner) && !itemIds(ofA).has(bCare), 'nothing else of A\'s, nothing of B\'s');
  assert.ok(ofA.json.summary.cards.every((c) => c.body !== markers.get('card B care')));
  assert.ok(!ofA.text.includes(markers.get('summary A partner')));

  assert.deepEqual(ofA.json.summary.checkins.map((c) => c.note), [markers.get('summary check-in')]);
  // A's breach with both sides of its repair, as A reads it: the therapist reads it so too
  const inA = ofA.json.summary.items.find((i) => i.item.id === breachId);
  assert.ok(inA, 'A\'s care-shared breach');
  assert.deepEqual(inA.answers.filter((x) => x.kind === 'breach_repair').map((x) => x.item.my_view).sort(),
    [markers.get('A repair'), markers.get('B repair')].sort());
  assert.equal(ofA.json.summary.trend.trust.average, 4);

  const ofB = await T.get(`/api/v1/summary?${range}&member=${bId}`);
  assert.equal(ofB.status, 200, describe(ofB));
  assert.ok(itemIds(ofB).has(bCare) && !itemIds(ofB).has(aCare));
  assert.deepEqual(ofB.json.summary.checkins, [], 'A\'s check-in is in A\'s summary alone');
  assert.ok(!itemIds(ofB).has(breachId), 'the breach A recorded is in A\'s summary');

  // whose: a partner of this couple, named; the journal is never the therapist's to pick
  for (const [label, q] of [['no member', ''], ['another couple\'s partner', `&member=${xId}`],
    ['not an id', '&member=nobody'], ['the therapist', `&member=${(await T.get('/api/v1/me')).json.member.id}`]]) {
    const res = await T.get(`/api/v1/summary?${range}${q}`);
    assert.equal(res.status, 400, `${label}: ${describe(res)}`);
    assert.equal(errCode(res), 'invalid_value');
    assert.ok(res.json.error.message.includes('“member”'), `${label} names member: ${describe(res)}`);
  }
  const pick = await T.get(`/api/v1/summary?${range}&member=${aId}&journal=${entry.json.entry.id}`);
  assert.equal(pick.status, 400, describe(pick));
  assert.match(pick.json.error.message, /“journal entries”/i, describe(pick));
  // a partner's summary is their own
  const other = await A.get(`/api/v1/summary?${range}&member=${bId}`);
  assert.equal(other.status, 400, describe(other));
  assert.ok(other.json.error.message.includes('“member”'), describe(other));
  const own = await A.get(`/api/v1/summary?${range}&member=${aId}`);
  assert.equal(own.status, 200, describe(own));
  assert.ok(itemIds(own).has(aCare));

  // the page: a choice of partner, no journal, and what the chosen one shared
  const page = await T.get('/summary');
  assert.equal(page.status, 200, describe(page));
  assert.match(page.text, /name="member" value="[0-9a-f]{32}" checked/);
  assert.ok(page.text.includes('Alma') && page.text.includes('Bruno'), 'both partners to choose from');
  assert.ok(!page.text.includes('name="journal"'), 'no journal to pick');
  assert.ok(!page.text.includes('href="/journal"'), 'a therapist has no journal link');
  const pageB = await T.get(`/summary?${range}&member=${bId}`);
  assert.equal(pageB.status, 200);
  assert.ok(pageB.text.includes(markers.get('summary B care')));
  assert.ok(!pageB.text.includes(markers.get('summary A care')), 'only the partner chosen');
  const bad = await T.get(`/summary?${range}&member=${xId}`);
  assert.equal(bad.status, 400, describe(bad));
  assert.ok(!bad.text.includes(markers.get('summary A care')));
  const home = await T.get('/home');
  assert.match(home.text, /href="\/summary"/, 'the therapist\'s home leads to the summaries');
});

test('a therapist whose access ended reads no card, no text, no summary', async () => {
  const t = await joinCareTeam(server.url, B, A, 'Dr. Leaves');
  await card(A, ['partner', 'care'], 'card before the end');
  await helps(B, ['partner', 'care'], 'helps before the end');
  assert.equal((await t.client.get('/api/v1/shares')).json.shares.length > 0, true);
  assert.equal((await A.del(`/api/v1/care/${t.id}`)).status, 204);
  T = null; // ending access signs every therapist out: the active one signs in again below
  const E = t.client;
  assert.equal((await login(E, t.login, t.password)).status, 200);
  const cards = await E.get('/api/v1/shares');
  assert.equal(cards.status, 200, describe(cards));
  assert.deepEqual(cards.json.shares, []);
  const texts = await E.get('/api/v1/helps-me');
  assert.deepEqual(texts.json.helps_me, { mine: null, partner: null, care: [] });
  const sum = await E.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}&member=${aId}`);
  assert.equal(sum.status, 200, describe(sum));
  assert.deepEqual([sum.json.summary.items, sum.json.summary.cards, sum.json.summary.checkins], [[], [], []]);
  const page = await E.get('/summary');
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('Alma') && !page.text.includes('Bruno'), 'not even the partners\' names');
});

test('nothing shared with the care team is readable at rest', async () => {
  const leaks = await leaksAtRest(server, markers);
  assert.deepEqual(leaks, []);
});
