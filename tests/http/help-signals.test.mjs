// Help signals (step 4): each rule fires exactly when it holds (and not one
// period short), only for the member who may read the data behind it (the
// partner's check-ins count only when shared and revealed), a member sets a
// signal aside for themselves until its cause changes, and a help request
// raises its signal for both partners.  Check-in histories are generated
// over past days (the rhythm is daily unless a test sets it).  Who may call
// each route (a therapist: 403) is in the authorization matrix.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, errCode, leaksAtRest, pair, startServer } from './harness.mjs';
import { day } from './kinds.mjs';

let server;

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const SCORES = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };

/** Check in for period with trust and the sexual score, shared or private. */
async function checkin(c, period, { trust = 5, sexual = 3, shared = [] } = {}) {
  const res = await c.post('/api/v1/checkins', {
    period, scores: { ...SCORES, sexual }, trust, closeness: 5, shared_with: shared,
  });
  assert.equal(res.status, 201, `check-in ${period}: ${describe(res)}`);
  return res.json.checkin;
}

/** The caller's signals, by code. */
async function signals(c) {
  const res = await c.get('/api/v1/help-signals');
  assert.equal(res.status, 200, describe(res));
  const out = {};
  for (const s of res.json.signals) {
    assert.deepEqual(Object.keys(s).sort(), ['code', 'reason', 'since']);
    assert.equal(typeof s.reason, 'string');
    assert.ok(s.reason.length > 10, 'a reason in plain words');
    assert.match(s.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(out[s.code], undefined, 'one signal per code');
    out[s.code] = s;
  }
  return out;
}

const codes = async (c) => Object.keys(await signals(c)).sort();

test('trust_falling: three falls in a row fire it, two do not, only for who may read them', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  assert.deepEqual(await codes(A), [], 'nothing at first');
  // A's trust falls on days -3..-1: two falls, one period short
  await checkin(A, day(-3), { trust: 8, shared: ['partner'] });
  await checkin(A, day(-2), { trust: 7, shared: ['partner'] });
  await checkin(A, day(-1), { trust: 6, shared: ['partner'] });
  assert.deepEqual(await codes(A), [], 'two falls are one period short');
  await checkin(A, day(0), { trust: 5, shared: ['partner'] });
  let sig = (await signals(A)).trust_falling;
  assert.ok(sig, 'the third fall in a row fires it');
  assert.equal(sig.since, `${day(0)}T00:00:00Z`, 'since: the period of the third fall');
  assert.match(sig.reason, /^Your trust score/);
  // B has not checked in for those days: A's shared check-ins are not revealed to B
  assert.deepEqual(await codes(B), [], 'unrevealed check-ins of the partner do not count');
  for (const d of [-3, -2, -1]) await checkin(B, day(d), { trust: 5 });
  assert.deepEqual(await codes(B), [], 'three of the four revealed: still one short');
  await checkin(B, day(0), { trust: 5 });
  sig = (await signals(B)).trust_falling;
  assert.ok(sig, 'revealed to B now: B sees it');
  assert.match(sig.reason, /^Your partner's trust score/);
  assert.match((await signals(A)).trust_falling.reason, /^Your trust score/,
    'B\'s steady trust raises nothing for A');
});

test('trust_falling: private check-ins of the partner, a gap, or a level score do not fire it', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  // A's falling trust, private: B checked in every day and still sees nothing
  for (const [i, d] of [-3, -2, -1, 0].entries()) {
    await checkin(A, day(d), { trust: 9 - i });
    await checkin(B, day(d), { trust: 5 });
  }
  assert.ok((await signals(A)).trust_falling, 'A\'s own');
  assert.equal((await signals(B)).trust_falling, undefined, 'private check-ins never count for B');

  // a gap breaks the run: days -5, -4, -2, -1, 0 falling, -3 missing
  const { aClient: C } = await pair(server.url);
  for (const [d, trust] of [[-5, 9], [-4, 8], [-2, 7], [-1, 6]]) await checkin(C, day(d), { trust });
  assert.equal((await signals(C)).trust_falling, undefined, 'not in a row');
  await checkin(C, day(0), { trust: 6 });
  assert.equal((await signals(C)).trust_falling, undefined, 'the same score is not lower');

  // weekly: four Mondays, three falls
  const { aClient: W } = await pair(server.url);
  assert.equal((await W.put('/api/v1/couple', { rhythm: 'weekly' })).status, 200);
  const monday = (plus) => {
    const d = new Date(`${day(0)}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + plus * 7);
    return d.toISOString().slice(0, 10);
  };
  await checkin(W, monday(-3), { trust: 9 });
  await checkin(W, monday(-2), { trust: 8 });
  await checkin(W, monday(-1), { trust: 7 });
  assert.equal((await signals(W)).trust_falling, undefined, 'two weekly falls: one short');
  await checkin(W, monday(0), { trust: 4 });
  assert.equal((await signals(W)).trust_falling?.since, `${monday(0)}T00:00:00Z`);
});

test('sexual_low: 1 or 2 in every check-in over 30 days fires it; 29 days or a 3 between do not', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  await checkin(A, day(-28), { sexual: 1, shared: ['partner'] });
  await checkin(A, day(-10), { sexual: 2, shared: ['partner'] });
  await checkin(A, day(0), { sexual: 2, shared: ['partner'] });
  assert.equal((await signals(A)).sexual_low, undefined, '29 days: one day short');
  await checkin(A, day(-29), { sexual: 2, shared: ['partner'] });
  const sig = (await signals(A)).sexual_low;
  assert.ok(sig, 'thirty days fire it');
  assert.equal(sig.since, `${day(0)}T00:00:00Z`);
  assert.match(sig.reason, /you have rated your sexual wellbeing 1 or 2/);
  // B sees it only with A's check-ins revealed: B checks in on the same days
  for (const d of [-29, -28, -10]) await checkin(B, day(d));
  assert.equal((await signals(B)).sexual_low, undefined, 'the newest not revealed yet: not enough');
  await checkin(B, day(0));
  assert.match((await signals(B)).sexual_low?.reason ?? '', /your partner has rated/);
  assert.equal((await signals(A)).sexual_low.reason.includes('both'), false, 'B\'s 3s raise nothing');

  // a 3 between breaks it
  const { aClient: C } = await pair(server.url);
  await checkin(C, day(-29), { sexual: 1 });
  await checkin(C, day(-15), { sexual: 3 });
  await checkin(C, day(0), { sexual: 1 });
  assert.equal((await signals(C)).sexual_low, undefined);
});

test('breaches: two within 30 days raise it for both partners; one does not', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  let res = await A.post('/api/v1/breaches', { description: 'first', self_report: true });
  assert.equal(res.status, 201, describe(res));
  assert.deepEqual([await codes(A), await codes(B)], [[], []], 'one breach is not two');
  res = await B.post('/api/v1/breaches', { description: 'second', self_report: false });
  assert.equal(res.status, 201, describe(res));
  assert.ok((await signals(A)).breaches, 'A');
  assert.ok((await signals(B)).breaches, 'B');
});

test('a help request raises its signal for both partners, and dismissing is per member', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  let res = await A.post('/api/v1/help-requests', { kind: 'asked', note: 'I think we need someone' });
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.help_request.kind, 'asked');
  assert.equal(res.json.help_request.note, 'I think we need someone');
  assert.match((await signals(A)).asked.reason, /^You asked/);
  assert.match((await signals(B)).asked.reason, /^Your partner is asking/);
  const list = (await B.get('/api/v1/help-requests')).json.help_requests;
  assert.equal(list.length, 1);
  assert.equal(list[0].note, 'I think we need someone', 'the partner reads the note');
  assert.equal(list[0].mine, false);

  // B sets it aside: for B alone
  res = await B.post('/api/v1/help-signals/asked/dismiss');
  assert.equal(res.status, 204, describe(res));
  assert.equal((await signals(B)).asked, undefined, 'gone for B');
  assert.ok((await signals(A)).asked, 'still there for A');
  res = await B.post('/api/v1/help-signals/asked/dismiss');
  assert.equal(res.status, 204, 'setting it aside again changes nothing');
  // a signal the caller does not have, and a code that is none: 404
  res = await B.post('/api/v1/help-signals/sexual_low/dismiss');
  assert.equal(res.status, 404, describe(res));
  assert.equal(errCode(res), 'not_found');
  res = await B.post('/api/v1/help-signals/lonely/dismiss');
  assert.equal(res.status, 404, describe(res));

  // a new request is a new cause: it comes back for B
  res = await A.post('/api/v1/help-requests', { kind: 'asked' });
  assert.equal(res.status, 201, describe(res));
  assert.ok((await signals(B)).asked, 'back for B after a new request');

  // overwhelmed, from B: both see it
  res = await B.post('/api/v1/help-requests', { kind: 'overwhelmed' });
  assert.equal(res.status, 201, describe(res));
  assert.match((await signals(A)).overwhelmed.reason, /^Your partner says they feel overwhelmed/);
  assert.match((await signals(B)).overwhelmed.reason, /^You said/);
  res = await A.post('/api/v1/help-signals/overwhelmed/dismiss');
  assert.equal(res.status, 204);
  assert.equal((await signals(A)).overwhelmed, undefined);
  assert.ok((await signals(B)).overwhelmed);
});

test('bad requests are refused with the field named, and change nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  for (const [body, field] of [
    [{ kind: 'sad' }, 'kind'],
    [{}, 'kind'],
    [{ kind: 'asked', note: 'x'.repeat(1001) }, 'note'],
    [{ kind: 'asked', extra: 1 }, 'extra'],
  ]) {
    const res = await A.post('/api/v1/help-requests', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 40)}: ${describe(res)}`);
    assert.equal(res.json.error.field ?? field, field);
  }
  assert.deepEqual(await codes(B), []);
  assert.equal((await A.get('/api/v1/help-requests')).json.help_requests.length, 0);
});

