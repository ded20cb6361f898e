// The export (API.md, "Safety and ownership"): GET /api/v1/export answers
// everything the caller can read as one JSON file, and GET /export/html the
// same texts as one readable, standalone HTML file.
//
// Completeness: partner A and partner B write items of every kind the app
// stores: the journal, statements, check-ins, and every kind of the item
// registry (`kintsugi routes --registry`; a kind this file does not know how
// to make fails the test, so a new kind cannot slip past the export). Each
// item carries a unique marker; A's export must hold every marker A can
// read, in its part, and none that the access rules keep from A: B's
// journal and drafts, B's private items, B's check-in for a day A has not
// checked in, B's side of a repair A has not written yet, another couple's.
// A list longer than the routes' own bounds (the journal's page, a kind's
// newest N) comes out whole.
//
// Also: the HTML copy holds the same texts, escaped (hostile markup and the
// naughty strings), with no script and no link or resource from elsewhere,
// in the member's language; a therapist's export holds their account alone;
// no export without a session; nothing of it lands in the log.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, dbSync, describe, pair, rand, serverBinary, signupOk, startServer, testdataDir, toolEnv,
} from './harness.mjs';
import { day, exampleBody, registryKinds } from './kinds.mjs';

let server;
let A; let B; let X;
let aId; let bId;
const seen = new Map(); // label -> [part of A's export, marker]: A must read it there
const hidden = new Map(); // label -> marker: A must never read it
const checks = []; // [label, (doc) => void]: what has no text (an acceptance, a "repaired")

before(async () => {
  server = await startServer();
  ({ aClient: A, bClient: B } = await pair(server.url, {
    aFields: { language: 'es', display_name: 'Álex <b>&amp;</b>' },
    bFields: { language: 'ru', display_name: 'Саша' },
  }));
  aId = (await A.get('/api/v1/me')).json.member.id;
  bId = (await B.get('/api/v1/me')).json.member.id;
  X = new Client(server.url);
  await signupOk(X);
});
after(async () => { await server?.stop(); });

/** A marker no other text holds. */
const mk = (label) => `mk-${label.replace(/\W+/g, '-')}-${rand(12)}`;
/** A marker A must find in the part `part` of their export. */
function see(part, label) {
  const m = mk(label);
  seen.set(label, [part, m]);
  return m;
}
/** A marker A must not find anywhere in their export. */
function hide(label) {
  const m = mk(label);
  hidden.set(label, m);
  return m;
}

async function ok(res, status, what) {
  assert.equal(res.status, status, `${what}: ${describe(res)}`);
  return res.json;
}

// ---------------------------------------------------------------------------
// How to make items of each kind, by the registry's names.  Kinds that are
// all data (with a plural) are made from their declaration (kinds.mjs).

const REPAIR = (label, mark) => ({
  feelings: ['hurt', 'unheard'], my_view: mark(`${label} view`), their_view_summary: 'You were late.',
  triggers: 'Silence.', my_part: 'I went quiet.', do_differently: 'Ask first.',
});

