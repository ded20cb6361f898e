// Rollback at rest (issue 11, part 8): with the server stopped, an operator
// with write access to the database (the SQLite file through sqlite3, or the
// PostgreSQL database through psql) puts back an older version of a row,
// its older ciphertext and its older version number together, as a backup
// of that row would have them.  Each such row's version is bound into its
// associated data, so it opens on its own; the writer's ledger (the latest
// version of each changed row, sealed under their key) is what refuses it.
// After a restart the owner, and the partner for a shared row, never see
// the older text: the row is left out of lists (and counted in the
// operator's log, with nothing of it) and a single read is 404 or 500;
// rows nobody touched, and rows changed again as usual, read as written.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { dbSync, describe, pair, rand, startServer } from './harness.mjs';

let first; // the server whose directory (or PostgreSQL database) holds the data
let server; // the one running now
let A; let B;
const rows = {}; // label -> {table, id, v1: {column: hex or value}, old, now, reader, list, one}

function sql(statement) {
  return dbSync(first, statement);
}

/** A column's value as an SQL literal (a blob's or bytea's bytes, a number), on either backend. */
const quoted = (col) => (first.dbPath ? `quote(${col})` : `quote_nullable(${col})`);

/** The columns of a row that a rollback puts back: its sealed ones (as hex) and its version. */
function snapshot(table, key, id, sealed) {
  const out = {};
  for (const c of [...sealed, 'version']) out[c] = sql(`SELECT ${quoted(c)} FROM ${table} WHERE ${key} = '${id}'`);
  assert.notEqual(out.version, '', `${table} ${id} is there`);
  return out;
}

function putBack(table, key, id, v) {
  const sets = Object.entries(v).map(([c, val]) => `${c} = ${val}`).join(', ');
  sql(`UPDATE ${table} SET ${sets} WHERE ${key} = '${id}'`);
}

/** Points both clients at a new server (sessions live in the database). */
function retarget(url) {
  for (const c of [A, B]) c.baseUrl = url;
}

const period = new Date(Date.now() - 3 * 86400000).toISOString().slice(0, 10);
const checkinBody = (note) => ({
  period,
  scores: { emotional: 3, physical: 4, mental: 2, sexual: 1, financial: 5 },
  trust: 6,
  closeness: 7,
  note,
  shared_with: ['partner'],
});
const agreementBody = (text, category) => ({
  category,
  text,
  consequence: '',
  review_on: new Date(Date.now() + 60 * 86400000).toISOString().slice(0, 10),
});
const safety = (afraid) => ({ afraid, threatened: false, hurt: false, forced: false });
const limitBody = (text, shared) => ({ kind: 'hard_limit', text, shared_with: shared ? ['partner'] : [] });

