// Breaches and their repair (step 3): either partner records a breach (a
// self-report is shown as such, never scored); each partner writes one
// repair in the shape of "the aftermath of a fight" and reads the other's
// only after writing their own; the breach is repaired once both said so,
// each after writing theirs.  Who may call each route is in the
// authorization matrix; here, the rules of the kind and another couple's
// ids on every route.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  describe, errCode, leaksAtRest, markerSet, pair, repoRoot, startServer,
} from './harness.mjs';
import { day } from './kinds.mjs';

let server;
const { markers, mark } = markerSet(); // texts that must never be readable at rest
// the feelings are keys of a fixed list: these two appear nowhere else in the database
markers.set('feeling', 'taken_for_granted');
markers.set('other feeling', 'powerless');

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const randomId = () => randomBytes(16).toString('hex');

/** Whether docs/api.md lists the route (the agreements' routes land beside these). */
function hasRoute(method, pattern) {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  return text.includes(`\`${method} ${pattern}\``);
}

function repairBody(label, over = {}) {
  return {
    feelings: ['hurt', 'taken_for_granted', 'powerless'],
    my_view: mark(`${label} view`, 'I waited all evening and nobody told me anything'),
    their_view_summary: mark(`${label} summary`, 'You were caught at work and thought I knew'),
    triggers: mark(`${label} triggers`, 'Being left without word, like the months before'),
    my_part: mark(`${label} part`, 'I went quiet instead of asking; I am sorry for that'),
    do_differently: mark(`${label} differently`, 'I will ask, plainly, before I assume'),
    ...over,
  };
}

test('a breach is recorded, each partner writes their side, and it is repaired when both say so', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const aId = (await A.get('/api/v1/me')).json.member.id;
  const bId = (await B.get('/api/v1/me')).json.member.id;
  const description = mark('description', 'I met them for coffee and did not tell you');
  let res = await A.post('/api/v1/breaches', { description, self_report: true });
  assert.equal(res.status, 201, describe(res));
  const br = res.json.breach;
  assert.equal(br.description, description);
  assert.equal(br.self_report, true);
  assert.equal(br.agreement_id, null);
  assert.equal(br.status, 'open');
  assert.equal(br.mine, true);
  assert.equal(br.author_id, aId);
  assert.deepEqual(br.repairs, []);
  assert.deepEqual(br.repaired_by, []);
  assert.equal(br.waiting, 0);

  // B sees it, a self-report of A's
  let list = (await B.get('/api/v1/breaches')).json.breaches;
  assert.equal(list.length, 1);
  assert.equal(list[0].id, br.id);
  assert.equal(list[0].self_report, true, 'a self-report is shown as such to the partner');
  assert.equal(list[0].mine, false);
  assert.equal(list[0].description, description);

  // saying "repaired" before writing one's side: 409, and nothing changes
  res = await A.post(`/api/v1/breaches/${br.id}/repaired`);
  assert.equal(res.status, 409, describe(res));
  assert.equal(errCode(res), 'conflict');
  assert.match(res.json.error.message, /repair first/);
  res = await A.put(`/api/v1/breaches/${br.id}/repair`, repairBody('early'));
  assert.equal(res.status, 409, 'a change before a first repair');
  let got = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(got.status, 'open');
  assert.deepEqual(got.repaired_by, []);

  // A writes their side: repairing
  const aBody = repairBody('a');
  res = await A.post(`/api/v1/breaches/${br.id}/repair`, aBody);
  assert.equal(res.status, 201, describe(res));
  const aRep = res.json.repair;
  assert.deepEqual(aRep.feelings, aBody.feelings);
  assert.equal(aRep.my_part, aBody.my_part);
  assert.equal(aRep.mine, true);
  assert.equal(aRep.author_id, aId);
  got = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(got.status, 'repairing');
  assert.equal(got.repairs.length, 1);
  assert.equal(got.waiting, 0);

  // B does not read A's side before writing their own: it waits, unread
  res = await B.get(`/api/v1/breaches/${br.id}`);
  assert.equal(res.json.breach.status, 'repairing');
  assert.deepEqual(res.json.breach.repairs, []);
  assert.equal(res.json.breach.waiting, 1);
  for (const t of [aBody.my_view, aBody.my_part, aBody.do_differently]) {
    assert.ok(!res.text.includes(t), 'none of A\'s side reaches B yet');
  }
  assert.ok(!(await B.get('/api/v1/breaches')).text.includes(aBody.my_view), 'nor through the list');

  // one repair per partner: a second POST is 409 and keeps the first; PUT changes it
  res = await A.post(`/api/v1/breaches/${br.id}/repair`, repairBody('a again'));
  assert.equal(res.status, 409, describe(res));
  assert.equal(errCode(res), 'conflict');
  got = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(got.repairs[0].my_view, aBody.my_view, 'the refused second repair changed nothing');
  const changed = mark('a changed part', 'I hid it because I feared your answer; I am sorry');
  res = await A.put(`/api/v1/breaches/${br.id}/repair`, { ...aBody, feelings: ['ashamed'], my_part: changed });
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.repair.my_part, changed);
  assert.deepEqual(res.json.repair.feelings, ['ashamed']);
  assert.equal(res.json.repair.version, 2);

  // A says repaired: not yet, B has not
  res = await A.post(`/api/v1/breaches/${br.id}/repaired`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.breach.status, 'repairing');
  assert.deepEqual(res.json.breach.repaired_by, [aId]);

  // B cannot say it before writing theirs
  res = await B.post(`/api/v1/breaches/${br.id}/repaired`);
  assert.equal(res.status, 409, describe(res));
  res = await B.put(`/api/v1/breaches/${br.id}/repair`, repairBody('b early'));
  assert.equal(res.status, 409, describe(res));
  got = (await B.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.deepEqual(got.repaired_by, [aId], 'B\'s refused "repaired" was not kept');

  // B writes theirs: now both read both
  const bBody = repairBody('b', { feelings: ['scared', 'unheard'] });
  res = await B.post(`/api/v1/breaches/${br.id}/repair`, bBody);
  assert.equal(res.status, 201, describe(res));
  got = (await B.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(got.repairs.length, 2);
  assert.equal(got.waiting, 0);
  assert.equal(got.repairs.find((x) => !x.mine).my_part, changed, 'B reads A\'s changed side');
  got = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(got.repairs.find((x) => !x.mine).my_view, bBody.my_view, 'A reads B\'s side');
  assert.equal(got.repairs.find((x) => !x.mine).author_id, bId);

  // both said so: repaired; saying it again changes nothing
  res = await B.post(`/api/v1/breaches/${br.id}/repaired`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.breach.status, 'repaired');
  assert.deepEqual([...res.json.breach.repaired_by].sort(), [aId, bId].sort());
  res = await A.post(`/api/v1/breaches/${br.id}/repaired`);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.breach.status, 'repaired');

  // a repaired breach's sides no longer change
  for (const [who, C, method] of [['A', A, 'put'], ['B', B, 'put'], ['A', A, 'post']]) {
    res = await C[method](`/api/v1/breaches/${br.id}/repair`, repairBody(`${who} late`));
    assert.equal(res.status, 409, `${who} ${method} after repaired: ${describe(res)}`);
  }
  list = (await A.get('/api/v1/breaches')).json.breaches;
  assert.equal(list[0].status, 'repaired');
  assert.equal(list[0].repairs.length, 2);
});

