// Seeking professional help (step 4): therapists a couple considers, saved
// with one checklist and compared side by side; a log of therapy sessions;
// the workshops, retreats and seminars they consider, book or attend; and
// the page on what to look for in a therapist.  The three are kinds of the
// registry (src/core/therapy.c): who may call each route is in the
// authorization matrix (authz.test.mjs); this file holds their shapes, the
// checklist's nested object, their refusals, their pages and /find-help.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, errCode, leaksAtRest, markerSet, pair, startServer } from './harness.mjs';
import { day, registryKinds } from './kinds.mjs';

let server;
let A;
let B;
let X; // another couple's partner

before(async () => {
  server = await startServer();
  const p = await pair(server.url, { aFields: { language: 'en' }, bFields: { language: 'es' } });
  A = p.aClient;
  B = p.bClient;
  X = (await pair(server.url)).aClient;
});
after(async () => { await server?.stop(); });

const { markers, mark } = markerSet();

const NO_CHECKS = { sexuality: false, evidence_based: false, certified: false, fees: null, availability: null };

async function made(res, key) {
  assert.equal(res.status, 201, describe(res));
  return res.json[key];
}

test('the registry lists the three kinds with their fields; the checklist is a group of five', () => {
  const kinds = new Map(registryKinds().map((k) => [k.plural, k]));
  const t = kinds.get('therapists');
  assert.ok(t, 'therapists is a kind of the registry');
  assert.deepEqual(t.fields.map((f) => f.name), ['name', 'contact', 'methods', 'checklist.sexuality',
    'checklist.evidence_based', 'checklist.certified', 'checklist.fees', 'checklist.availability', 'notes',
    'shared_with']);
  assert.deepEqual(t.fields.find((f) => f.name === 'methods').choices,
    ['gottman', 'eft', 'integrative_affair', 'cbt', 'sensate_focus', 'sex_therapy', 'other']);
  assert.ok(t.fields.filter((f) => f.type !== 'shared').every((f) => f.sealed), 'a candidate is all sealed');
  assert.equal(kinds.get('therapy-sessions').name, 'therapy_session');
  assert.deepEqual(kinds.get('workshops').fields.map((f) => f.name), ['kind', 'title', 'starts_on', 'status', 'notes']);
  assert.equal(kinds.get('workshops').shared_allowed, 0, 'a workshop is always the couple\'s');
});

test('a candidate answers with its checklist as an object; shared_with defaults to nothing being shared', async () => {
  const notes = mark('candidate notes', 'She did not flinch when we talked about sex');
  const t = await made(await A.post('/api/v1/therapists', {
    name: 'Dr. Rivera', contact: 'rivera@example.org', methods: ['eft', 'sensate_focus'],
    checklist: { sexuality: true, evidence_based: true, certified: false, fees: '90 a session', availability: 'Tuesdays, online' },
    notes, shared_with: [],
  }), 'therapist');
  assert.equal(t.name, 'Dr. Rivera');
  assert.deepEqual(t.methods, ['eft', 'sensate_focus']);
  assert.deepEqual(t.checklist, { sexuality: true, evidence_based: true, certified: false, fees: '90 a session',
    availability: 'Tuesdays, online' });
  assert.equal(t.notes, notes);
  assert.deepEqual(t.shared_with, []);
  assert.equal(t.mine, true);
  assert.equal(t.version, 1);
  assert.ok(!('checklist.fees' in t), 'no flat names leak into the answer');

  // only a name: every answer is there, unticked and empty, and it is private
  const bare = await made(await A.post('/api/v1/therapists', { name: 'The clinic on the corner' }), 'therapist');
  assert.deepEqual(bare.shared_with, []);
  assert.equal((await B.get(`/api/v1/therapists/${bare.id}`)).status, 404, 'private when shared_with is left out');
  assert.deepEqual(bare.checklist, NO_CHECKS);
  assert.deepEqual(bare.methods, []);
  assert.equal(bare.contact, null);
  // part of a checklist: the rest is no
  const part = await made(await A.post('/api/v1/therapists', { name: 'Part', checklist: { certified: true },
    shared_with: ['partner'] }), 'therapist');
  assert.deepEqual(part.checklist, { ...NO_CHECKS, certified: true });

  const list = await A.get('/api/v1/therapists');
  assert.equal(list.status, 200, describe(list));
  assert.deepEqual(list.json.therapists.map((x) => x.id).slice(0, 3), [part.id, bare.id, t.id], 'newest first');
  assert.deepEqual(list.json.therapists.find((x) => x.id === t.id).checklist, t.checklist);
});

