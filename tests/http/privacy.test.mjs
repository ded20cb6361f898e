// Privacy at rest: the database files and the server's log never hold a
// journal text, a password, a recovery key or a session secret in the clear.

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, dbDump, describe, filesUnder, login, pair, rand, signupOk, startServer, uniquePassword,
} from './harness.mjs';

let server;
const secrets = new Map(); // label -> string that must not appear anywhere

before(async () => {
  server = await startServer();

  const { a, b, aClient, bClient } = await pair(server.url);
  secrets.set('A password', a.password);
  secrets.set('B password', b.password);
  secrets.set('A recovery key', a.recovery_key);
  secrets.set('B recovery key', b.recovery_key);
  secrets.set('invite token', b.token);

  const write = async (c, label, prompt, text = (mk) => `Entry with ${mk} inside.`) => {
    const marker = `marker-${rand(16)}`;
    secrets.set(label, marker);
    const body = prompt ? { body: text(marker), prompt } : { body: text(marker) };
    const res = await c.post('/api/v1/journal', body);
    assert.equal(res.status, 201, describe(res));
    return res.json.entry;
  };
  await write(aClient, 'A entry');
  await write(bClient, 'B entry');
  await write(aClient, 'A entry in Cyrillic', undefined, (mk) => `Запись: ${mk}, сегодня было тяжело.`);
  const promptMarker = `marker-${rand(16)}`;
  secrets.set('prompt', promptMarker);
  await write(aClient, 'A entry with a prompt', `Prompt ${promptMarker}?`);

  // An edited entry: neither the old nor the new text may be readable.
  const edited = await write(aClient, 'A entry before editing');
  const newMarker = `marker-${rand(16)}`;
  secrets.set('A entry after editing', newMarker);
  const put = await aClient.put(`/api/v1/journal/${edited.id}`, { body: `Edited: ${newMarker}` });
  assert.equal(put.status, 200, describe(put));

  // A deleted entry leaves no readable trace either.
  const doomed = await write(aClient, 'A deleted entry');
  assert.equal((await aClient.del(`/api/v1/journal/${doomed.id}`)).status, 204);

  // A password change and a recovery.
  const c = new Client(server.url);
  const rc = await signupOk(c);
  secrets.set('C first password', rc.password);
  secrets.set('C first recovery key', rc.recovery_key);
  await write(c, 'C entry');
  const pw2 = uniquePassword();
  secrets.set('C second password', pw2);
  assert.equal((await c.post('/api/v1/password', { old_password: rc.password, new_password: pw2 })).status, 204);
  const pw3 = uniquePassword();
  secrets.set('C third password', pw3);
  const rec = await new Client(server.url).post('/api/v1/recover', {
    login: rc.login, recovery_key: rc.recovery_key, new_password: pw3,
  });
  assert.equal(rec.status, 200, describe(rec));
  secrets.set('C second recovery key', rec.json.recovery_key);

  // The secret halves of live session cookies.
  const d = new Client(server.url);
  assert.equal((await login(d, a.login, a.password)).status, 200);
  for (const [label, cl] of [['A', aClient], ['B', bClient], ['A second', d], ['C', c]]) {
    if (!cl.cookie) continue;
    const secret = cl.cookie.split('.').slice(1).join('.');
    secrets.set(`${label} session secret`, secret);
  }
  assert.equal((await d.get('/api/v1/me')).status, 200);
});
after(async () => { await server?.stop(); });

/** The byte patterns under which a secret could be found. */
function patterns(s) {
  const out = new Set([s]);
  if (/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/.test(s)) {
    out.add(s.replace(/-/g, ''));
    out.add(s.toLowerCase());
    out.add(s.replace(/-/g, '').toLowerCase());
  }
  const list = [];
  for (const p of out) {
    list.push(Buffer.from(p, 'utf8'));
    list.push(Buffer.from(p, 'utf16le'));
  }
  return list;
}

async function findLeaks(dir) {
  const leaks = [];
  const files = await filesUnder(dir);
  if (!server.dbPath) {
    // PostgreSQL: what a copy of the database holds (text; bytea as hex)
    const dump = Buffer.from(dbDump(server));
    const hex = (b) => Buffer.from(b.toString('hex'));
    for (const [label, s] of secrets) {
      if (s && patterns(s).some((p) => dump.includes(p) || dump.includes(hex(p)))) {
        leaks.push(`${label} in the PostgreSQL database`);
      }
    }
  }
  for (const file of files) {
    const bytes = await fsp.readFile(file);
    for (const [label, s] of secrets) {
      if (!s) continue;
      if (patterns(s).some((p) => bytes.includes(p))) leaks.push(`${label} in ${path.basename(file)}`);
    }
  }
  return { leaks, files: files.map((f) => path.basename(f)) };
}

test('the database and its WAL hold none of the secrets while the server runs', async () => {
  assert.ok(secrets.size >= 20, `${secrets.size} secrets collected`);
  const { leaks, files } = await findLeaks(server.dir);
  if (server.dbPath) assert.ok(files.includes('k.db'), `the database is there: ${files.join(', ')}`);
  else assert.match(dbDump(server), /journal_entries/, 'the PostgreSQL database is there');
  assert.deepEqual(leaks, [], `readable secrets on disk:\n${leaks.join('\n')}`);
});

test('the server log holds none of the secrets', () => {
  const log = server.stderr() + server.stdout();
  const leaks = [...secrets].filter(([, s]) => s && log.includes(s)).map(([label]) => label);
  assert.deepEqual(leaks, [], `secrets in the log:\n${leaks.join('\n')}`);
});

test('after a clean stop, the files on disk still hold none of the secrets', async () => {
  const exit = await server.stop({ keepDir: true });
  try {
    assert.ok(exit && (exit.code === 0 || exit.signal === 'SIGTERM'), `clean exit on SIGTERM: ${JSON.stringify(exit)}`);
    const { leaks } = await findLeaks(server.dir);
    assert.deepEqual(leaks, [], `readable secrets on disk:\n${leaks.join('\n')}`);
    const log = server.stderr() + server.stdout();
    const logLeaks = [...secrets].filter(([, s]) => s && log.includes(s)).map(([label]) => label);
    assert.deepEqual(logLeaks, [], `secrets in the log:\n${logLeaks.join('\n')}`);
  } finally {
    await server.cleanup();
  }
});
