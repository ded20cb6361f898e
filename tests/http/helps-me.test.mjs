// "What helps me when things get hard" (step 3, the safety net): each
// partner keeps one text, shares it with the partner or keeps it to
// themselves, and alone changes it.  Who may call each route is in the
// authorization matrix (authz.test.mjs); this file holds the rules of the
// text itself, its pages and its races.

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
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  X = (await pair(server.url)).aClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet(); // texts that must never be readable at rest
const marked = (label, words = 'Hold my hand and breathe with me') => mark(label, words);

async function put(c, body) {
  const res = await c.put('/api/v1/helps-me', body);
  assert.equal(res.status, 200, describe(res));
  return res.json.helps_me;
}

async function read(c) {
  const res = await c.get('/api/v1/helps-me');
  assert.equal(res.status, 200, describe(res));
  return res.json.helps_me;
}

test('one text each: written, then changed in place; the partner reads it only while it is shared', async () => {
  assert.deepEqual(await read(A), { mine: null, partner: null }, 'nothing written yet');
  const first = marked('first');
  let h = await put(A, { body: first, shared_with: ['partner'] });
  assert.equal(h.mine.body, first);
  assert.equal(h.mine.mine, true);
  assert.equal(h.mine.version, 1);
  assert.deepEqual(h.mine.shared_with, ['partner']);
  assert.equal(h.partner, null);
  const id = h.mine.id;

  const seen = await read(B);
  assert.equal(seen.mine, null, 'B has written nothing');
  assert.equal(seen.partner?.body, first, 'B reads what A shared');
  assert.equal(seen.partner.mine, false);

  const second = marked('second', 'Give me twenty minutes, then sit with me');
  h = await put(A, { body: second, shared_with: [] });
  assert.equal(h.mine.id, id, 'the same text, changed: one per member');
  assert.equal(h.mine.version, 2);
  assert.deepEqual(h.mine.shared_with, []);
  const hidden = await B.get('/api/v1/helps-me');
  assert.equal(hidden.json.helps_me.partner, null, 'kept private now: B reads nothing of it');
  assert.ok(!hidden.text.includes(second) && !hidden.text.includes(first) && !hidden.text.includes(id));

  // B's own write is B's, and never touches A's
  const bText = marked('b', 'Un paseo, y nada de preguntas todavía');
  const bh = await put(B, { body: bText, shared_with: ['partner'] });
  assert.notEqual(bh.mine.id, id);
  assert.equal((await read(A)).mine.body, second, 'A\'s text is as A left it');
  assert.equal((await read(A)).partner.body, bText, 'A reads what B shared');

  // another couple reads nothing of either
  const other = await X.get('/api/v1/helps-me');
  assert.equal(other.status, 200);
  assert.deepEqual(other.json.helps_me, { mine: null, partner: null });
});

test('bad input is refused in the member\'s language and changes nothing', async () => {
  const before = await read(B);
  const bad = [
    [{ body: '', shared_with: [] }, 'too_short'],
    [{ body: 'x'.repeat(2001), shared_with: [] }, 'too_long'],
    [{ body: 'No sharing said' }, 'missing_field'],
    [{ body: 42, shared_with: [] }, 'wrong_type'],
    [{ body: 'Who else?', shared_with: ['everyone'] }, 'invalid_value'],
    [{ body: 'Extra', shared_with: [], mood: 'low' }, 'unknown_field'],
  ];
  for (const [body, code] of bad) {
    const res = await B.put('/api/v1/helps-me', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  const es = await B.put('/api/v1/helps-me', { body: '', shared_with: [] });
  assert.match(es.json.error.message, /corto|breve/i, `in Spanish: ${describe(es)}`);
  assert.deepEqual(await read(B), before, 'nothing changed');
});

test('first writes at the same moment end in one text; changes count every 200', async () => {
  const p = await pair(server.url);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    p.aClient.put('/api/v1/helps-me', { body: `Race ${i}`, shared_with: [] })));
  for (const r of answers) assert.ok(r.status === 200 || r.status === 409, describe(r));
  const ok = answers.filter((r) => r.status === 200);
  assert.ok(ok.length >= 1, 'at least one write went through');
  const ids = new Set(ok.map((r) => r.json.helps_me.mine.id));
  assert.equal(ids.size, 1, 'every write that went through wrote the one text');
  const now = (await read(p.aClient)).mine;
  assert.equal(now.version, ok.length, 'no write lost, none counted twice');
  assert.ok(ok.some((r) => r.json.helps_me.mine.body === now.body));
});

test('the page: written and shared without JavaScript; a refusal keeps the typed text', async () => {
  const text = marked('page', 'Не уходи молча, скажи, когда вернёшься');
  const back = await B.form('/helps-me', { body: '', share_partner: '1', csrf: B.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="helps-body"[^>]*aria-invalid="true"/, 'the text is marked');
  assert.match(back.text, /role="alert"/);
  assert.match(back.text, /<html lang="es"/, 'in B\'s language');

  const saved = await B.form('/helps-me', { body: text, share_partner: '1', csrf: B.csrf });
  assert.equal(saved.status, 303, describe(saved));
  assert.match(saved.headers.get('location'), /^\/helps-me\?saved=1/);
  const page = await B.get('/helps-me?saved=1');
  assert.ok(page.text.includes(text), 'the form shows it');
  assert.match(page.text, /role="status"/, 'and says it was saved');
  const aPage = await A.get('/helps-me');
  assert.equal(aPage.status, 200);
  assert.ok(aPage.text.includes(text), 'A reads what B shared');

  const priv = await B.form('/helps-me', { body: text, csrf: B.csrf });
  assert.equal(priv.status, 303, describe(priv));
  assert.ok(!(await A.get('/helps-me')).text.includes(text), 'an unticked box keeps it from A');
  const home = await A.get('/home');
  assert.match(home.text, /href="\/helps-me"/, 'home\'s step 3 links to it');
});

test('nothing of it is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 4);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
