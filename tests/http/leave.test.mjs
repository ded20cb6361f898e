// Leaving the couple alone (issue 13; issue 11 part 5): POST /api/v1/couple/leave
// and its form in settings.  The leaver keeps what they wrote in a couple of
// their own; the partner who stays keeps everything either wrote before, sees
// that the shared space closed, and from then on neither sees anything new of
// the other's.  The vault-level half (the old couple key opens nothing new)
// is src/core/test-keys.c.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  Client, describe, errCode, hiddenInput, leaksAtRest, markerSet, pair, rand, runTool, serverBinary,
  startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

async function card(c, words) {
  const body = `${words} ${rand(8)}`;
  const res = await c.post('/api/v1/shares', { kind: 'hope', body, shared_with: ['partner'] });
  assert.equal(res.status, 201, describe(res));
  return { id: res.json.share.id, body };
}

async function cardBodies(c) {
  const res = await c.get('/api/v1/shares');
  assert.equal(res.status, 200, describe(res));
  return res.json.shares.map((s) => s.body);
}

async function journalBodies(c) {
  const res = await c.get('/api/v1/journal');
  assert.equal(res.status, 200, describe(res));
  return res.json.entries.map((e) => e.body);
}

test('a partner leaves alone: each keeps what they wrote, and nothing new crosses', async () => {
  const { a, b, aClient, bClient } = await pair(server.url, { aFields: { display_name: 'Ada' },
    bFields: { display_name: 'Ben' } });
  const oldCouple = a.couple.id;
  const fromA = await card(aClient, 'Ada hopes');
  const fromB = await card(bClient, 'Ben hopes');
  const diary = `Ben private ${rand(8)}`;
  assert.equal((await bClient.post('/api/v1/journal', { body: diary })).status, 201);

  // refused: no password, a wrong one; nothing changes
  let res = await bClient.post('/api/v1/couple/leave', {});
  assert.equal(res.status, 400, describe(res));
  assert.equal(errCode(res), 'missing_field');
  res = await bClient.post('/api/v1/couple/leave', { password: `${b.password}x` });
  assert.equal(res.status, 401, describe(res));
  assert.equal(errCode(res), 'wrong_password');
  res = await bClient.post('/api/v1/couple/leave', { password: b.password }, { csrf: false });
  assert.equal(res.status, 403, 'a leave needs the CSRF token');
  assert.equal((await aClient.get('/api/v1/me')).json.couple.partners.length, 2);

  res = await bClient.post('/api/v1/couple/leave', { password: b.password });
  assert.equal(res.status, 200, describe(res));
  const mine = res.json.couple;
  assert.notEqual(mine.id, oldCouple, 'the leaver has a couple of their own');
  assert.deepEqual(mine.partners.map((p) => p.display_name), ['Ben']);
  assert.equal(mine.partner_left, false);

  // the same cookie goes on, in the new couple, with everything Ben wrote
  const meB = await bClient.get('/api/v1/me');
  assert.equal(meB.status, 200, describe(meB));
  assert.equal(meB.json.couple.id, mine.id);
  assert.deepEqual(await journalBodies(bClient), [diary]);
  assert.deepEqual(await cardBodies(bClient), [fromB.body], 'his own card came with him; not hers');

  // the partner who stays: alone, told the space closed, and keeps both cards
  const meA = await aClient.get('/api/v1/me');
  assert.equal(meA.json.couple.id, oldCouple);
  assert.deepEqual(meA.json.couple.partners.map((p) => p.display_name), ['Ada']);
  assert.equal(meA.json.couple.partner_left, true);
  assert.deepEqual((await cardBodies(aClient)).sort(), [fromA.body, fromB.body].sort());
  const home = await aClient.get('/home');
  assert.equal(home.status, 200);
  assert.match(home.text, /Your shared space with Ben closed/);
  assert.ok(!home.text.includes(diary));

  // from now on neither sees anything new of the other's
  const newA = await card(aClient, 'Ada after');
  const newB = await card(bClient, 'Ben after');
  assert.ok(!(await cardBodies(bClient)).includes(newA.body));
  assert.ok(!(await cardBodies(aClient)).includes(newB.body));
  res = await bClient.get(`/api/v1/shares/${newA.id}`);
  assert.equal(res.status, 404, 'her new card is not found for him');
  res = await aClient.get(`/api/v1/shares/${newB.id}`);
  assert.equal(res.status, 404);

  // nobody to leave now; and Ada may invite someone new, who sees nothing of before
  res = await bClient.post('/api/v1/couple/leave', { password: b.password });
  assert.equal(res.status, 409, describe(res));
  assert.equal(errCode(res), 'no_partner');
  const inv = await aClient.post('/api/v1/invites', { role: 'partner' });
  assert.equal(inv.status, 201, describe(inv));
  const cClient = new Client(server.url);
  const join = await cClient.post('/api/v1/join', { token: inv.json.token, login: uniqueLogin('c'),
    password: uniquePassword(), display_name: 'Cy', language: 'en' });
  assert.equal(join.status, 201, describe(join));
  assert.deepEqual(await cardBodies(cClient), [], 'a new partner sees nothing written before they joined');
  const later = await card(aClient, 'Ada to Cy');
  assert.deepEqual(await cardBodies(cClient), [later.body]);
  assert.ok(!(await cardBodies(bClient)).includes(later.body));
  // Ada still reads all she could
  assert.deepEqual((await cardBodies(aClient)).sort(),
    [fromA.body, fromB.body, newA.body, later.body].sort());
});

