// The pace ladder (step 5, "be patient and kind"): each partner answers each
// rung privately (yes, maybe, not yet); the couple sees only what both want,
// and only once both have answered every rung; either partner pauses, and
// only whoever paused resumes.  Who may call each route is in the
// authorization matrix (authz.test.mjs); this file holds the reveal rule as
// a table, what each partner's answers show, the pause rules, isolation,
// bad input and what is kept at rest.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { joinCareTeam } from './care-member.mjs';
import { readablePaths } from './doc-routes.mjs';
import { dbSync, describe, errCode, leaksAtRest, pair, startServer } from './harness.mjs';

let server;

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const RUNGS = ['hands', 'hug', 'kiss', 'cuddle', 'massage', 'sensate_1', 'sensate_2', 'sensate_3',
  'intercourse'];
const CHOICES = ['yes', 'maybe', 'not_yet'];
const NONE = null; // not answered

async function couple(langs = {}) {
  const p = await pair(server.url, {
    aFields: { language: langs.a || 'en' }, bFields: { language: langs.b || 'en' },
  });
  return { A: p.aClient, B: p.bClient, a: p.a, b: p.b };
}

async function ladder(c) {
  const res = await c.get('/api/v1/pace');
  assert.equal(res.status, 200, describe(res));
  return res.json;
}

async function answer(c, rung, choice) {
  const res = await c.put(`/api/v1/pace/${rung}`, { choice });
  assert.equal(res.status, 200, describe(res));
  return res.json.rung;
}

async function pause(c) {
  const res = await c.post('/api/v1/pace/pause');
  assert.equal(res.status, 200, describe(res));
  return res.json;
}

async function resume(c, status = 200) {
  const res = await c.post('/api/v1/pace/resume');
  assert.equal(res.status, status, describe(res));
  return res.json;
}

/* What API.md says both partners see of one rung, given both answers. */
function expectedBoth(a, b, complete, paused) {
  if (!complete || paused || a === NONE || b === NONE) return null;
  if (a === 'yes' && b === 'yes') return 'yes';
  if (a !== 'not_yet' && b !== 'not_yet') return 'maybe';
  return null;
}

/* The page without what changes from one request to the next (the CSRF token). */
function pageOf(html) {
  return html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value=""');
}

/* All one partner's answers show of the ladder: the API, the page, the export's part. */
async function snapshot(c) {
  const api = await ladder(c);
  const page = await c.get('/pace');
  assert.equal(page.status, 200, describe(page));
  const exp = await c.get('/api/v1/export');
  assert.equal(exp.status, 200, describe(exp));
  return JSON.stringify({ api, page: pageOf(page.text), pace: exp.json.items.pace });
}

test('the reveal, as a table: every pair of answers, paused or not, all answered or not', async () => {
  const seen = new Map(); // what A sees, by what it may depend on: must be the same within a group
  const rows = [];
  for (const complete of [true, false]) {
    for (const a of [NONE, ...CHOICES]) {
      const { A, B } = await couple();
      // every other rung: yes from both, but for an incomplete ladder B leaves intercourse open
      for (const r of RUNGS.filter((x) => x !== 'kiss')) {
        await answer(A, r, 'yes');
        if (complete || r !== 'intercourse') await answer(B, r, 'yes');
      }
      if (a !== NONE) await answer(A, 'kiss', a);
      for (const b of [NONE, ...CHOICES]) { // B's "none" first: an answer is never taken back
        if (b !== NONE) await answer(B, 'kiss', b);
        for (const paused of [false, true]) {
          if (paused) await pause(A);
          const la = await ladder(A);
          const lb = await ladder(B);
          const want = expectedBoth(a, b, complete, paused);
          const whole = complete && a !== NONE && b !== NONE && !paused;
          const kiss = (l) => l.rungs.find((x) => x.key === 'kiss');
          const what = `a=${a} b=${b} complete=${complete} paused=${paused}`;
          rows.push(`${what} -> ${want}`);
          assert.equal(kiss(la).both, want, what);
          assert.equal(kiss(lb).both, want, what);
          assert.equal(kiss(la).mine, a, `A's own: ${what}`);
          assert.equal(kiss(lb).mine, b, `B's own: ${what}`);
          for (const l of [la, lb]) {
            assert.deepEqual(l.rungs.map((x) => x.key), RUNGS, 'the rungs in their order');
            assert.equal(l.paused, paused);
            for (const x of l.rungs.filter((y) => y.key !== 'kiss')) {
              assert.equal(x.both, whole ? 'yes' : null, `${x.key}: ${what}`);
            }
            for (const x of l.rungs) {
              assert.deepEqual(Object.keys(x).sort(), ['both', 'key', 'mine', 'title'],
                'a rung carries nothing of the partner\'s own');
            }
          }
          assert.equal(la.paused_since, lb.paused_since, 'both see the same pause');
          // what A is shown may depend on A's own answers and on what both want, never on B's
          const key = JSON.stringify({ a, complete, paused, both: la.rungs.map((x) => x.both) });
          const snap = await snapshot(A);
          if (seen.has(key)) assert.ok(snap === seen.get(key), `A's view told B's answer: ${what}`);
          else seen.set(key, snap);
          if (paused) await resume(A);
        }
      }
    }
  }
  assert.equal(rows.length, 2 * 4 * 4 * 2);
  // the groups that must look alike held more than one of B's answers (the check could fail)
  assert.ok(seen.size < rows.length);
});