test('another couple\'s breach and agreement are unknown on every route', async () => {
  const { aClient: A } = await pair(server.url);
  const { aClient: X } = await pair(server.url);
  const br = (await A.post('/api/v1/breaches', { description: 'A late night', self_report: false })).json.breach;
  const rid = randomId();
  const calls = [
    ['GET', (id) => X.get(`/api/v1/breaches/${id}`)],
    ['POST repair', (id) => X.post(`/api/v1/breaches/${id}/repair`, repairBody('x'))],
    ['PUT repair', (id) => X.put(`/api/v1/breaches/${id}/repair`, repairBody('x'))],
    ['POST repaired', (id) => X.post(`/api/v1/breaches/${id}/repaired`)],
    ['page', (id) => X.get(`/breaches/${id}`)],
    ['page repair', (id) => X.form(`/breaches/${id}/repair`, { 'feelings.hurt': '1', my_view: 'v', my_part: 'p', do_differently: 'd', csrf: X.csrf })],
    ['page repaired', (id) => X.form(`/breaches/${id}/repaired`, { csrf: X.csrf })],
  ];
  for (const [what, call] of calls) {
    const real = await call(br.id);
    const random = await call(rid);
    assert.equal(random.status, 404, `${what} with a random id: ${describe(random)}`);
    assert.equal(real.status, 404, `${what} with another couple's breach: ${describe(real)}`);
    assert.equal(real.text, random.text, `${what}: the same answer as a random id`);
  }
  assert.deepEqual((await X.get('/api/v1/breaches')).json.breaches, []);
  const still = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.equal(still.status, 'open', 'nothing of X\'s reached A\'s breach');
  assert.deepEqual(still.repairs, []);

  // a breach of an agreement that is not the couple's: 404 naming the field, nothing kept
  let res = await A.post('/api/v1/breaches', { agreement_id: rid, description: 'Of no agreement', self_report: true });
  assert.equal(res.status, 404, describe(res));
  assert.equal(errCode(res), 'not_found');
  assert.equal(res.json.error.field, 'agreement_id');
  if (hasRoute('POST', '/api/v1/agreements')) {
    const ag = await A.post('/api/v1/agreements', {
      category: 'online', text: 'We tell each other before meeting an ex', consequence: '', review_on: day(30),
    });
    assert.equal(ag.status, 201, describe(ag));
    const agreementId = ag.json.agreement.id;
    res = await A.post('/api/v1/breaches', { agreement_id: agreementId, description: 'I met them', self_report: true });
    assert.equal(res.status, 201, describe(res));
    assert.equal(res.json.breach.agreement_id, agreementId);
    const theirs = await X.post('/api/v1/breaches', { agreement_id: agreementId, description: 'Not ours', self_report: false });
    assert.equal(theirs.status, 404, `another couple's agreement: ${describe(theirs)}`);
    assert.equal(theirs.json.error.field, 'agreement_id');
    assert.deepEqual((await X.get('/api/v1/breaches')).json.breaches, []);
  }
  const mine = (await A.get('/api/v1/breaches')).json.breaches;
  assert.ok(!mine.some((b) => b.description === 'Of no agreement'), 'the refused breach was not kept');
});

