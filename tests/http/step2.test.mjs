// Step 2 beyond check-ins: openness cards (acknowledged once, by the partner
// only), transparency offers (ended only by their author), shared
// activities (done by either partner), another couple's 404 everywhere,
// limits, the pages, and that what members write never reaches the
// database file or its WAL in the clear.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, dbDump, describe, errCode, filesUnder, hiddenInput, pair, rand, signupOk, startServer,
} from './harness.mjs';

let server;
let a; let b; let c;
const markers = new Map(); // label -> text that must never be on disk in the clear

before(async () => {
  server = await startServer();
  const p = await pair(server.url);
  a = p.aClient;
  b = p.bClient;
  c = new Client(server.url);
  await signupOk(c);
});
after(async () => { await server?.stop(); });

const randomId = () => randomBytes(16).toString('hex');

function day(days = 0) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function marker(label) {
  const m = `mk-${label.replace(/\W+/g, '-')}-${rand(16)}`;
  markers.set(label, m);
  return m;
}

/** The same 404 for the real id as for a random one. */
async function assertHidden(probe, id, what) {
  const real = await probe(id);
  const random = await probe(randomId());
  assert.equal(real.status, 404, `${what}: ${describe(real)}`);
  assert.equal(errCode(real), 'not_found', what);
  assert.equal(real.text, random.text, `${what}: the same answer as a random id`);
}

test('openness cards: the partner says "heard" once; the author cannot; others get 404', async () => {
  const text = marker('card body');
  const res = await a.post('/api/v1/shares', { kind: 'fear', body: `I am afraid ${text}`, shared_with: ['partner'] });
  assert.equal(res.status, 201, describe(res));
  const card = res.json.share;
  assert.equal(card.kind, 'fear');
  assert.equal(card.mine, true);
  assert.equal(card.ack, null);
  assert.equal(card.can_ack, false);

  let bl = await b.get('/api/v1/shares');
  assert.equal(bl.status, 200, describe(bl));
  const seen = bl.json.shares.find((s) => s.id === card.id);
  assert.ok(seen, 'B sees the card');
  assert.equal(seen.mine, false);
  assert.equal(seen.can_ack, true);
  assert.ok(seen.body.includes(text));

  const own = await a.post(`/api/v1/shares/${card.id}/ack`, {});
  assert.equal(own.status, 403, describe(own));
  assert.equal(errCode(own), 'forbidden');

  await assertHidden((id) => c.post(`/api/v1/shares/${id}/ack`, {}), card.id, 'C acks');
  const cl = await c.get('/api/v1/shares');
  assert.ok(!cl.text.includes(card.id) && !cl.text.includes(text));

  const reply = marker('ack reply');
  const ack = await b.post(`/api/v1/shares/${card.id}/ack`, { reply: `Heard. ${reply}` });
  assert.equal(ack.status, 201, describe(ack));
  assert.equal(ack.json.ack.share_id, card.id);
  assert.equal(ack.json.ack.reply, `Heard. ${reply}`);
  const twice = await b.post(`/api/v1/shares/${card.id}/ack`, {});
  assert.equal(twice.status, 409, describe(twice));
  assert.equal(errCode(twice), 'conflict');

  const al = await a.get('/api/v1/shares');
  const mine = al.json.shares.find((s) => s.id === card.id);
  assert.equal(mine.ack.reply, `Heard. ${reply}`);
  bl = await b.get('/api/v1/shares');
  assert.equal(bl.json.shares.find((s) => s.id === card.id).can_ack, false);

  // an ack without a reply
  const hope = await b.post('/api/v1/shares', { kind: 'hope', body: 'That we laugh again.', shared_with: ['partner'] });
  const plain = await a.post(`/api/v1/shares/${hope.json.share.id}/ack`, {});
  assert.equal(plain.status, 201, describe(plain));
  assert.equal(plain.json.ack.reply, null);
});

