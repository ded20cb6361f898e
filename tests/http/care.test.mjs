// The care team (issue 14, step 4): a therapist's link exists only once the
// partner who did not propose it approves; the therapist joins with an
// account of their own (role "therapist"), reads only what a partner shared
// with the care team, and nothing else; either partner alone ends their
// access at once, and nothing shared after that opens for them.  The
// vault-level half (the old care key opens nothing written after the end)
// is src/core/test-care.c.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Client, describe, errCode, leaksAtRest, login, markerSet, pair, startServer, uniqueLogin,
  uniquePassword,
} from './harness.mjs';

let server;
let A;
let B;
let aId;
let bId;

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  aId = p.a.member.id;
  bId = p.b.member.id;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();

async function propose(c, note) {
  const res = await c.post('/api/v1/care/invites', note === undefined ? {} : { note });
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.invite.status, 'awaiting_partner');
  assert.equal(res.json.url, undefined, 'no link before the other partner approves');
  assert.equal(res.json.token, undefined, 'no token before the other partner approves');
  return res.json.invite;
}

async function approve(c, id) {
  const res = await c.post(`/api/v1/care/invites/${id}/approve`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.invite.status, 'approved');
  assert.match(res.json.token, /^[0-9a-f]{32}\.[0-9a-f]{64}$/);
  assert.ok(res.json.url.endsWith(`/join?invite=${res.json.token}`), res.json.url);
  return res.json.token;
}

/** A therapist joins with token; returns {client, id, login, password}. */
async function join(token, name = 'Dr. Care') {
  const c = new Client(server.url);
  const creds = { login: uniqueLogin('t'), password: uniquePassword() };
  const res = await c.post('/api/v1/join',
    { token, ...creds, display_name: name, language: 'ru' });
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.member.role, 'therapist');
  return { client: c, id: res.json.member.id, ...creds };
}

async function therapist(name) {
  const inv = await propose(A);
  return join(await approve(B, inv.id), name);
}

async function limit(c, shared, label) {
  const res = await c.post('/api/v1/limits',
    { kind: 'trigger', text: mark(label, 'Raised voices bring it all back'), shared_with: shared });
  assert.equal(res.status, 201, describe(res));
  return res.json.limit.id;
}

async function listIds(c) {
  const res = await c.get('/api/v1/limits');
  assert.equal(res.status, 200, describe(res));
  return new Set(res.json.limits.map((l) => l.id));
}

test('a care invite needs both partners: the proposer cannot approve, the link comes once', async () => {
  const note = mark('care note', 'Someone who knows about affairs');
  const inv = await propose(A, note);
  assert.equal(inv.note, note);
  const own = await A.post(`/api/v1/care/invites/${inv.id}/approve`);
  assert.equal(own.status, 403, describe(own));
  assert.equal(errCode(own), 'forbidden');
  const seen = await B.get('/api/v1/care');
  assert.equal(seen.status, 200, describe(seen));
  const listed = seen.json.invites.find((i) => i.id === inv.id);
  assert.ok(listed, 'the other partner sees the proposal');
  assert.equal(listed.note, note);
  assert.equal(listed.mine, false);
  assert.equal(seen.json.invites.some((i) => 'token' in i || 'url' in i), false);

  const token = await approve(B, inv.id);
  const form = await new Client(server.url).get(`/join?invite=${token}`);
  assert.equal(form.status, 200, describe(form));
  assert.match(form.text, /care team/, 'the join page says it is a care team the therapist joins');
  assert.doesNotMatch(form.text, /Join your partner/);
  const again = await B.post(`/api/v1/care/invites/${inv.id}/approve`);
  assert.equal(again.status, 409, describe(again));
  const t = await join(token);
  const reuse = await new Client(server.url).post('/api/v1/join',
    { token, login: uniqueLogin('t'), password: uniquePassword(), display_name: 'X', language: 'en' });
  assert.equal(reuse.status, 404, `a used link is the join error: ${describe(reuse)}`);
  const team = await A.get('/api/v1/care');
  assert.deepEqual(team.json.therapists.map((x) => x.id), [t.id]);
  assert.equal(team.json.therapists[0].display_name, 'Dr. Care');
  const gone = await A.post(`/api/v1/care/invites/${inv.id}/cancel`);
  assert.equal(gone.status, 409, `a used invite is not cancelled: ${describe(gone)}`);
  assert.equal((await A.del(`/api/v1/care/${t.id}`)).status, 204);
});