test('bad breaches and repairs are refused with the field\'s code, and change nothing', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { bFields: { language: 'ru' } });
  const br = (await A.post('/api/v1/breaches', { description: 'Kept', self_report: false })).json.breach;
  for (const [body, code] of [
    [{ description: '', self_report: true }, 'too_short'],
    [{ description: 'x'.repeat(2001), self_report: true }, 'too_long'],
    [{ self_report: true }, 'missing_field'],
    [{ description: 'No flag' }, 'missing_field'],
    [{ description: 'Flag as text', self_report: 'yes' }, 'wrong_type'],
    [{ description: 42, self_report: true }, 'wrong_type'],
    [{ description: 'Bad id', self_report: true, agreement_id: 'not-an-id' }, 'invalid_value'],
    [{ description: 'Extra', self_report: true, status: 'repaired' }, 'unknown_field'],
    [{ description: 'Not shared', self_report: true, shared_with: [] }, 'invalid_value'], // always the couple's
    [{ description: 'Care alone', self_report: true, shared_with: ['care'] }, 'invalid_value'],
    [{ description: 'Twice', self_report: true, shared_with: ['partner', 'partner'] }, 'invalid_value'],
    [{ description: 'As text', self_report: true, shared_with: 'care' }, 'wrong_type'],
  ]) {
    const res = await B.post('/api/v1/breaches', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.equal(errCode(res), code, describe(res));
  }
  const good = repairBody('bad input');
  for (const [over, code] of [
    [{ feelings: ['bored'] }, 'invalid_value'],
    [{ feelings: ['hurt', 'hurt'] }, 'invalid_value'],
    [{ feelings: [] }, 'too_short'],
    [{ feelings: ['hurt', 'sad', 'angry', 'scared', 'lonely', 'unheard', 'disrespected', 'overwhelmed',
      'ashamed', 'defensive', 'flooded'] }, 'too_long'],
    [{ feelings: 'hurt' }, 'wrong_type'],
    [{ feelings: [1] }, 'wrong_type'],
    [{ feelings: undefined }, 'missing_field'],
    [{ my_view: '' }, 'too_short'],
    [{ my_part: 'x'.repeat(2001) }, 'too_long'],
    [{ triggers: 'x'.repeat(2001) }, 'too_long'],
    [{ do_differently: 7 }, 'wrong_type'],
    [{ my_part: undefined }, 'missing_field'],
    [{ apology: 'sorry' }, 'unknown_field'],
  ]) {
    const body = { ...good, ...over };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    for (const method of ['post', 'put']) {
      const res = await B[method](`/api/v1/breaches/${br.id}/repair`, body);
      assert.equal(res.status, 400, `${method} ${JSON.stringify(over).slice(0, 60)}: ${describe(res)}`);
      assert.equal(errCode(res), code, describe(res));
    }
  }
  const ru = await B.post(`/api/v1/breaches/${br.id}/repair`, { ...good, feelings: ['bored'] });
  assert.match(ru.json.error.message, /[А-Яа-я]/, `in Russian: ${describe(ru)}`);
  // optional texts may be left out
  const res = await B.post(`/api/v1/breaches/${br.id}/repair`,
    { feelings: ['sad'], my_view: 'Mine', my_part: 'Sorry', do_differently: 'Ask' });
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.repair.triggers, null);
  const now = (await A.get('/api/v1/breaches')).json.breaches;
  assert.equal(now.length, 1, 'no refused breach was kept');
  assert.equal(now[0].waiting, 1, 'only the good repair was kept');
});