test('the leave form in settings: 401 for a wrong password, then a space of one\'s own', async () => {
  const { b, aClient, bClient } = await pair(server.url, { aFields: { display_name: 'Ida' } });
  const settings = await bClient.get('/settings');
  assert.equal(settings.status, 200);
  assert.match(settings.text, /action="\/settings\/leave"/);
  const csrf = hiddenInput(settings.text, 'csrf');

  let res = await bClient.form('/settings/leave', { password: `${b.password}?`, csrf });
  assert.equal(res.status, 401, describe(res));
  assert.match(res.text, /not your current password/);
  assert.match(res.text, /id="leave_password"[^>]*aria-invalid="true"/);
  assert.equal((await aClient.get('/api/v1/me')).json.couple.partners.length, 2, 'nothing changed');

  res = await bClient.form('/settings/leave', { password: b.password, csrf });
  assert.equal(res.status, 303, describe(res));
  assert.equal(res.headers.get('location'), '/home?left=1');
  const home = await bClient.get('/home?left=1');
  assert.match(home.text, /You have a space of your own now/);
  // alone now: settings offer no leave
  assert.doesNotMatch((await bClient.get('/settings')).text, /action="\/settings\/leave"/);
  assert.match((await aClient.get('/home')).text, /Your shared space with .* closed/);
});

test('wrong passwords for leave count as failed sign-ins', async () => {
  const { b, bClient } = await pair(server.url);
  let last;
  for (let i = 0; i < 12; i++) {
    last = await bClient.post('/api/v1/couple/leave', { password: `${b.password}${i}` });
    if (last.status === 429) break;
    assert.equal(last.status, 401, describe(last));
  }
  assert.equal(last.status, 429, 'throttled like sign-in');
  assert.equal(errCode(last), 'rate_limited');
  last = await bClient.post('/api/v1/couple/leave', { password: b.password });
  assert.equal(last.status, 429, 'even the right password waits');
});

test('deleting an account leaves nothing of the member\'s: not in the file, not in a backup taken after', async () => {
  const { markers, mark } = markerSet();
  const name = mark('display name', 'Zeb');
  const { a, b, aClient, bClient } = await pair(server.url, { bFields: { display_name: name } });
  markers.set('login', b.login);
  markers.set('member id', b.member.id);
  assert.equal((await bClient.post('/api/v1/journal', { body: mark('journal', 'Zeb journal') })).status, 201);
  const shared = await bClient.post('/api/v1/shares', { kind: 'hope', body: mark('card', 'Zeb card'),
    shared_with: ['partner'] });
  assert.equal(shared.status, 201, describe(shared));
  const ack = await aClient.post(`/api/v1/shares/${shared.json.share.id}/ack`, {});
  assert.ok([200, 201].includes(ack.status), describe(ack));
  const before = await aClient.post('/api/v1/shares', { kind: 'hope', body: 'Ada stays', shared_with: ['partner'] });
  assert.equal(before.status, 201);
  assert.equal((await bClient.post('/api/v1/logout', {})).status, 204);
  const again = await bClient.post('/api/v1/login', { login: b.login, password: b.password });
  assert.equal(again.status, 200, describe(again));

  const res = await bClient.del('/api/v1/me', { password: b.password });
  assert.equal(res.status, 204, describe(res));
  // the partner who stays reads what they wrote, and writes on
  const after = await aClient.post('/api/v1/shares', { kind: 'hope', body: 'Ada after', shared_with: ['partner'] });
  assert.equal(after.status, 201, describe(after));
  const list = (await aClient.get('/api/v1/shares')).json.shares.map((x) => x.body);
  assert.deepEqual(list.sort(), ['Ada after', 'Ada stays']);
  assert.equal((await aClient.get('/api/v1/me')).json.couple.partners.length, 1);
  void a;

  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kintsugi-deleted-'));
  try {
    // SQLite: a backup taken after; PostgreSQL: leaksAtRest(server) reads a pg_dump of it
    if (server.dbPath) {
      const copy = path.join(dir, 'after.db');
      const backup = await runTool(serverBinary(), ['backup', '--db', server.dbPath, copy]);
      assert.equal(backup.code, 0, backup.stderr);
      assert.deepEqual(await leaksAtRest(dir, markers), [], 'a backup taken after holds nothing of theirs');
    }
    assert.deepEqual(await leaksAtRest(server, markers), [], 'nor does the live database, its log or the WAL');
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('a leaver\'s safety check goes with them: a concern keeps the exercises paused in the new space', async () => {
  const { b, aClient, bClient } = await pair(server.url);
  const concern = { afraid: true, threatened: false, hurt: false, forced: false };
  let res = await bClient.post('/api/v1/safety-check', concern);
  assert.equal(res.status, 200, describe(res));
  const taken = res.json;
  assert.equal(taken.result, 'concern');

  res = await bClient.post('/api/v1/couple/leave', { password: b.password });
  assert.equal(res.status, 200, describe(res));
  const latest = (await bClient.get('/api/v1/safety-check')).json;
  assert.equal(latest.result, 'concern', 'the answers came along');
  assert.equal(latest.at, taken.at, 'the same check, not a new one');
  res = await bClient.get('/api/v1/shares');
  assert.equal(res.status, 403, 'still paused after the leave');
  assert.equal(errCode(res), 'paused');
  assert.match((await bClient.get('/shares')).text, /This page is paused for you/);
  // the partner who stays never had it, and has none now
  assert.deepEqual((await aClient.get('/api/v1/safety-check')).json, { result: null });
});