test('a private card stays its author\'s: not listed, not answerable (404 like a random id)', async () => {
  const text = marker('private card');
  const res = await a.post('/api/v1/shares', { kind: 'insecurity', body: text, shared_with: [] });
  assert.equal(res.status, 201, describe(res));
  const card = res.json.share;
  const bl = await b.get('/api/v1/shares');
  assert.ok(!bl.text.includes(card.id) && !bl.text.includes(text));
  await assertHidden((id) => b.post(`/api/v1/shares/${id}/ack`, { reply: 'x' }), card.id, 'B acks a private card');
  await assertHidden((id) => b.get(`/api/v1/shares/${id}`), card.id, 'B reads a private card');
  await assertHidden((id) => c.get(`/api/v1/shares/${id}`), card.id, 'C reads a private card');
  const mineOne = await a.get(`/api/v1/shares/${card.id}`);
  assert.equal(mineOne.status, 200, describe(mineOne));
  assert.equal(mineOne.json.share.body, text);
const al = await a.get('/api/v1/shares');
  assert.equal(al.json.shares.find((s) => s.id === card.id).body, text);
});

test('cards: kinds, lengths and sharing are checked', async () => {
  const cases = [
    [{ kind: 'regret', body: 'x', shared_with: [] }, 'invalid_value'],
    [{ kind: 'need', body: '', shared_with: [] }, 'too_short'],
    [{ kind: 'need', body: 'x'.repeat(4001), shared_with: [] }, 'too_long'],
    [{ kind: 'need', body: 'x' }, 'missing_field'],
    [{ kind: 'need', body: 'x', shared_with: ['partner'], extra: 1 }, 'unknown_field'],
  ];
  for (const [bodyJson, code] of cases) {
    const res = await a.post('/api/v1/shares', bodyJson);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code);
  }
  const max = await a.post('/api/v1/shares', { kind: 'desire', body: 'я'.repeat(4000), shared_with: ['partner'] });
  assert.equal(max.status, 201, describe(max));
  const card = max.json.share.id;
  const long = await b.post(`/api/v1/shares/${card}/ack`, { reply: 'x'.repeat(2001) });
  assert.equal(long.status, 400, describe(long));
  assert.equal(errCode(long), 'too_long');
});

test('offers: visible to both, ended only by their author', async () => {
  const text = marker('offer text');
  const res = await a.post('/api/v1/offers', { text: `I will tell you if ${text}`, until: day(30) });
  assert.equal(res.status, 201, describe(res));
  const offer = res.json.offer;
  assert.equal(offer.status, 'active');
  assert.equal(offer.until, day(30));
  assert.equal(offer.ended_at, null);

  const bl = await b.get('/api/v1/offers');
  const seen = bl.json.offers.find((o) => o.id === offer.id);
  assert.ok(seen && seen.text.includes(text) && seen.mine === false, 'always shared with the partner');

  const byB = await b.post(`/api/v1/offers/${offer.id}/end`);
  assert.equal(byB.status, 403, describe(byB));
  assert.equal(errCode(byB), 'forbidden');
  await assertHidden((id) => c.post(`/api/v1/offers/${id}/end`), offer.id, 'C ends');
  await assertHidden((id) => c.get(`/api/v1/offers/${id}`), offer.id, 'C reads');
  const one = await b.get(`/api/v1/offers/${offer.id}`);
  assert.equal(one.status, 200, describe(one));
  assert.ok(one.json.offer.text.includes(text));
const cl = await c.get('/api/v1/offers');
  assert.deepEqual(cl.json.offers, []);

  const end = await a.post(`/api/v1/offers/${offer.id}/end`);
  assert.equal(end.status, 200, describe(end));
  assert.equal(end.json.offer.status, 'ended');
  assert.ok(end.json.offer.ended_at);
  const again = await a.post(`/api/v1/offers/${offer.id}/end`);
  assert.equal(again.status, 200, describe(again));
  assert.equal(again.json.offer.ended_at, end.json.offer.ended_at, 'the first end stands');
  const after = await b.get('/api/v1/offers');
  assert.equal(after.json.offers.find((o) => o.id === offer.id).status, 'ended');
});