test('"not yet" and no answer look alike to the partner, on every route that shows the ladder', async () => {
  const { A, B } = await couple();
  for (const r of RUNGS) await answer(A, r, 'yes');
  const before = await snapshot(A);
  for (const r of RUNGS) await answer(B, r, 'not_yet');
  assert.ok(await snapshot(A) === before, 'B answering "not yet" everywhere changed what A sees');
  await answer(B, 'kiss', 'maybe');
  const la = await ladder(A);
  assert.equal(la.rungs.find((x) => x.key === 'kiss').both, 'maybe');
  assert.equal(la.rungs.filter((x) => x.both !== null).length, 1);
});

test('a withdrawn yes takes effect at once, for both', async () => {
  const { A, B } = await couple();
  for (const r of RUNGS) {
    await answer(A, r, 'yes');
    await answer(B, r, 'yes');
  }
  assert.ok((await ladder(B)).rungs.every((x) => x.both === 'yes'));
  const put = await answer(A, 'intercourse', 'not_yet');
  assert.deepEqual(put, { key: 'intercourse', title: put.title, mine: 'not_yet', both: null });
  const lb = await ladder(B);
  assert.equal(lb.rungs.find((x) => x.key === 'intercourse').both, null);
  assert.equal(lb.rungs.find((x) => x.key === 'intercourse').mine, 'yes', 'B keeps their own');
  await answer(A, 'sensate_3', 'maybe');
  assert.equal((await ladder(B)).rungs.find((x) => x.key === 'sensate_3').both, 'maybe');
  // the page shows it too: under "both said yes" no longer
  const page = await B.get('/pace');
  assert.ok(!page.text.includes('<li>Intercourse</li>'), 'the page still lists the withdrawn yes');
  assert.ok(page.text.includes('<li>Holding hands</li>'));
});

test('pause: either partner; both see it at once; only whoever paused resumes', async () => {
  const { A, B } = await couple();
  for (const r of RUNGS) {
    await answer(A, r, 'yes');
    await answer(B, r, 'yes');
  }
  let st = await resume(B);
  assert.equal(st.paused, false, 'resuming when nobody paused changes nothing');
  st = await pause(A);
  assert.equal(st.paused, true);
  assert.match(st.paused_since, /^\d{4}-\d\d-\d\dT00:00:00Z$/, 'the day alone');
  const since = st.paused_since;
  const lb = await ladder(B);
  assert.equal(lb.paused, true, 'B sees the pause at once');
  assert.equal(lb.paused_since, since);
  assert.equal(lb.paused_by_me, false);
  assert.ok(lb.rungs.every((x) => x.both === null), 'every match is hidden while paused');
  assert.ok(lb.rungs.every((x) => x.mine === 'yes'), 'B still sees their own answers');

  const refused = await B.post('/api/v1/pace/resume');
  assert.equal(refused.status, 403, describe(refused));
  assert.equal(errCode(refused), 'forbidden');
  assert.equal((await ladder(A)).paused, true, 'a refused resume lifted nothing');
  const refusedPage = await B.form('/pace/resume', { csrf: B.csrf });
  assert.equal(refusedPage.status, 403);

  assert.equal((await pause(A)).paused_since, since, 'pausing again keeps when it began');
  // both paused: each resumes their own
  await pause(B);
  assert.equal((await resume(A)).paused, true, 'B\'s pause still stands');
  assert.equal((await ladder(A)).paused_by_me, false);
  assert.equal((await resume(A, 403)).error.code, 'forbidden');
  st = await resume(B);
  assert.equal(st.paused, false);
  assert.equal(st.paused_since, null);
  assert.ok((await ladder(A)).rungs.every((x) => x.both === 'yes'), 'the matches are back');
});