test('either partner cancels before use; a cancelled link is the join error', async () => {
  const a1 = await propose(A);
  const c1 = await B.post(`/api/v1/care/invites/${a1.id}/cancel`);
  assert.equal(c1.status, 200, describe(c1));
  assert.equal(c1.json.invite.status, 'cancelled');
  assert.equal((await B.post(`/api/v1/care/invites/${a1.id}/approve`)).status, 409);

  const a2 = await propose(B);
  const token = await approve(A, a2.id);
  const c2 = await B.post(`/api/v1/care/invites/${a2.id}/cancel`);
  assert.equal(c2.status, 200, describe(c2));
  const res = await new Client(server.url).post('/api/v1/join',
    { token, login: uniqueLogin('t'), password: uniquePassword(), display_name: 'X', language: 'en' });
  assert.equal(res.status, 404, describe(res));
  assert.equal(errCode(res), 'not_found');
  const none = await A.post(`/api/v1/care/invites/${'0'.repeat(32)}/approve`);
  assert.equal(none.status, 404, describe(none));
});

test('a therapist reads only what was shared with the care team, and nothing else', async () => {
  // written before any therapist: a care item under the couple key, which the first approval moves
  const early = await limit(A, ['partner', 'care'], 'early care item');
  const t = await therapist('Dr. Table');
  const T = t.client;
  const ids = {
    aPrivate: await limit(A, [], 'A private'),
    aPartner: await limit(A, ['partner'], 'A partner'),
    aCare: await limit(A, ['partner', 'care'], 'A care'),
    bPrivate: await limit(B, [], 'B private'),
    bPartner: await limit(B, ['partner'], 'B partner'),
    bCare: await limit(B, ['partner', 'care'], 'B care'),
  };
  // shared_with x role x access: what each reader lists and opens
  const table = {
    aPrivate: { A: true, B: false, T: false },
    aPartner: { A: true, B: true, T: false },
    aCare: { A: true, B: true, T: true },
    bPrivate: { A: false, B: true, T: false },
    bPartner: { A: true, B: true, T: false },
    bCare: { A: true, B: true, T: true },
  };
  const readers = { A, B, T };
  for (const [who, c] of Object.entries(readers)) {
    const listed = await listIds(c);
    for (const [item, row] of Object.entries(table)) {
      assert.equal(listed.has(ids[item]), row[who], `${who} lists ${item}`);
      const one = await c.get(`/api/v1/limits/${ids[item]}`);
      assert.equal(one.status, row[who] ? 200 : 404, `${who} reads ${item}: ${describe(one)}`);
      if (row[who]) assert.equal(one.json.limit.text, markers.get(item.replace(/^a/, 'A ').replace(/^b/, 'B ').replace(/(Private|Partner|Care)$/, (m) => m.toLowerCase())));
    }
  }
  const old = await T.get(`/api/v1/limits/${early}`);
  assert.equal(old.status, 200, `a care item from before the care key opens for the therapist: ${describe(old)}`);
  assert.equal(old.json.limit.text, markers.get('early care item'));

  // nothing else: partner-only routes answer 403, writes of the couple's kinds 403
  for (const p of ['/api/v1/journal', '/api/v1/statements', '/api/v1/care']) {
    const res = await T.get(p);
    assert.equal(res.status, 403, `${p}: ${describe(res)}`);
  }
  const made = await T.post('/api/v1/limits', { kind: 'trigger', text: 'x', shared_with: ['care'] });
  assert.equal(made.status, 403, describe(made));
  const propose2 = await T.post('/api/v1/care/invites', {});
  assert.equal(propose2.status, 403, describe(propose2));
  const end = await T.del(`/api/v1/care/${t.id}`);
  assert.equal(end.status, 403, describe(end));
  const change = await T.put(`/api/v1/limits/${ids.aCare}`, { kind: 'trigger', text: 'changed', shared_with: [] });
  assert.ok([403, 404].includes(change.status), describe(change));
  assert.equal((await A.get(`/api/v1/limits/${ids.aCare}`)).json.limit.text, markers.get('A care'));
  assert.equal((await A.del(`/api/v1/care/${t.id}`)).status, 204);
});

