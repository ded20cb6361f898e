// Accountability statements (step 1): drafts are private, delivery makes
// them visible to the partner and immutable, only the partner who received
// one responds, another couple sees nothing, the statement check flags
// non-apologies in each language, limits hold, and no statement or response
// text is readable in the database files or the log.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, ID_RE, describe, errCode, hiddenInput, leaksAtRest, pair, rand, signupOk, startServer,
} from './harness.mjs';

let server;
const markers = new Map(); // label -> text that must never be readable at rest

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const PARTS = ['what_i_did', 'impact', 'why', 'regret', 'repair', 'forgiveness_request'];

function full(extra = {}) {
  return {
    what_i_did: 'I lied to you about where I was for three months.',
    impact: 'You stopped trusting your own memory.',
    why: 'I was afraid of the conflict, and I chose to hide.',
    regret: 'I regret every one of those evenings.',
    repair: 'I will answer every question you ask, honestly, and see a therapist weekly.',
    ...extra,
  };
}

async function create(c, body) {
  const res = await c.post('/api/v1/statements', body);
  assert.equal(res.status, 201, describe(res));
  return res.json.statement;
}

function assertShape(st, { author = true } = {}) {
  const keys = ['author_id', 'created_at', 'delivered_at', 'id', 'responses', 'status',
    'updated_at', ...PARTS];
  if (author) keys.push('flags', 'coach_flags');
  assert.deepEqual(Object.keys(st).sort(), keys.sort());
  assert.match(st.id, ID_RE);
  assert.match(st.author_id, ID_RE);
  assert.ok(['draft', 'delivered'].includes(st.status));
  assert.ok(Array.isArray(st.responses));
  if (author) assert.ok(Array.isArray(st.flags));
  for (const t of [st.created_at, st.updated_at]) {
    assert.match(t, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  }
}

test('a draft is private to its author until it is delivered; then it never changes', async () => {
  const { a, aClient, bClient } = await pair(server.url);
  const st = await create(aClient, full());
  assertShape(st);
  assert.equal(st.status, 'draft');
  assert.equal(st.delivered_at, null);
  assert.equal(st.forgiveness_request, null);
  assert.equal(st.author_id, a.member.id);
  assert.deepEqual(st.responses, []);
  assert.equal(st.what_i_did, full().what_i_did);

  // the partner cannot see, change, deliver or answer a draft: it does not exist for them
  assert.equal((await bClient.get(`/api/v1/statements/${st.id}`)).status, 404);
  assert.deepEqual((await bClient.get('/api/v1/statements')).json.statements, []);
  assert.equal((await bClient.put(`/api/v1/statements/${st.id}`, full())).status, 404);
  assert.equal((await bClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 404);
  const ans = await bClient.post(`/api/v1/statements/${st.id}/responses`, { read: true });
  assert.equal(ans.status, 404, describe(ans));
  assert.equal(errCode(ans), 'not_found');

  // the author changes it: every part is replaced, an absent one becomes empty
  const put = await aClient.put(`/api/v1/statements/${st.id}`,
    full({ regret: 'I regret it deeply.', forgiveness_request: 'If you can, one day.' }));
  assert.equal(put.status, 200, describe(put));
  assertShape(put.json.statement);
  assert.equal(put.json.statement.regret, 'I regret it deeply.');
  assert.equal(put.json.statement.forgiveness_request, 'If you can, one day.');
  assert.equal(put.json.statement.created_at, st.created_at);
  const put2 = await aClient.put(`/api/v1/statements/${st.id}`, { what_i_did: 'x', repair: 'y' });
  assert.equal(put2.status, 200, describe(put2));
  assert.equal(put2.json.statement.impact, '');
  assert.equal(put2.json.statement.forgiveness_request, null);
  await aClient.put(`/api/v1/statements/${st.id}`, full());

  const del = await aClient.post(`/api/v1/statements/${st.id}/deliver`);
  assert.equal(del.status, 200, describe(del));
  assertShape(del.json.statement);
  assert.equal(del.json.statement.status, 'delivered');
  assert.match(del.json.statement.delivered_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.equal(del.json.statement.what_i_did, full().what_i_did);

  // now the partner sees it (without flags), and nobody can change it
  const seen = await bClient.get(`/api/v1/statements/${st.id}`);
  assert.equal(seen.status, 200, describe(seen));
  assertShape(seen.json.statement, { author: false });
  assert.equal(seen.json.statement.repair, full().repair);
  const list = await bClient.get('/api/v1/statements');
  assert.deepEqual(list.json.statements.map((s) => s.id), [st.id]);

  const again = await aClient.put(`/api/v1/statements/${st.id}`, full({ repair: 'changed' }));
  assert.equal(again.status, 409, describe(again));
  assert.equal(errCode(again), 'already_delivered');
  assert.ok(again.json.error.message.length > 10);
  assert.equal((await aClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 409);
  assert.equal((await bClient.put(`/api/v1/statements/${st.id}`, full())).status, 404);
  assert.equal((await bClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 404);
  assert.equal((await aClient.get(`/api/v1/statements/${st.id}`)).json.statement.repair,
    full().repair);
});

test('delivery needs what I did and repair; drafts may be incomplete', async () => {
  const { aClient } = await pair(server.url);
  const empty = await create(aClient, {});
  for (const p of PARTS.slice(0, 5)) assert.equal(empty[p], '');
  assert.equal(empty.forgiveness_request, null);
  for (const body of [
    {},
    full({ what_i_did: '' }),
    full({ repair: '' }),
    full({ what_i_did: '   \n\t ' }),
    { what_i_did: 'I lied.', impact: 'a', why: 'b', regret: 'c' },
  ]) {
    const st = await create(aClient, body);
    const res = await aClient.post(`/api/v1/statements/${st.id}/deliver`);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${describe(res)}`);
    assert.equal(errCode(res), 'statement_incomplete');
    assert.equal((await aClient.get(`/api/v1/statements/${st.id}`)).json.statement.status, 'draft');
  }
  const ok = await create(aClient, { what_i_did: 'I lied.', repair: 'I will tell the truth.' });
  assert.equal((await aClient.post(`/api/v1/statements/${ok.id}/deliver`)).status, 200);
});

test('only the partner who received a statement responds; responses come with it', async () => {
  const { a, b, aClient, bClient } = await pair(server.url);
  const st = await create(aClient, full());
  assert.equal((await aClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 200);

  const own = await aClient.post(`/api/v1/statements/${st.id}/responses`, { read: true });
  assert.equal(own.status, 403, describe(own));
  assert.equal(errCode(own), 'forbidden');

  const r1 = await bClient.post(`/api/v1/statements/${st.id}/responses`, { read: true });
  assert.equal(r1.status, 201, describe(r1));
  assert.deepEqual(Object.keys(r1.json), ['response']);
  const resp = r1.json.response;
  assert.deepEqual(Object.keys(resp).sort(),
    ['author_id', 'created_at', 'id', 'landed', 'read', 'statement_id', 'still_need']);
  assert.equal(resp.read, true);
  assert.equal(resp.landed, null);
  assert.equal(resp.still_need, null);
  assert.equal(resp.statement_id, st.id);
  assert.equal(resp.author_id, b.member.id);

  const r2 = await bClient.post(`/api/v1/statements/${st.id}/responses`, {
    read: true, landed: 'That you named it plainly.', still_need: 'Why it went on so long.',
  });
  assert.equal(r2.status, 201, describe(r2));
  assert.equal(r2.json.response.landed, 'That you named it plainly.');

  for (const c of [aClient, bClient]) {
    const got = (await c.get(`/api/v1/statements/${st.id}`)).json.statement;
    assert.deepEqual(got.responses.map((x) => x.id), [resp.id, r2.json.response.id]);
    assert.equal(got.responses[1].still_need, 'Why it went on so long.');
  }
  assert.equal(a.member.id, st.author_id);

  const notRead = await bClient.post(`/api/v1/statements/${st.id}/responses`, { read: false });
  assert.equal(notRead.status, 400, describe(notRead));
  assert.equal(errCode(notRead), 'invalid_value');
  const noRead = await bClient.post(`/api/v1/statements/${st.id}/responses`, { landed: 'x' });
  assert.equal(errCode(noRead), 'missing_field');
  const random = await bClient.post(`/api/v1/statements/${'0'.repeat(32)}/responses`, { read: true });
  assert.equal(random.status, 404);
});

test('another couple gets 404 everywhere, exactly as for a random id', async () => {
  const { aClient } = await pair(server.url);
  const st = await create(aClient, full());
  const draft = await create(aClient, full());
  assert.equal((await aClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 200);
  const { aClient: other, bClient: otherB } = await pair(server.url);
  const lone = new Client(server.url);
  await signupOk(lone);
  const randomId = rand(32).padEnd(32, '0');
  for (const c of [other, otherB, lone]) {
    for (const id of [st.id, draft.id, randomId]) {
      const answers = [
        await c.get(`/api/v1/statements/${id}`),
        await c.put(`/api/v1/statements/${id}`, full()),
        await c.post(`/api/v1/statements/${id}/deliver`),
        await c.post(`/api/v1/statements/${id}/responses`, { read: true }),
      ];
      for (const res of answers) {
        assert.equal(res.status, 404, describe(res));
        assert.deepEqual(res.json, answers[0].json, 'the same answer every time');
      }
    }
    assert.deepEqual((await c.get('/api/v1/statements')).json.statements, []);
  }
});

test('the statement check flags a conditional apology in each language', async () => {
  const cases = [
    ['en', 'what_i_did', "I'm sorry if you felt hurt by what I did.", 'sorry if'],
    ['es', 'regret', 'Lo siento si te hice daño.', 'Lo siento si'],
    ['ru', 'impact', 'Прости, если тебе было больно.', 'Прости, если'],
  ];
  for (const [lang, field, text, match] of cases) {
    const { aClient, bClient } = await pair(server.url, { aFields: { language: lang } });
    const st = await create(aClient, full({ [field]: text }));
    const flag = st.flags.find((f) => f.pattern === 'conditional');
    assert.ok(flag, `${lang}: ${JSON.stringify(st.flags)}`);
    assert.deepEqual(Object.keys(flag).sort(), ['field', 'match', 'pattern', 'suggestion']);
    assert.equal(flag.field, field);
    assert.equal(flag.match, match);
    assert.ok(flag.suggestion.length > 20, flag.suggestion);

    // the same flags on GET and PUT; the partner never sees them
    assert.deepEqual((await aClient.get(`/api/v1/statements/${st.id}`)).json.statement.flags, st.flags);
    await aClient.post(`/api/v1/statements/${st.id}/deliver`);
    const seen = (await bClient.get(`/api/v1/statements/${st.id}`)).json.statement;
    assert.equal(seen.flags, undefined);
  }
  const { aClient } = await pair(server.url);
  const more = await create(aClient, full({
    what_i_did: "I'm sorry you feel that way.",
    impact: 'It was just a few messages.',
    regret: "I'm sorry, but you were never home.",
  }));
  assert.deepEqual(more.flags.map((f) => [f.field, f.pattern]), [
    ['what_i_did', 'blame_shift'], ['impact', 'minimising'], ['regret', 'but_after_apology'],
  ]);
  const sincere = await create(aClient, {
    what_i_did: "I'm sorry I lied to you.",
    impact: 'Lo siento, te mentí.',
    regret: 'Прости меня, я тебе солгал.',
    repair: 'I will tell you the truth, every time you ask.',
  });
  assert.deepEqual(sincere.flags, []);
});

test('the live check: the new kinds, in the member\'s language, and nothing denied, quoted or saved', async () => {
  const { aClient } = await pair(server.url, { aFields: { language: 'es' } });
  const before = (await aClient.get('/api/v1/statements')).json.statements.length;
  const res = await aClient.post('/api/v1/statements/check', {
    what_i_did: 'Se cometieron errores.',
    impact: 'Me dijiste "solo fue un beso?" y volví a mentir.',
    why: 'It wasn\'t just a kiss; I lied to you for a year.',
    regret: 'Я уже извинился.',
    repair: 'You need to get over it.',
    forgiveness_request: 'At least I told you myself.',
  });
  assert.equal(res.status, 200, describe(res));
  assert.deepEqual(Object.keys(res.json), ['flags']);
  assert.deepEqual(res.json.flags.map((f) => [f.field, f.pattern, f.match]), [
    ['what_i_did', 'agentless', 'Se cometieron errores'],
    ['regret', 'already_apologised', 'уже извинился'],
    ['repair', 'demand', 'You need to get over'],
    ['forgiveness_request', 'comparison', 'At least I'],
  ]);
  // the suggestion is in the member's language (Spanish: tú)
  assert.match(res.json.flags[0].suggestion, /[áéíóúñ]|podrías/i, res.json.flags[0].suggestion);
  // nothing was saved
  assert.equal((await aClient.get('/api/v1/statements')).json.statements.length, before);
  // an empty body is a check of nothing; a part over the limit is refused like a statement's
  const empty = await aClient.post('/api/v1/statements/check', {});
  assert.equal(empty.status, 200, describe(empty));
  assert.deepEqual(empty.json.flags, []);
  const long = await aClient.post('/api/v1/statements/check', { impact: 'x'.repeat(4001) });
  assert.equal(long.status, 400, describe(long));
});

test('the statement page loads the live check as a file (CSP: no inline script), in each language', async () => {
  for (const lang of ['en', 'es', 'ru']) {
    const { aClient } = await pair(server.url, { aFields: { language: lang } });
    const page = await aClient.get('/statements/new');
    assert.equal(page.status, 200, describe(page));
    assert.match(page.text, /<form class="form" method="post" action="\/statements" data-live-check="\/api\/v1\/statements\/check" data-flags-title="[^"<>]+">/);
    assert.match(page.text, /<script src="\/static\/js\/statement-check\.js" defer><\/script>/);
    assert.doesNotMatch(page.text, /<script>|style="/);
  }
  const js = await new Client(server.url).get('/static/js/statement-check.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.match(js.text, /X-CSRF-Token/);
  assert.doesNotMatch(js.text, /innerHTML/, 'findings are set as text');
});

test('limits and bad input are refused with the usual codes', async () => {
  const { aClient, bClient } = await pair(server.url);
  const max = 'ж'.repeat(4000);
  const ok = await aClient.post('/api/v1/statements', full({ why: max }));
  assert.equal(ok.status, 201, describe(ok));
  assert.equal(ok.json.statement.why, max);
  const cases = [
    [full({ why: `${max}ж` }), 'too_long'],
    [full({ forgiveness_request: 'x'.repeat(4001) }), 'too_long'],
    [full({ apology: 'x' }), 'unknown_field'],
    [full({ repair: 42 }), 'wrong_type'],
    [full({ repair: 'a\u0001b' }), 'invalid_value'],
  ];
  for (const [body, code] of cases) {
    const res = await aClient.post('/api/v1/statements', body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code);
  }
  const st = ok.json.statement;
  const badPut = await aClient.put(`/api/v1/statements/${st.id}`, full({ what_i_did: 'x'.repeat(4001) }));
  assert.equal(errCode(badPut), 'too_long');
  assert.equal((await aClient.post('/api/v1/statements', '{"what_i_did":"a","what_i_did":"b"}')).status, 400);
  assert.equal((await aClient.post('/api/v1/statements', full(), { csrf: false })).status, 403);
  assert.equal((await aClient.get('/api/v1/statements?limit=5')).status, 400);
  assert.equal((await new Client(server.url).get('/api/v1/statements')).status, 401);
  assert.equal((await aClient.post(`/api/v1/statements/${st.id}/deliver`, { x: 1 })).status, 400);
  await aClient.post(`/api/v1/statements/${st.id}/deliver`);
  const longAnswer = await bClient.post(`/api/v1/statements/${st.id}/responses`,
    { read: true, landed: 'x'.repeat(4001) });
  assert.equal(errCode(longAnswer), 'too_long');
  assert.equal((await aClient.get('/api/v1/statements/NOTANID')).status, 404);
});

test('pages: write, see the findings beside the words, deliver, respond', async () => {
  const { aClient, bClient } = await pair(server.url);
  const form = await aClient.get('/statements/new');
  assert.equal(form.status, 200);
  for (const p of PARTS) assert.match(form.text, new RegExp(`<label for="${p}">`));
  assert.doesNotMatch(form.text, /Deliver this statement/);

  const created = await aClient.form('/statements', {
    csrf: aClient.csrf, what_i_did: "I'm sorry if I hurt you.", impact: '',
  });
  assert.equal(created.status, 303, describe(created));
  const loc = created.headers.get('location');
  assert.match(loc, /^\/statements\/[0-9a-f]{32}\?saved=1$/);
  const id = loc.slice(12, 44);
  const draft = await aClient.get(loc);
  assert.equal(draft.status, 200);
  assert.match(draft.text, /role="status"/);
  assert.match(draft.text, /id="what_i_did-flags"/);
  assert.match(draft.text, /<q class="flag-match">sorry if<\/q>/);
  assert.doesNotMatch(draft.text, /Deliver this statement/, 'no delivery before repair is written');
  assert.equal((await bClient.get(`/statements/${id}`)).status, 404);

  const saved = await aClient.form(`/statements/${id}`, {
    csrf: aClient.csrf, what_i_did: 'I lied to you.', repair: 'I will tell you the truth.',
  });
  assert.equal(saved.status, 303, describe(saved));
  const ready = await aClient.get(`/statements/${id}`);
  assert.match(ready.text, /Deliver this statement/);
  assert.doesNotMatch(ready.text, /flag-match/);

  const tooLong = await aClient.form(`/statements/${id}`, {
    csrf: aClient.csrf, what_i_did: 'kept words', why: 'y'.repeat(4001),
  });
  assert.equal(tooLong.status, 400);
  assert.match(tooLong.text, /role="alert"/);
  assert.match(tooLong.text, /kept words/, 'what was typed comes back');
  assert.deepEqual([...tooLong.text.matchAll(/<textarea id="(\w+)"[^>]*aria-invalid="true"/g)]
    .map((m) => m[1]), ['why'], 'only the part at fault is marked');

  const delivered = await aClient.form(`/statements/${id}/deliver`, { csrf: aClient.csrf });
  assert.equal(delivered.status, 303, describe(delivered));
  assert.equal(delivered.headers.get('location'), `/statements/${id}?delivered=1`);
  assert.equal((await aClient.form(`/statements/${id}`, { csrf: aClient.csrf, what_i_did: 'x' })).status, 409);

  // the partner reads it and may answer; nothing asks them to forgive
  const view = await bClient.get(`/statements/${id}`);
  assert.equal(view.status, 200);
  assert.match(view.text, /I lied to you\./);
  assert.equal(hiddenInput(view.text, 'read'), '1');
  assert.doesNotMatch(view.text, /forgiv/i);
  const answered = await bClient.form(`/statements/${id}/responses`, {
    csrf: bClient.csrf, read: '1', landed: 'That you said it plainly.',
  });
  assert.equal(answered.status, 303, describe(answered));
  const after = await aClient.get(`/statements/${id}`);
  assert.match(after.text, /That you said it plainly\./);
  assert.doesNotMatch(after.text, /action="\/statements\/[0-9a-f]{32}\/responses"/);
  const list = await bClient.get('/statements');
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`/statements/${id}`));
  assert.equal((await aClient.form(`/statements/${id}/responses`, { csrf: aClient.csrf, read: '1' })).status, 403);
});

test('a request for forgiveness is shown to the partner without asking anything of them', async () => {
  const { aClient, bClient } = await pair(server.url);
  const st = await create(aClient, full({ forgiveness_request: 'One day, if you can.' }));
  await aClient.post(`/api/v1/statements/${st.id}/deliver`);
  const view = await bClient.get(`/statements/${st.id}`);
  assert.match(view.text, /One day, if you can\./);
  const buttons = [...view.text.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
  for (const b of buttons) assert.doesNotMatch(b, /forgiv/i, `button: ${b}`);
  assert.doesNotMatch(view.text, /name="forgiv/i);
});

test('statement and response texts are not readable in the database, its WAL or the log', async () => {
  const { aClient, bClient } = await pair(server.url);
  const mk = (label) => {
    const m = `stmt-marker-${rand(16)}`;
    markers.set(label, m);
    return m;
  };
  const draft = await create(aClient, full({ what_i_did: `I did ${mk('draft')}.` }));
  const st = await create(aClient, Object.fromEntries(PARTS.map((p) => [p, `${p} ${mk(p)}`])));
  await aClient.put(`/api/v1/statements/${st.id}`,
    Object.fromEntries(PARTS.map((p) => [p, `${p} ${mk(`${p} edited`)} Привет`])));
  assert.equal((await aClient.post(`/api/v1/statements/${st.id}/deliver`)).status, 200);
  await bClient.post(`/api/v1/statements/${st.id}/responses`,
    { read: true, landed: mk('landed'), still_need: mk('still need') });
  const page = await aClient.form('/statements', { csrf: aClient.csrf, what_i_did: mk('page') });
  assert.equal(page.status, 303);
  assert.ok(draft.id);

  assert.ok(markers.size >= 15);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)), []);
});
