// The private safety check (PROGRAM.md, "Across the steps"; API.md,
// "Safety and ownership"): four yes/no questions; any yes is a concern,
// which shows the member help lines instead of the couple exercises.
//
// What a person would notice:
// - the partner: nothing at all.  Every GET route of docs/api.md the
//   partner may call (with an {id} filled from what they can read) answers
//   byte for byte the same before A takes the check, after A answers "no"
//   to everything, and after A reports a concern;
// - A: the result, and help lines of A's language for the country A's
//   browser names (else every country's), in the API and on A's pages;
//   A's home and the couple exercises show the help instead; the journal
//   and settings stay; taking the check again with no yes brings them back;
// - bad input: 400 in the member's language for a missing or non-boolean
//   answer, and nothing stored;
// - at rest and in the log: no answer, no result.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, dbColumns, dbDump, dbSync, describe, errCode, filesUnder, hiddenInput, pair, signupOk, startServer,
} from './harness.mjs';
import { readablePaths } from './doc-routes.mjs';
import { exampleBody, registryKinds } from './kinds.mjs';

const NO = { afraid: false, threatened: false, hurt: false, forced: false };
const CONCERN = { afraid: false, threatened: true, hurt: false, forced: false };
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

let server;
let A;
let B;

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'en' } });
  A = p.aClient;
  B = p.bClient;
});
after(async () => { await server?.stop(); });

async function check(c, answers, opts) {
  const res = await c.post('/api/v1/safety-check', answers, opts);
  assert.equal(res.status, 200, describe(res));
  return res.json;
}

// ---------------------------------------------------------------------------
// The partner sees nothing

/** A text with its RFC 3339 times and its CSRF tokens replaced by placeholders. */
function normalise(text) {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/("csrf_token"\s*:\s*"|name="csrf" value=")[0-9a-f]+/g, '$1<token>');
}

/** Things for B's pages and answers to show: some of each, shared both ways. */
async function seedCouple() {
  const ok = async (c, p, body, want = 201) => {
    const res = await c.post(p, body);
    assert.equal(res.status, want, `${p}: ${describe(res)}`);
    return res.json;
  };
  for (const c of [A, B]) {
    await ok(c, '/api/v1/journal', { body: 'A quiet evening, written down.' });
    await ok(c, '/api/v1/shares', { kind: 'hope', body: 'That we laugh again.', shared_with: ['partner'] });
    await ok(c, '/api/v1/checkins', {
      period: day(0), scores: { emotional: 3, physical: 3, mental: 4, sexual: 2, financial: 4 },
      trust: 5, closeness: 6, note: 'A steady day.', shared_with: ['partner'],
    });
    await ok(c, '/api/v1/commitments', { text: 'Answer when you call.', review_every_days: 7 });
  }
  const st = await ok(A, '/api/v1/statements', {
    what_i_did: 'I hid the messages.', impact: 'You felt alone.', why: 'Fear.', regret: 'Deeply.',
    repair: 'I will tell you first.',
  });
  await ok(A, `/api/v1/statements/${st.statement.id}/deliver`, undefined, 200);
  await ok(A, '/api/v1/offers', { text: 'You may ask about my evenings.', until: day(10) });
  await ok(B, '/api/v1/activities', { kind: 'hobby', title: 'A walk by the river', planned_for: day(2) });
  await ok(A, '/api/v1/agreements', {
    category: 'privacy', text: 'We tell each other when plans change.', consequence: '', review_on: day(30),
  });
  await ok(B, '/api/v1/breaches', { description: 'A late night without a message.', self_report: false });
  const plan = await A.put('/api/v1/conflict-plan', {
    timeout_word: 'Lighthouse', break_minutes: 20, come_back: 'We meet in the kitchen.', soft_startup: 'I feel …',
  });
  assert.equal(plan.status, 200, describe(plan));
  const helps = await A.put('/api/v1/helps-me', { body: 'Twenty minutes alone.', shared_with: ['partner'] });
  assert.equal(helps.status, 200, describe(helps));
  for (const k of registryKinds()) {
    for (const c of [A, B]) {
      await ok(c, `/api/v1/${k.plural}`, exampleBody(k, { mark: `A ${k.name} of ours`, shared: ['partner'] }));
    }
  }
}

/**
 * What B gets from every GET route B may call: the routes without an {id}
 * as they are, and each {id} route with the first id (of those B's answers
 * hold) that B may read.  Returns Map "path" -> {status, text}.
 */
async function partnerAnswers(paths) {
  const out = new Map();
  for (const p of paths) {
    const res = await B.get(p);
    out.set(p, { status: res.status, text: res.text });
  }
  return out;
}