test('the pause and the answers through the pages, without JavaScript', async () => {
  const { A, B } = await couple({ a: 'es', b: 'ru' });
  const fields = Object.fromEntries(RUNGS.map((r) => [r, 'maybe']));
  let res = await A.form('/pace', { ...fields, csrf: A.csrf });
  assert.equal(res.status, 303, describe(res));
  assert.match(res.headers.get('location'), /^\/pace\?saved=1/);
  res = await B.form('/pace', { hands: 'yes', csrf: B.csrf });
  assert.equal(res.status, 303, describe(res));
  const partial = await ladder(B);
  assert.equal(partial.rungs[0].mine, 'yes');
  assert.ok(partial.rungs.slice(1).every((x) => x.mine === null), 'a rung not chosen stays open');
  res = await B.form('/pace', { ...Object.fromEntries(RUNGS.slice(1).map((r) => [r, 'yes'])),
    csrf: B.csrf });
  assert.equal(res.status, 303);
  assert.equal((await ladder(B)).rungs[0].mine, 'yes', 'a rung left out keeps its answer');
  let page = await A.get('/pace');
  assert.match(page.text, /id="pace-hands-maybe"[^>]*checked/);
  assert.ok(page.text.includes('action="/pace/pause"'));
  res = await A.form('/pace/pause', { csrf: A.csrf });
  assert.equal(res.status, 303);
  page = await B.get('/pace');
  assert.ok(!page.text.includes('action="/pace/resume"'), 'B is offered no resume of A\'s pause');
  page = await A.get('/pace');
  assert.ok(page.text.includes('action="/pace/resume"'));
  res = await A.form('/pace/resume', { csrf: A.csrf });
  assert.equal(res.status, 303);
  assert.equal((await ladder(B)).paused, false);
});

test('bad input: an unknown rung or choice is 400 naming it, and changes nothing', async () => {
  const { A } = await couple({ a: 'es' });
  await answer(A, 'hug', 'yes');
  const before = await ladder(A);
  for (const [p, body, field] of [
    ['/api/v1/pace/flying', { choice: 'yes' }, 'rung'],
    ['/api/v1/pace/', { choice: 'yes' }, 'rung'],
    ['/api/v1/pace/hug/x', { choice: 'yes' }, 'rung'],
    ['/api/v1/pace/HUG', { choice: 'yes' }, 'rung'],
    ['/api/v1/pace/pause', { choice: 'yes' }, 'rung'],
    ['/api/v1/pace/hug', { choice: 'sure' }, 'choice'],
    ['/api/v1/pace/hug', { choice: 'YES' }, 'choice'],
    ['/api/v1/pace/hug', { choice: null }, 'choice'],
    ['/api/v1/pace/hug', {}, 'choice'],
    ['/api/v1/pace/hug', { choice: 'yes', extra: 1 }, 'extra'],
  ]) {
    const res = await A.put(p, body);
    assert.equal(res.status, 400, `${p} ${JSON.stringify(body)}: ${describe(res)}`);
    if (field === 'rung') assert.match(res.json.error.message, /Paso/, 'the field named, in Spanish');
    if (field === 'choice') assert.match(res.json.error.message, /respuesta/);
  }
  const form = await A.form('/pace', { hug: 'sure', kiss: 'yes', csrf: A.csrf });
  assert.equal(form.status, 400);
  assert.match(form.text, /role="alert"/);
  assert.deepEqual(await ladder(A), before, 'nothing changed');
});

test('partners only: a therapist gets 403; another couple sees nothing of this one', async () => {
  const { A, B } = await couple();
  for (const r of RUNGS) {
    await answer(A, r, 'yes');
    await answer(B, r, 'yes');
  }
  await pause(A);
  const care = await joinCareTeam(server.url, A, B);
  for (const [m, p, body] of [['GET', '/api/v1/pace'], ['PUT', '/api/v1/pace/hug', { choice: 'yes' }],
    ['POST', '/api/v1/pace/pause'], ['POST', '/api/v1/pace/resume'], ['GET', '/pace']]) {
    const res = await care.client.request(m, p, body);
    assert.equal(res.status, 403, `${m} ${p}: ${describe(res)}`);
  }
  const { A: X } = await couple();
  const lx = await ladder(X);
  assert.equal(lx.paused, false, 'another couple\'s pause is not this one\'s');
  assert.ok(lx.rungs.every((x) => x.mine === null && x.both === null));
  assert.equal((await resume(X)).paused, false);
  assert.equal((await ladder(A)).paused, true);
});