before(async () => {
  first = await startServer();
  const p = await pair(first.url);
  A = p.aClient; B = p.bClient;

  const ids = {};
  const old = {};
  old.journal = `journal first version ${rand(16)}`;
  let res = await A.post('/api/v1/journal', { body: old.journal });
  assert.equal(res.status, 201, describe(res));
  ids.journal = res.json.entry.id;
  old.private = `private limit first version ${rand(16)}`;
  res = await A.post('/api/v1/limits', limitBody(old.private, false));
  assert.equal(res.status, 201, describe(res));
  ids.private = res.json.limit.id;
  old.shared = `shared limit first version ${rand(16)}`;
  res = await A.post('/api/v1/limits', limitBody(old.shared, true));
  assert.equal(res.status, 201, describe(res));
  ids.shared = res.json.limit.id;
  old.untouched = `untouched limit ${rand(16)}`;
  res = await A.post('/api/v1/limits', limitBody(old.untouched, true));
  assert.equal(res.status, 201, describe(res));
  ids.untouched = res.json.limit.id;
  old.again = `limit changed as usual v1 ${rand(16)}`;
  res = await A.post('/api/v1/limits', limitBody(old.again, true));
  assert.equal(res.status, 201, describe(res));
  ids.again = res.json.limit.id;

  old.draft = `statement draft first version ${rand(16)}`;
  res = await A.post('/api/v1/statements', { what_i_did: old.draft });
  assert.equal(res.status, 201, describe(res));
  ids.draft = res.json.statement.id;
  old.checkin = `check-in note first version ${rand(16)}`;
  res = await A.post('/api/v1/checkins', checkinBody(old.checkin));
  assert.equal(res.status, 201, describe(res));
  ids.checkin = res.json.checkin.id;
  res = await B.post('/api/v1/checkins', checkinBody(`partner's ${rand(8)}`));
  assert.equal(res.status, 201, describe(res));
  // an agreement A proposed and B changed: a row one partner wrote and the other changed
  old.agreement = `agreement first version ${rand(16)}`;
  res = await A.post('/api/v1/agreements', agreementBody(old.agreement, 'online'));
  assert.equal(res.status, 201, describe(res));
  ids.agreement = res.json.agreement.id;
  res = await A.post('/api/v1/safety-check', safety(false));
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.result, 'ok');
  ids.safety = sql(`SELECT id FROM safety_checks WHERE member_id = (SELECT author_id FROM items WHERE id = '${ids.private}')`);

  const v1 = {
    journal: snapshot('journal_entries', 'id', ids.journal, ['body_sealed', 'prompt_sealed']),
    private: snapshot('items', 'id', ids.private, ['sealed']),
    shared: snapshot('items', 'id', ids.shared, ['sealed']),
    draft: snapshot('statements', 'id', ids.draft, ['parts_sealed']),
    checkin: snapshot('checkins', 'id', ids.checkin, ['content_sealed']),
    safety: snapshot('safety_checks', 'id', ids.safety, ['sealed']),
    agreement: snapshot('items', 'id', ids.agreement, ['sealed', 'plain']),
  };

  // the second version of each, written as usual
  const now = {};
  now.journal = `journal second version ${rand(16)}`;
  res = await A.put(`/api/v1/journal/${ids.journal}`, { body: now.journal });
  assert.equal(res.status, 200, describe(res));
  for (const k of ['private', 'shared']) {
    now[k] = `${k} limit second version ${rand(16)}`;
    res = await A.put(`/api/v1/limits/${ids[k]}`, limitBody(now[k], k === 'shared'));
    assert.equal(res.status, 200, describe(res));
    assert.equal(res.json.limit.version, 2);
  }
  now.draft = `statement draft second version ${rand(16)}`;
  res = await A.put(`/api/v1/statements/${ids.draft}`, { what_i_did: now.draft });
  assert.equal(res.status, 200, describe(res));
  now.checkin = `check-in note second version ${rand(16)}`;
  res = await A.put(`/api/v1/checkins/${ids.checkin}`, checkinBody(now.checkin));
  assert.equal(res.status, 200, describe(res));
  now.agreement = `agreement second version, by the partner ${rand(16)}`;
  const { category, ...revised } = agreementBody(now.agreement, 'online');
  assert.ok(category);
  res = await B.post(`/api/v1/agreements/${ids.agreement}/revise`, revised);
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.agreement.version, 2);
  now.again = `limit changed as usual v2 ${rand(16)}`;
  res = await A.put(`/api/v1/limits/${ids.again}`, limitBody(now.again, true));
  assert.equal(res.status, 200, describe(res));
  // last: a concern pauses A's couple exercises (until its row is put back, and refused)
  res = await A.post('/api/v1/safety-check', safety(true));
  assert.equal(res.json.result, 'concern');
  await first.stop({ keepDir: true });

  putBack('journal_entries', 'id', ids.journal, v1.journal);
  putBack('items', 'id', ids.private, v1.private);
  putBack('items', 'id', ids.shared, v1.shared);
  putBack('statements', 'id', ids.draft, v1.draft);
  putBack('checkins', 'id', ids.checkin, v1.checkin);
  putBack('safety_checks', 'id', ids.safety, v1.safety);
  putBack('items', 'id', ids.agreement, v1.agreement);
  assert.equal(sql(`SELECT version FROM items WHERE id = '${ids.shared}'`), '1', 'the older version is back');

  server = await startServer({ db: first.db });
  retarget(server.url);
  rows.journal = { ids: ids.journal, old: old.journal, readers: [[A, '/api/v1/journal/', '/api/v1/journal?limit=100', '/journal']] };
  rows.private = { ids: ids.private, old: old.private, readers: [[A, '/api/v1/limits/', '/api/v1/limits', '/limits']] };
  rows.shared = {
    ids: ids.shared,
    old: old.shared,
    readers: [[A, '/api/v1/limits/', '/api/v1/limits', '/limits'], [B, '/api/v1/limits/', '/api/v1/limits', '/limits']],
  };
  rows.draft = { ids: ids.draft, old: old.draft, readers: [[A, '/api/v1/statements/', '/api/v1/statements', '/statements']] };
  const q = `?from=${period}&to=${period}`;
  rows.checkin = {
    ids: ids.checkin,
    old: old.checkin,
    readers: [[A, '/api/v1/checkins/', `/api/v1/checkins${q}`, '/checkins'], [B, '/api/v1/checkins/', `/api/v1/checkins${q}`, '/checkins']],
  };
  rows.agreement = { id: ids.agreement };
  rows.untouched = { id: ids.untouched, text: old.untouched };
  rows.again = { id: ids.again, text: now.again };
});
after(async () => {
  await server?.stop();
  await first?.cleanup();
});