test('ending access: the therapist is out at once, sees nothing old or new; the care key moves on', async () => {
  const t1 = await therapist('Dr. Ends');
  const t2 = await therapist('Dr. Stays');
  const before1 = await limit(B, ['partner', 'care'], 'care before the end');
  assert.ok((await listIds(t1.client)).has(before1));
  assert.ok((await listIds(t2.client)).has(before1));

  // B alone ends t1's access, in the middle of t1's session
  const end = await B.del(`/api/v1/care/${t1.id}`);
  assert.equal(end.status, 204, describe(end));
  const next = await t1.client.get('/api/v1/limits');
  assert.ok([401, 403].includes(next.status), `the ended therapist's next request: ${describe(next)}`);
  const again = await B.del(`/api/v1/care/${t1.id}`);
  assert.equal(again.status, 404, describe(again));
  const team = await A.get('/api/v1/care');
  assert.deepEqual(team.json.therapists.map((x) => x.id), [t2.id]);

  const after1 = await limit(A, ['partner', 'care'], 'care after the end');
  // signing in again shows an empty space
  const back = new Client(server.url);
  assert.equal((await login(back, t1.login, t1.password)).status, 200);
  const seen = await back.get('/api/v1/limits');
  assert.equal(seen.status, 200, describe(seen));
  assert.deepEqual(seen.json.limits, []);
  for (const id of [before1, after1]) {
    assert.equal((await back.get(`/api/v1/limits/${id}`)).status, 404);
  }

  // the therapist who stays is signed out (the key changed) and reads old and new after signing in
  assert.equal((await t2.client.get('/api/v1/limits')).status, 401);
  const t2back = new Client(server.url);
  assert.equal((await login(t2back, t2.login, t2.password)).status, 200);
  const t2sees = await listIds(t2back);
  assert.ok(t2sees.has(before1) && t2sees.has(after1), 'the remaining therapist reads old and new');
  // both partners still read every care item, before and after the new key
  for (const c of [A, B]) {
    for (const id of [before1, after1]) {
      const one = await c.get(`/api/v1/limits/${id}`);
      assert.equal(one.status, 200, describe(one));
    }
  }
  assert.equal((await A.del(`/api/v1/care/${t2.id}`)).status, 204);
});

test('the invite note and care items are sealed at rest', async () => {
  assert.ok(markers.size > 5);
  assert.deepEqual(await leaksAtRest(server, markers), []);
});

test('bad input: a note too long is 400 with the field named; ids of another couple are 404', async () => {
  const long = await A.post('/api/v1/care/invites', { note: 'x'.repeat(501) });
  assert.equal(long.status, 400, describe(long));
  assert.equal(errCode(long), 'too_long', describe(long));
  assert.match(long.json.error.message, /note/i, 'the field is named');
  const other = await pair(server.url);
  const inv = await propose(other.aClient);
  assert.equal((await A.post(`/api/v1/care/invites/${inv.id}/approve`)).status, 404);
  assert.equal((await A.post(`/api/v1/care/invites/${inv.id}/cancel`)).status, 404);
  assert.equal((await A.del(`/api/v1/care/${other.b.member.id}`)).status, 404);
  assert.equal((await A.del(`/api/v1/care/${bId}`)).status, 404, 'a partner is no therapist to end');
  assert.ok(aId);
});

test('a partner who leaves takes the care team with them; the one who stays still reads every care item', async () => {
  const p = await pair(server.url);
  const inv = await p.aClient.post('/api/v1/care/invites', {});
  assert.equal(inv.status, 201, describe(inv));
  const ok = await p.bClient.post(`/api/v1/care/invites/${inv.json.invite.id}/approve`);
  assert.equal(ok.status, 200, describe(ok));
  const t = new Client(server.url);
  const creds = { login: uniqueLogin('t'), password: uniquePassword() };
  assert.equal((await t.post('/api/v1/join',
    { token: ok.json.token, ...creds, display_name: 'Dr. Leave', language: 'en' })).status, 201);
  const mine = await limit(p.bClient, ['partner', 'care'], 'care item of the one who stays');
  const theirs = await limit(p.aClient, ['partner', 'care'], 'care item of the one who leaves');
  assert.equal((await listIds(t)).size, 2);

  const left = await p.aClient.post('/api/v1/couple/leave', { password: p.a.password });
  assert.equal(left.status, 200, describe(left));
  assert.equal((await t.get('/api/v1/limits')).status, 401, 'the therapist is signed out with the leave');
  const back = new Client(server.url);
  assert.equal((await login(back, creds.login, creds.password)).status, 200);
  assert.deepEqual((await back.get('/api/v1/limits')).json.limits, []);
  for (const id of [mine, theirs]) {
    const one = await p.bClient.get(`/api/v1/limits/${id}`);
    assert.equal(one.status, 200, `the partner who stays reads it: ${describe(one)}`);
  }
  const team = await p.bClient.get('/api/v1/care');
  assert.deepEqual(team.json.therapists, []);
  // the leaver takes a copy of their own, which opens in the space they start
  const copy = await p.aClient.get(`/api/v1/limits/${theirs}`);
  assert.equal(copy.status, 200, `the leaver reads their copy: ${describe(copy)}`);
  assert.equal(copy.json.limit.text, markers.get('care item of the one who leaves'));
});

