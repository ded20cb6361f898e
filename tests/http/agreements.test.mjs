// Agreements (step 3): one partner proposes, the other accepts, proposes a
// change or declines; either retires one.  An agreement is agreed only
// while both partners accepted its current version, and no answer or page
// ever shows a one-sided one as agreed.  Who may call each route is in the
// authorization matrix (authz.test.mjs).

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

function body(label, over = {}) {
  return {
    category: 'online',
    text: mark(`${label} text`, 'I keep no dating apps and no accounts you do not know about'),
    consequence: mark(`${label} consequence`, 'I tell you the same day and we talk it through'),
    review_on: day(60),
    ...over,
  };
}

/** A revision's body: a version's fields without the category, which stays. */
function revision(label, over = {}) {
  const { category, ...rest } = body(label, over);
  assert.ok(category);
  return rest;
}

async function get(c, id) {
  const res = await c.get(`/api/v1/agreements/${id}`);
  assert.equal(res.status, 200, describe(res));
  return res.json.agreement;
}

async function listed(c, id) {
  const res = await c.get('/api/v1/agreements');
  assert.equal(res.status, 200, describe(res));
  return res.json.agreements.find((x) => x.id === id);
}

test('consent, as a table: who proposed which version, who accepted, what each partner sees', async () => {
  const { aClient: A, bClient: B, a, b } = await pair(server.url);
  const aId = a.member.id;
  const bId = b.member.id;
  const v1 = body('v1');
  const res = await A.post('/api/v1/agreements', v1);
  assert.equal(res.status, 201, describe(res));
  const ag = res.json.agreement;
  assert.equal(ag.status, 'proposed');
  assert.equal(ag.version, 1);
  assert.deepEqual(ag.accepted_by, [aId]);
  assert.equal(ag.proposed_by, aId);
  assert.equal(ag.text, v1.text);
  assert.equal(ag.consequence, v1.consequence);
  assert.equal(ag.category, 'online');
  assert.equal(ag.review_on, v1.review_on);
  assert.equal(ag.ended, null);
  const id = ag.id;
  const v2 = revision('v2', { text: mark('v2 text', 'I keep no dating apps, and you may look at my phone') });
  const v3 = revision('v3', { review_on: day(30) });

  // [who, action, body, expected status, then: status, version, accepted_by as seen by both]
  const table = [
    [A, 'accept', { version: 1 }, 403, 'proposed', 1, [aId]], // one's own proposal
    [B, 'accept', { version: 2 }, 409, 'proposed', 1, [aId]], // no such version yet
    [B, 'accept', { version: 1 }, 200, 'agreed', 1, [aId, bId]],
    [B, 'accept', { version: 1 }, 200, 'agreed', 1, [aId, bId]], // again: the same
    [B, 'revise', { ...v2, note: 'A little more' }, 200, 'proposed', 2, [bId]],
    [A, 'accept', { version: 1 }, 409, 'proposed', 2, [bId]], // stale
    [B, 'accept', { version: 2 }, 403, 'proposed', 2, [bId]], // B's own now
    [A, 'accept', { version: 2 }, 200, 'agreed', 2, [bId, aId]],
    [A, 'revise', v3, 200, 'proposed', 3, [aId]],
    [A, 'decline', {}, 403, 'proposed', 3, [aId]], // one does not decline one's own
    [B, 'accept', { version: 3 }, 200, 'agreed', 3, [aId, bId]],
    [B, 'decline', {}, 409, 'agreed', 3, [aId, bId]], // agreed: it is retired, not declined
  ];
  for (const [i, [who, action, sent, code, status, version, accepted]] of table.entries()) {
    const r = await who.post(`/api/v1/agreements/${id}/${action}`, sent);
    assert.equal(r.status, code, `row ${i}: ${action} ${describe(r)}`);
    for (const [name, c] of [['A', A], ['B', B]]) {
      const seen = await get(c, id);
      assert.equal(seen.status, status, `row ${i}: ${name} sees ${status}`);
      assert.equal(seen.version, version, `row ${i}: ${name} sees version ${version}`);
      assert.deepEqual(seen.accepted_by, accepted, `row ${i}: ${name} sees who accepted`);
      const inList = await listed(c, id);
      assert.equal(inList.status, status, `row ${i}: the list agrees`);
      assert.equal(inList.versions, undefined, 'the list carries no history');
    }
  }
  const full = await get(B, id);
  assert.deepEqual(full.versions.map((v) => [v.version, v.proposed_by]), [[1, aId], [2, bId], [3, aId]],
    'every version is kept, oldest first, with who proposed it');
  assert.equal(full.versions[0].text, v1.text);
  assert.equal(full.versions[1].text, v2.text);
  assert.equal(full.versions[1].note, 'A little more');
  assert.equal(full.versions[2].review_on, day(30));
  assert.equal(full.text, v3.text, 'the agreement reads as its current version');
});