const MAKERS = {
  async statement_response() {
    // A's draft, B's draft (private), B's delivered one and A's answer to it, and B's answer to A's
    await ok(await A.post('/api/v1/statements', { what_i_did: see('statements', 'A draft') }), 201, 'A draft');
    await ok(await B.post('/api/v1/statements', { what_i_did: hide('B draft') }), 201, 'B draft');
    const full = (what) => ({ what_i_did: what, impact: 'It hurt you.', why: 'Fear.', regret: 'Deeply.', repair: 'Tell first.' });
    const bs = (await ok(await B.post('/api/v1/statements', full(see('statements', 'B delivered'))), 201, 'B statement')).statement;
    await ok(await B.post(`/api/v1/statements/${bs.id}/deliver`), 200, 'B delivers');
    await ok(await A.post(`/api/v1/statements/${bs.id}/responses`,
      { read: true, landed: see('statements', 'A response'), still_need: 'More time.' }), 201, 'A responds');
    const as = (await ok(await A.post('/api/v1/statements', full(see('statements', 'A delivered'))), 201, 'A statement')).statement;
    await ok(await A.post(`/api/v1/statements/${as.id}/deliver`), 200, 'A delivers');
    await ok(await B.post(`/api/v1/statements/${as.id}/responses`,
      { read: true, landed: see('statements', 'B response') }), 201, 'B responds');
  },
  async commitment() {
    const a = (await ok(await A.post('/api/v1/commitments',
      { text: see('commitments', 'A commitment'), review_every_days: 7 }), 201, 'A commitment')).commitment;
    const b = (await ok(await B.post('/api/v1/commitments',
      { text: hide('B commitment'), review_every_days: 7 }), 201, 'B commitment')).commitment;
    await ok(await A.put(`/api/v1/commitments/${a.id}`, { status: 'kept', note: see('commitments', 'A review') }), 200, 'A review');
    await ok(await B.put(`/api/v1/commitments/${b.id}`, { status: 'kept', note: hide('B review') }), 200, 'B review');
  },
  commitment_review() { /* with commitment */ },
  async share() {
    await ok(await A.post('/api/v1/shares', { kind: 'fear', body: see('shares', 'A private card'), shared_with: [] }), 201, 'A card');
    const as = (await ok(await A.post('/api/v1/shares',
      { kind: 'hope', body: see('shares', 'A shared card'), shared_with: ['partner'] }), 201, 'A card')).share;
    const bs = (await ok(await B.post('/api/v1/shares',
      { kind: 'need', body: see('shares', 'B shared card'), shared_with: ['partner'] }), 201, 'B card')).share;
    await ok(await B.post('/api/v1/shares', { kind: 'desire', body: hide('B private card'), shared_with: [] }), 201, 'B card');
    await ok(await A.post(`/api/v1/shares/${bs.id}/ack`, { reply: see('shares', 'A heard') }), 201, 'A ack');
    await ok(await B.post(`/api/v1/shares/${as.id}/ack`, { reply: see('shares', 'B heard') }), 201, 'B ack');
  },
  share_ack() { /* with share */ },
  async offer() {
    await ok(await A.post('/api/v1/offers', { text: see('offers', 'A offer'), until: day(30) }), 201, 'A offer');
    await ok(await B.post('/api/v1/offers', { text: see('offers', 'B offer'), until: day(30) }), 201, 'B offer');
  },
  async activity() {
    const a = (await ok(await A.post('/api/v1/activities',
      { kind: 'cooking', title: see('activities', 'A activity'), planned_for: day(2) }), 201, 'activity')).activity;
    await ok(await B.post('/api/v1/activities',
      { kind: 'hobby', title: see('activities', 'B activity'), planned_for: day(3) }), 201, 'activity');
    await ok(await A.put(`/api/v1/activities/${a.id}`, { done: true, felt: see('activities', 'A felt') }), 200, 'A felt');
    await ok(await B.put(`/api/v1/activities/${a.id}`, { done: true, felt: see('activities', 'B felt') }), 200, 'B felt');
  },
  activity_feeling() { /* with activity */ },
  async helps_me() {
    await ok(await A.put('/api/v1/helps-me', { body: see('helps_me', 'A helps me'), shared_with: [] }), 200, 'A helps');
    await ok(await B.put('/api/v1/helps-me', { body: see('helps_me', 'B helps me'), shared_with: ['partner'] }), 200, 'B helps');
  },
  async conflict_plan() {
    await ok(await A.put('/api/v1/conflict-plan', {
      timeout_word: see('conflict_plan', 'word'), break_minutes: 30,
      come_back: see('conflict_plan', 'come back'), soft_startup: 'I feel; I need.',
    }), 200, 'plan');
    await ok(await B.post('/api/v1/conflict-plan/accept', {}), 200, 'B accepts');
    checks.push(['the plan, agreed by both', (doc) => {
      const p = doc.items.conflict_plan;
      assert.deepEqual([...p.accepted_by].sort(), [aId, bId].sort());
      assert.equal(p.agreed, true);
    }]);
  },
  conflict_plan_ok() { /* with conflict_plan */ },
  async timeout() {
    const t = (await ok(await A.post('/api/v1/timeouts', { minutes: 20 }), 201, 'a break')).timeout;
    checks.push(['the break', (doc) => {
      const got = doc.items.timeouts.find((x) => x.id === t.id);
      assert.ok(got, 'A\'s break is in the export');
      assert.equal(got.minutes, 20);
    }]);
  },
  async chore() {
    await ok(await A.post('/api/v1/chores', { title: see('chores', 'A chore'), first_partner: bId, starts_on: day(0) }), 201, 'chore');
  },
  async date_night() {
    const d = (await ok(await A.post('/api/v1/dates', { title: see('dates', 'A date'), planned_for: day(-1) }), 201, 'date')).date;
    await ok(await A.put(`/api/v1/dates/${d.id}`, { done: true, rating: 4, note: see('dates', 'A rating') }), 200, 'A rates');
    await ok(await B.put(`/api/v1/dates/${d.id}`, { done: true, rating: 5, note: see('dates', 'B rating') }), 200, 'B rates');
  },
  date_rating() { /* with date_night */ },
  async homework() {
    const h = (await ok(await B.post('/api/v1/homework', { title: see('homework', 'B assigns'), body: see('homework', 'B details'),
      due_on: day(3), shared_with: ['partner', 'care'] }), 201, 'homework')).homework;
    await ok(await A.put(`/api/v1/homework/${h.id}`, { done: true, note: see('homework', 'A marks it') }), 200, 'A marks');
    await ok(await A.post('/api/v1/homework', { title: see('homework', 'A assigns'), due_on: day(0) }), 201, 'homework');
  },
  homework_done() { /* with homework */ },
  async appreciation() {
    const a = (await ok(await B.post('/api/v1/appreciations', { body: see('appreciations', 'B appreciates'),
      meant: see('appreciations', 'what it meant to B') }), 201, 'appreciation')).appreciation;
    await ok(await A.post(`/api/v1/appreciations/${a.id}/thanks`), 201, 'A thanks');
    await ok(await A.post('/api/v1/appreciations', { body: see('appreciations', 'A appreciates') }), 201, 'appreciation');
    checks.push(['the thanks', (doc) => {
      assert.equal(doc.items.appreciations.find((x) => x.id === a.id)?.thanked, true);
    }]);
  },
  appreciation_thanks() { /* with appreciation */ },
  async trigger_plan() {
    await ok(await A.put('/api/v1/trigger-plan', { wants: ['space'], words: see('trigger_plan', 'A plan'), shared_with: [] }), 200, 'A plan');
    await ok(await B.put('/api/v1/trigger-plan', { wants: ['hold'], words: hide('B private plan'), shared_with: [] }), 200, 'B plan');
  },
  async triggered() {
    const t = (await ok(await B.post('/api/v1/triggered', { note: see('triggered', 'B triggered') }), 201, 'triggered')).triggered;
    await ok(await A.post(`/api/v1/triggered/${t.id}/answer`, {}), 201, 'A answers');
    await ok(await A.post('/api/v1/triggered', { note: see('triggered', 'A triggered') }), 201, 'triggered');
  },
  triggered_answer() { /* with triggered */ },
  async listening() {
    // the session is both partners'; each one's "I felt heard" is theirs alone
    const l = (await ok(await A.post('/api/v1/listening', { topic: see('listening', 'A topic'), speaker_first: bId }),
      201, 'listening')).listening;
    await ok(await A.put(`/api/v1/listening/${l.id}`, { turns: 4, minutes: 20, felt_heard: 4 }), 200, 'A answers');
    await ok(await B.put(`/api/v1/listening/${l.id}`, { turns: 4, minutes: 21, felt_heard: 1 }), 200, 'B answers');
    checks.push(['the listening session, with A\'s own answer only', (doc) => {
      const got = doc.items.listening.find((x) => x.id === l.id);
      assert.ok(got, 'the session is in the export');
      assert.deepEqual([got.answer.turns, got.answer.minutes, got.answer.felt_heard], [4, 20, 4]);
      assert.doesNotMatch(JSON.stringify(doc.items.listening), /"minutes":21|"felt_heard":1\b/, 'never B\'s');
    }]);
  },
  listening_answer() { /* with listening */ },
  async agreement() {
    const body = (text) => ({ category: 'privacy', text, consequence: '', review_on: day(30) });
    const a1 = (await ok(await A.post('/api/v1/agreements', body(see('agreements', 'first version'))), 201, 'agreement')).agreement;
    await ok(await B.post(`/api/v1/agreements/${a1.id}/accept`, { version: 1 }), 200, 'B accepts');
    await ok(await A.post(`/api/v1/agreements/${a1.id}/revise`,
      { text: see('agreements', 'second version'), consequence: '', review_on: day(30) }), 200, 'A revises');
    const a2 = (await ok(await B.post('/api/v1/agreements', body(see('agreements', 'B proposal'))), 201, 'agreement')).agreement;
    await ok(await A.post(`/api/v1/agreements/${a2.id}/decline`, { note: see('agreements', 'A declines') }), 200, 'A declines');
    const a3 = (await ok(await A.post('/api/v1/agreements', body(see('agreements', 'retired one'))), 201, 'agreement')).agreement;
    await ok(await B.post(`/api/v1/agreements/${a3.id}/retire`, { reason: see('agreements', 'B retires') }), 200, 'B retires');
    checks.push(['the accepted first version', (doc) => {
      const got = doc.items.agreements.find((x) => x.id === a1.id);
      assert.equal(got.versions.length, 2, 'both versions of the revised agreement');
      const a3got = doc.items.agreements.find((x) => x.id === a3.id);
      assert.equal(a3got.ended.by, bId);
    }]);
  },
  agreement_version() { /* with agreement */ },
  agreement_ok() { /* with agreement */ },
  agreement_end() { /* with agreement */ },
  async breach() {
    const mark = (label) => see('breaches', label);
    // both sides written, and both say it is repaired
    const b1 = (await ok(await A.post('/api/v1/breaches', { description: mark('breach one'), self_report: true }), 201, 'breach')).breach;
    await ok(await A.post(`/api/v1/breaches/${b1.id}/repair`, REPAIR('A one', mark)), 201, 'A repair');
    await ok(await B.post(`/api/v1/breaches/${b1.id}/repair`, REPAIR('B one', mark)), 201, 'B repair');
    await ok(await A.post(`/api/v1/breaches/${b1.id}/repaired`), 200, 'A: repaired');
    await ok(await B.post(`/api/v1/breaches/${b1.id}/repaired`), 200, 'B: repaired');
    // B wrote their side; A has not: A does not read it yet
    const b2 = (await ok(await B.post('/api/v1/breaches', { description: mark('breach two'), self_report: false }), 201, 'breach')).breach;
    await ok(await B.post(`/api/v1/breaches/${b2.id}/repair`, REPAIR('B two', (l) => hide(l))), 201, 'B repair');
    checks.push(['repaired by both', (doc) => {
      const got = doc.items.breaches.find((x) => x.id === b1.id);
      assert.deepEqual([...got.repaired_by].sort(), [aId, bId].sort());
      assert.equal(got.status, 'repaired');
    }]);
  },
  breach_repair() { /* with breach */ },
  breach_mend() { /* with breach */ },
  async help_request() {
    // both partners' requests reach both; A sets the signal aside (a dismissal of A's own)
    await ok(await A.post('/api/v1/help-requests', { kind: 'asked', note: see('help_requests', 'A asks') }), 201, 'A asks');
    await ok(await B.post('/api/v1/help-requests', { kind: 'overwhelmed', note: see('help_requests', 'B overwhelmed') }), 201, 'B');
    await ok(await A.post('/api/v1/help-signals/asked/dismiss'), 204, 'A sets it aside');
    await ok(await B.post('/api/v1/help-signals/overwhelmed/dismiss'), 204, 'B sets it aside');
    checks.push(['A\'s dismissal, not B\'s', (doc) => {
      const got = doc.items.help_dismissals.map((d) => d.code);
      assert.deepEqual(got, ['asked']);
    }]);
  },
  help_dismissal() { /* with help_request */ },
  async pace() {
    // A's own answers go in A's file; B's never do, nor what both want
    await ok(await A.put('/api/v1/pace/hands', { choice: 'maybe' }), 200, 'A answers');
    await ok(await B.put('/api/v1/pace/hands', { choice: 'not_yet' }), 200, 'B answers');
    await ok(await B.put('/api/v1/pace/kiss', { choice: 'yes' }), 200, 'B answers');
    await ok(await B.post('/api/v1/pace/pause'), 200, 'B pauses');
    checks.push(['A\'s pace answers, not B\'s', (doc) => {
      const rungs = doc.items.pace.rungs;
      assert.equal(rungs.find((x) => x.key === 'hands').mine, 'maybe');
      assert.equal(rungs.find((x) => x.key === 'kiss').mine, null, 'B\'s yes is not A\'s');
      assert.ok(rungs.every((x) => !('both' in x)));
      assert.equal(doc.items.pace.paused_by_me, false, 'B\'s pause is B\'s');
      assert.ok(!JSON.stringify(doc.items.pace).includes('not_yet'));
    }]);
  },
  pace_pause() { /* with pace */ },
};