test('the partner\'s every answer is byte for byte the same whatever A answers', async (t) => {
  await seedCouple();
  const { paths, missing } = await readablePaths(B);
  for (const m of missing) t.diagnostic(`no item of B's to fill ${m}`);
  assert.ok(paths.length >= 60, `walked ${paths.length} routes`);
  assert.ok(paths.includes('/home') && paths.includes('/api/v1/me'), 'home and me are among them');

  const before0 = await partnerAnswers(paths);
  // What changes by itself between two reads of B's (a time B's own
  // request moved on, a token made afresh) is left out of the comparison
  // of that route alone, and only that: its text must otherwise stay.
  const again = await partnerAnswers(paths);
  // The export says when it was made (exported_at): the clock, whatever the
  // two reads happened to show within one second.
  const clocked = new Set(['/api/v1/export', '/export/html']);
  const moving = new Set(paths.filter((p) => clocked.has(p) || again.get(p).text !== before0.get(p).text));
  for (const p of moving) {
    assert.equal(normalise(again.get(p).text), normalise(before0.get(p).text),
      `${p} changes between two reads by B alone, beyond times and tokens`);
    t.diagnostic(`${p}: times and tokens left out (they change by themselves)`);
  }
  await check(A, NO);
  const afterNo = await partnerAnswers(paths);
  await check(A, CONCERN);
  const afterConcern = await partnerAnswers(paths);
  const aHome = await A.get('/home');
  assert.ok(aHome.text.includes('id="help"'), 'A\'s own home did change: the check took effect');

  for (const p of paths) {
    const b = before0.get(p);
    const same = moving.has(p) ? normalise : (x) => x;
    for (const [label, a] of [['after A answered no', afterNo.get(p)], ['after A reported a concern', afterConcern.get(p)]]) {
      assert.equal(a.status, b.status, `${p} ${label}: status`);
      assert.equal(same(a.text), same(b.text), `${p} ${label}: the same bytes`);
    }
  }
  // B's own check is B's: B still has none
  assert.deepEqual((await B.get('/api/v1/safety-check')).json, { result: null });
});

// ---------------------------------------------------------------------------
// The answer, in each language

