// Agreements and breaches with the care team (issue 14): the partner who
// makes one chooses, once, whether the care team reads it; its versions,
// acceptances, end, repairs and "repaired"s follow.  A therapist of the
// couple reads those of either partner, never the partner-only ones (404 as
// a random id), writes none (403), and sees nothing once their access ended.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { joinCareTeam } from './care-member.mjs';
import {
  Client, describe, errCode, leaksAtRest, login, markerSet, pair, startServer,
} from './harness.mjs';
import { day } from './kinds.mjs';

let server;
let A;
let B;
let aId;
let bId;
const { markers, mark } = markerSet();
const CARE = ['partner', 'care'];

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  aId = p.a.member.id;
  bId = p.b.member.id;
});
after(async () => { await server?.stop(); });

/** A therapist A proposes and B approves, joined; {client, id, login, password}. */
const therapist = (name) => joinCareTeam(server.url, A, B, name);

function agreementBody(label, shared) {
  return {
    category: 'online',
    text: mark(`${label} text`, 'I tell you the same day when an old friend writes'),
    consequence: mark(`${label} consequence`, 'We sit down that evening and talk it through'),
    review_on: day(40),
    ...(shared ? { shared_with: shared } : {}),
  };
}

async function agreement(c, label, shared) {
  const res = await c.post('/api/v1/agreements', agreementBody(label, shared));
  assert.equal(res.status, 201, describe(res));
  return res.json.agreement;
}

async function breach(c, label, shared) {
  const res = await c.post('/api/v1/breaches', {
    description: mark(`${label} breach`, 'Came home at two without a message'),
    self_report: false,
    ...(shared ? { shared_with: shared } : {}),
  });
  assert.equal(res.status, 201, describe(res));
  return res.json.breach;
}

function repairBody(label) {
  return {
    feelings: ['hurt', 'lonely'],
    my_view: mark(`${label} view`, 'I waited up and heard nothing at all'),
    my_part: mark(`${label} part`, 'I went cold instead of saying I was scared'),
    do_differently: mark(`${label} differently`, 'I will say it the same night, gently'),
  };
}

const ids = async (c, path, key) => {
  const res = await c.get(path);
  assert.equal(res.status, 200, `${path}: ${describe(res)}`);
  return res.json[key].map((x) => x.id).sort();
};

let made; // what the first test made, for the ones after it
let t;

test('the care team reads what either partner shared with it, with its history, and nothing else', async () => {
  t = await therapist('Dr. Agree');
  const T = t.client;

  // agreements: A's shared with care (B changes it, A accepts), B's shared with care (A declines),
  // A's for the two of them alone
  const aCare = await agreement(A, 'A care', CARE);
  assert.deepEqual(aCare.shared_with, CARE, 'the answer shows the sharing');
  const rev = await B.post(`/api/v1/agreements/${aCare.id}/revise`, {
    text: mark('A care v2', 'I tell you the same day when anyone from back then writes'),
    consequence: '', review_on: day(50), note: mark('A care note', 'Anyone, not only one friend'),
  });
  assert.equal(rev.status, 200, describe(rev));
  assert.equal((await A.post(`/api/v1/agreements/${aCare.id}/accept`, { version: 2 })).status, 200);
  const bCare = await agreement(B, 'B care', CARE);
  assert.equal((await A.post(`/api/v1/agreements/${bCare.id}/decline`,
    { note: mark('B care decline', 'Not in these words yet') })).status, 200);
  const aPart = await agreement(A, 'A partner');
  assert.deepEqual(aPart.shared_with, ['partner'], 'the default: the two of them');

  // breaches: A's shared with care, both sides written and repaired; B's shared with care, open;
  // B's for the two of them alone, with a repair
  const aBr = await breach(A, 'A care', CARE);
  assert.deepEqual(aBr.shared_with, CARE);
  for (const [c, label] of [[B, 'B side'], [A, 'A side']]) {
    const w = await c.post(`/api/v1/breaches/${aBr.id}/repair`, repairBody(label));
    assert.equal(w.status, 201, describe(w));
  }
  for (const c of [A, B]) assert.equal((await c.post(`/api/v1/breaches/${aBr.id}/repaired`)).status, 200);
  const bBr = await breach(B, 'B care', CARE);
  const bPart = await breach(B, 'B partner');
  assert.deepEqual(bPart.shared_with, ['partner']);
  assert.equal((await B.post(`/api/v1/breaches/${bPart.id}/repair`, repairBody('B partner side'))).status, 201);
  made = { aCare, bCare, aPart, aBr, bBr, bPart };

  // the partners see all of them, as before
  for (const c of [A, B]) {
    assert.deepEqual(await ids(c, '/api/v1/agreements', 'agreements'), [aCare.id, bCare.id, aPart.id].sort());
    assert.deepEqual(await ids(c, '/api/v1/breaches', 'breaches'), [aBr.id, bBr.id, bPart.id].sort());
  }
  // the therapist: the care-shared ones of either partner, no other
  assert.deepEqual(await ids(T, '/api/v1/agreements', 'agreements'), [aCare.id, bCare.id].sort());
  assert.deepEqual(await ids(T, '/api/v1/breaches', 'breaches'), [aBr.id, bBr.id].sort());

  let res = await T.get(`/api/v1/agreements/${aCare.id}`);
  assert.equal(res.status, 200, describe(res));
  const ag = res.json.agreement;
  assert.equal(ag.status, 'agreed');
  assert.deepEqual(ag.accepted_by, [bId, aId]);
  assert.equal(ag.text, markers.get('A care v2'));
  assert.deepEqual(ag.shared_with, CARE);
  assert.equal(ag.mine, false);
  assert.deepEqual(ag.versions.map((v) => [v.version, v.proposed_by, v.text]),
    [[1, aId, markers.get('A care text')], [2, bId, markers.get('A care v2')]]);
  assert.ok(ag.versions.every((v) => v.shared_with.includes('care')), 'the versions follow the agreement');
  assert.equal(ag.versions[1].note, markers.get('A care note'));
  res = await T.get(`/api/v1/agreements/${bCare.id}`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.agreement.status, 'declined');
  assert.equal(res.json.agreement.ended.note, markers.get('B care decline'), 'its end follows it too');

  res = await T.get(`/api/v1/breaches/${aBr.id}`);
  assert.equal(res.status, 200, describe(res));
  const br = res.json.breach;
  assert.equal(br.status, 'repaired');
  assert.equal(br.waiting, 0);
  assert.deepEqual(br.repaired_by.sort(), [aId, bId].sort());
  assert.deepEqual(br.repairs.map((r) => [r.author_id, r.my_view]).sort(),
    [[aId, markers.get('A side view')], [bId, markers.get('B side view')]].sort(),
    'both sides, as written');
  res = await T.get(`/api/v1/breaches/${bBr.id}`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.breach.status, 'open');

  // a partner-only one answers exactly as a random id does
  const random = randomBytes(16).toString('hex');
  for (const [path, id] of [['/api/v1/agreements', aPart.id], ['/api/v1/breaches', bPart.id]]) {
    const hidden = await T.get(`${path}/${id}`);
    const none = await T.get(`${path}/${random}`);
    assert.equal(hidden.status, 404, describe(hidden));
    assert.deepEqual([hidden.status, hidden.text], [none.status, none.text], `${path}: as a random id`);
  }
});