test('bad candidates are 400 with the field named, and nothing is kept', async () => {
  const count = async () => (await A.get('/api/v1/therapists')).json.therapists.length;
  const before = await count();
  // the message names the field by its label, in the caller's language (A's is English)
  const bad = [
    [{ name: 'M', methods: ['hypnosis'], shared_with: [] }, 'Methods they work with', 'invalid_value'],
    [{ name: 'M', methods: ['eft', 'eft'], shared_with: [] }, 'Methods they work with', 'invalid_value'],
    [{ name: 'M', methods: 'eft', shared_with: [] }, 'Methods they work with', 'wrong_type'],
    [{ name: 'M', checklist: { sexuality: 'yes' }, shared_with: [] }, 'They specialise in sexuality', 'wrong_type'],
    [{ name: 'M', checklist: { certified: 1 }, shared_with: [] }, 'Certified', 'wrong_type'],
    [{ name: 'M', checklist: { fees: 'x'.repeat(201) }, shared_with: [] }, 'Fees', 'too_long'],
    [{ name: 'M', checklist: { availability: 5 }, shared_with: [] }, 'Availability', 'wrong_type'],
    [{ name: 'M', checklist: { warm: true }, shared_with: [] }, 'checklist.warm', 'unknown_field'],
    [{ name: 'M', checklist: [true], shared_with: [] }, 'The checklist', 'wrong_type'],
    [{ name: 'M', checklist: 'all good', shared_with: [] }, 'The checklist', 'wrong_type'],
    [{ name: 'M', 'checklist.fees': 'flat', shared_with: [] }, 'Fees', 'unknown_field'],
    [{ name: '', shared_with: [] }, '', 'too_short'],
    [{ shared_with: [] }, '', 'missing_field'],
    [{ name: 'M', shared_with: ['everyone'] }, 'Who sees it', 'invalid_value'],
  ];
  for (const [body, label, code] of bad) {
    const res = await A.post('/api/v1/therapists', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${describe(res)}`);
    assert.equal(errCode(res), code, `${label}: ${describe(res)}`);
    assert.ok(res.json.error.message.includes(label), `${label}: ${describe(res)}`);
  }
  const es = await B.post('/api/v1/therapists', { name: 'M', checklist: { fees: 'x'.repeat(201) }, shared_with: [] });
  assert.match(es.json.error.message, /Honorarios|Precio|largo/i, `in Spanish: ${describe(es)}`);
  assert.equal(await count(), before, 'no refused candidate was kept');
});

test('the partner sees only shared candidates; another couple sees none; only the author changes one', async () => {
  const secret = await made(await A.post('/api/v1/therapists', { name: mark('private candidate', 'Dr. Quiet'),
    shared_with: [] }), 'therapist');
  const shared = await made(await A.post('/api/v1/therapists', { name: 'Dr. Both', methods: ['gottman'],
    checklist: { sexuality: true }, shared_with: ['partner'] }), 'therapist');
  const bList = (await B.get('/api/v1/therapists')).json.therapists;
  assert.ok(bList.some((x) => x.id === shared.id && x.mine === false), 'B sees the shared one');
  assert.ok(!bList.some((x) => x.id === secret.id), 'and not the private one');
  assert.equal((await B.get(`/api/v1/therapists/${secret.id}`)).status, 404);
  for (const id of [secret.id, shared.id]) {
    assert.equal((await X.get(`/api/v1/therapists/${id}`)).status, 404, 'another couple: as a random id');
    assert.equal((await X.put(`/api/v1/therapists/${id}`, { name: 'X', shared_with: [] })).status, 404);
    assert.equal((await X.del(`/api/v1/therapists/${id}`)).status, 404);
  }
  assert.equal((await X.get('/api/v1/therapists')).json.therapists.length, 0);
  assert.equal((await B.put(`/api/v1/therapists/${shared.id}`, { name: 'Mine now', shared_with: [] })).status, 403);
  assert.equal((await B.del(`/api/v1/therapists/${shared.id}`)).status, 403);

  // a change is every field again: the checklist given anew, what was left out is gone
  const put = await A.put(`/api/v1/therapists/${shared.id}`, { name: 'Dr. Both', methods: ['gottman', 'cbt'],
    checklist: { certified: true, fees: 'sliding scale' }, shared_with: ['partner', 'care'] });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.therapist.version, 2);
  assert.deepEqual(put.json.therapist.checklist, { ...NO_CHECKS, certified: true, fees: 'sliding scale' });
  assert.deepEqual(put.json.therapist.shared_with, ['partner', 'care']);
  assert.deepEqual((await B.get(`/api/v1/therapists/${shared.id}`)).json.therapist.methods, ['gottman', 'cbt']);

  const del = await A.del(`/api/v1/therapists/${shared.id}`);
  assert.equal(del.status, 204, describe(del));
  assert.equal((await B.get(`/api/v1/therapists/${shared.id}`)).status, 404);
});

test('therapy sessions: private or shared notes, the latest session first, bad days and types refused', async () => {
  const notes = mark('session notes', 'We talked about the night it came out');
  const early = await made(await A.post('/api/v1/therapy-sessions', { held_on: day(-14), title: 'First session',
    notes, shared_with: [] }), 'therapy_session');
  assert.equal(early.held_on, day(-14));
  assert.equal(early.notes, notes);
  const late = await made(await A.post('/api/v1/therapy-sessions', { held_on: day(-1), title: 'Second',
    shared_with: ['partner'] }), 'therapy_session');
  const older = await made(await A.post('/api/v1/therapy-sessions', { held_on: day(-30), title: 'Intake',
    shared_with: ['partner'] }), 'therapy_session');
  const ids = (await A.get('/api/v1/therapy-sessions')).json['therapy-sessions'].map((s) => s.id);
  assert.deepEqual(ids.slice(0, 3), [late.id, early.id, older.id], 'ordered by the day it was held');
  const bIds = (await B.get('/api/v1/therapy-sessions')).json['therapy-sessions'].map((s) => s.id);
  assert.ok(bIds.includes(late.id) && !bIds.includes(early.id), 'B sees only the shared notes');
  assert.equal((await X.get(`/api/v1/therapy-sessions/${late.id}`)).status, 404);

  for (const [body, field, code] of [
    [{ held_on: '2026-02-30', title: 'T', shared_with: [] }, 'The day of the session', 'invalid_value'],
    [{ held_on: 20260101, title: 'T', shared_with: [] }, 'The day of the session', 'wrong_type'],
    [{ title: 'T', shared_with: [] }, 'The day of the session', 'missing_field'],
    [{ held_on: day(0), title: 'T', notes: 7, shared_with: [] }, 'Notes', 'wrong_type'],
    [{ held_on: day(0), title: 'T' }, 'Who sees it', 'missing_field'],
  ]) {
    const res = await A.post('/api/v1/therapy-sessions', body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code, describe(res));
    assert.ok(res.json.error.message.includes(field), `${field}: ${describe(res)}`);
  }
  const put = await A.put(`/api/v1/therapy-sessions/${early.id}`, { held_on: day(-14), title: 'First session',
    notes: `${notes}.`, shared_with: ['partner'] });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.therapy_session.version, 2);
  assert.equal((await B.get(`/api/v1/therapy-sessions/${early.id}`)).json.therapy_session.notes, `${notes}.`);
});

test('workshops: both partners see them, unknown kinds and statuses are 400', async () => {
  const w = await made(await B.post('/api/v1/workshops', { kind: 'retreat', title: 'A weekend by the sea',
    starts_on: day(40), status: 'considering', notes: mark('workshop notes', 'Maybe in spring') }), 'workshop');
  assert.equal(w.kind, 'retreat');
  assert.equal(w.status, 'considering');
  assert.equal(w.starts_on, day(40));
  const seen = (await A.get('/api/v1/workshops')).json.workshops.find((x) => x.id === w.id);
  assert.ok(seen, 'A sees what B added');
  assert.equal(seen.mine, false);
  assert.equal((await X.get(`/api/v1/workshops/${w.id}`)).status, 404);
  assert.equal((await A.put(`/api/v1/workshops/${w.id}`, { kind: 'retreat', title: 'x', status: 'booked' })).status, 403);

  for (const [body, field, code] of [
    [{ kind: 'cruise', title: 'T', status: 'booked' }, 'Kind', 'invalid_value'],
    [{ kind: 'seminar', title: 'T', status: 'maybe' }, 'How did it go?', 'invalid_value'],
    [{ kind: 'seminar', title: 'T', status: ['booked'] }, 'How did it go?', 'wrong_type'],
    [{ kind: 'seminar', title: 'T' }, 'How did it go?', 'missing_field'],
    [{ kind: 'seminar', title: 'T', status: 'booked', shared_with: [] }, 'Who sees it', 'unknown_field'],
  ]) {
    const res = await A.post('/api/v1/workshops', body);
    assert.equal(res.status, 400, describe(res));
    assert.equal(errCode(res), code, describe(res));
    assert.ok(res.json.error.message.includes(field), `${field}: ${describe(res)}`);
  }
  const put = await B.put(`/api/v1/workshops/${w.id}`, { kind: 'retreat', title: 'A weekend by the sea',
    starts_on: day(40), status: 'booked' });
  assert.equal(put.status, 200, describe(put));
  assert.equal(put.json.workshop.status, 'booked');
  assert.equal(put.json.workshop.notes, null, 'notes left out are gone');
});

test('the candidates page compares them side by side, and its form keeps the checklist without JavaScript', async () => {
  const name = mark('page candidate', 'Dra. Llorente');
  // a fee too long comes back with the ticked boxes and methods still ticked
  const back = await B.form('/therapists', { name, 'methods.gottman': '1', 'checklist.sexuality': '1',
    'checklist.fees': 'x'.repeat(201), csrf: B.csrf });
  assert.equal(back.status, 400, describe(back));
  assert.match(back.text, /id="therapist-fees"[^>]*aria-invalid="true"/, 'the fee is marked');
  assert.match(back.text, /name="methods.gottman" value="1" checked/);
  assert.match(back.text, /name="checklist.sexuality" value="1" checked/);
  assert.match(back.text, /<html lang="es"/);

  const ok = await B.form('/therapists', { name, 'methods.gottman': '1', 'methods.eft': '1',
    'checklist.sexuality': '1', 'checklist.fees': '80', share_partner: '1', csrf: B.csrf });
  assert.equal(ok.status, 303, describe(ok));
  const id = /#item-([0-9a-f]{32})$/.exec(ok.headers.get('location'))?.[1];
  assert.ok(id);
  const got = (await B.get(`/api/v1/therapists/${id}`)).json.therapist;
  assert.deepEqual(got.methods, ['gottman', 'eft']);
  assert.deepEqual(got.checklist, { ...NO_CHECKS, sexuality: true, fees: '80' });
  assert.deepEqual(got.shared_with, ['partner']);

  const page = await A.get('/therapists');
  assert.equal(page.status, 200, describe(page));
  const card = page.text.slice(page.text.indexOf(`id="item-${id}"`));
  const one = card.slice(0, card.indexOf('</li>'));
  assert.ok(one.includes(name), 'A sees B\'s shared candidate');
  assert.match(one, /Sexuality and relationships<\/dt>\s*<dd>Yes<\/dd>/, 'the checklist as yes/no rows');
  assert.match(one, /Certified<\/dt>\s*<dd>No, or not known<\/dd>/);
  assert.match(one, /Gottman Method/);
  assert.ok(!one.includes(`href="/therapists/${id}"`), 'A gets no link to change it');

  const edit = await B.get(`/therapists/${id}`);
  assert.equal(edit.status, 200, describe(edit));
  assert.match(edit.text, /name="methods.eft" value="1" checked/);
  assert.match(edit.text, /name="checklist.sexuality" value="1" checked/);
  assert.doesNotMatch(edit.text, /name="checklist.certified" value="1" checked/);
  const saved = await B.form(`/therapists/${id}`, { name, 'checklist.certified': '1', csrf: B.csrf });
  assert.equal(saved.status, 303, describe(saved));
  const now = (await B.get(`/api/v1/therapists/${id}`)).json.therapist;
  assert.deepEqual(now.checklist, { ...NO_CHECKS, certified: true });
  assert.deepEqual(now.methods, []);
  assert.deepEqual(now.shared_with, []);
  assert.equal((await B.form(`/therapists/${id}/delete`, { csrf: B.csrf })).status, 303);
  assert.equal((await B.get(`/api/v1/therapists/${id}`)).status, 404);
});

test('the sessions and workshops pages write without JavaScript', async () => {
  const s = await A.form('/therapy-sessions', { held_on: day(-2), title: 'Page session', notes: 'We cried', csrf: A.csrf });
  assert.equal(s.status, 303, describe(s));
  const sp = await A.get('/therapy-sessions');
  assert.ok(sp.text.includes('Page session') && sp.text.includes('Only you can see these notes.'));
  assert.ok(!(await B.get('/therapy-sessions')).text.includes('Page session'), 'private unless shared');
  const w = await A.form('/workshops', { kind: 'seminar', title: 'Hold Me Tight weekend', status: 'booked', csrf: A.csrf });
  assert.equal(w.status, 303, describe(w));
  const wp = await B.get('/workshops');
  assert.ok(wp.text.includes('Hold Me Tight weekend'), 'the partner sees it');
  const bad = await A.form('/workshops', { kind: 'cruise', title: 'T', status: 'booked', csrf: A.csrf });
  assert.equal(bad.status, 400, describe(bad));
});

test('/find-help: what to look for and where, in three languages, links only, nothing fetched', async () => {
  const want = { en: /Finding a therapist/, es: /Encontrar terapeuta/, ru: /Как найти терапевта/ };
  for (const lang of ['en', 'es', 'ru']) {
    const res = await fetch(`${server.url}/find-help`, { headers: { 'accept-language': lang } });
    const html = await res.text();
    assert.equal(res.status, 200, lang);
    assert.match(html, want[lang], lang);
    assert.match(html, /href="https:\/\/www\.gottman\.com\/"/);
    assert.match(html, /href="https:\/\/iceeft\.com\/"/);
    assert.match(html, /href="https:\/\/www\.aasect\.org\/"/);
    assert.match(html, /href="\/therapists"/);
    assert.doesNotMatch(html, /<(script|img|iframe|link)[^>]+(src|href)="https?:/i, 'nothing loads from another host');
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'none'|default-src 'self'/, lang);
  }
});

test('nothing written here is readable at rest or in the log', async () => {
  assert.ok(markers.size >= 4);
  assert.deepEqual(await leaksAtRest(server, markers), []);
  const log = server.stderr() + server.stdout();
  assert.deepEqual([...markers].filter(([, m]) => log.includes(m)).map(([l]) => l), []);
});