test('the one who records a breach chooses the care team or not; the repairs follow, the order of reading stays', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const plain = await A.post('/api/v1/breaches', { description: 'Between us', self_report: false });
  assert.equal(plain.status, 201, describe(plain));
  assert.deepEqual(plain.json.breach.shared_with, ['partner'], 'the default');
  const res = await A.post('/api/v1/breaches',
    { description: mark('care breach', 'Lied about where I was on Friday'), self_report: true, shared_with: ['partner', 'care'] });
  assert.equal(res.status, 201, describe(res));
  const br = res.json.breach;
  assert.deepEqual(br.shared_with, ['partner', 'care']);
  const seen = (await B.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.deepEqual(seen.shared_with, ['partner', 'care'], 'the partner sees it, and that it is shared');
  // B's side waits for A's, care team or not
  assert.equal((await B.post(`/api/v1/breaches/${br.id}/repair`, repairBody('care b'))).status, 201);
  let a = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.deepEqual([a.waiting, a.repairs.length], [1, 0], 'A reads B\'s side only after writing theirs');
  assert.equal((await A.post(`/api/v1/breaches/${br.id}/repair`, repairBody('care a'))).status, 201);
  a = (await A.get(`/api/v1/breaches/${br.id}`)).json.breach;
  assert.deepEqual([a.waiting, a.repairs.length], [0, 2]);
  // the summary of the one who recorded it holds it, with the repairs, as it holds care items
  const sum = await A.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}`);
  assert.equal(sum.status, 200, describe(sum));
  const item = sum.json.summary.items.find((x) => x.item.id === br.id);
  assert.ok(item, `the care-shared breach is in the summary: ${describe(sum)}`);
  assert.equal(item.answers.filter((x) => x.kind === 'breach_repair').length, 2, 'with both repairs, which follow it');
  assert.ok(!sum.json.summary.items.some((x) => x.item.id === plain.json.breach.id), 'never the partner-only one');
});

test('the feelings come labelled in the member\'s language', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { aFields: { language: 'es' }, bFields: { language: 'ru' } });
  const en = (await pair(server.url)).aClient;
  const lists = {};
  for (const [lang, C] of [['en', en], ['es', A], ['ru', B]]) {
    const res = await C.get('/api/v1/breaches/feelings');
    assert.equal(res.status, 200, describe(res));
    lists[lang] = res.json.feelings;
  }
  const keys = lists.en.map((f) => f.key);
  assert.ok(keys.length >= 20, `at least 20 feelings (${keys.length})`);
  for (const k of ['hurt', 'sad', 'angry', 'scared', 'lonely', 'unheard', 'disrespected', 'overwhelmed',
    'ashamed', 'defensive']) {
    assert.ok(keys.includes(k), `the list has ${k}`);
  }
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(lists.es.map((f) => f.key), keys);
  assert.deepEqual(lists.ru.map((f) => f.key), keys);
  assert.equal(lists.en.find((f) => f.key === 'hurt').label, 'Hurt');
  for (const f of lists.ru) assert.match(f.label, /[А-Яа-яЁё]/, `${f.key} in Russian`);
  assert.notEqual(lists.es.find((f) => f.key === 'sad').label, 'Sad', 'in Spanish');
});

test('the pages: record a self-report, write both sides and say repaired, without JavaScript', async () => {
  const { aClient: A, bClient: B } = await pair(server.url, { aFields: { display_name: 'Alex' } });
  const description = mark('page', 'I read your messages without asking');
  let res = await A.form('/breaches', { description, self_report: '1', csrf: A.csrf });
  assert.equal(res.status, 303, describe(res));
  const id = /^\/breaches\/([0-9a-f]{32})$/.exec(res.headers.get('location'))?.[1];
  assert.ok(id, res.headers.get('location'));
  let page = await A.get(`/breaches/${id}`);
  assert.ok(page.text.includes(description));
  assert.match(page.text, /You told about this yourself\. Thank you/);
  assert.match(page.text, /<legend>What did you feel\? Choose up to ten\.<\/legend>/);
  assert.match(page.text, /name="feelings\.hurt" value="1"/);
  assert.ok(!page.text.includes('action="/breaches/' + id + '/repaired"'), 'no "repaired" before one\'s side');
  page = await B.get('/breaches');
  assert.ok(page.text.includes(description));
  assert.match(page.text, /A self-report\./);
  page = await B.get(`/breaches/${id}`);
  assert.match(page.text, /Alex told you about this, unasked\./);

  // a refused side comes back as typed, the field marked
  const myView = mark('page view', 'I was scared of what I would find');
  res = await A.form(`/breaches/${id}/repair`, { 'feelings.scared': '1', my_view: myView, my_part: '', do_differently: 'Ask', csrf: A.csrf });
  assert.equal(res.status, 400, describe(res));
  assert.match(res.text, /id="repair-my-part"[^>]*aria-invalid="true"/);
  assert.match(res.text, /name="feelings\.scared" value="1" checked/);
  assert.ok(res.text.includes(myView));
  res = await A.form(`/breaches/${id}/repair`, {
    'feelings.scared': '1', 'feelings.ashamed': 'on', my_view: myView,
    my_part: mark('page part', 'I broke your trust; I am sorry'), do_differently: 'Ask you first', csrf: A.csrf,
  });
  assert.equal(res.status, 303, describe(res));
  page = await A.get(`/breaches/${id}`);
  assert.match(page.text, /Your side/);
  assert.match(page.text, /<li>Scared<\/li>/);
  assert.match(page.text, /name="feelings\.ashamed" value="1" checked/, 'the change form holds A\'s side');
  assert.ok(page.text.includes(`action="/breaches/${id}/repaired"`));
  page = await B.get(`/breaches/${id}`);
  assert.match(page.text, /Alex has written their side\. You can read it once you have written yours\./);
  assert.ok(!page.text.includes(myView), 'B does not read A\'s side yet');
  res = await B.form(`/breaches/${id}/repaired`, { csrf: B.csrf });
  assert.equal(res.status, 409, 'B says repaired before writing: the page says why');
  assert.match(res.text, /Write your side first/);

  res = await B.form(`/breaches/${id}/repair`, {
    'feelings.hurt': '1', my_view: 'It felt like being watched', my_part: 'I did not say how hurt I was',
    do_differently: 'Tell you sooner', csrf: B.csrf,
  });
  assert.equal(res.status, 303, describe(res));
  page = await B.get(`/breaches/${id}`);
  assert.ok(page.text.includes(myView), 'now B reads A\'s side');
  for (const C of [A, B]) {
    res = await C.form(`/breaches/${id}/repaired`, { csrf: C.csrf });
    assert.equal(res.status, 303, describe(res));
  }
  page = await A.get(`/breaches/${id}`);
  assert.match(page.text, /You have both said that this is repaired\./);
  assert.ok(!page.text.includes(`action="/breaches/${id}/repair"`), 'a repaired breach takes no more changes');
  assert.match((await A.get('/home')).text, /href="\/breaches"/);

  res = await A.form('/breaches', { description: '', csrf: A.csrf });
  assert.equal(res.status, 400);
  assert.match(res.text, /id="breach-description"[^>]*aria-invalid="true"/);
});

test('home asks each partner for their side of a breach until they wrote it', async () => {
  const { aClient: A, bClient: B } = await pair(server.url);
  const scores = { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 };
  for (const c of [A, B]) { // checked in, so that home's one suggestion may be about the breach
    const ci = await c.post('/api/v1/checkins', { period: day(0), scores, trust: 5, closeness: 5, shared_with: [] });
    assert.equal(ci.status, 201, describe(ci));
  }
  const id = (await A.post('/api/v1/breaches', { description: 'I went quiet for two days', self_report: true })).json.breach.id;
  for (const c of [A, B]) assert.match((await c.get('/home')).text, /A breach waits for your side of the repair/);
  const repair = {
    feelings: ['hurt'], my_view: 'I shut down', their_view_summary: '', triggers: '', my_part: 'I went quiet; I am sorry',
    do_differently: 'Say when I need time',
  };
  assert.equal((await A.post(`/api/v1/breaches/${id}/repair`, repair)).status, 201);
  assert.ok(!/A breach waits for your side/.test((await A.get('/home')).text), 'A wrote theirs: asked no more');
  assert.match((await B.get('/home')).text, /A breach waits for your side of the repair/, 'B still is');
});

test('nothing of a breach is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 10);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