test('the therapist writes none of it: every write route is 403 and changes nothing', async () => {
  const T = t.client;
  const { aCare, bCare, aBr, bBr } = made;
  const before = {
    a: (await A.get(`/api/v1/agreements/${aCare.id}`)).text,
    b: (await A.get(`/api/v1/breaches/${bBr.id}`)).text,
  };
  for (const [method, path, sent] of [
    ['POST', '/api/v1/agreements', agreementBody('T made', CARE)],
    ['POST', `/api/v1/agreements/${aCare.id}/accept`, { version: 2 }],
    ['POST', `/api/v1/agreements/${aCare.id}/revise`, { text: 'x', consequence: '', review_on: day(9) }],
    ['POST', `/api/v1/agreements/${bCare.id}/decline`, {}],
    ['POST', `/api/v1/agreements/${aCare.id}/retire`, { reason: 'x' }],
    ['POST', '/api/v1/breaches', { description: 'x', self_report: false, shared_with: CARE }],
    ['POST', `/api/v1/breaches/${bBr.id}/repair`, repairBody('T repair')],
    ['PUT', `/api/v1/breaches/${aBr.id}/repair`, repairBody('T change')],
    ['POST', `/api/v1/breaches/${aBr.id}/repaired`, undefined],
    ['GET', '/api/v1/breaches/feelings', undefined],
    ['GET', '/agreements', undefined],
    ['GET', `/agreements/${aCare.id}`, undefined],
    ['GET', '/breaches', undefined],
    ['GET', `/breaches/${aBr.id}`, undefined],
  ]) {
    const res = method === 'GET' ? await T.get(path) : await T.request(method, path, sent);
    assert.equal(res.status, 403, `${method} ${path}: ${describe(res)}`);
  }
  assert.equal((await A.get(`/api/v1/agreements/${aCare.id}`)).text, before.a);
  assert.equal((await A.get(`/api/v1/breaches/${bBr.id}`)).text, before.b);
  assert.equal((await A.get('/api/v1/agreements')).json.agreements.length, 3, 'nothing was made');
});