test('offers: until runs from today to a year ahead; text 1..1000', async () => {
  for (const until of [day(-1), day(366)]) {
    const res = await a.post('/api/v1/offers', { text: 'x', until });
    assert.equal(res.status, 400, `${until}: ${describe(res)}`);
    assert.equal(errCode(res), 'out_of_range');
  }
  for (const until of [day(0), day(365)]) {
    const res = await a.post('/api/v1/offers', { text: 'x', until });
    assert.equal(res.status, 201, `${until}: ${describe(res)}`);
  }
  let res = await a.post('/api/v1/offers', { text: 'x'.repeat(1001), until: day(1) });
  assert.equal(errCode(res), 'too_long');
  res = await a.post('/api/v1/offers', { text: '', until: day(1) });
  assert.equal(errCode(res), 'too_short');
  res = await a.post('/api/v1/offers', { text: 'x', until: 'soon' });
  assert.equal(errCode(res), 'invalid_value');
  res = await a.post('/api/v1/offers', { text: 'x', until: day(1), shared_with: [] });
  assert.equal(errCode(res), 'unknown_field', 'an offer is always shared: there is no choice to make');
});

test('activities: planned by one, marked done by either, each says how it felt', async () => {
  const title = marker('activity title');
  const res = await a.post('/api/v1/activities', { kind: 'cooking', title: `Cook ${title}`, planned_for: day(-1) });
  assert.equal(res.status, 201, describe(res));
  const act = res.json.activity;
  assert.equal(act.done, false);
  assert.equal(act.kind, 'cooking');
  assert.equal(act.felt, null);

  const feltB = marker('felt by B');
  let put = await b.put(`/api/v1/activities/${act.id}`, { done: true, felt: feltB });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.activity.done, true);
  assert.equal(put.json.activity.felt, feltB);
  assert.equal(put.json.activity.partner_felt, null);
  const doneAt = put.json.activity.done_at;
  assert.ok(doneAt);

  const feltA = marker('felt by A');
  put = await a.put(`/api/v1/activities/${act.id}`, { done: true, felt: feltA });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.activity.felt, feltA);
  assert.equal(put.json.activity.partner_felt, feltB);
  // the first mark stands: B's, which A reads to the day (no time of day of the partner's)
  assert.equal(put.json.activity.done_at, `${doneAt.slice(0, 10)}T00:00:00Z`, 'the first mark stands');
  assert.equal((await b.get('/api/v1/activities')).json.activities.find((x) => x.id === act.id).done_at,
    doneAt, 'B, who marked it, reads the time');

  // a changed note replaces the old one
  const feltA2 = marker('felt by A, changed');
  put = await a.put(`/api/v1/activities/${act.id}`, { done: true, felt: feltA2 });
  assert.equal(put.json.activity.felt, feltA2);
  const bl = await b.get('/api/v1/activities');
  const seen = bl.json.activities.find((x) => x.id === act.id);
  assert.equal(seen.partner_felt, feltA2);
  assert.equal(seen.felt, feltB);

  // not done after all, then done again
  put = await b.put(`/api/v1/activities/${act.id}`, { done: false });
  assert.equal(put.json.activity.done, false);
  put = await b.put(`/api/v1/activities/${act.id}`, { done: true });
  assert.equal(put.json.activity.done, true);
  await assertHidden((id) => c.put(`/api/v1/activities/${id}`, { done: true, felt: 'nope' }), act.id, 'C marks');
  await assertHidden((id) => c.get(`/api/v1/activities/${id}`), act.id, 'C reads');
  const one = await a.get(`/api/v1/activities/${act.id}`);
  assert.equal(one.status, 200, describe(one));
  assert.equal(one.json.activity.partner_felt, feltB);
const cl = await c.get('/api/v1/activities');
  assert.deepEqual(cl.json.activities, []);
});