test('a therapist changes their password and still reads the care items; a partner who deletes their account ends the care team', async () => {
  const p = await pair(server.url);
  const inv = await p.aClient.post('/api/v1/care/invites', {});
  const ok = await p.bClient.post(`/api/v1/care/invites/${inv.json.invite.id}/approve`);
  assert.equal(ok.status, 200, describe(ok));
  const t = new Client(server.url);
  const creds = { login: uniqueLogin('t'), password: uniquePassword() };
  assert.equal((await t.post('/api/v1/join',
    { token: ok.json.token, ...creds, display_name: 'Dr. Keys', language: 'en' })).status, 201);
  const item = await limit(p.bClient, ['partner', 'care'], 'care item before a new password');
  const fresh = uniquePassword();
  const pw = await t.post('/api/v1/password', { old_password: creds.password, new_password: fresh });
  assert.equal(pw.status, 204, `a therapist's new password: ${describe(pw)}`);
  const again = new Client(server.url);
  assert.equal((await login(again, creds.login, fresh)).status, 200);
  assert.ok((await listIds(again)).has(item), 'the care item opens after the new master key');

  const gone = await p.aClient.del('/api/v1/me', { password: p.a.password });
  assert.equal(gone.status, 204, describe(gone));
  assert.equal((await again.get('/api/v1/limits')).status, 401, 'the deleted partner took the care team');
  const one = await p.bClient.get(`/api/v1/limits/${item}`);
  assert.equal(one.status, 200, `the partner who stays reads their care item: ${describe(one)}`);
});

// The server reads the care key again inside each approval's and ending's write lock
// (care.c); this test cannot force the two requests to overlap, so it may pass without that.
test('two approvals and two endings at once: every care item still opens for the partners and the therapists', async () => {
  const p = await pair(server.url);
  const early = await limit(p.aClient, ['partner', 'care'], 'care item before two approvals');
  const ia = (await p.aClient.post('/api/v1/care/invites', {})).json.invite;
  const ib = (await p.bClient.post('/api/v1/care/invites', {})).json.invite;
  // each partner approves the other's proposal at the same moment: one care key, not two
  const [ra, rb] = await Promise.all([
    p.bClient.post(`/api/v1/care/invites/${ia.id}/approve`),
    p.aClient.post(`/api/v1/care/invites/${ib.id}/approve`),
  ]);
  assert.equal(ra.status, 200, describe(ra));
  assert.equal(rb.status, 200, describe(rb));
  const joined = [];
  for (const token of [ra.json.token, rb.json.token]) {
    const c = new Client(server.url);
    const res = await c.post('/api/v1/join', { token, login: uniqueLogin('t'), password: uniquePassword(),
      display_name: 'Dr. Race', language: 'en' });
    assert.equal(res.status, 201, describe(res));
    joined.push({ c, id: res.json.member.id });
    assert.ok((await listIds(c)).has(early), 'each therapist reads the care item');
  }
  // both partners end one therapist each at the same moment
  const [ea, eb] = await Promise.all([
    p.aClient.del(`/api/v1/care/${joined[0].id}`),
    p.bClient.del(`/api/v1/care/${joined[1].id}`),
  ]);
  assert.equal(ea.status, 204, describe(ea));
  assert.equal(eb.status, 204, describe(eb));
  for (const c of [p.aClient, p.bClient]) {
    const one = await c.get(`/api/v1/limits/${early}`);
    assert.equal(one.status, 200, `a partner still reads the care item: ${describe(one)}`);
  }
  const t3 = await (async () => {
    const inv = (await p.aClient.post('/api/v1/care/invites', {})).json.invite;
    const ok = await p.bClient.post(`/api/v1/care/invites/${inv.id}/approve`);
    const c = new Client(server.url);
    assert.equal((await c.post('/api/v1/join', { token: ok.json.token, login: uniqueLogin('t'),
      password: uniquePassword(), display_name: 'Dr. After', language: 'en' })).status, 201);
    return c;
  })();
  assert.ok((await listIds(t3)).has(early), 'a therapist invited later reads it too');
});