for (const label of ['journal', 'private', 'shared', 'draft', 'checkin']) {
  const two = label === 'shared' || label === 'checkin';
  test(`an older version put back (${label}) does not open for ${two ? 'the author or the partner' : 'its owner'}`, async () => {
    const r = rows[label];
    for (const [c, one, list, page] of r.readers) {
      const single = await c.get(`${one}${r.ids}`);
      assert.ok([404, 500].includes(single.status), `GET ${one}${r.ids}: want 404 or 500, got ${describe(single)}`);
      assert.ok(!single.text.includes(r.old), `GET ${one}: the older version is shown`);
      for (const p of [list, page]) {
        const res = await c.get(p);
        assert.equal(res.status, 200, `${p}: ${describe(res)}`);
        assert.ok(!res.text.includes(r.old), `${p}: the older version is listed`);
        assert.ok(!res.text.includes(r.ids), `${p}: the rolled back row is listed`);
      }
    }
  });
}

// Its versions stay listed as its history; what must not come back is the
// row itself at version 1, as if the partner's change had never been made.
test('an older version put back of a row the partner changed does not open, for either', async () => {
  for (const c of [A, B]) {
    const one = await c.get(`/api/v1/agreements/${rows.agreement.id}`);
    assert.ok([404, 500].includes(one.status), `want 404 or 500, got ${describe(one)}`);
    const list = await c.get('/api/v1/agreements');
    assert.equal(list.status, 200, describe(list));
    assert.ok(!list.json.agreements.some((x) => x.id === rows.agreement.id), 'the rolled back agreement is listed');
  }
});

test('an older safety check put back does not answer as the latest', async () => {
  const res = await A.get('/api/v1/safety-check');
  assert.equal(res.status, 200, describe(res));
  assert.notEqual(res.json.result, 'ok', 'the older answers are taken as the latest');
});

test('rows nobody touched, and rows changed again as usual, read as written, by both partners', async () => {
  for (const c of [A, B]) {
    const list = await c.get('/api/v1/limits');
    assert.equal(list.status, 200, describe(list));
    for (const label of ['untouched', 'again']) {
      const got = list.json.limits.find((l) => l.id === rows[label].id);
      assert.ok(got, `${label} is listed`);
      assert.equal(got.text, rows[label].text, label);
    }
  }
  const text = `limit changed as usual v3 ${rand(16)}`;
  const res = await A.put(`/api/v1/limits/${rows.again.id}`, limitBody(text, true));
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.limit.version, 3);
  const seen = await B.get(`/api/v1/limits/${rows.again.id}`);
  assert.equal(seen.status, 200, describe(seen));
  assert.equal(seen.json.limit.text, text);
});

test('the operator is told how many rows were left out, with nothing of them', async () => {
  const log = server.stderr();
  assert.match(log, /did not open \(damaged, or changed in the file\) and (was|were) left out of an answer to \/api\/v1\/limits$/m);
  assert.match(log, /left out of an answer to \/api\/v1\/journal$/m);
  for (const label of ['journal', 'private', 'shared', 'draft', 'checkin']) assert.ok(!log.includes(rows[label].old), `no text of ${label} in the log`);
});