test('activities: kinds, titles, dates and notes are checked', async () => {
  const cases = [
    [{ kind: 'sleeping', title: 'x', planned_for: day(1) }, 'invalid_value'],
    [{ kind: 'hobby', title: '', planned_for: day(1) }, 'too_short'],
    [{ kind: 'hobby', title: 'x'.repeat(201), planned_for: day(1) }, 'too_long'],
    [{ kind: 'hobby', title: 'x', planned_for: '2024-02-31' }, 'invalid_value'],
    [{ kind: 'hobby', title: 'x' }, 'missing_field'],
  ];
  for (const [bodyJson, code] of cases) {
    const res = await a.post('/api/v1/activities', bodyJson);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code);
  }
  const ok = await a.post('/api/v1/activities', { kind: 'exercise', title: 'A walk by the river', planned_for: day(3) });
  assert.equal(ok.status, 201);
  const id = ok.json.activity.id;
  let res = await b.put(`/api/v1/activities/${id}`, { done: true, felt: 'x'.repeat(1001) });
  assert.equal(errCode(res), 'too_long');
  res = await b.put(`/api/v1/activities/${id}`, { felt: 'x' });
  assert.equal(errCode(res), 'missing_field');
  res = await b.put(`/api/v1/activities/${id}`, { done: 'yes' });
  assert.equal(errCode(res), 'wrong_type');
});

test('another couple: every step 2 list is empty and every id is a random id', async () => {
  for (const p of ['/api/v1/shares', '/api/v1/offers', '/api/v1/activities']) {
    const res = await c.get(p);
    assert.equal(res.status, 200, describe(res));
    const [list] = Object.values(res.json);
    assert.deepEqual(list, [], p);
  }
  const couple = await c.get('/api/v1/couple');
  assert.equal(couple.json.couple.partners.length, 1, 'C\'s own couple');
  assert.equal(couple.json.couple.rhythm, 'daily');
});

test('the step 2 pages work without JavaScript and say kintsugi never monitors anyone', async () => {
  for (const p of ['/shares', '/offers', '/activities', '/checkins', '/home', '/settings']) {
    const res = await a.get(p);
    assert.equal(res.status, 200, `${p}: ${describe(res)}`);
    assert.ok(!/\sstyle=/i.test(res.text), `${p}: no inline style`);
    assert.ok(!/<script\b[^>]*>[^<]+<\/script>/i.test(res.text), `${p}: no inline script`);
  }
  const offers = await a.get('/offers');
  assert.match(offers.text, /never monitors devices, messages or location/);

  // a card through the form, and "I heard you" through the partner's form
  let page = await a.get('/shares');
  const text = marker('card via form');
  let res = await a.form('/shares', { csrf: hiddenInput(page.text, 'csrf'), kind: 'need', body: text, share_partner: '1' });
  assert.equal(res.status, 303, describe(res));
  page = await b.get('/shares');
  assert.ok(page.text.includes(text));
  const id = new RegExp(`id="card-([0-9a-f]{32})"[\\s\\S]*?${text}`).exec(page.text)?.[1];
  assert.ok(id, 'the card is on B\'s page');
  res = await b.form(`/shares/${id}/ack`, { csrf: hiddenInput(page.text, 'csrf'), reply: 'Thank you for telling me.' });
  assert.equal(res.status, 303, describe(res));
  page = await a.get('/shares');
  assert.ok(page.text.includes('Thank you for telling me.'));

  // a form that fails keeps what was typed
  page = await a.get('/offers');
  const typed = marker('offer typed');
  res = await a.form('/offers', { csrf: hiddenInput(page.text, 'csrf'), text: typed, until: day(400) });
  assert.equal(res.status, 400, describe(res));
  assert.ok(res.text.includes(typed));
  assert.match(res.text, /role="alert"/);

  // plan and mark done through the forms
  page = await a.get('/activities');
  const title = marker('activity via form');
  res = await a.form('/activities', { csrf: hiddenInput(page.text, 'csrf'), kind: 'hobby', title, planned_for: day(0) });
  assert.equal(res.status, 303, describe(res));
  page = await b.get('/activities');
  const aid = new RegExp(`id="activity-([0-9a-f]{32})"[\\s\\S]*?${title}`).exec(page.text)?.[1];
  assert.ok(aid);
  res = await b.form(`/activities/${aid}`, { csrf: hiddenInput(page.text, 'csrf'), done: '1', felt: 'Lighter than I expected.' });
  assert.equal(res.status, 303, describe(res));
  page = await a.get('/activities');
  assert.ok(page.text.includes('Lighter than I expected.'));

  // another couple's ids are 404 pages too
  page = await c.get('/shares');
  res = await c.form(`/shares/${id}/ack`, { csrf: hiddenInput(page.text, 'csrf') });
  assert.equal(res.status, 404, describe(res));
  res = await c.form(`/activities/${aid}`, { csrf: hiddenInput(page.text, 'csrf'), done: '1' });
  assert.equal(res.status, 404, describe(res));
});