test('before the first check the answer is {result: null}; then ok or concern, with help lines', async () => {
  const c = new Client(server.url);
  await signupOk(c, { language: 'en' });
  assert.deepEqual((await c.get('/api/v1/safety-check')).json, { result: null });

  const ok = await check(c, NO);
  assert.equal(ok.result, 'ok');
  assert.ok(Array.isArray(ok.resources) && ok.resources.length > 0, 'help lines come with ok too');
  assert.match(ok.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  for (const q of Object.keys(NO)) {
    const one = await check(c, { ...NO, [q]: true });
    assert.equal(one.result, 'concern', `a yes to ${q} alone is a concern`);
  }
  const latest = (await c.get('/api/v1/safety-check')).json;
  assert.equal(latest.result, 'concern', 'GET answers the latest');
  one(latest.resources);
  await check(c, NO);
  assert.equal((await c.get('/api/v1/safety-check')).json.result, 'ok', 'a new check replaces the old');
});

/** The resources as they are (a helper to say "well-formed"). */
function one(resources) {
  for (const r of resources) {
    assert.deepEqual(Object.keys(r).sort(), ['contact', 'country', 'name', 'url']);
    assert.ok(r.name && r.contact, JSON.stringify(r));
    assert.match(r.url, /^https:\/\/[^\s"<>]+$/);
    assert.ok(r.country === null || /^[A-Z]{2}$/.test(r.country), JSON.stringify(r));
  }
  return resources;
}

test('the help lines are in the member\'s language, for the country the browser names', async () => {
  const cases = [
    // language, Accept-Language, the countries it shows (null: the lines that serve anywhere)
    ['en', 'en-GB,en;q=0.9', ['GB', null], /Refuge/],
    ['en', 'en-US', ['US', null], /Hotline/],
    ['en', 'en-AU', ['AU', null], /1800RESPECT/],
    ['es', 'es-MX,es;q=0.9', ['MX', null], /Refugios/],
    ['es', 'es-419', null, /Línea 144/], // a region of the world names no country: every one
    ['es', 'en-US,es;q=0.5', ['US', null], /Línea Nacional/],
    ['ru', 'ru-UA,ru;q=0.9', ['UA', null], /1547/],
    ['ru', 'ru-RU', ['RU', null], /8-800-7000-600/],
    ['ru', 'de-DE', null, /111/], // a country the help does not have: every one
  ];
  const every = {};
  for (const [lang, al, countries, name] of cases) {
    const c = new Client(server.url, { lang: al });
    await signupOk(c, { language: lang });
    const res = one((await check(c, CONCERN)).resources);
    const seen = [...new Set(res.map((r) => r.country))];
    if (countries) {
      assert.deepEqual(seen.sort(), [...countries].sort(), `${lang} ${al}`);
    } else {
      assert.ok(seen.length >= 3 && seen.includes(null), `${lang} ${al}: every country, got ${seen}`);
      every[lang] = res;
    }
    assert.ok(res.some((r) => name.test(r.name) || name.test(r.contact)), `${lang} ${al}: ${name}`);
  }
  // each language's lines are its own
  assert.ok(every.es.some((r) => /^Línea/.test(r.name)));
  assert.ok(every.ru.some((r) => /[а-яё]/i.test(r.name)));
  assert.ok(!every.es.some((r) => /[а-яё]/i.test(r.name)));
});

// ---------------------------------------------------------------------------
// Bad input

test('every answer is required and a boolean: 400 in the member\'s language, nothing stored', async () => {
  const c = new Client(server.url);
  await signupOk(c, { language: 'es' });
  await check(c, NO);
  const bad = [
    ['afraid missing', { threatened: false, hurt: false, forced: false }, 'missing_field', 'afraid'],
    ['forced missing', { afraid: true, threatened: true, hurt: true }, 'missing_field', 'forced'],
    ['a string', { ...NO, hurt: 'yes' }, 'wrong_type', 'hurt'],
    ['"true"', { ...CONCERN, afraid: 'true' }, 'wrong_type', 'afraid'],
    ['a number', { ...NO, threatened: 1 }, 'wrong_type', 'threatened'],
    ['null', { ...CONCERN, forced: null }, 'missing_field', 'forced'], // null is no answer
    ['an unknown field', { ...CONCERN, scared: true }, 'unknown_field', 'scared'],
    ['nothing', {}, 'missing_field', null],
  ];
  for (const [label, body, code] of bad) {
    const res = await c.post('/api/v1/safety-check', body);
    assert.equal(res.status, 400, `${label}: ${describe(res)}`);
    assert.equal(errCode(res), code, label);
    assert.ok(res.json.error.message.length > 0);
  }
  const missing = await c.post('/api/v1/safety-check', { threatened: true, hurt: true, forced: true });
  assert.match(missing.json.error.message, /pareja/, `the message names the question, in Spanish: ${missing.json.error.message}`);
  const en = new Client(server.url);
  await signupOk(en, { language: 'en' });
  const missingEn = await en.post('/api/v1/safety-check', { threatened: true, hurt: true, forced: true });
  assert.notEqual(missingEn.json.error.message, missing.json.error.message);
  assert.match(missingEn.json.error.message, /Afraid of your partner/);
  assert.equal((await c.get('/api/v1/safety-check')).json.result, 'ok', 'the refused answers changed nothing');

  const noToken = await c.post('/api/v1/safety-check', CONCERN, { csrf: false });
  assert.equal(noToken.status, 403);
  assert.equal((await c.get('/api/v1/safety-check')).json.result, 'ok');
  const anon = await new Client(server.url).post('/api/v1/safety-check', CONCERN);
  assert.equal(anon.status, 401);
});

test('the form asks again for a missing answer, keeping the others, and stores nothing', async () => {
  const c = new Client(server.url, { lang: 'en' });
  await signupOk(c, { language: 'en' });
  const page = await c.get('/safety');
  assert.equal(page.status, 200, describe(page));
  const csrf = hiddenInput(page.text, 'csrf');
  const res = await c.form('/safety', { csrf, afraid: '0', threatened: '1', hurt: '0' });
  assert.equal(res.status, 400, describe(res));
  assert.match(res.text, /Please answer each of the four questions/);
  assert.match(res.text, /id="q-threatened-yes"[^>]*checked/, 'what was chosen stays chosen');
  assert.match(res.text, /id="q-forced-yes"[^>]*aria-invalid="true"/, 'the missing one is marked');
  const wrong = await c.form('/safety', { csrf, afraid: 'maybe', threatened: '1', hurt: '0', forced: '0' });
  assert.equal(wrong.status, 400, describe(wrong));
  assert.deepEqual((await c.get('/api/v1/safety-check')).json, { result: null });
});

// ---------------------------------------------------------------------------
// The member's own pages

test('after a concern, home and the couple exercises show the help; the journal and settings stay', async () => {
  const c = new Client(server.url, { lang: 'en-IE' });
  const me = await signupOk(c, { language: 'en' });
  assert.ok(me);
  const before = await c.get('/home');
  assert.match(before.text, /href="\/statements"/, 'the steps are on home before');

  const page = await c.get('/safety');
  const csrf = hiddenInput(page.text, 'csrf');
  const posted = await c.form('/safety', { csrf, afraid: '1', threatened: '0', hurt: '0', forced: '0' });
  assert.equal(posted.status, 303, describe(posted));
  const to = posted.headers.get('location');
  const ok = await c.form('/safety', { csrf, afraid: '0', threatened: '0', hurt: '0', forced: '0' });
  assert.equal(ok.headers.get('location'), to, 'the same address whatever the answers');
  await c.form('/safety', { csrf, afraid: '1', threatened: '0', hurt: '0', forced: '0' });

  const result = await c.get(new URL(to, server.url).pathname + new URL(to, server.url).search);
  assert.equal(result.status, 200);
  assert.match(result.text, /Women&#39;s Aid|Women's Aid/, 'Irish lines for an Irish browser');
  assert.match(result.text, /Leaving safely/);
  assert.match(result.text, /Only you can see your answers/);

  const home = await c.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /id="help"/, 'home shows the help');
  assert.match(home.text, /1800 341 900/);
  for (const gone of ['/statements', '/checkin', '/agreements', '/invite', '/limits']) {
    assert.ok(!home.text.includes(`href="${gone}"`), `home has no link to ${gone}`);
  }
  for (const stays of ['/journal', '/settings', '/safety']) {
    assert.ok(home.text.includes(`href="${stays}"`), `home still links ${stays}`);
  }

  for (const p of ['/statements', '/checkin', '/shares', '/agreements', '/limits', '/dates', '/homework', '/invite', '/reflect']) {
    const res = await c.get(p);
    assert.equal(res.status, 200, `${p}: ${describe(res)}`);
    assert.match(res.text, /This page is paused for you/, p);
    assert.match(res.text, /id="help"/, p);
  }
  const share = await c.form('/shares', { csrf, kind: 'hope', body: 'pressured words', share_partner: '1' });
  assert.equal(share.status, 303);
  assert.equal(new URL(share.headers.get('location'), server.url).pathname, '/home');
  const paused = await c.get('/api/v1/shares');
  assert.equal(paused.status, 403, 'the API of the exercises is paused too');
  assert.equal(errCode(paused), 'paused');

  for (const p of ['/journal', '/journal/new', '/settings', '/program', '/privacy']) {
    const res = await c.get(p);
    assert.equal(res.status, 200, p);
    assert.ok(!res.text.includes('This page is paused for you'), `${p} stays as it was`);
  }
  const settings = await c.get('/settings');
  assert.match(settings.text, /href="\/safety"/, 'settings offer the check');
  assert.match((await c.get('/journal')).text, /href="\/safety"/, 'the footer offers it on every page');

  await c.form('/safety', { csrf, afraid: '0', threatened: '0', hurt: '0', forced: '0' });
  assert.equal((await c.get('/api/v1/shares')).json.shares.length, 0, 'the form wrote nothing');
  const again = await c.get('/home');
  assert.match(again.text, /href="\/statements"/, 'taking it again with no yes brings the steps back');
  assert.equal((await c.get('/checkin')).text.includes('This page is paused for you'), false);
});

test('after a concern, the couple exercises\' API answers 403 paused in the member\'s language and writes nothing', async () => {
  const p = await pair(server.url, { aFields: { language: 'es' }, bFields: { language: 'en' } });
  const c = p.aClient;
  const kind = registryKinds()[0];
  const shared = await c.post('/api/v1/shares', { kind: 'hope', body: 'before the check', shared_with: ['partner'] });
  assert.equal(shared.status, 201, describe(shared));
  await check(c, CONCERN);

  const asks = [
    ['GET', '/api/v1/shares'], ['POST', '/api/v1/shares', { kind: 'hope', body: 'pressed', shared_with: ['partner'] }],
    ['GET', `/api/v1/shares/${shared.json.share.id}`], ['GET', '/api/v1/statements'],
    ['POST', '/api/v1/statements', {
      what_i_did: 'pressed', impact: 'pressed', why: 'pressed', regret: 'pressed', repair: 'pressed',
    }], ['GET', '/api/v1/agreements'],
    ['GET', '/api/v1/checkins'], ['GET', '/api/v1/dates'], ['POST', '/api/v1/invites', { role: 'partner' }],
    ['GET', '/api/v1/homework'], ['POST', '/api/v1/homework', { title: 'pressed', due_on: new Date().toISOString().slice(0, 10) }],
    ['GET', `/api/v1/${kind.plural}`], ['POST', `/api/v1/${kind.plural}`, exampleBody(kind)],
  ];
  for (const [method, url, body] of asks) {
    const res = method === 'GET' ? await c.get(url) : await c.post(url, body);
    assert.equal(res.status, 403, `${method} ${url}: ${describe(res)}`);
    assert.equal(errCode(res), 'paused', `${method} ${url}`);
    assert.match(res.json.error.message, /pausa/, `${method} ${url}: in Spanish`);
  }
  for (const url of ['/api/v1/me', '/api/v1/journal', '/api/v1/safety-check', '/api/v1/export', '/api/v1/me/sessions']) {
    assert.equal((await c.get(url)).status, 200, `${url} stays open`);
  }
  // the partner's side is untouched: B still reads the card, and nothing new
  const bShares = await p.bClient.get('/api/v1/shares');
  assert.deepEqual(bShares.json.shares.map((x) => x.body), ['before the check']);

  await check(c, NO);
  const back = await c.get('/api/v1/shares');
  assert.equal(back.status, 200, 'a check with no yes opens them again');
  assert.deepEqual(back.json.shares.map((x) => x.body), ['before the check'], 'nothing was written while paused');
  assert.equal((await c.get(`/api/v1/${kind.plural}`)).json[kind.plural].length, 0);
});

test('sign-up offers the check once, and it can be skipped', async () => {
  const c = new Client(server.url, { lang: 'es' });
  const page = await c.get('/signup');
  const res = await c.form('/signup', {
    login: `s${Date.now()}`, password: 'a long enough password 1', display_name: 'Sol', language: 'es',
    ...(hiddenInput(page.text, 'csrf') !== null ? { csrf: hiddenInput(page.text, 'csrf') } : {}),
  });
  assert.equal(res.status, 200, describe(res));
  assert.match(res.text, /href="\/safety\?welcome=1"/, 'the recovery key leads on to the check');
  const welcome = await c.get('/safety?welcome=1');
  assert.equal(welcome.status, 200);
  assert.match(welcome.text, /href="\/home"/, 'a way to skip it');
  assert.match(welcome.text, /<html lang="es"/);
  assert.match(welcome.text, /solo tú/i);
});

// ---------------------------------------------------------------------------
// At rest and in the log

test('the database and the log hold no answer and no result', async () => {
  const c = new Client(server.url);
  await signupOk(c, { language: 'en' });
  await check(c, { afraid: true, threatened: true, hurt: true, forced: true });
  const d = new Client(server.url);
  await signupOk(d, { language: 'en' });
  await check(d, NO);

  const words = ['concern', 'afraid', 'threatened', 'forced', '"result"'];
  const leaks = [];
  for (const file of await filesUnder(server.dir)) {
    if (file.endsWith('.log')) continue;
    const bytes = await fs.promises.readFile(file);
    for (const w of words) {
      if (bytes.includes(Buffer.from(w))) leaks.push(`${w} in ${path.basename(file)}`);
    }
  }
  if (!server.dbPath) {
    const dump = dbDump(server).replace(/^--.*$/gm, '');
    for (const w of words) if (dump.includes(w)) leaks.push(`${w} in the PostgreSQL database`);
  }
  assert.deepEqual(leaks, []);
  const log = server.stderr() + server.stdout();
  for (const w of ['concern', 'afraid', 'threatened', 'forced']) assert.ok(!log.includes(w), `the log says ${w}`);

  // a concern and an all-no look alike at rest: one row each, sealed blobs of one length
  const q = dbSync(server, 'SELECT length(sealed) FROM safety_checks ORDER BY rowid', { readonly: true });
  const lengths = new Set(q.split('\n'));
  assert.equal(lengths.size, 1, `sealed lengths: ${q}`);
  const cols = dbColumns(server, 'safety_checks');
  assert.ok(cols.includes('sealed'), `the columns are read: ${cols.join(', ')}`);
  assert.doesNotMatch(cols.join(' '), /result|answer|_at\b|time/i, 'no plain column tells anything');

  // the member's row goes with their account
  const gone = new Client(server.url);
  const g = await signupOk(gone, { language: 'en' });
  await check(gone, CONCERN);
  const count = async () => dbSync(server,
    `SELECT count(*) FROM safety_checks WHERE member_id = '${g.member.id}'`, { readonly: true });
  assert.equal(await count(), '1');
  const del = await gone.del('/api/v1/me', { password: g.password });
  assert.equal(del.status, 204, describe(del));
  assert.equal(await count(), '0', 'deleting the account deletes the check');
});