/** A kind that is all data: A's private item, B's shared one (seen), B's private one (hidden). */
async function makeGeneric(kind) {
  const base = `/api/v1/${kind.plural}`;
  const shares = kind.fields.some((f) => f.type === 'shared');
  const w = async (c, mark, shared, who) => {
    const res = await c.post(base, exampleBody(kind, { mark, shared }));
    assert.equal(res.status, 201, `${who} ${kind.name}: ${describe(res)}`);
  };
  const toPartner = (kind.shared_allowed | kind.shared_default) & 1; // ACCESS_SHARE_PARTNER
  await w(A, see(kind.plural, `A ${kind.name}`), [], 'A');
  if (toPartner) await w(B, see(kind.plural, `B shared ${kind.name}`), shares ? ['partner'] : [], 'B');
  if (!(kind.shared_default & 1) && (shares || !toPartner)) await w(B, hide(`B private ${kind.name}`), [], 'B');
}

/** `kintsugi routes --registry`: every kind of the registry, with or without routes of its own. */
function registry() {
  const out = execFileSync(serverBinary(), ['routes', '--registry'], { encoding: 'utf8', env: toolEnv() });
  return JSON.parse(out);
}

// ---------------------------------------------------------------------------

async function makeEverything() {
  // the journal: A's, B's (never A's to read), and another couple's
  await ok(await A.post('/api/v1/journal', { body: see('journal', 'A entry'), prompt: 'A prompt?' }), 201, 'A entry');
  await ok(await B.post('/api/v1/journal', { body: hide('B entry') }), 201, 'B entry');
  await ok(await X.post('/api/v1/journal', { body: hide('X entry') }), 201, 'X entry');
  await ok(await X.post('/api/v1/shares', { kind: 'fear', body: hide('X card'), shared_with: ['partner'] }), 201, 'X card');

  // check-ins: A's private one and B's shared one for the same day (revealed to A), B's shared
  // one for a day A has not checked in (waiting), B's private one; and A's of long ago
  const scores = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };
  const ci = (c, period, note, shared) => c.post('/api/v1/checkins',
    { period, scores, trust: 5, closeness: 5, note, shared_with: shared });
  await ok(await ci(A, day(-3), see('checkins', 'A check-in'), []), 201, 'A check-in');
  await ok(await ci(B, day(-3), see('checkins', 'B revealed check-in'), ['partner']), 201, 'B check-in');
  await ok(await ci(B, day(-4), hide('B waiting check-in'), ['partner']), 201, 'B check-in');
  await ok(await ci(B, day(-5), hide('B private check-in'), []), 201, 'B check-in');
  await ok(await ci(A, '2001-02-03', see('checkins', 'A check-in of long ago'), []), 201, 'A old check-in');

  const all = registry();
  const generic = new Map(registryKinds().map((k) => [k.name, k]));
  const unknown = all.filter((k) => !generic.has(k.name) && !MAKERS[k.name]).map((k) => k.name);
  assert.deepEqual(unknown, [], 'kinds of the registry this test cannot make: add a maker to MAKERS (and to the export)');
  for (const k of all) {
    if (generic.has(k.name)) await makeGeneric(generic.get(k.name));
    else await MAKERS[k.name]();
  }
}