test('the home page names a next step and where steps 1 and 2 stand', async () => {
  const p = await pair(server.url);
  let home = await p.aClient.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /class="card card-gold next-action"/);
  assert.match(home.text, /href="\/checkin"/);
  assert.match(home.text, /You have not begun this step yet/);
  assert.match(home.text, /Your chart begins with your first check-in/);

  // a member alone is asked to invite, not to check in
  const alone = new Client(server.url);
  await signupOk(alone);
  home = await alone.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /href="\/invite"/);
  assert.ok(!/next-action/.test(home.text));
});

test('home\'s step 1 counts a delivered statement and a commitment, not only the journal', async () => {
  const p = await pair(server.url);
  const step1 = async () => {
    const home = await p.aClient.get('/home');
    assert.equal(home.status, 200, describe(home));
    return /<p class="step-status">([^<]*)<\/p>/.exec(home.text)?.[1];
  };
  assert.match(await step1(), /You have not begun this step yet/);
  const cm = await p.aClient.post('/api/v1/commitments', { text: 'I will tell you where I am', review_every_days: 7 });
  assert.equal(cm.status, 201, describe(cm));
  assert.match(await step1(), /You have begun this step/, 'a commitment begins step 1');
  const st = await p.aClient.post('/api/v1/statements', {
    what_i_did: 'I hid the messages from you.', repair: 'I will keep my phone open to you.',
  });
  assert.equal(st.status, 201, describe(st));
  assert.match(await step1(), /You have begun this step/, 'a draft is not yet delivered');
  const d = await p.aClient.post(`/api/v1/statements/${st.json.statement.id}/deliver`, {});
  assert.equal(d.status, 200, describe(d));
  assert.match(await step1(), /This step is going steadily/, 'a delivered statement and a commitment');
  // the partner's own step 1 does not take the other's statement as theirs
  const bHome = await p.bClient.get('/home');
  assert.match(/<p class="step-status">([^<]*)<\/p>/.exec(bHome.text)?.[1], /You have not begun this step yet/);
});

/** The byte patterns under which a marker could be found. */
function patterns(s) {
  return [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le')];
}

test('notes, cards, replies, offers, titles and feelings never reach the disk in the clear', async () => {
  const note = marker('check-in note');
  const res = await a.post('/api/v1/checkins', {
    period: day(-1), scores: { emotional: 1, physical: 1, mental: 1, sexual: 1, financial: 1 },
    trust: 1, closeness: 1, note, shared_with: [],
  });
  assert.ok([201, 409].includes(res.status), describe(res));
  if (res.status === 409) markers.delete('check-in note');
  assert.ok(markers.size >= 10, `${markers.size} markers`);

  const files = await filesUnder(server.dir);
  const leaks = [];
  if (server.dbPath) {
    assert.ok(files.some((f) => path.basename(f) === 'k.db'));
  } else {
    // PostgreSQL: what a copy of the database holds (text; bytea as hex)
    const dump = Buffer.from(dbDump(server));
    for (const [label, m] of markers) {
      if (patterns(m).some((p) => dump.includes(p) || dump.includes(Buffer.from(p.toString('hex'))))) {
        leaks.push(`${label} in the PostgreSQL database`);
      }
    }
  }
  for (const file of files) {
    const bytes = await fsp.readFile(file);
    for (const [label, m] of markers) {
      if (patterns(m).some((p) => bytes.includes(p))) leaks.push(`${label} in ${path.basename(file)}`);
    }
  }
  assert.deepEqual(leaks, [], `readable text on disk:\n${leaks.join('\n')}`);
  const log = server.stderr() + server.stdout();
  const logLeaks = [...markers].filter(([, m]) => log.includes(m)).map(([label]) => label);
  assert.deepEqual(logLeaks, [], `text in the log:\n${logLeaks.join('\n')}`);
});
