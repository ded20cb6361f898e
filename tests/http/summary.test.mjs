// The session-prep summary (step 4): for a range of days, what the caller
// shared with the care team (every kind, by the day it was written;
// check-ins by their period, with their trend), and journal entries only
// when the caller picks them for this summary.  Never the partner's items,
// never anything private but the journal entries picked.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, startServer,
} from './harness.mjs';
import { day } from './kinds.mjs';

let server;
const { markers, mark } = markerSet();
const scores = { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5 };

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const created = (res, key) => {
  assert.equal(res.status, 201, describe(res));
  return res.json[key];
};

test('the range: from <= to, at most 366 days, real dates; else 400 naming the field', async () => {
  const { aClient: A } = await pair(server.url);
  // 366 days, both ends counted, as the check-ins' range
  const ok = await A.get(`/api/v1/summary?from=${day(-365)}&to=${day(0)}`);
  assert.equal(ok.status, 200, describe(ok));
  assert.equal(ok.json.summary.from, day(-365));
  assert.equal(ok.json.summary.to, day(0));
  const one = await A.get(`/api/v1/summary?from=${day(0)}&to=${day(0)}`);
  assert.equal(one.status, 200, describe(one));
  for (const [q, code, label] of [
    [`from=${day(-366)}&to=${day(0)}`, 'invalid_value', 'To'],
    [`from=${day(0)}&to=${day(-1)}`, 'invalid_value', 'To'],
    [`to=${day(0)}`, 'invalid_value', 'From'],
    [`from=${day(0)}`, 'invalid_value', 'To'],
    ['from=2026-02-30&to=2026-03-02', 'invalid_value', 'From'],
    [`from=${day(-1)}&to=2026-13-01`, 'invalid_value', 'To'],
    [`from=${day(-1)}&to=${day(0)}&journal=nope`, 'invalid_value', 'Journal entries'],
    [`from=${day(-1)}&to=${day(0)}&journal=0123456789abcdef0123456789abcdef`, 'invalid_value', 'Journal entries'],
    [`from=${day(-1)}&to=${day(0)}&kind=limit`, 'unknown_field', 'Kind'],
  ]) {
    const res = await A.get(`/api/v1/summary?${q}`);
    assert.equal(res.status, 400, `${q}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${q}: ${describe(res)}`);
    assert.ok(res.json.error.message.includes(label), `${q} names ${label}: ${describe(res)}`);
  }
});