test('a declined agreement takes nothing more; a retired one says who and why to both', async () => {
  const { aClient: A, bClient: B, a, b } = await pair(server.url);
  const one = (await A.post('/api/v1/agreements', body('declined'))).json.agreement;
  const note = mark('decline note', 'I cannot promise this yet');
  let r = await B.post(`/api/v1/agreements/${one.id}/decline`, { note });
  assert.equal(r.status, 200, describe(r));
  assert.equal(r.json.agreement.status, 'declined');
  assert.equal(r.json.agreement.ended.how, 'declined');
  assert.equal(r.json.agreement.ended.by, b.member.id);
  assert.equal((await get(A, one.id)).ended.note, note, 'A reads why');
  for (const [who, action, sent] of [
    [B, 'accept', { version: 1 }], [A, 'revise', revision('after decline')], [B, 'decline', {}],
    [A, 'retire', { reason: 'x' }],
  ]) {
    r = await who.post(`/api/v1/agreements/${one.id}/${action}`, sent);
    assert.equal(r.status, 409, `${action} after a decline: ${describe(r)}`);
    assert.equal(errCode(r), 'conflict');
  }
  assert.equal((await get(A, one.id)).status, 'declined', 'still declined');

  const two = (await A.post('/api/v1/agreements', body('retired', { category: 'finances' }))).json.agreement;
  await B.post(`/api/v1/agreements/${two.id}/accept`, { version: 1 });
  r = await B.post(`/api/v1/agreements/${two.id}/retire`, {});
  assert.equal(r.status, 400, describe(r));
  assert.equal(errCode(r), 'missing_field');
  r = await B.post(`/api/v1/agreements/${two.id}/retire`, { reason: '' });
  assert.equal(r.status, 400, describe(r));
  assert.equal((await get(A, two.id)).status, 'agreed', 'a refused retirement changes nothing');
  const reason = mark('retire reason', 'We replaced it with the one about phones');
  r = await B.post(`/api/v1/agreements/${two.id}/retire`, { reason });
  assert.equal(r.status, 200, describe(r));
  const seen = await get(A, two.id);
  assert.equal(seen.status, 'retired');
  assert.deepEqual([seen.ended.how, seen.ended.by, seen.ended.note], ['retired', b.member.id, reason]);
  assert.deepEqual(seen.accepted_by, [a.member.id, b.member.id], 'who had accepted stays on record');
  for (const [who, action, sent] of [[A, 'accept', { version: 1 }], [A, 'revise', revision('late')], [A, 'retire', { reason: 'again' }]]) {
    r = await who.post(`/api/v1/agreements/${two.id}/${action}`, sent);
    assert.equal(r.status, 409, `${action} after retiring: ${describe(r)}`);
  }
  // a proposal still waiting may be retired by its own proposer, too
  const three = (await A.post('/api/v1/agreements', body('withdrawn'))).json.agreement;
  r = await A.post(`/api/v1/agreements/${three.id}/retire`, { reason: 'I asked too much' });
  assert.equal(r.status, 200, describe(r));
  assert.equal(r.json.agreement.status, 'retired');
});

