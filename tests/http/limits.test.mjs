// Limits a partner wants known (step 3), the first kind that is only a
// descriptor in the registry: a hard limit, a trigger, or a "not now" that
// lapses on a day.  Its owner shares it or keeps it to themselves and alone
// changes or removes it; what it says is sealed at rest.  Who may call each
// route is in the authorization matrix (authz.test.mjs); this file holds
// the kind's own rules, its shapes, its pages and its races.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, describe, errCode, leaksAtRest, login, markerSet, pair, startServer,
} from './harness.mjs';
import { day, registryKinds } from './kinds.mjs';

let server;
let A;
let B;

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet(); // texts that must never be readable at rest
const marked = (label, words = 'Please never raise your voice at me') => mark(label, words);

async function create(c, body) {
  const res = await c.post('/api/v1/limits', body);
  assert.equal(res.status, 201, describe(res));
  return res.json.limit;
}

async function listIds(c) {
  const res = await c.get('/api/v1/limits');
  assert.equal(res.status, 200, describe(res));
  return res.json.limits.map((l) => l.id);
}

test('the registry lists limits with their fields, every one of them sealed', () => {
  const k = registryKinds().find((x) => x.plural === 'limits');
  assert.ok(k, 'limits is a kind of the registry');
  // a therapist reads the ones shared with the care team (care.test.mjs); partners alone write
  assert.equal(k.who, 'member');
  assert.deepEqual(k.fields.map((f) => f.name), ['kind', 'text', 'until', 'shared_with']);
  assert.deepEqual(k.fields.find((f) => f.name === 'kind').choices, ['hard_limit', 'trigger', 'not_now']);
  assert.ok(k.fields.filter((f) => f.type !== 'shared').every((f) => f.sealed));
});