test('overwhelmed in a repair counts once the reader may read that repair', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const br = (await A.post('/api/v1/breaches', { description: 'it', self_report: true })).json.breach;
  const repair = (feelings) => ({
    feelings, my_view: 'my view', their_view_summary: '', triggers: '', my_part: 'my part',
    do_differently: 'ask first',
  });
  let res = await A.post(`/api/v1/breaches/${br.id}/repair`, repair(['hurt', 'overwhelmed']));
  assert.equal(res.status, 201, describe(res));
  assert.match((await signals(A)).overwhelmed?.reason ?? '', /^You said/);
  assert.equal((await signals(B)).overwhelmed, undefined, 'B has not read A\'s repair');
  res = await B.post(`/api/v1/breaches/${br.id}/repair`, repair(['sad']));
  assert.equal(res.status, 201, describe(res));
  assert.match((await signals(B)).overwhelmed?.reason ?? '', /^Your partner says/);
});

test('the help page and home\'s step 4, in three languages, without JavaScript', async () => {
  const words = {
    en: ['Seek professional help', 'Your partner is asking for professional help.'],
    es: ['Buscar ayuda profesional', 'Tu pareja pide ayuda profesional.'],
    ru: ['Обратиться за профессиональной помощью', 'Ваш партнёр просит о профессиональной помощи.'],
  };
  for (const lang of ['en', 'es', 'ru']) {
    const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: lang } });
    B.lang = lang;
    let page = await B.get('/help');
    assert.equal(page.status, 200, describe(page));
    assert.match(page.text, new RegExp(`<html lang="${lang}"`));
    assert.ok(page.text.includes(words[lang][0]), `${lang} title`);
    assert.ok(page.text.includes('href="/find-help"'), 'the way to find a therapist');
    assert.equal(/<script/i.test(page.text.replace(/<script[^>]*src="\/static\/[^"]*"[^>]*><\/script>/g, '')),
      false, 'no inline script');
    // A asks on the page's form; B sees the signal and the note on the page
    let res = await A.form('/help/requests', { kind: 'asked', note: `note ${lang}`, csrf: A.csrf });
    assert.equal(res.status, 303, describe(res));
    page = await B.get('/help');
    assert.ok(page.text.includes(words[lang][1]), `${lang} reason: ${page.text.slice(0, 0)}`);
    assert.ok(page.text.includes(`note ${lang}`), 'the note');
    const home = await B.get('/home');
    assert.ok(home.text.includes(words[lang][1]), `${lang} home step 4 says where things stand`);
    assert.ok(home.text.includes('href="/help"'), 'one next action');
    // B sets it aside on the page
    res = await B.form('/help/dismiss', { signal: 'asked', csrf: B.csrf });
    assert.equal(res.status, 303, describe(res));
    page = await B.get('/help');
    assert.equal(page.text.includes(words[lang][1]), false, 'set aside');
    // a refused form: 400 in B's language, naming the field
    res = await B.form('/help/requests', { kind: 'nope', csrf: B.csrf });
    assert.equal(res.status, 400, describe(res));
    assert.match(res.text, new RegExp(`<html lang="${lang}"`));
  }
});