test('bad input is refused in the member\'s language, and changes nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'es' } });
  const ok = (await A.post('/api/v1/agreements', body('bad'))).json.agreement;
  const before = (await A.get('/api/v1/agreements')).json.agreements.length;
  // each message names the field by its label on the page, in the member's language
  const LABELS = {
    category: '¿De qué trata?', text: 'Texto', consequence: 'Si no se cumple (opcional)',
    review_on: 'Revisarlo el', shared_with: 'Quién lo ve',
  };
  for (const [sent, code, field] of [
    [body('x', { category: 'sex' }), 'invalid_value', 'category'],
    [body('x', { category: 3 }), 'wrong_type', 'category'],
    [body('x', { review_on: day(-1) }), 'invalid_value', 'review_on'],
    [body('x', { review_on: day(400) }), 'invalid_value', 'review_on'],
    [body('x', { review_on: '2026-02-30' }), 'invalid_value', 'review_on'],
    [body('x', { text: '' }), 'too_short', 'text'],
    [body('x', { text: 'x'.repeat(2001) }), 'too_long', 'text'],
    [body('x', { consequence: 'x'.repeat(2001) }), 'too_long', 'consequence'],
    [body('x', { text: 42 }), 'wrong_type', 'text'],
    [{ category: 'online', text: 'x' }, 'missing_field', 'review_on'],
    [body('x', { shared_with: [] }), 'invalid_value', 'shared_with'], // always the couple's
    [body('x', { shared_with: ['care'] }), 'invalid_value', 'shared_with'],
  ]) {
    const r = await B.post('/api/v1/agreements', sent);
    assert.equal(r.status, 400, describe(r));
    assert.equal(errCode(r), code, describe(r));
    assert.ok(r.json.error.message.includes(`«${LABELS[field]}»`), `the message names ${field}: ${describe(r)}`);
  }
  const es = await B.post('/api/v1/agreements', body('x', { review_on: day(-3) }));
  const en = await A.post('/api/v1/agreements', body('x', { review_on: day(-3) }));
  assert.equal(es.json.error.code, en.json.error.code);
  assert.notEqual(es.json.error.message, en.json.error.message, 'B (Spanish) is answered in Spanish');
  for (const [action, sent, code] of [
    ['accept', {}, 'missing_field'],
    ['accept', { version: 'one' }, 'wrong_type'],
    ['accept', { version: 0 }, 'out_of_range'],
    ['revise', { text: 'x', review_on: day(500) }, 'invalid_value'],
    ['revise', body('x'), 'unknown_field'], // the category stays
    ['decline', { note: 'x'.repeat(1001) }, 'too_long'],
    ['retire', { reason: 'x'.repeat(1001) }, 'too_long'],
  ]) {
    const r = await B.post(`/api/v1/agreements/${ok.id}/${action}`, sent);
    assert.equal(r.status, 400, `${action}: ${describe(r)}`);
    assert.equal(errCode(r), code, `${action}: ${describe(r)}`);
  }
  assert.equal((await A.get('/api/v1/agreements')).json.agreements.length, before, 'nothing was stored');
  const still = await get(A, ok.id);
  assert.deepEqual([still.status, still.version], ['proposed', 1], 'nothing changed');
});

test('the proposer chooses the care team or not, once; every version follows', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const plain = await A.post('/api/v1/agreements', body('plain'));
  assert.equal(plain.status, 201, describe(plain));
  assert.deepEqual(plain.json.agreement.shared_with, ['partner'], 'the default');
  const res = await A.post('/api/v1/agreements', body('care', { shared_with: ['partner', 'care'] }));
  assert.equal(res.status, 201, describe(res));
  const ag = res.json.agreement;
  assert.deepEqual(ag.shared_with, ['partner', 'care']);
  const rev = await B.post(`/api/v1/agreements/${ag.id}/revise`, revision('care v2'));
  assert.equal(rev.status, 200, describe(rev));
  const seen = await get(B, ag.id);
  assert.deepEqual(seen.shared_with, ['partner', 'care'], 'a revision keeps the sharing');
  assert.deepEqual(seen.versions.map((v) => v.shared_with), [['partner', 'care'], ['partner', 'care']],
    'each version follows the agreement');
  assert.deepEqual((await get(A, plain.json.agreement.id)).versions.map((v) => v.shared_with), [['partner']]);
  const again = await B.post(`/api/v1/agreements/${plain.json.agreement.id}/revise`,
    { ...revision('x'), shared_with: ['partner', 'care'] });
  assert.equal(again.status, 400, describe(again));
  assert.equal(errCode(again), 'unknown_field', 'the sharing is chosen at creation only');
});