test('the export holds the member\'s own answers, never the partner\'s', async () => {
  const { A, B } = await couple();
  await answer(A, 'hands', 'maybe');
  await answer(B, 'hands', 'not_yet');
  const exp = await A.get('/api/v1/export');
  assert.equal(exp.status, 200, describe(exp));
  const part = exp.json.items.pace;
  assert.equal(part.rungs.find((x) => x.key === 'hands').mine, 'maybe');
  assert.ok(part.rungs.every((x) => !('both' in x)));
  assert.ok(!JSON.stringify(part).includes('not_yet'), 'B\'s answer is not in A\'s export');
});

test('the answers are sealed at rest', async () => {
  const { A, B } = await couple();
  // a sequence of answers that only a clear record of them would hold
  const seq = ['not_yet', 'maybe', 'yes', 'not_yet', 'maybe', 'maybe', 'not_yet', 'yes', 'not_yet'];
  for (let i = 0; i < RUNGS.length; i++) {
    await answer(A, RUNGS[i], seq[i]);
    await answer(B, RUNGS[i], seq[(i + 3) % seq.length]);
  }
  // the record as it would read in clear: each rung given (1), its length (1), its one-byte code
  const code = { yes: 'y', maybe: 'm', not_yet: 'n' };
  const record = (s) => s.map((v) => `\u0001\u0000\u0000\u0000\u0001${code[v]}`).join('');
  const markers = new Map([
    ['A\'s answers', record(seq)],
    ['B\'s answers', record(seq.map((_, i) => seq[(i + 3) % seq.length]))],
    ['A\'s first answers', record(seq.slice(0, 3))],
    ['an answer', 'not_yet'],
  ]);
  assert.deepEqual(await leaksAtRest(server.dir, markers), []);
  const log = server.stderr() + server.stdout();
  assert.ok(!log.includes('not_yet'), 'no answer in the log');
  assert.ok(log.includes('PUT /api/v1/pace/* 200'), 'the answers were logged, by their pattern');
  assert.ok(!/pace\/(hands|kiss|intercourse)/.test(log), 'the log names no rung: the route\'s pattern only');
  // every sealed record has one length, whatever was answered (a third member has answered one
  // rung only): the size of a row says nothing of the answers
  const { A: C } = await couple();
  await answer(C, 'hands', 'maybe');
  const lengths = dbSync(server, "SELECT DISTINCT length(sealed) FROM items WHERE kind = 'pace'");
  assert.match(lengths, /^\d+$/, `one length for every answer set: ${lengths}`);
});

test('a partner who leaves takes their answers along; their pause and answers count no more', async () => {
  const { A, B, b } = await couple();
  for (const r of RUNGS) {
    await answer(A, r, 'yes');
    await answer(B, r, r === 'kiss' ? 'maybe' : 'yes');
  }
  await pause(B);
  assert.equal((await ladder(A)).paused, true);
  const res = await B.post('/api/v1/couple/leave', { password: b.password });
  assert.equal(res.status, 200, describe(res));
  const la = await ladder(A);
  assert.equal(la.paused, false, 'a pause of someone who left lifts with them');
  assert.ok(la.rungs.every((x) => x.mine === 'yes' && x.both === null), 'A alone: nothing both want');
  const lb = await ladder(B);
  // what B wrote goes with B, the pause too: it stays theirs to lift
  assert.equal(lb.paused_by_me, true);
  assert.equal((await resume(B)).paused, false);
  assert.equal(lb.rungs.find((x) => x.key === 'kiss').mine, 'maybe', 'B keeps their own answers');
  assert.ok(lb.rungs.every((x) => x.both === null));
});

test('no route A may read tells what B chose: every page and answer is the same whatever B answered', async () => {
  // A says "not yet" to every rung, so nothing is ever wanted by both; then whatever B
  // answers (nothing, all "not yet", all "maybe", all "yes"), every GET route A may
  // read must answer A the same, byte for byte but the CSRF token
  const { A, B } = await couple();
  for (const r of RUNGS) await answer(A, r, 'not_yet');
  const { paths } = await readablePaths(A);
  assert.ok(paths.includes('/pace') && paths.includes('/api/v1/pace') && paths.includes('/home'),
    'the walk covers the ladder and home');
  const view = async () => {
    const out = {};
    for (const p of paths) {
      const res = await A.get(p);
      // the moment of an export is the one thing that may change between two reads
      out[p] = `${res.status} ${pageOf(res.text).replace(/"exported_at":"[^"]*"/g, '"exported_at":""')}`;
    }
    return out;
  };
  const before = await view();
  for (const choice of CHOICES) {
    for (const r of RUNGS) await answer(B, r, choice);
    const now = await view();
    for (const p of paths)
      assert.equal(now[p], before[p], `${p} answers A differently once B said "${choice}" to every rung`);
  }
});