test('only what the caller shared with the care team, in the range; journal only when picked', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const limitCare = mark('limit care', 'Not in front of the children');
  const limitPartner = mark('limit partner', 'Only between the two of us');
  const limitPriv = mark('limit private', 'A note to myself');
  const bLimitCare = mark('b limit care', 'Something B shares with care');
  const bLimitPriv = mark('b limit private', 'B keeps this alone');
  const w = (c, text, shared) => c.post('/api/v1/limits', { kind: 'trigger', text, shared_with: shared });
  const lc = created(await w(A, limitCare, ['partner', 'care']), 'limit');
  created(await w(A, limitPartner, ['partner']), 'limit');
  created(await w(A, limitPriv, []), 'limit');
  created(await w(B, bLimitCare, ['partner', 'care']), 'limit');
  created(await w(B, bLimitPriv, []), 'limit');

  const hwTitle = mark('homework', 'Talk for ten minutes every evening');
  const hw = created(await A.post('/api/v1/homework', { title: hwTitle, due_on: day(5), shared_with: ['partner', 'care'] }), 'homework');
  const hwNote = mark('homework note', 'The third evening was the easiest');
  assert.equal((await B.put(`/api/v1/homework/${hw.id}`, { done: true, note: hwNote })).status, 200);
  const hwPartnerOnly = mark('homework partner', 'Between us only');
  created(await A.post('/api/v1/homework', { title: hwPartnerOnly, due_on: day(5) }), 'homework');

  const cardCare = mark('card care', 'I am afraid of the silence after a fight');
  const cardPartner = mark('card partner', 'I hope we dance again');
  created(await A.post('/api/v1/shares', { kind: 'fear', body: cardCare, shared_with: ['partner', 'care'] }), 'share');
  created(await A.post('/api/v1/shares', { kind: 'hope', body: cardPartner, shared_with: ['partner'] }), 'share');

  const ciNote = mark('checkin care', 'A calmer week');
  const ciHidden = mark('checkin partner', 'Not for the therapist');
  const ci = (period, trust, note, shared) => A.post('/api/v1/checkins', {
    period, scores, trust, closeness: trust + 1, note, shared_with: shared,
  });
  created(await ci(day(-2), 4, undefined, ['partner', 'care']), 'checkin');
  created(await ci(day(-1), 7, ciNote, ['partner', 'care']), 'checkin');
  created(await ci(day(0), 9, ciHidden, ['partner']), 'checkin');

  const j1Text = mark('journal picked', 'What I want to say in the session');
  const j2Text = mark('journal not picked', 'What stays mine');
  const j1 = created(await A.post('/api/v1/journal', { body: j1Text }), 'entry');
  created(await A.post('/api/v1/journal', { body: j2Text }), 'entry');
  const bj = created(await B.post('/api/v1/journal', { body: mark('b journal', 'B writes alone') }), 'entry');

  const range = `from=${day(-7)}&to=${day(0)}`;
  const res = await A.get(`/api/v1/summary?${range}`);
  assert.equal(res.status, 200, describe(res));
  const sm = res.json.summary;
  const text = JSON.stringify(sm);
  for (const t of [limitCare, hwTitle, hwNote, cardCare, ciNote]) assert.ok(text.includes(t), `has ${t}`);
  for (const t of [limitPartner, limitPriv, bLimitCare, bLimitPriv, hwPartnerOnly, cardPartner,
    ciHidden, j1Text, j2Text]) assert.ok(!text.includes(t), `leaves out ${t}`);
  const kinds = sm.items.map((i) => i.kind).sort();
  assert.deepEqual(kinds, ['homework', 'limit']);
  assert.equal(sm.items.find((i) => i.kind === 'limit').item.id, lc.id);
  const hwItem = sm.items.find((i) => i.kind === 'homework');
  assert.equal(hwItem.answers.length, 1, 'the mark on care-shared homework goes with it');
  assert.equal(hwItem.answers[0].kind, 'homework_done');
  assert.equal(hwItem.answers[0].item.done, true);
  assert.deepEqual(sm.cards.map((c) => c.kind), ['fear']);
  assert.deepEqual(sm.checkins.map((c) => c.period), [day(-2), day(-1)], 'oldest period first');
  assert.deepEqual(sm.checkins[0].scores, scores);
  assert.equal(sm.trend.checkins, 2);
  assert.deepEqual(sm.trend.trust, { first: 4, last: 7, average: 5.5 });
  assert.deepEqual(sm.trend.closeness, { first: 5, last: 8, average: 6.5 });
  assert.equal(sm.trend.dimensions.physical, 4);
  assert.deepEqual(sm.journal, [], 'no journal unless picked');

  const picked = await A.get(`/api/v1/summary?${range}&journal=${j1.id}`);
  assert.equal(picked.status, 200, describe(picked));
  assert.deepEqual(picked.json.summary.journal.map((e) => e.body), [j1Text]);
  assert.ok(!JSON.stringify(picked.json.summary).includes(j2Text));
  const other = await A.get(`/api/v1/summary?${range}&journal=${bj.id}`);
  assert.equal(other.status, 400, `the partner's entry is no pick: ${describe(other)}`);

  // B's own summary: B's care-shared limit, never A's
  const bs = JSON.stringify((await B.get(`/api/v1/summary?${range}`)).json.summary);
  assert.ok(bs.includes(bLimitCare));
  for (const t of [limitCare, hwTitle, cardCare, ciNote, bLimitPriv]) assert.ok(!bs.includes(t), `B's leaves out ${t}`);

  // items count by the day they were written: all of them today
  const before = (await A.get(`/api/v1/summary?from=${day(-30)}&to=${day(-1)}`)).json.summary;
  assert.deepEqual(before.items, []);
  assert.deepEqual(before.cards, []);
  assert.deepEqual(before.checkins.map((c) => c.period), [day(-2), day(-1)], 'check-ins by period');

  // another couple reads nothing of it, even by naming an id
  const X = (await pair(server.url)).aClient;
  const xs = await X.get(`/api/v1/summary?${range}&journal=${j1.id}`);
  assert.equal(xs.status, 400, describe(xs));
  const xe = (await X.get(`/api/v1/summary?${range}`)).json.summary;
  assert.deepEqual([xe.items, xe.cards, xe.checkins, xe.journal], [[], [], [], []]);
});