/** Every string value inside v. */
function strings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** The text of HTML with its five escapes undone (&amp; last). */
function unescapeHtml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'')
    .replace(/&amp;/g, '&');
}

const today = () => new Date().toISOString().slice(0, 10);

let doc; // A's export, parsed
let jsonText;
let htmlText;
const naughtyAll = JSON.parse(fs.readFileSync(path.join(testdataDir, 'naughty-strings', 'blns.json'), 'utf8'))
  .filter((s) => s.trim() !== '');
const naughty = []; // those the journal took
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="https://evil.example/">x</a>';

test('the JSON export holds every item A can read, of every kind, and nothing else', async () => {
  await makeEverything();
  // hostile text, in A's journal and in B's card shared with A
  await ok(await A.post('/api/v1/journal', { body: HOSTILE }), 201, 'hostile entry');
  await ok(await B.post('/api/v1/shares', { kind: 'fear', body: `${HOSTILE} ${see('shares', 'B hostile card')}`, shared_with: ['partner'] }), 201, 'hostile card');
  // each naughty string an entry of its own (the few the journal refuses with 400 are left out)
  for (const s of naughtyAll) {
    const res = await A.post('/api/v1/journal', { body: s });
    if (res.status === 201) naughty.push(s);
    else assert.equal(res.status, 400, describe(res));
  }
  assert.ok(naughty.length > naughtyAll.length * 0.9, `${naughty.length} of ${naughtyAll.length} naughty strings written`);

  const res = await A.get('/api/v1/export');
  assert.equal(res.status, 200, describe(res));
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="kintsugi-export-${today()}.json"`);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  jsonText = res.text;
  doc = JSON.parse(res.text);

  assert.equal(doc.kintsugi_export, 1);
  assert.deepEqual(doc.member, { id: aId, display_name: 'Álex <b>&amp;</b>', role: 'partner', language: 'es',
    created_at: doc.member.created_at });
  assert.match(doc.member.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(doc.couple.partners.map((p) => p.id).sort(), [aId, bId].sort());

  // nothing of the account's secrets, under any name
  const keys = new Set();
  const walk = (v) => {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.add(k); walk(x); }
  };
  walk(doc);
  for (const k of keys) {
    assert.doesNotMatch(k, /pass|hash|salt|secret|recovery|totp|kek|wrapped|cookie|csrf|token|passkey|login/i, `key ${k}`);
  }

  const texts = strings(doc);
  for (const [label, [part, m]] of seen) {
    assert.ok(texts.some((s) => s.includes(m)), `${label} (${m}) is in A's export`);
    assert.ok(strings(doc.items[part]).some((s) => s.includes(m)), `${label} is under items.${part}`);
  }
  for (const [label, m] of hidden) assert.ok(!res.text.includes(m), `${label} is not in A's export`);
  for (const [label, check] of checks) {
    try {
      check(doc);
    } catch (err) {
      err.message = `${label}: ${err.message}`;
      throw err;
    }
  }

  // the texts come back byte for byte: the hostile one and the naughty strings
  const bodies = doc.items.journal.map((e) => e.body);
  assert.ok(bodies.includes(HOSTILE), 'the hostile entry, as written');
  for (const s of naughty) assert.ok(bodies.includes(s), `naughty string ${JSON.stringify(s).slice(0, 60)}`);
  // the part B's waiting check-in would be in says nothing of it
  assert.ok(doc.items.checkins.every((c) => c.author_id !== bId || c.period === day(-3)),
    'of B\'s check-ins, only the one of a day A checked in too');
});