test('a limit answers with its fields; a shared one reaches the partner, a private one does not', async () => {
  const text = marked('shared hard limit');
  const hard = await create(A, { kind: 'hard_limit', text, shared_with: ['partner'] });
  assert.equal(hard.kind, 'hard_limit');
  assert.equal(hard.text, text);
  assert.equal(hard.until, null);
  assert.deepEqual(hard.shared_with, ['partner']);
  assert.equal(hard.mine, true);
  assert.equal(hard.version, 1);
  assert.equal(hard.status, 'active', 'a hard limit does not lapse');
  assert.match(hard.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const mine = await create(A, { kind: 'not_now', text: marked('private not now', 'Not this month'),
    until: day(30), shared_with: [] });
  assert.equal(mine.until, day(30));
  assert.equal(mine.status, 'active', 'a "not now" holds until its day');

  const seen = await B.get('/api/v1/limits');
  assert.equal(seen.status, 200, describe(seen));
  const got = seen.json.limits.find((l) => l.id === hard.id);
  assert.ok(got, 'B sees the shared limit');
  assert.equal(got.text, text);
  assert.equal(got.mine, false);
  assert.ok(!seen.text.includes(mine.id) && !seen.text.includes(markers.get('private not now')),
    'B sees nothing of the private one');
  const one = await B.get(`/api/v1/limits/${mine.id}`);
  assert.equal(one.status, 404, describe(one));
  assert.equal(errCode(one), 'not_found');
  // newest first, for the owner
  const ids = await listIds(A);
  assert.ok(ids.indexOf(mine.id) < ids.indexOf(hard.id), 'the newest comes first');
});

test('a "not now" needs a day within a year; the other kinds take none; nothing is kept of a refusal', async () => {
  const before = (await listIds(B)).length;
  const bad = [
    [{ kind: 'not_now', text: 'No day', shared_with: [] }, 'until', 'invalid_value'],
    [{ kind: 'not_now', text: 'Yesterday', until: day(-1), shared_with: [] }, 'until', 'invalid_value'],
    [{ kind: 'not_now', text: 'Too far', until: day(400), shared_with: [] }, 'until', 'invalid_value'],
    [{ kind: 'hard_limit', text: 'Lapsing', until: day(3), shared_with: [] }, 'until', 'invalid_value'],
    [{ kind: 'boundary', text: 'Unknown', shared_with: [] }, 'kind', 'invalid_value'],
    [{ kind: 'trigger', text: 'x'.repeat(1001), shared_with: [] }, 'text', 'too_long'],
    [{ kind: 'trigger', text: '', shared_with: [] }, 'text', 'too_short'],
    [{ kind: 'trigger', text: 'No sharing said' }, 'shared_with', 'missing_field'],
    [{ kind: 'trigger', text: 'Not a date', until: '2027-02-30', shared_with: [] }, 'until', 'invalid_value'],
  ];
  for (const [body, field, code] of bad) {
    const res = await B.post('/api/v1/limits', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${field}: ${describe(res)}`);
  }
  const es = await B.post('/api/v1/limits', { kind: 'not_now', text: 'Sin día', shared_with: [] });
  assert.match(es.json.error.message, /Hasta|valor/, `the message is in Spanish: ${describe(es)}`);
  assert.equal((await listIds(B)).length, before, 'no refused limit was kept');
  // the last day of the year ahead is accepted, and today
  await create(B, { kind: 'not_now', text: 'A year', until: day(365), shared_with: [] });
  await create(B, { kind: 'not_now', text: 'Today', until: day(0), shared_with: [] });
});

test('only the owner changes or removes a limit; a change bumps the version and can unshare it', async () => {
  const l = await create(A, { kind: 'trigger', text: marked('trigger'), shared_with: ['partner'] });
  const theirs = await B.put(`/api/v1/limits/${l.id}`, { kind: 'trigger', text: 'Overwritten', shared_with: [] });
  assert.equal(theirs.status, 403, describe(theirs));
  assert.equal(errCode(theirs), 'forbidden');
  const gone = await B.del(`/api/v1/limits/${l.id}`);
  assert.equal(gone.status, 403, describe(gone));
  assert.equal((await A.get(`/api/v1/limits/${l.id}`)).json.limit.text, markers.get('trigger'), 'nothing changed');

  const text = marked('trigger, changed', 'Shouting, and doors that slam');
  const put = await A.put(`/api/v1/limits/${l.id}`, { kind: 'trigger', text, shared_with: ['partner'] });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.limit.version, 2);
  assert.equal(put.json.limit.text, text);
  assert.equal((await B.get(`/api/v1/limits/${l.id}`)).json.limit.text, text, 'B reads the new text');

  const hide = await A.put(`/api/v1/limits/${l.id}`, { kind: 'trigger', text, shared_with: [] });
  assert.equal(hide.status, 200, describe(hide));
  assert.equal((await B.get(`/api/v1/limits/${l.id}`)).status, 404, 'unshared: B no longer sees it');
  assert.equal((await A.get(`/api/v1/limits/${l.id}`)).json.limit.text, text, 'A still reads it');

  const del = await A.del(`/api/v1/limits/${l.id}`);
  assert.equal(del.status, 204, describe(del));
  assert.equal((await A.get(`/api/v1/limits/${l.id}`)).status, 404);
  assert.equal((await A.del(`/api/v1/limits/${l.id}`)).status, 404);
});

test('changes at the same moment: each answer is 200 or 409, and the version counts the 200s', async () => {
  const l = await create(A, { kind: 'hard_limit', text: 'Race', shared_with: [] });
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    A.put(`/api/v1/limits/${l.id}`, { kind: 'hard_limit', text: `Race ${i}`, shared_with: [] })));
  const ok = answers.filter((r) => r.status === 200);
  for (const r of answers) assert.ok(r.status === 200 || r.status === 409, describe(r));
  for (const r of answers.filter((x) => x.status === 409)) assert.equal(errCode(r), 'conflict');
  assert.ok(ok.length >= 1);
  const now = (await A.get(`/api/v1/limits/${l.id}`)).json.limit;
  assert.equal(now.version, 1 + ok.length, 'no change was lost or counted twice');
  assert.ok(ok.some((r) => r.json.limit.text === now.text), 'the text is one a 200 answered');
});

test('the pages: a limit written, refused with the typed text kept, changed and removed without JavaScript', async () => {
  const text = marked('page limit', 'Не трогай мой телефон');
  // a "not now" without its day comes back with what was typed, the field marked
  const back = await B.form('/limits', { kind: 'not_now', text, share_partner: '1', csrf: B.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.ok(back.text.includes(text), 'the typed text is on the page again');
  assert.match(back.text, /id="limit-until"[^>]*aria-invalid="true"/, 'the day is marked');
  assert.match(back.text, /role="alert"/);
  assert.match(back.text, /<html lang="es"/, 'in B\'s language');

  const made = await B.form('/limits', { kind: 'not_now', text, until: day(10), share_partner: '1', csrf: B.csrf });
  assert.equal(made.status, 303, describe(made));
  const loc = made.headers.get('location');
  const id = /#item-([0-9a-f]{32})$/.exec(loc)?.[1];
  assert.ok(id, `the redirect names the new limit: ${loc}`);
  const page = await B.get('/limits');
  assert.ok(page.text.includes(text), 'the list shows it');
  assert.ok(page.text.includes(`href="/limits/${id}"`), 'with a link to change it');
  const aPage = await A.get('/limits');
  assert.ok(aPage.text.includes(text), 'A sees B\'s shared limit');
  assert.ok(!aPage.text.includes(`href="/limits/${id}"`), 'but no link to change it');
  assert.equal((await A.get(`/limits/${id}`)).status, 403, 'nor the page that changes it');

  const edit = await B.get(`/limits/${id}`);
  assert.equal(edit.status, 200, describe(edit));
  assert.match(edit.text, /<option value="not_now" selected/);
  const saved = await B.form(`/limits/${id}`, { kind: 'trigger', text: `${text}!`, csrf: B.csrf });
  assert.equal(saved.status, 303, describe(saved));
  const after = (await B.get(`/api/v1/limits/${id}`)).json.limit;
  assert.equal(after.kind, 'trigger');
  assert.equal(after.text, `${text}!`);
  assert.deepEqual(after.shared_with, [], 'an unticked box keeps it private');

  const removed = await B.form(`/limits/${id}/delete`, { csrf: B.csrf });
  assert.equal(removed.status, 303, describe(removed));
  assert.equal((await B.get(`/api/v1/limits/${id}`)).status, 404);
});

// Debian's libfaketime (scripts/install-deps) moves the server's clock; the
// monotonic clocks stay real, so its timeouts are not disturbed.
const faketimeLib = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find((f) => fs.existsSync(f));

test('a "not now" lapses after its day: the API says "lapsed", the page says it asks nothing any more', async () => {
  assert.ok(faketimeLib, 'libfaketime is missing (scripts/install-deps installs the faketime package)');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-lapse-'));
  const dbPath = path.join(dir, 'k.db');
  let later = null;
  try {
    const today = await startServer({ args: ['--db', dbPath] });
    const p = await pair(today.url);
    const text = marked('lapsing not now', 'Not until we have talked it through');
    const notNow = await create(p.aClient, { kind: 'not_now', text, until: day(1), shared_with: ['partner'] });
    const hard = await create(p.aClient, { kind: 'hard_limit', text: 'Never that', shared_with: ['partner'] });
    assert.equal(notNow.status, 'active');
    const before = await p.bClient.get('/limits');
    assert.ok(before.text.includes(text) && !before.text.includes('lapsed after'), 'still in force today');
    await today.stop();

    // the same database, three days later
    later = await startServer({
      args: ['--db', dbPath],
      rawEnv: { LD_PRELOAD: faketimeLib, FAKETIME: '+3d', DONT_FAKE_MONOTONIC: '1' },
    });
    const a = new Client(later.url);
    const b = new Client(later.url);
    assert.equal((await login(a, p.a.login, p.a.password)).status, 200);
    assert.equal((await login(b, p.b.login, p.b.password)).status, 200);
    const got = (await a.get(`/api/v1/limits/${notNow.id}`)).json.limit;
    assert.equal(got.status, 'lapsed', 'its day has passed');
    assert.equal(got.until, day(1), 'the day it held through is kept');
    assert.equal(got.text, text, 'and so is what it said');
    assert.equal((await a.get(`/api/v1/limits/${hard.id}`)).json.limit.status, 'active',
      'a hard limit never lapses');
    const listed = (await b.get('/api/v1/limits')).json.limits.find((l) => l.id === notNow.id);
    assert.equal(listed?.status, 'lapsed', 'the partner\'s list says the same');
    const page = await b.get('/limits');
    assert.equal(page.status, 200, describe(page));
    const card = page.text.slice(page.text.indexOf(`id="item-${notNow.id}"`));
    assert.match(card.slice(0, card.indexOf('</li>')), /lapsed after .*talk together before you take it as a yes/s,
      'the partner reads that it lapsed, and that a lapse is not a yes');
    assert.deepEqual(await leaksAtRest(dir, new Map([['lapsing not now', text]])), []);
  } finally {
    await later?.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('nothing a limit says is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 4);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
