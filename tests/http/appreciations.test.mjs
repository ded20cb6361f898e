// Appreciations (step 5, be patient and kind): a short note of thanks, with
// "what it meant to me" if its author likes, always shared with the partner;
// the partner says thanks once, its author never.  Who may call each route
// is in the authorization matrix (authz.test.mjs); this file holds the rules
// of the kind itself, its isolation, its page and what it leaves at rest.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, startServer,
} from './harness.mjs';

let server;
let A;
let B;
let X; // a partner of another couple
let Y; // X's partner

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  const q = await pair(server.url);
  X = q.aClient;
  Y = q.bClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet(); // texts that must never be readable at rest

async function write(c, body) {
  const res = await c.post('/api/v1/appreciations', body);
  assert.equal(res.status, 201, describe(res));
  return res.json.appreciation;
}

async function list(c) {
  const res = await c.get('/api/v1/appreciations');
  assert.equal(res.status, 200, describe(res));
  return res.json.appreciations;
}

test('an appreciation reaches the partner at once; the partner thanks it once, its author never', async () => {
  const body = mark('body', 'Thank you for the coffee this morning');
  const meant = mark('meant', 'It felt like you were thinking of me');
  const a = await write(A, { body, meant });
  assert.equal(a.body, body);
  assert.equal(a.meant, meant);
  assert.equal(a.mine, true);
  assert.equal(a.thanked, false);
  assert.equal(a.thanked_at, null);
  assert.equal(a.can_thank, false, 'its author cannot thank it');

  const seen = (await list(B)).find((x) => x.id === a.id);
  assert.ok(seen, 'B reads it at once');
  assert.equal(seen.body, body);
  assert.equal(seen.meant, meant);
  assert.equal(seen.mine, false);
  assert.equal(seen.can_thank, true);

  const own = await A.post(`/api/v1/appreciations/${a.id}/thanks`);
  assert.equal(own.status, 403, `thanking one's own: ${describe(own)}`);
  assert.equal((await list(A)).find((x) => x.id === a.id).thanked, false, 'nothing changed');

  const thanks = await B.post(`/api/v1/appreciations/${a.id}/thanks`);
  assert.equal(thanks.status, 201, describe(thanks));
  assert.equal(thanks.json.appreciation.thanked, true);
  assert.equal(thanks.json.appreciation.can_thank, false);
  assert.match(thanks.json.appreciation.thanked_at, /^\d{4}-\d\d-\d\dT/);

  const again = await B.post(`/api/v1/appreciations/${a.id}/thanks`);
  assert.equal(again.status, 409, `a second thanks: ${describe(again)}`);
  assert.equal(errCode(again), 'conflict');

  const back = (await list(A)).find((x) => x.id === a.id);
  assert.equal(back.thanked, true, 'A sees the thanks');
  assert.match(back.thanked_at, /T00:00:00Z$/, 'the day B thanked, never the hour');

  // without "what it meant": null
  const plain = await write(B, { body: mark('plain', 'Gracias por escucharme anoche') });
  assert.equal(plain.meant, null);
  const both = await list(A);
  assert.equal(both[0].id, plain.id, 'newest first');
  assert.equal(both[0].can_thank, true);
});

test('thanks that race end in one 201 and the rest 409', async () => {
  const a = await write(A, { body: 'For the walk' });
  const answers = await Promise.all(Array.from({ length: 6 }, () =>
    B.post(`/api/v1/appreciations/${a.id}/thanks`)));
  const codes = answers.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 409, 409, 409, 409, 409], codes.join(','));
});

test('another couple sees none of it and thanks none of it', async () => {
  const a = await write(A, { body: mark('isolated', 'For picking up the kids') });
  for (const c of [X, Y]) {
    const l = await list(c);
    assert.ok(!l.some((x) => x.id === a.id), 'not in their list');
    const t = await c.post(`/api/v1/appreciations/${a.id}/thanks`);
    assert.equal(t.status, 404, describe(t));
    const random = await c.post(`/api/v1/appreciations/${'0'.repeat(31)}1/thanks`);
    assert.equal(t.text, random.text, 'answered as a random id is');
  }
  assert.equal((await list(A)).find((x) => x.id === a.id).thanked, false, 'nothing changed');
});

test('bad input is refused with the field named, in the member\'s language, and changes nothing', async () => {
  const before = [await list(A), await list(B)];
  const bad = [
    [{ body: '' }, 'too_short', /Text/],
    [{ body: 'x'.repeat(1001) }, 'too_long', /Text/],
    [{}, 'missing_field', /Text/],
    [{ body: 'Hi', meant: 'y'.repeat(1001) }, 'too_long', /What it meant to you/],
    [{ body: 7 }, 'wrong_type', /Text/],
    [{ body: 'Hi', shared_with: [] }, 'unknown_field', /shared_with|Who sees it/],
  ];
  for (const [body, code, field] of bad) {
    for (const c of [A, B]) {
      const res = await c.post('/api/v1/appreciations', body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
      assert.equal(errCode(res), code, describe(res));
      if (c === A) assert.match(res.json.error.message, field, `the field named: ${describe(res)}`);
    }
  }
  const es = await B.post('/api/v1/appreciations', { body: '' });
  assert.match(es.json.error.message, /corto|breve/i, `in Spanish: ${describe(es)}`);
  assert.deepEqual([await list(A), await list(B)], before, 'nothing changed');
});

test('the page: written and thanked without JavaScript; a refusal keeps what was typed', async () => {
  const text = mark('page', 'Спасибо, что были рядом вчера');
  const refused = await B.form('/appreciations', { body: '', meant: 'kept', csrf: B.csrf });
  assert.equal(refused.status, 400, describe(refused));
  assert.match(refused.text, /id="appreciation-body"[^>]*aria-invalid="true"/, 'the text is marked');
  assert.match(refused.text, /role="alert"/);
  assert.match(refused.text, />\s*kept<\/textarea>/, 'what was typed comes back');
  assert.match(refused.text, /<html lang="es"/, 'in B\'s language');

  const sent = await B.form('/appreciations', { body: text, meant: '', csrf: B.csrf });
  assert.equal(sent.status, 303, describe(sent));
  assert.match(sent.headers.get('location'), /^\/appreciations\?sent=1#appreciation-[0-9a-f]{32}$/);
  const id = sent.headers.get('location').split('-').pop();

  const page = await A.get('/appreciations');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(text), 'A reads it');
  assert.match(page.text, new RegExp(`action="/appreciations/${id}/thanks"`), 'with a thank-you button');
  const bPage = await B.get('/appreciations');
  assert.ok(!bPage.text.includes(`action="/appreciations/${id}/thanks"`), 'B has none on their own');

  const own = await B.form(`/appreciations/${id}/thanks`, { csrf: B.csrf });
  assert.equal(own.status, 403, describe(own));
  const thanked = await A.form(`/appreciations/${id}/thanks`, { csrf: A.csrf });
  assert.equal(thanked.status, 303, describe(thanked));
  const twice = await A.form(`/appreciations/${id}/thanks`, { csrf: A.csrf });
  assert.equal(twice.status, 303, 'a second tap lands back on the page');
  const after2 = await A.get('/appreciations');
  assert.ok(!after2.text.includes(`action="/appreciations/${id}/thanks"`), 'thanked: no button');
  assert.match(after2.text, /You said thank you/);
  for (const words of [/streak/i, /score/i, /missed/i]) assert.doesNotMatch(after2.text, words);
});

test('nothing of it is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 4);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