test('revising and accepting at the same moment never ends agreed on a version one did not accept', async () => {
  const { aClient: A, bClient: B, a } = await pair(server.url);
  for (let i = 0; i < 12; i++) {
    const ag = (await A.post('/api/v1/agreements', body(`race ${i}`))).json.agreement;
    // B accepts version 1 while A changes it
    const [acc, rev] = await Promise.all([
      B.post(`/api/v1/agreements/${ag.id}/accept`, { version: 1 }),
      A.post(`/api/v1/agreements/${ag.id}/revise`, revision(`race ${i} v2`)),
    ]);
    assert.ok([200, 409].includes(acc.status), describe(acc));
    assert.equal(rev.status, 200, describe(rev));
    const seen = await get(B, ag.id);
    assert.equal(seen.version, 2);
    assert.equal(seen.status, 'proposed', 'B has not accepted version 2: not agreed');
    assert.deepEqual(seen.accepted_by, [a.member.id]);
    // both revise at once: both land, one after the other, and the last one waits for the other
    const [r1, r2] = await Promise.all([
      A.post(`/api/v1/agreements/${ag.id}/revise`, revision(`race ${i} a`)),
      B.post(`/api/v1/agreements/${ag.id}/revise`, revision(`race ${i} b`)),
    ]);
    assert.ok([r1.status, r2.status].every((s) => s === 200 || s === 409), `${describe(r1)} ${describe(r2)}`);
    const last = await get(A, ag.id);
    assert.equal(last.status, 'proposed');
    assert.equal(last.accepted_by.length, 1);
    assert.equal(last.accepted_by[0], last.proposed_by);
    assert.equal(last.versions.length, last.version, 'one history entry per version, none lost');
    // the other accepts while the proposer retires: never agreed after retired
    const other = last.proposed_by === a.member.id ? B : A;
    const proposer = other === A ? B : A;
    await Promise.all([
      other.post(`/api/v1/agreements/${ag.id}/accept`, { version: last.version }),
      proposer.post(`/api/v1/agreements/${ag.id}/retire`, { reason: 'race' }),
    ]);
    assert.equal((await get(A, ag.id)).status, 'retired', `round ${i}`);
  }
});

test('another couple reaches none of it', async () => {
  const { aClient: A } = await pair(server.url);
  const ag = (await A.post('/api/v1/agreements', body('isolated'))).json.agreement;
  const { aClient: X, bClient: Y } = await pair(server.url);
  assert.deepEqual((await X.get('/api/v1/agreements')).json.agreements, []);
  for (const [c, method, p, sent] of [
    [X, 'GET', `/api/v1/agreements/${ag.id}`],
    [X, 'POST', `/api/v1/agreements/${ag.id}/accept`, { version: 1 }],
    [Y, 'POST', `/api/v1/agreements/${ag.id}/revise`, revision('theirs')],
    [Y, 'POST', `/api/v1/agreements/${ag.id}/decline`, {}],
    [X, 'POST', `/api/v1/agreements/${ag.id}/retire`, { reason: 'not mine' }],
    [X, 'GET', `/agreements/${ag.id}`],
  ]) {
    const r = await c.request(method, p, sent);
    assert.equal(r.status, 404, `${method} ${p}: ${describe(r)}`);
  }
  const seen = await get(A, ag.id);
  assert.deepEqual([seen.status, seen.version], ['proposed', 1], 'untouched');
});