test('the HTML copy holds the same texts, escaped, standalone, in A\'s language', async () => {
  assert.ok(doc, 'the JSON export ran first');
  const res = await A.get('/export/html');
  assert.equal(res.status, 200, describe(res));
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="kintsugi-export-${today()}.html"`);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  htmlText = res.text;
  const html = res.text;

  // standalone and inert: no script, nothing fetched, no link anywhere
  assert.doesNotMatch(html, /<script/i, 'no script element');
  assert.doesNotMatch(html, /<(?:img|link|iframe|object|embed|base|form|meta http-equiv)\b/i, 'nothing that loads or sends');
  assert.doesNotMatch(html, /<[a-z][^>]*\s(?:src|href|action|srcset|on[a-z]+)\s*=/i, 'no src, href or handler');
  assert.doesNotMatch(html, /url\(|@import/i, 'the style fetches nothing');
  assert.ok(!/https?:\/\//i.test(html.replace(/>[^<]*</g, '><')), 'no address in the markup');

  // the same texts: every marker A reads, and the hostile and naughty texts, escaped
  const text = unescapeHtml(html);
  for (const [label, [, m]] of seen) assert.ok(text.includes(m), `${label} is in the HTML copy`);
  for (const [label, m] of hidden) assert.ok(!html.includes(m), `${label} is not in the HTML copy`);
  assert.ok(!html.includes('<script>alert'), 'the hostile text is escaped');
  assert.ok(text.includes(HOSTILE), 'the hostile text, as written');
  for (const s of naughty) assert.ok(text.includes(s), `naughty string ${JSON.stringify(s).slice(0, 60)}`);
  for (const s of strings(doc.items)) {
    if (s.length > 40 && !/^[0-9a-f]{32}$/.test(s)) assert.ok(text.includes(s), `a text of the export: ${s.slice(0, 60)}`);
  }

  // A's language: Spanish headings and dates
  assert.match(html, /<html lang="es">/);
  assert.match(html, /<h2>Diario<\/h2>/, 'the journal\'s heading in Spanish');
  assert.match(text, /\d{1,2} de [a-z]+ de \d{4}/, 'dates in Spanish');
  assert.ok(text.includes('Álex <b>&amp;</b>'), 'A\'s own name, escaped');
  assert.ok(!html.includes('Álex <b>'), 'A\'s name is not markup');

  // B's copy speaks Russian
  const bHtml = await B.get('/export/html');
  assert.equal(bHtml.status, 200, describe(bHtml));
  assert.match(bHtml.text, /<html lang="ru">/);
  assert.match(bHtml.text, /\d{1,2} [а-я]+ \d{4}/, 'dates in Russian');
});

test('a list longer than its route\'s own bound comes out whole', async () => {
  const { aClient: C } = await pair(server.url);
  const limits = registryKinds().find((k) => k.name === 'limit');
  const entries = new Set();
  for (let i = 0; i < 230; i++) {
    const body = `entry ${i} ${rand(8)} ${'x'.repeat(i % 10 === 0 ? 19000 : 10)}`;
    entries.add(body);
    await ok(await C.post('/api/v1/journal', { body }), 201, `entry ${i}`);
  }
  const texts = new Set();
  for (let i = 0; i < 205; i++) {
    const t = `limit ${i} ${rand(8)}`;
    texts.add(t);
    await ok(await C.post('/api/v1/limits', exampleBody(limits, { mark: t, shared: [] })), 201, `limit ${i}`);
  }
  const listed = await C.get('/api/v1/limits');
  assert.ok(listed.json.limits.length < 205, 'the list route has a bound of its own');
  const res = await C.get('/api/v1/export');
  assert.equal(res.status, 200, describe(res));
  const got = JSON.parse(res.text);
  assert.equal(got.items.journal.length, 230, 'every journal entry (three pages)');
  assert.deepEqual(new Set(got.items.journal.map((e) => e.body)), entries);
  assert.equal(got.items.limits.length, 205, 'every limit');
  assert.deepEqual(new Set(got.items.limits.map((l) => l.text)), texts);
  const html = await C.get('/export/html');
  assert.equal(html.status, 200);
  const text = unescapeHtml(html.text);
  for (const t of texts) assert.ok(text.includes(t));
  for (const e of entries) assert.ok(text.includes(e));
});

test('no export without a session; the page offers both', async () => {
  const anon = new Client(server.url);
  const j = await anon.get('/api/v1/export');
  assert.equal(j.status, 401, describe(j));
  assert.equal(j.json?.error?.code, 'not_signed_in');
  for (const p of ['/export', '/export/html']) {
    const r = await anon.get(p);
    assert.equal(r.status, 303, `${p}: ${describe(r)}`);
    assert.equal(new URL(r.headers.get('location'), server.url).pathname, '/signin');
    assert.equal(r.headers.get('content-disposition'), null);
  }
  const q = await A.get('/api/v1/export?all=1');
  assert.equal(q.status, 400, 'a query is refused');

  const page = await A.get('/export');
  assert.equal(page.status, 200, describe(page));
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.text, /href="\/api\/v1\/export"/);
  assert.match(page.text, /href="\/export\/html"/);
  const settings = await A.get('/settings');
  assert.match(settings.text, /href="\/export"/, 'settings links the export');
});

test('nothing of the export lands in the log', async () => {
  assert.ok(jsonText && htmlText, 'the exports ran first');
  const log = server.stderr();
  for (const [label, [, m]] of seen) assert.ok(!log.includes(m), `${label} is not in the log`);
  for (const [label, m] of hidden) assert.ok(!log.includes(m), `${label} is not in the log`);
  assert.ok(!log.includes('alert('), 'no hostile text in the log');
});

test('a therapist exports their own account, nothing of the couple\'s', async () => {
  assert.ok(doc, 'the couple wrote first');
  // A shares cards and a limit with the care team; B is made the couple's therapist
  // (care invites are another part of the program: the role is set in the database)
  const careCard = mk('care card');
  await ok(await A.post('/api/v1/shares', { kind: 'hope', body: careCard, shared_with: ['partner', 'care'] }), 201, 'care card');
  const limits = registryKinds().find((k) => k.name === 'limit');
  const careLimit = mk('care limit');
  await ok(await A.post('/api/v1/limits', exampleBody(limits, { mark: careLimit, shared: ['partner', 'care'] })), 201, 'care limit');
  dbSync(server, `UPDATE members SET role = 'therapist' WHERE id = '${bId}'`);
  const me = await B.get('/api/v1/me');
  assert.equal(me.json.member.role, 'therapist');
  // what the therapist can read of the couple through the API (A's name and id; the care
  // team's reading of what is shared with it is step 4's): the export must leave it out
  assert.ok(me.json.couple.partners.some((p) => p.id === aId && p.display_name.startsWith('Álex')),
    'the therapist reads A\'s name through the API');

  const res = await B.get('/api/v1/export');
  assert.equal(res.status, 200, describe(res));
  const got = JSON.parse(res.text);
  assert.equal(got.member.id, bId);
  assert.equal(got.member.role, 'therapist');
  assert.equal(got.couple, undefined, 'no couple');
  assert.deepEqual(got.items, {}, 'no items');
  const all = [...[...seen.values()].map(([, m]) => m), ...hidden.values(), careCard, careLimit];
  for (const m of all) assert.ok(!res.text.includes(m), `${m} is not in the therapist's export`);
  assert.ok(!res.text.includes(aId) && !res.text.includes('Álex'), 'not even A\'s id or name');
  const html = await B.get('/export/html');
  assert.equal(html.status, 200, describe(html));
  for (const m of all) assert.ok(!html.text.includes(m), `${m} is not in the therapist's HTML copy`);
  assert.ok(!html.text.includes('Álex'), 'nor A\'s name');
  const page = await B.get('/export');
  assert.equal(page.status, 200, describe(page));
});