test('the pages offer the care team\'s box only when there is a care team, and mark what is shared', async () => {
  let page = await A.get('/agreements');
  assert.match(page.text, /name="share_care"/, 'the box, with a care team');
  assert.match(page.text, /Also share with our care team/);
  assert.match(page.text, /Shared with your care team/, 'the shared ones are marked');
  const text = mark('page agreement', 'I show you my phone when you ask, without a sigh');
  const saved = await A.form('/agreements',
    { category: 'privacy', text, consequence: '', review_on: day(10), share_partner: '1', share_care: '1', csrf: A.csrf });
  assert.equal(saved.status, 303, describe(saved));
  const url = saved.headers.get('location').replace(/\?.*$/, '');
  page = await A.get(url);
  assert.match(page.text, /Shared with your care team/);
  assert.match(page.text, /your therapist will read your version too/);
  const unticked = await A.form('/agreements',
    { category: 'privacy', text: 'Between the two of us', consequence: '', review_on: day(10), csrf: A.csrf });
  assert.equal(unticked.status, 303, describe(unticked));
  const quiet = await A.get(unticked.headers.get('location').replace(/\?.*$/, ''));
  assert.doesNotMatch(quiet.text, /Shared with your care team/);
  const T = t.client;
  const tList = await ids(T, '/api/v1/agreements', 'agreements');
  assert.ok(tList.includes(url.split('/').pop()), 'the ticked one reaches the therapist');
  assert.equal(tList.length, 3, 'the unticked one does not');

  // the form always shares with the partner (a hidden share_partner): the care team reads with
  // the partner, never instead, so the box alone is refused and nothing is made
  const alone = await A.form('/agreements',
    { category: 'privacy', text: 'Care alone', consequence: '', review_on: day(10), share_care: '1', csrf: A.csrf });
  assert.equal(alone.status, 400, describe(alone));
  assert.match((await A.get('/agreements')).text, /name="share_partner" value="1"/);

  page = await B.get('/breaches');
  assert.match(page.text, /name="share_care"/);
  assert.match(page.text, /name="share_partner" value="1"/);
  const desc = mark('page breach', 'Read my messages while I slept');
  const rec = await B.form('/breaches', { description: desc, share_partner: '1', share_care: '1', csrf: B.csrf });
  assert.equal(rec.status, 303, describe(rec));
  page = await A.get(rec.headers.get('location'));
  assert.match(page.text, /care-shared/, 'the breach says it is shared with the care team');
  assert.match(page.text, /your therapist will read your side too/, 'the other partner is told before writing');
  assert.equal((await T.get(`/api/v1${rec.headers.get('location')}`)).status, 200);

  // a couple with no care team: no box
  const other = await pair(server.url);
  for (const p of ['/agreements', '/breaches']) {
    const none = await other.aClient.get(p);
    assert.equal(none.status, 200, describe(none));
    assert.doesNotMatch(none.text, /share_care/, `${p}: no box without a care team`);
    assert.match(none.text, p === '/breaches' ? /Only the two of you see it/ : /Propose an agreement/);
  }
});

test('sharing is chosen once, at creation: the partner is always in it', async () => {
  for (const [path, base] of [
    ['/api/v1/agreements', agreementBody('bad sharing')],
    ['/api/v1/breaches', { description: 'x', self_report: true }],
  ]) {
    const before = (await A.get(path)).json;
    for (const [shared, code] of [[[], 'invalid_value'], [['care'], 'invalid_value'],
      [['partner', 'partner'], 'invalid_value'], [['friend'], 'invalid_value'], ['care', 'wrong_type']]) {
      const res = await A.post(path, { ...base, shared_with: shared });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(shared)}: ${describe(res)}`);
      assert.equal(errCode(res), code, describe(res));
      assert.ok(res.json.error.message.includes('“Who sees it”'), `the message names shared_with: ${describe(res)}`);
    }
    assert.deepEqual((await A.get(path)).json, before, `${path}: nothing was written`);
  }
  const res = await A.post(`/api/v1/agreements/${made.aPart.id}/revise`,
    { text: 'x', consequence: '', review_on: day(9), shared_with: CARE });
  assert.equal(res.status, 400, describe(res));
  assert.equal(errCode(res), 'unknown_field', 'a revision keeps the sharing');
});

test('an ended therapist sees none of it, old or new', async () => {
  assert.equal((await B.del(`/api/v1/care/${t.id}`)).status, 204);
  const after1 = await agreement(A, 'after the end', CARE);
  const back = new Client(server.url);
  assert.equal((await login(back, t.login, t.password)).status, 200);
  for (const [path, key] of [['/api/v1/agreements', 'agreements'], ['/api/v1/breaches', 'breaches']]) {
    const res = await back.get(path);
    assert.equal(res.status, 200, describe(res));
    assert.deepEqual(res.json[key], [], `${path}: empty`);
  }
  for (const p of [`/api/v1/agreements/${made.aCare.id}`, `/api/v1/agreements/${after1.id}`,
    `/api/v1/breaches/${made.aBr.id}`]) {
    assert.equal((await back.get(p)).status, 404, p);
  }
  // the partners still read every one, under the couple key again
  assert.equal((await B.get(`/api/v1/agreements/${made.aCare.id}`)).json.agreement.versions.length, 2);
  assert.equal((await B.get(`/api/v1/breaches/${made.aBr.id}`)).json.breach.repairs.length, 2);
});

test('nothing of a care-shared agreement or breach is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 10);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