test('the pages: propose, answer, change, retire, without JavaScript', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'ru' } });
  const back = await A.form('/agreements', { category: 'privacy', text: '', consequence: '', review_on: day(10), csrf: A.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="agreement-text"[^>]*aria-invalid="true"/);
  assert.match(back.text, /<option value="privacy" selected>/, 'the chosen category is kept');
  const text = mark('page text', 'When my plans change I tell you before, not after');
  const saved = await A.form('/agreements', { category: 'privacy', text, consequence: '', review_on: day(10), csrf: A.csrf });
  assert.equal(saved.status, 303, describe(saved));
  const url = saved.headers.get('location').replace(/\?.*$/, '');
  assert.match(url, /^\/agreements\/[0-9a-f]{32}$/);
  let page = await A.get(url);
  assert.ok(page.text.includes(text));
  assert.ok(!page.text.includes(`action="${url}/accept"`), 'A is not offered to accept their own');
  assert.ok(!/Agreed by both of you/.test(page.text), 'one-sided: never shown as agreed');

  page = await B.get('/agreements');
  assert.match(page.text, /<html lang="ru"/);
  assert.ok(page.text.includes(text), 'B reads the proposal in the list');
  page = await B.get(url);
  assert.ok(page.text.includes(`action="${url}/accept"`), 'B is offered to accept');
  assert.ok(page.text.includes(`action="${url}/decline"`), 'and to decline');
  const ok = await B.form(`${url}/accept`, { version: '1', csrf: B.csrf });
  assert.equal(ok.status, 303, describe(ok));
  page = await A.get(url);
  assert.match(page.text, /Agreed by both of you/);

  const change = mark('page change', 'When my plans change I tell you before, by message if need be');
  const revised = await B.form(`${url}/revise`, { text: change, consequence: '', review_on: day(20), note: '', csrf: B.csrf });
  assert.equal(revised.status, 303, describe(revised));
  page = await A.get(url);
  assert.ok(page.text.includes(change) && page.text.includes(text), 'the new version and the history');
  assert.ok(!/Agreed by both of you/.test(page.text), 'a change waits for A');
  assert.ok(page.text.includes(`action="${url}/accept"`));

  const noReason = await A.form(`${url}/retire`, { reason: '', csrf: A.csrf });
  assert.equal(noReason.status, 400, describe(noReason));
  assert.match(noReason.text, /id="retire-reason"[^>]*aria-invalid="true"/);
  const retired = await A.form(`${url}/retire`, { reason: 'We wrote a better one', csrf: A.csrf });
  assert.equal(retired.status, 303, describe(retired));
  page = await B.get(url);
  assert.ok(page.text.includes('We wrote a better one'), 'B reads why');
  assert.ok(!page.text.includes(`action="${url}/revise"`), 'a retired agreement takes no change');
  const noVersion = await B.form(`${url}/accept`, { csrf: B.csrf });
  assert.equal(noVersion.status, 400, describe(noVersion));
  assert.match(noVersion.text, /<p class="alert" role="alert">[^<]+<\/p>/, 'why, on top of the page');
  const late = await B.form(`${url}/accept`, { version: '2', csrf: B.csrf });
  assert.equal(late.status, 409, describe(late));

  const guide = await B.get('/agreements/guide');
  assert.equal(guide.status, 200);
  assert.equal((guide.text.match(/<li>/g) || []).length >= 21, true, 'three examples for each of seven categories');
});

test('home reminds both partners of an answer owed and of a review that is due', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  // checked in for today, so that home's one suggestion may be about agreements
  const scores = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };
  for (const c of [A, B]) {
    const ci = await c.post('/api/v1/checkins', { period: day(0), scores, trust: 5, closeness: 5, shared_with: [] });
    assert.equal(ci.status, 201, describe(ci));
  }
  const ag = (await A.post('/api/v1/agreements', body('home', { review_on: day(0) }))).json.agreement;
  let home = await B.get('/home');
  assert.match(home.text, /Your partner proposed an agreement/, 'B is asked to answer');
  assert.match(home.text, new RegExp(`href="/agreements/${ag.id}"|href="/agreements"`));
  assert.ok(!/Your partner proposed an agreement/.test((await A.get('/home')).text), 'A waits');
  await B.post(`/api/v1/agreements/${ag.id}/accept`, { version: 1 });
  const seen = await get(A, ag.id);
  assert.equal(seen.review_due, true, 'agreed, and its review day is today');
  for (const c of [A, B]) {
    home = await c.get('/home');
    assert.match(home.text, /1 agreement is due for review\./, 'both are reminded');
  }
  await A.post(`/api/v1/agreements/${ag.id}/revise`, revision('home again', { review_on: day(90) }));
  await B.post(`/api/v1/agreements/${ag.id}/accept`, { version: 2 });
  assert.ok(!/due for review/.test((await A.get('/home')).text), 'reviewed: no reminder');
});

test('nothing of an agreement is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 10);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