test('after a safety concern, help requests and signals wait for that member alone', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  let res = await A.post('/api/v1/safety-check', { afraid: true, threatened: false, hurt: false, forced: false });
  assert.equal(res.status, 200, describe(res));
  for (const [method, url, body] of [
    ['GET', '/api/v1/help-signals'], ['GET', '/api/v1/help-requests'],
    ['POST', '/api/v1/help-requests', { kind: 'asked' }], ['POST', '/api/v1/help-signals/asked/dismiss'],
  ]) {
    res = await A.request(method, url, body);
    assert.equal(res.status, 403, `${method} ${url}: ${describe(res)}`);
    assert.equal(errCode(res), 'paused');
  }
  const page = await A.get('/help');
  assert.match(page.text, /This page is paused for you/);
  assert.deepEqual(await codes(B), [], 'nothing reached the partner');
  assert.equal((await B.get('/api/v1/help-requests')).json.help_requests.length, 0);
});

test('a help request\'s note is not readable at rest', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const note = `We keep fighting about the same thing ${Date.now()}`;
  const res = await A.post('/api/v1/help-requests', { kind: 'asked', note });
  assert.equal(res.status, 201, describe(res));
  assert.equal((await B.get('/api/v1/help-requests')).json.help_requests[0].note, note, 'the partner reads it');
  assert.deepEqual(await leaksAtRest(server, new Map([['the note', note]])), []);
});