test('a care-shared agreement with its versions and a breach with its repairs are in it; the partner-only ones are not', async () => {
  const { aClient: A, bClient: B, a } = await pair(server.url);
  const v1 = mark('agreement v1', 'I tell you when I am running late, before the hour');
  const v2 = mark('agreement v2', 'I tell you when I am running late, before the hour, by a call');
  const agHidden = mark('agreement partner', 'Between the two of us only');
  const ag = created(await A.post('/api/v1/agreements',
    { category: 'decisions', text: v1, consequence: '', review_on: day(30), shared_with: ['partner', 'care'] }), 'agreement');
  const rev = await B.post(`/api/v1/agreements/${ag.id}/revise`, { text: v2, consequence: '', review_on: day(30) });
  assert.equal(rev.status, 200, describe(rev));
  assert.equal((await A.post(`/api/v1/agreements/${ag.id}/accept`, { version: 2 })).status, 200);
  created(await A.post('/api/v1/agreements',
    { category: 'decisions', text: agHidden, consequence: '', review_on: day(30) }), 'agreement');

  const what = mark('breach care', 'Missed the dinner with your parents without a word');
  const brHidden = mark('breach partner', 'Something we keep between us');
  const br = created(await A.post('/api/v1/breaches',
    { description: what, self_report: true, shared_with: ['partner', 'care'] }), 'breach');
  created(await A.post('/api/v1/breaches', { description: brHidden, self_report: false }), 'breach');
  const repair = (label) => ({
    feelings: ['ashamed'], my_view: mark(`${label} view`, 'I lost track of time and then froze'),
    my_part: mark(`${label} part`, 'I hid instead of calling; I am sorry'), do_differently: 'I call first',
  });
  // B writes first: A's summary leaves B's side out until A wrote theirs, as the breach page does
  assert.equal((await B.post(`/api/v1/breaches/${br.id}/repair`, repair('b side'))).status, 201);
  let sm = (await A.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}`)).json.summary;
  let text = JSON.stringify(sm);
  assert.ok(text.includes(what), 'the breach is in it');
  assert.ok(!text.includes(markers.get('b side view')), 'the partner\'s side waits for the caller\'s own');
  assert.equal((await A.post(`/api/v1/breaches/${br.id}/repair`, repair('a side'))).status, 201);

  const res = await A.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}`);
  assert.equal(res.status, 200, describe(res));
  sm = res.json.summary;
  text = JSON.stringify(sm);
  for (const t of [v1, v2, what, markers.get('a side view'), markers.get('b side view')]) assert.ok(text.includes(t), `has ${t}`);
  for (const t of [agHidden, brHidden]) assert.ok(!text.includes(t), `leaves out ${t}`);
  const agItem = sm.items.find((i) => i.kind === 'agreement');
  assert.equal(agItem.item.id, ag.id);
  assert.deepEqual(agItem.answers.filter((x) => x.kind === 'agreement_version').map((x) => x.item.text), [v1, v2],
    'both versions, oldest first');
  const brItem = sm.items.find((i) => i.kind === 'breach');
  assert.equal(brItem.item.id, br.id);
  assert.equal(brItem.answers.filter((x) => x.kind === 'breach_repair').length, 2, 'both repairs');
  // B's summary: B made neither, so neither is in it
  const bs = JSON.stringify((await B.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}`)).json.summary);
  assert.ok(!bs.includes(what) && !bs.includes(v1), 'the partner\'s summary holds only what they made');

  // the page names them in words, never an id or a key
  const page = await A.get(`/summary?from=${day(-1)}&to=${day(1)}`);
  assert.equal(page.status, 200, describe(page));
  for (const t of ['Agreements', 'A change to the agreement', 'Breaches and repair', 'A repair', 'Decision making',
    'Ashamed', v2, what]) assert.ok(page.text.includes(t), `the page shows ${t}`);
  assert.ok(!page.text.includes(a.member.id), 'no member id on the page');
  assert.ok(!page.text.includes('>ashamed<'), 'feelings by their words');
});

test('the page: a form to pick, the summary to print, in three languages', async () => {
  const { aClient: A } = await pair(server.url, { aFields: { display_name: 'Alex' } });
  const limit = mark('page limit', 'Please knock first');
  created(await A.post('/api/v1/limits', { kind: 'hard_limit', text: limit, shared_with: ['partner', 'care'] }), 'limit');
  const jText = mark('page journal', 'Something for Thursday');
  const j = created(await A.post('/api/v1/journal', { body: jText }), 'entry');

  const page = await A.get('/summary');
  assert.equal(page.status, 200, describe(page));
  assert.ok(page.text.includes(limit), 'the last month by default');
  assert.ok(page.text.includes('A hard limit: never'), 'a choice as its page words it');
  assert.ok(!page.text.includes(`<p class="entry-body">${jText}`), 'the journal only as a choice');
  assert.match(page.text, new RegExp(`type="checkbox" id="summary-journal-${j.id}" name="journal" value="${j.id}"`));
  assert.match(page.text, /<form class="form" method="get" action="\/summary">/);

  const pickedPage = await A.get(`/summary?from=${day(-1)}&to=${day(0)}&journal=${j.id}`);
  assert.equal(pickedPage.status, 200);
  assert.ok(pickedPage.text.includes(`<p class="entry-body">${jText}</p>`));
  assert.match(pickedPage.text, new RegExp(`value="${j.id}" checked`));

  const bad = await A.get(`/summary?from=${day(0)}&to=${day(-3)}`);
  assert.equal(bad.status, 400, describe(bad));
  assert.match(bad.text, /id="summary-to"[^>]*aria-invalid="true"/);
  assert.match(bad.text, /role="alert"/);

  const css = await A.get('/static/css/app.css');
  assert.match(css.text, /@media print \{[^}]*\.no-print \{ display: none; \}/, 'the form stays off the paper');

  for (const lang of ['es', 'ru']) {
    const { aClient: L } = await pair(server.url, { aFields: { language: lang } });
    const p = await L.get('/summary');
    assert.equal(p.status, 200);
    assert.match(p.text, new RegExp(`<html lang="${lang}"`));
    assert.ok(!p.text.includes('Summary for your next session'), `${lang}: translated`);
    assert.ok(!p.text.includes('Journal entries to add'), `${lang}: the form translated`);
  }
});

test('nothing of it is readable at rest or in the log', async () => {
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
