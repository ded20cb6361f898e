// The authorization matrix. Every route of docs/api.md has an entry below
// saying what the design allows: for each caller (anonymous, partner A,
// partner B, member X of another couple, a signed-out session of A, T a
// therapist of A and B with active access, E one whose access ended) and,
// for routes that take an {id}, each kind of target (A's private item, B's
// private item, an item shared between A and B, another couple's item, a
// random id). A route in docs/api.md without an entry fails the test.
//
// What is checked:
// - only allowed calls succeed;
// - a forbidden call on an item answers byte for byte (status and body) as
//   the same call with a random id does, unless the caller may already know
//   the item (then any 4xx refusal will do);
// - a forbidden write changes nothing: the owner reads the item back as it was;
// - member routes without a live session answer 401 (API) or 303 to /signin
//   (pages), the same for a signed-out cookie as for none;
// - routes marked CSRF refuse a signed-in call without the token and change
//   nothing.
// Entries for routes that are not in docs/api.md yet are skipped. Where
// API.md is silent about who sees an item, the entry says what it assumes.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Client, describe, errCode, login, pair, rand, repoRoot, startServer, uniqueLogin, uniquePassword,
} from './harness.mjs';
import { asForm, exampleBody, registryKinds } from './kinds.mjs';

const OK = 'ok'; // the call succeeds
const NO = 'refused'; // the caller may know the item: any 4xx but 401, and nothing changes
const SAME = 'unchanged'; // success or refusal both fine (e.g. repeating an action); nothing changes
// anything not listed: 'hidden' = the same answer as for a random id, and nothing changes

const randomId = () => randomBytes(16).toString('hex');
/** The member id of a client's session (undefined without one). */
const memberId = async (c) => (await c.get('/api/v1/me')).json?.member?.id;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------
// docs/api.md

function docRoutes() {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const re = /^\|\s*`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) ([^`\s]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|/gm;
  const out = new Map();
  let m;
  while ((m = re.exec(text))) out.set(`${m[1]} ${m[2]}`, { who: m[3], csrf: m[4] === 'yes' });
  return out;
}
const docs = docRoutes();

// ---------------------------------------------------------------------------
// Items: how to make one of each target kind, who owns it, how its owner reads it.

let periodDay = 0; // check-ins: one per member and period, so every set gets fresh days
const scores = { emotional: 3, physical: 4, mental: 3, sexual: 2, financial: 4 };

function created(res, name) {
  assert.ok(res.status === 201, `creating a ${name}: ${describe(res)}`);
  assert.ok(res.json?.[name]?.id, `the answer names the new ${name}: ${describe(res)}`);
  return res.json[name].id;
}

const KINDS = {
  // A member's signed-in sessions: their own only; another member's id answers as a random one.
  sessions: {
    needs: ['GET /api/v1/me/sessions'],
    owners: { aPriv: 'A', bPriv: 'B', other: 'X' },
    list: '/api/v1/me/sessions',
    listKey: 'sessions',
    async make(ctx) {
      const session = async (who) => {
        const c = new Client(server.url);
        const res = await login(c, ctx.creds[who].login, ctx.creds[who].password);
        assert.equal(res.status, 200, `a second session of ${who}: ${describe(res)}`);
        return c.cookie.split('.')[0];
      };
      return { aPriv: await session('A'), bPriv: await session('B'), other: await session('X') };
    },
  },
  journal: {
    needs: ['POST /api/v1/journal', 'GET /api/v1/journal'],
    owners: { aPriv: 'A', bPriv: 'B', other: 'X' },
    list: '/api/v1/journal?limit=100',
    listKey: 'entries',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/journal',
        { body: `Alone with this ${mark(t)}.` }), 'entry');
      return { aPriv: await w('A', 'aPriv'), bPriv: await w('B', 'bPriv'), other: await w('X', 'other') };
    },
  },
  // A draft is its author's; a delivered statement is also the partner's to read.
  statements: {
    needs: ['POST /api/v1/statements', 'POST /api/v1/statements/{id}/deliver', 'GET /api/v1/statements'],
    owners: { aPriv: 'A', bPriv: 'B', abShared: 'A', other: 'X' },
    list: '/api/v1/statements',
    listKey: 'statements',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/statements', {
        what_i_did: `I kept a secret from you (${mark(t)}).`,
        impact: 'You felt alone and stopped trusting what I said.',
        why: 'I was afraid of the conversation.',
        regret: 'I regret the months you spent doubting yourself.',
        repair: 'I will tell you first, before you have to ask.',
      }), 'statement');
      const ids = { aPriv: await w('A', 'aPriv'), bPriv: await w('B', 'bPriv'),
        abShared: await w('A', 'abShared'), other: await w('X', 'other') };
      const d = await ctx.A.post(`/api/v1/statements/${ids.abShared}/deliver`);
      assert.equal(d.status, 200, `delivering a statement: ${describe(d)}`);
      return ids;
    },
  },
  // API.md is silent on who sees commitments; the schema (0002-step1.sql)
  // makes them private to their author, who alone reviews them.
  commitments: {
    needs: ['POST /api/v1/commitments', 'GET /api/v1/commitments'],
    owners: { aPriv: 'A', bPriv: 'B', other: 'X' },
    list: '/api/v1/commitments',
    listKey: 'commitments',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/commitments',
        { text: `Tell you when I feel the pull to hide (${mark(t)}).`, review_every_days: 7 }),
      'commitment');
      return { aPriv: await w('A', 'aPriv'), bPriv: await w('B', 'bPriv'), other: await w('X', 'other') };
    },
  },
  // Simultaneous reveal: B sees A's shared check-in only for a period B has
  // checked in too (abShared); abWaiting is A's shared one for a period B has not.
  // abCare: A's shared with the partner and the care team, for a period B has not
  // checked in: it waits for B, and T reads it at once (the reveal is between partners).
  checkins: {
    needs: ['POST /api/v1/checkins', 'GET /api/v1/checkins'],
    owners: { aPriv: 'A', bPriv: 'B', abShared: 'A', abWaiting: 'A', abCare: 'A', other: 'X' },
    shared: { aPriv: [], bPriv: [], abShared: ['partner'], abWaiting: ['partner'],
      abCare: ['partner', 'care'], other: [] },
    list: `/api/v1/checkins?from=${day(-60)}&to=${day(0)}`,
    listKey: 'checkins',
    async make(ctx, mark) {
      const d1 = day(-(periodDay++)); const d2 = day(-(periodDay++)); const d3 = day(-(periodDay++));
      const d4 = day(-(periodDay++));
      const w = async (who, t, period) => created(await ctx[who].post('/api/v1/checkins', {
        period, scores, trust: 5, closeness: 6, note: `Today (${mark(t)}).`,
        shared_with: this.shared[t],
      }), 'checkin');
      return {
        aPriv: await w('A', 'aPriv', d1),
        abShared: await w('A', 'abShared', d2),
        bPriv: await w('B', 'bPriv', d2),
        abWaiting: await w('A', 'abWaiting', d3),
        abCare: await w('A', 'abCare', d4),
        other: await w('X', 'other', d1),
      };
    },
  },
  shares: {
    needs: ['POST /api/v1/shares', 'GET /api/v1/shares'],
    owners: { aPriv: 'A', bPriv: 'B', abShared: 'A', other: 'X' },
    shared: { aPriv: [], bPriv: [], abShared: ['partner'], other: ['partner'] },
    list: '/api/v1/shares',
    listKey: 'shares',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/shares', {
        kind: 'fear', body: `That it happens again (${mark(t)}).`, shared_with: this.shared[t],
      }), 'share');
      return { aPriv: await w('A', 'aPriv'), bPriv: await w('B', 'bPriv'),
        abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // Offers are always shared with the partner; only the author ends one.
  // date nights: always the couple's; either partner answers, each their own
  dates: {
    needs: ['POST /api/v1/dates', 'GET /api/v1/dates'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/dates',
    listKey: 'dates',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/dates',
        { title: `Dinner (${mark(t)})`, planned_for: day(0) }), 'date');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // homework (step 4): always shared with the partner, with the care team when its author
  // says so; either partner marks it.  The summary shows only the caller's own care-shared.
  homework: {
    needs: ['POST /api/v1/homework', 'GET /api/v1/homework'],
    owners: { abShared: 'A', abCare: 'A', baCare: 'B', other: 'X' },
    list: '/api/v1/homework',
    listKey: 'homework',
    async make(ctx, mark) {
      const w = async (who, t, shared) => created(await ctx[who].post('/api/v1/homework',
        { title: `Ten minutes a day (${mark(t)})`, due_on: day(3), shared_with: shared }), 'homework');
      return {
        abShared: await w('A', 'abShared', ['partner']),
        abCare: await w('A', 'abCare', ['partner', 'care']),
        baCare: await w('B', 'baCare', ['partner', 'care']),
        other: await w('X', 'other', ['partner', 'care']),
      };
    },
  },
  // appreciations (step 5): always the couple's; the partner thanks one, once
  appreciations: {
    needs: ['POST /api/v1/appreciations', 'GET /api/v1/appreciations'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/appreciations',
    listKey: 'appreciations',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/appreciations',
        { body: `For the tea (${mark(t)})`, meant: 'Cared for.' }), 'appreciation');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // "I'm triggered" (step 5): always the couple's; the partner answers one, once
  triggered: {
    needs: ['POST /api/v1/triggered', 'GET /api/v1/triggered'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/triggered',
    listKey: 'triggered',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/triggered',
        { note: `A loud voice (${mark(t)})` }), 'triggered');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // agreements: always the couple's, with the care team too when its proposer says so at
  // creation; either partner acts on one, in turns; the therapist reads the care-shared ones
  agreements: {
    needs: ['POST /api/v1/agreements', 'GET /api/v1/agreements'],
    owners: { abShared: 'A', abCare: 'A', baCare: 'B', other: 'X' },
    list: '/api/v1/agreements',
    listKey: 'agreements',
    async make(ctx, mark) {
      const w = async (who, t, shared) => created(await ctx[who].post('/api/v1/agreements', {
        category: 'privacy', text: `I tell you when my plans change (${mark(t)}).`, consequence: '', review_on: day(30),
        ...(shared ? { shared_with: shared } : {}),
      }), 'agreement');
      return { abShared: await w('A', 'abShared'), abCare: await w('A', 'abCare', ['partner', 'care']),
        baCare: await w('B', 'baCare', ['partner', 'care']), other: await w('X', 'other', ['partner', 'care']) };
    },
  },
  // breaches: always the couple's, with the care team too when the one who records it says so;
  // each partner writes their own repair; the therapist reads the care-shared ones
  breaches: {
    needs: ['POST /api/v1/breaches', 'GET /api/v1/breaches'],
    owners: { abShared: 'A', abCare: 'A', baCare: 'B', other: 'X' },
    list: '/api/v1/breaches',
    listKey: 'breaches',
    async make(ctx, mark) {
      const w = async (who, t, shared) => created(await ctx[who].post('/api/v1/breaches',
        { description: `A late night (${mark(t)})`, self_report: false, ...(shared ? { shared_with: shared } : {}) }),
      'breach');
      return { abShared: await w('A', 'abShared'), abCare: await w('A', 'abCare', ['partner', 'care']),
        baCare: await w('B', 'baCare', ['partner', 'care']), other: await w('X', 'other', ['partner', 'care']) };
    },
  },
  // the same, with a repair by the one who recorded each (A's, B's, X's): the other has none
  breachesWritten: {
    needs: ['POST /api/v1/breaches', 'POST /api/v1/breaches/{id}/repair', 'GET /api/v1/breaches'],
    owners: { abShared: 'A', abCare: 'A', baCare: 'B', other: 'X' },
    list: '/api/v1/breaches',
    listKey: 'breaches',
    async make(ctx, mark) {
      const ids = await KINDS.breaches.make(ctx, mark);
      for (const [who, t] of [['A', 'abShared'], ['A', 'abCare'], ['B', 'baCare'], ['X', 'other']]) {
        const res = await ctx[who].post(`/api/v1/breaches/${ids[t]}/repair`, REPAIR);
        assert.equal(res.status, 201, `writing a repair: ${describe(res)}`);
      }
      return ids;
    },
  },
  // the chores rota: always the couple's, removed by the one who added it
  chores: {
    needs: ['POST /api/v1/chores', 'GET /api/v1/chores'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/chores',
    listKey: 'chores',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/chores',
        { title: `Bins (${mark(t)})`, first_partner: await memberId(ctx[who]), starts_on: day(0) }), 'chore');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  offers: {
    needs: ['POST /api/v1/offers', 'GET /api/v1/offers'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/offers',
    listKey: 'offers',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/offers',
        { text: `I will tell you if they write to me (${mark(t)}).`, until: day(30) }), 'offer');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // API.md is silent: assumed an activity belongs to the couple, so both
  // partners see it and either may mark it done.
  activities: {
    needs: ['POST /api/v1/activities', 'GET /api/v1/activities'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/activities',
    listKey: 'activities',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/activities',
        { kind: 'cooking', title: `Soup together (${mark(t)})`, planned_for: day(3) }), 'activity');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
  // the listening exercise (step 5): a session is the couple's; each partner's answer is
  // their own and private (listening.test.mjs checks the partner never reads it)
  listening: {
    needs: ['POST /api/v1/listening', 'GET /api/v1/listening'],
    owners: { abShared: 'A', other: 'X' },
    list: '/api/v1/listening',
    listKey: 'listening',
    async make(ctx, mark) {
      const w = async (who, t) => created(await ctx[who].post('/api/v1/listening',
        { topic: `Sundays (${mark(t)})`, speaker_first: await memberId(ctx[who]) }), 'listening');
      return { abShared: await w('A', 'abShared'), other: await w('X', 'other') };
    },
  },
};

// ---------------------------------------------------------------------------
// The matrix. op: anyone | static | plain | list | create | read | write.
// API calls get (client, id, o) with o.csrf the token to send (or false);
// page forms put it in the `csrf` field.

const api = (method, p, body) => (c, id, o) =>
  c.request(method, p.replace('{id}', id), body, { csrf: o.csrf || false });
const form = (p, fields = {}) => (c, id, o) =>
  c.form(p.replace('{id}', id), { ...fields, ...(o.csrf ? { csrf: o.csrf } : {}) });
const get = (p) => (c, id) => c.get(p.replace('{id}', id || ''));

const VIS_PRIVATE = // private to the author
  { aPriv: { A: OK }, bPriv: { B: OK }, other: { X: OK } };
const VIS_ALL = { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: OK, B: OK }, abWaiting: { A: OK },
  other: { X: OK } };

// statements: a draft changes (or is delivered) only by its author; a
// delivered one never changes (409 for the author, 404 for the partner).
const STMT_PUT = { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: NO }, other: { X: OK } };
// only the partner who received a delivered statement answers it; the author gets 403
const STMT_RESPOND = { aPriv: { A: NO }, bPriv: { B: NO }, abShared: { A: NO, B: OK }, other: { X: NO } };
const STMT_FIELDS = {
  what_i_did: 'Rewritten.', impact: 'Rewritten.', why: 'Rewritten.', regret: 'Rewritten.', repair: 'Rewritten.',
};

// a repair of a breach (step 3), as the API and the page take it
const REPAIR = {
  feelings: ['hurt', 'unheard'], my_view: 'I waited and heard nothing.', my_part: 'I went quiet; I am sorry.',
  do_differently: 'Ask before I assume.',
};
const REPAIR_FORM = {
  'feelings.hurt': '1', my_view: 'I waited and heard nothing.', my_part: 'I went quiet; I am sorry.',
  do_differently: 'Ask before I assume.',
};
// either partner writes their own repair; only one who wrote theirs changes it or says "repaired"
const BREACH_BOTH = { abShared: { A: OK, B: OK }, abCare: { A: OK, B: OK, T: OK },
  baCare: { A: OK, B: OK, T: OK }, other: { X: OK } };
const BREACH_WRITER = { abShared: { A: OK, B: NO }, abCare: { A: OK, B: NO }, baCare: { A: NO, B: OK },
  other: { X: OK } };
// agreements: both partners read (the care team the care-shared ones); the one who did not
// propose answers (accepts, declines); either changes or retires
const AGREEMENT_READ = { abShared: { A: OK, B: OK }, abCare: { A: OK, B: OK, T: OK },
  baCare: { A: OK, B: OK, T: OK }, other: { X: OK } };
const AGREEMENT_ANSWER = { abShared: { A: NO, B: OK }, abCare: { A: NO, B: OK }, baCare: { A: OK, B: NO },
  other: { X: NO } };
const AGREEMENT_EITHER = { abShared: { A: OK, B: OK }, abCare: { A: OK, B: OK }, baCare: { A: OK, B: OK },
  other: { X: OK } };
const AGREEMENTS_VISIBLE = { A: ['abShared', 'abCare', 'baCare'], B: ['abShared', 'abCare', 'baCare'], X: ['other'],
  T: ['abCare', 'baCare'] };

const MATRIX = {
  // health, accounts
  'GET /healthz': { who: 'anyone', csrf: false, op: 'anyone', call: get('/healthz'), anon: [200] },
  'POST /api/v1/signup': { who: 'anyone', csrf: false, op: 'anyone', call: api('POST', '/api/v1/signup', {}), anon: [400] },
  'POST /api/v1/login': { who: 'anyone', csrf: false, op: 'anyone', call: api('POST', '/api/v1/login', {}), anon: [400] },
  'POST /api/v1/join': { who: 'anyone', csrf: false, op: 'anyone', call: api('POST', '/api/v1/join', {}), anon: [400] },
  'POST /api/v1/recover': { who: 'anyone', csrf: false, op: 'anyone', call: api('POST', '/api/v1/recover', {}), anon: [400] },
  'POST /api/v1/logout': { who: 'member', csrf: true, op: 'plain', scratch: true, call: api('POST', '/api/v1/logout'), member: [204] },
  'GET /api/v1/me': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/me'), member: [200] },
  'DELETE /api/v1/me': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('DELETE', '/api/v1/me', { password: 'not-the-password-at-all' }), member: [401] },
  'POST /api/v1/couple/leave': { who: 'partner', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/couple/leave', { password: 'not-the-password-at-all' }), member: [401] },
  // discreet mode and auto-lock: each member's own settings (0 is the default: nothing changes)
  'PUT /api/v1/me': { who: 'member', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/me', { autolock_minutes: 0 }), member: [200] },
  // an open session unlocks too, given the right password (a wrong one would count against A's login)
  'POST /api/v1/unlock': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: (c, id, o) => c.post('/api/v1/unlock', { password: ctx.creds.A.password }, { csrf: o.csrf || false }),
    member: [204] },
  // the care team: partners only (care.test.mjs holds the two-party rules and ids of other couples)
  'POST /api/v1/care/invites': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/care/invites', {}), member: [201] },
  'POST /api/v1/care/invites/{id}/approve': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', `/api/v1/care/invites/${'0'.repeat(32)}/approve`), member: [404] },
  'POST /api/v1/care/invites/{id}/cancel': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', `/api/v1/care/invites/${'0'.repeat(32)}/cancel`), member: [404] },
  'GET /api/v1/care': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/care'), member: [200] },
  'DELETE /api/v1/care/{id}': { who: 'partner', csrf: true, op: 'plain',
    call: api('DELETE', `/api/v1/care/${'0'.repeat(32)}`), member: [404] },
  'POST /api/v1/invites': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/invites', { role: 'partner' }), member: [409] },
  'POST /api/v1/recovery-key': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/recovery-key', { recovery_key: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH' }),
    member: [403] },
  'POST /api/v1/password': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/password', { old_password: 'not-the-password-at-all', new_password: 'a-new-password-123' }),
    member: [403] },
  // two-step sign-in: a wrong password sets nothing up; nothing is pending or on to confirm or remove
  'POST /api/v1/totp': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/totp', { password: 'not-the-password-at-all' }), member: [403] },
  'POST /api/v1/totp/confirm': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/totp/confirm', { code: '123456' }), member: [409] },
  'DELETE /api/v1/totp': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('DELETE', '/api/v1/totp', { password: 'not-the-password-at-all', code: '123456' }),
    member: [409] },
  // passkeys: options need TOTP on (409) or the password; nothing to list, remove or assert with
  'POST /api/v1/passkeys/registration-options': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/passkeys/registration-options', { password: 'not-the-password-at-all' }),
    member: [409] },
  'POST /api/v1/passkeys': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/passkeys', { name: 'x', credential: '{}' }), member: [403] },
  'GET /api/v1/passkeys': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/passkeys'), member: [200] },
  'DELETE /api/v1/passkeys/{id}': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('DELETE', '/api/v1/passkeys/0123456789abcdef0123456789abcdef', { password: 'not-the-password-at-all' }),
    member: [403] },
  'POST /api/v1/passkeys/assertion-options': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/passkeys/assertion-options', {}), member: [409] },
  // a passkey that signs in alone: anyone asks for options and answers (a made-up answer: 400);
  // a member has no such passkey to ask options for, turn on or off
  'POST /api/v1/passkeys/signin-options': { who: 'anyone', csrf: false, op: 'anyone',
    call: api('POST', '/api/v1/passkeys/signin-options', {}), anon: [200] },
  'POST /api/v1/passkeys/signin': { who: 'anyone', csrf: false, op: 'anyone',
    call: api('POST', '/api/v1/passkeys/signin', {}), anon: [400] },
  'POST /api/v1/passkeys/{id}/signin-options': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('POST', '/api/v1/passkeys/0123456789abcdef0123456789abcdef/signin-options', {}), member: [404] },
  'PUT /api/v1/passkeys/{id}/signin': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('PUT', '/api/v1/passkeys/0123456789abcdef0123456789abcdef/signin', { credential: '{}' }),
    member: [403] },
  'DELETE /api/v1/passkeys/{id}/signin': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: api('DELETE', '/api/v1/passkeys/0123456789abcdef0123456789abcdef/signin'), member: [404] },
  // the caller's own devices and history; ending a session: one's own only
  'GET /api/v1/me/sessions': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/me/sessions'),
    member: [200] },
  'DELETE /api/v1/me/sessions/{id}': { who: 'member', csrf: true, op: 'write', kind: 'sessions',
    call: api('DELETE', '/api/v1/me/sessions/{id}'), expect: VIS_PRIVATE, member: [204] },
  'GET /api/v1/me/activity': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/me/activity'),
    member: [200] },

  // journal (always private to its author)
  'GET /api/v1/journal': { who: 'partner', csrf: false, op: 'list', kind: 'journal', call: get('/api/v1/journal?limit=100'),
    visible: { A: ['aPriv'], B: ['bPriv'], X: ['other'] } },
  'POST /api/v1/journal': { who: 'partner', csrf: true, op: 'create', kind: 'journal',
    call: (c, id, o) => c.post('/api/v1/journal', { body: `New ${o.mark}` }, { csrf: o.csrf || false }), member: [201] },
  'GET /api/v1/journal/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'journal',
    call: get('/api/v1/journal/{id}'), expect: VIS_PRIVATE },
  'PUT /api/v1/journal/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'journal',
    call: api('PUT', '/api/v1/journal/{id}', { body: 'Overwritten.' }), expect: VIS_PRIVATE },
  'DELETE /api/v1/journal/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'journal',
    call: api('DELETE', '/api/v1/journal/{id}'), expect: VIS_PRIVATE },

  // statements (step 1)
  'GET /api/v1/statements': { who: 'partner', csrf: false, op: 'list', kind: 'statements', call: get('/api/v1/statements'),
    visible: { A: ['aPriv', 'abShared'], B: ['bPriv', 'abShared'], X: ['other'] } },
  'POST /api/v1/statements': { who: 'partner', csrf: true, op: 'create', kind: 'statements', member: [201],
    call: (c, id, o) => c.post('/api/v1/statements', {
      what_i_did: `I lied (${o.mark}).`, impact: 'It hurt.', why: 'Fear.', regret: 'Deeply.', repair: 'Tell first.',
    }, { csrf: o.csrf || false }) },
  // the live check: nothing is saved, so there is nothing to hide or change
  'POST /api/v1/statements/check': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/statements/check', { what_i_did: 'I am sorry if you felt hurt.' }), member: [200] },
  'GET /api/v1/statements/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'statements',
    call: get('/api/v1/statements/{id}'), expect: VIS_ALL },
  'PUT /api/v1/statements/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    call: api('PUT', '/api/v1/statements/{id}', {
      what_i_did: 'Rewritten.', impact: 'Rewritten.', why: 'Rewritten.', regret: 'Rewritten.', repair: 'Rewritten.',
    }),
    // only drafts change, and only their author changes them (docs/api.md:
    // the partner changing a delivered statement is 404, as a random id)
    expect: STMT_PUT },
  'POST /api/v1/statements/{id}/deliver': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    call: api('POST', '/api/v1/statements/{id}/deliver'),
    expect: STMT_PUT },
  'POST /api/v1/statements/{id}/responses': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    call: api('POST', '/api/v1/statements/{id}/responses', { read: true, landed: 'That you named it.' }),
    // only the partner who received a delivered statement answers it
    expect: STMT_RESPOND },

  // commitments (step 1)
  'GET /api/v1/commitments': { who: 'member', csrf: false, op: 'list', kind: 'commitments', call: get('/api/v1/commitments'),
    visible: { A: ['aPriv'], B: ['bPriv'], X: ['other'] } },
  'POST /api/v1/commitments': { who: 'member', csrf: true, op: 'create', kind: 'commitments', member: [201],
    call: (c, id, o) => c.post('/api/v1/commitments', { text: `Answer calls (${o.mark}).`, review_every_days: 7 },
      { csrf: o.csrf || false }) },
  'GET /api/v1/commitments/{id}': { who: 'member', csrf: false, op: 'read', kind: 'commitments',
    call: get('/api/v1/commitments/{id}'), expect: VIS_PRIVATE },
  'PUT /api/v1/commitments/{id}': { who: 'member', csrf: true, op: 'write', kind: 'commitments',
    call: api('PUT', '/api/v1/commitments/{id}', { status: 'kept', note: 'Every day this week.' }),
    expect: VIS_PRIVATE },

  // check-ins (step 2)
  'GET /api/v1/checkins': { who: 'member', csrf: false, op: 'list', kind: 'checkins',
    call: get(`/api/v1/checkins?from=${day(-60)}&to=${day(0)}`),
    visible: { A: ['aPriv', 'abShared', 'abWaiting', 'abCare'], B: ['bPriv', 'abShared'], X: ['other'],
      T: ['abCare'] } },
  'POST /api/v1/checkins': { who: 'member', csrf: true, op: 'create', kind: 'checkins', member: [201],
    call: (c, id, o) => c.post('/api/v1/checkins', {
      period: day(-(periodDay++)), scores, trust: 4, closeness: 4, note: `Create ${o.mark}`, shared_with: [],
    }, { csrf: o.csrf || false }) },
  'GET /api/v1/checkins/{id}': { who: 'member', csrf: false, op: 'read', kind: 'checkins',
    call: get('/api/v1/checkins/{id}'), expect: { ...VIS_ALL, abCare: { A: OK, T: OK } } },
  'PUT /api/v1/checkins/{id}': { who: 'member', csrf: true, op: 'write', kind: 'checkins',
    call: (c, id, o) => c.put(`/api/v1/checkins/${id}`, {
      scores, trust: 1, closeness: 1, note: 'Changed.', shared_with: KINDS.checkins.shared[o.target] ?? [],
    }, { csrf: o.csrf || false }),
    expect: { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: OK, B: NO }, abWaiting: { A: OK },
      abCare: { A: OK }, other: { X: OK } } },

  // openness cards (step 2)
  'GET /api/v1/shares': { who: 'member', csrf: false, op: 'list', kind: 'shares', call: get('/api/v1/shares'),
    visible: { A: ['aPriv', 'abShared'], B: ['bPriv', 'abShared'], X: ['other'] } },
  'POST /api/v1/shares': { who: 'member', csrf: true, op: 'create', kind: 'shares', member: [201],
    call: (c, id, o) => c.post('/api/v1/shares', { kind: 'hope', body: `Hope ${o.mark}`, shared_with: [] },
      { csrf: o.csrf || false }) },
  'GET /api/v1/shares/{id}': { who: 'member', csrf: false, op: 'read', kind: 'shares',
    call: get('/api/v1/shares/{id}'), expect: VIS_ALL },
  'POST /api/v1/shares/{id}/ack': { who: 'member', csrf: true, op: 'write', kind: 'shares',
    call: api('POST', '/api/v1/shares/{id}/ack', { reply: 'I hear you.' }),
    // only the partner it was shared with acknowledges it
    expect: { aPriv: { A: NO }, bPriv: { B: NO }, abShared: { A: NO, B: OK }, other: { X: NO } } },

  // transparency offers (step 2)
  'GET /api/v1/offers': { who: 'member', csrf: false, op: 'list', kind: 'offers', call: get('/api/v1/offers'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/offers': { who: 'member', csrf: true, op: 'create', kind: 'offers', member: [201],
    call: (c, id, o) => c.post('/api/v1/offers', { text: `Offer ${o.mark}`, until: day(10) }, { csrf: o.csrf || false }) },
  'GET /api/v1/offers/{id}': { who: 'member', csrf: false, op: 'read', kind: 'offers',
    call: get('/api/v1/offers/{id}'), expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  'POST /api/v1/offers/{id}/end': { who: 'member', csrf: true, op: 'write', kind: 'offers',
    call: api('POST', '/api/v1/offers/{id}/end'), expect: { abShared: { A: OK, B: NO }, other: { X: OK } } },

  // shared activities (step 2)
  'GET /api/v1/activities': { who: 'member', csrf: false, op: 'list', kind: 'activities', call: get('/api/v1/activities'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/activities': { who: 'member', csrf: true, op: 'create', kind: 'activities', member: [201],
    call: (c, id, o) => c.post('/api/v1/activities', { kind: 'hobby', title: `Walk ${o.mark}`, planned_for: day(2) },
      { csrf: o.csrf || false }) },
  'GET /api/v1/activities/{id}': { who: 'member', csrf: false, op: 'read', kind: 'activities',
    call: get('/api/v1/activities/{id}'), expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  'PUT /api/v1/activities/{id}': { who: 'member', csrf: true, op: 'write', kind: 'activities',
    call: api('PUT', '/api/v1/activities/{id}', { done: true, felt: 'Close.' }),
    expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },

  // pages
  'GET /': { who: 'anyone', csrf: false, op: 'anyone', call: get('/'), anon: [200] },
  'GET /privacy': { who: 'anyone', csrf: false, op: 'anyone', call: get('/privacy'), anon: [200] },
  'GET /exit': { who: 'anyone', csrf: false, op: 'anyone', call: get('/exit'), anon: [200] },
  // the program explained: the same pages for everyone, signed in or not
  ...Object.fromEntries(['/program', ...[1, 2, 3, 4, 5].map((n) => `/program/step-${n}`)].map((p) => [
    `GET ${p}`, { who: 'anyone', csrf: false, op: 'anyone', call: get(p), anon: [200] }])),
  // what to look for in a therapist, and where: public like the program
  'GET /find-help': { who: 'anyone', csrf: false, op: 'anyone', call: get('/find-help'), anon: [200] },
  'GET /signup': { who: 'anyone', csrf: false, op: 'anyone', call: get('/signup'), anon: [200] },
  'POST /signup': { who: 'anyone', csrf: false, op: 'anyone', call: form('/signup'), anon: [400] },
  'GET /signin': { who: 'anyone', csrf: false, op: 'anyone', call: get('/signin'), anon: [200] },
  'POST /signin': { who: 'anyone', csrf: false, op: 'anyone', call: form('/signin'), anon: [400] },
  'GET /recover': { who: 'anyone', csrf: false, op: 'anyone', call: get('/recover'), anon: [200] },
  'POST /recover': { who: 'anyone', csrf: false, op: 'anyone', call: form('/recover'), anon: [400] },
  // without an invite in the link, the page says the link cannot be used
  'GET /join': { who: 'anyone', csrf: false, op: 'anyone', call: get('/join'), anon: [404] },
  'POST /join': { who: 'anyone', csrf: false, op: 'anyone', call: form('/join'), anon: [400] },
  'POST /signout': { who: 'member', csrf: true, op: 'plain', scratch: true, call: form('/signout'), member: [303] },
  'GET /home': { who: 'member', csrf: false, op: 'plain', call: get('/home'), member: [200] },
  'GET /invite': { who: 'partner', csrf: false, op: 'plain', call: get('/invite'), member: [200] },
  'POST /invite': { who: 'partner', csrf: true, op: 'plain', call: form('/invite'), member: [200, 409] },
  'GET /care': { who: 'partner', csrf: false, op: 'plain', call: get('/care'), member: [200] },
  'POST /care/invites': { who: 'partner', csrf: true, op: 'plain', call: form('/care/invites'), member: [303] },
  'POST /care/invites/{id}/approve': { who: 'partner', csrf: true, op: 'plain',
    call: form(`/care/invites/${'0'.repeat(32)}/approve`), member: [404] },
  'POST /care/invites/{id}/cancel': { who: 'partner', csrf: true, op: 'plain',
    call: form(`/care/invites/${'0'.repeat(32)}/cancel`), member: [404] },
  'POST /care/{id}/end': { who: 'partner', csrf: true, op: 'plain',
    call: form(`/care/${'0'.repeat(32)}/end`), member: [404] },
  'GET /settings': { who: 'member', csrf: false, op: 'plain', call: get('/settings'), member: [200] },
  'POST /settings/privacy': { who: 'member', csrf: true, op: 'plain',
    call: form('/settings/privacy', { autolock_minutes: '0' }), member: [303] },
  'POST /unlock': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: (c, id, o) => c.form('/unlock', { password: ctx.creds.A.password, next: '/home',
      ...(o.csrf ? { csrf: o.csrf } : {}) }), member: [303] },
  'POST /settings/language': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/language', { language: 'en' }), member: [303] },
  'POST /settings/password': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/password', { old_password: 'not-the-password-at-all', new_password: 'a-new-password-123' }),
    member: [403] },
  'POST /settings/recovery': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/recovery', { recovery_key: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH' }), member: [403] },
  'POST /settings/delete': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/delete', { password: 'not-the-password-at-all' }), member: [401] },
  'POST /settings/leave': { who: 'partner', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/leave', { password: 'not-the-password-at-all' }), member: [401] },
  // the export: everything the caller can read (export.test.mjs makes every kind); here the
  // subtlest rule, the check-in reveal: B's export holds A's shared check-in only for a day B
  // checked in too, and nothing of another couple's
  'GET /api/v1/export': { who: 'member', csrf: false, op: 'list', kind: 'checkins', call: get('/api/v1/export'),
    visible: { A: ['aPriv', 'abShared', 'abWaiting', 'abCare'], B: ['bPriv', 'abShared'], X: ['other'] } },
  'GET /export': { who: 'member', csrf: false, op: 'plain', call: get('/export'), member: [200] },
  'GET /export/html': { who: 'member', csrf: false, op: 'plain', call: get('/export/html'), member: [200] },
  'GET /settings/totp': { who: 'member', csrf: false, op: 'plain', call: get('/settings/totp'),
    member: [303] },
  'POST /settings/totp': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/totp', { password: 'not-the-password-at-all' }), member: [403] },
  'POST /settings/totp/confirm': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/totp/confirm', { code: '123456' }), member: [303] },
  'POST /settings/totp/off': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/totp/off', { password: 'not-the-password-at-all', code: '123456' }),
    member: [303] },
  // no such passkey, and the password is checked first: 403, nothing changes
  'POST /settings/passkeys/remove': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/passkeys/remove', { passkey_id: '0123456789abcdef0123456789abcdef',
      password: 'not-the-password-at-all', totp: '123456' }),
    member: [403] },
  'POST /settings/passkeys/signin-off': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/passkeys/signin-off', { passkey_id: '0123456789abcdef0123456789abcdef' }),
    member: [404] },
  'GET /settings/devices': { who: 'member', csrf: false, op: 'plain', call: get('/settings/devices'),
    member: [200] },
  // ends every other session of A: on a scratch one
  'POST /settings/devices/others': { who: 'member', csrf: true, op: 'plain', scratch: true,
    call: form('/settings/devices/others'), member: [303] },
  'POST /settings/devices/{id}/end': { who: 'member', csrf: true, op: 'write', kind: 'sessions',
    call: form('/settings/devices/{id}/end'), expect: VIS_PRIVATE, member: [303] },
  // no notice to dismiss: nothing changes, home all the same
  'POST /settings/devices/notice': { who: 'member', csrf: true, op: 'plain',
    call: form('/settings/devices/notice', { notice: '1' }), member: [303] },
  'GET /settings/history': { who: 'member', csrf: false, op: 'plain', call: get('/settings/history'),
    member: [200] },
  // the private safety check: each member's own, nobody else's (what the partner sees of it,
  // nothing, is safety.test.mjs's); every caller here answers no to all four
  'GET /api/v1/safety-check': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/safety-check'),
    member: [200] },
  'POST /api/v1/safety-check': { who: 'member', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/safety-check', { afraid: false, threatened: false, hurt: false, forced: false }),
    member: [200] },
  'GET /safety': { who: 'member', csrf: false, op: 'plain', call: get('/safety'), member: [200] },
  'POST /safety': { who: 'member', csrf: true, op: 'plain',
    call: form('/safety', { afraid: '0', threatened: '0', hurt: '0', forced: '0' }), member: [303] },
  'GET /journal': { who: 'partner', csrf: false, op: 'list', kind: 'journal', page: true, call: get('/journal'),
    visible: { A: ['aPriv'], B: ['bPriv'], X: ['other'] } },
  'GET /journal/new': { who: 'partner', csrf: false, op: 'plain', call: get('/journal/new'), member: [200] },
  'GET /reflect': { who: 'member', csrf: false, op: 'plain', call: get('/reflect'), member: [200] },
  'GET /statements': { who: 'partner', csrf: false, op: 'list', kind: 'statements', call: get('/statements'),
    visible: { A: ['aPriv', 'abShared'], B: ['bPriv', 'abShared'], X: ['other'] } },
  'GET /statements/new': { who: 'partner', csrf: false, op: 'plain', call: get('/statements/new'), member: [200] },
  'POST /statements': { who: 'partner', csrf: true, op: 'create', kind: 'statements', member: [303],
    call: (c, id, o) => c.form('/statements', { ...STMT_FIELDS, what_i_did: `I lied (${o.mark}).`,
      ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'GET /statements/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'statements',
    call: get('/statements/{id}'), expect: VIS_ALL },
  'POST /statements/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    call: form('/statements/{id}', STMT_FIELDS), expect: STMT_PUT },
  'POST /statements/{id}/deliver': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    // the page may answer a repeated delivery with a redirect back to the statement
    call: form('/statements/{id}/deliver'), expect: { ...STMT_PUT, abShared: { A: SAME } } },
  'POST /statements/{id}/responses': { who: 'partner', csrf: true, op: 'write', kind: 'statements',
    call: form('/statements/{id}/responses', { read: 'on', landed: 'That you named it.' }), expect: STMT_RESPOND },
  'GET /commitments': { who: 'member', csrf: false, op: 'list', kind: 'commitments', call: get('/commitments'),
    visible: { A: ['aPriv'], B: ['bPriv'], X: ['other'] } },
  'POST /commitments': { who: 'member', csrf: true, op: 'create', kind: 'commitments', member: [303],
    call: (c, id, o) => c.form('/commitments', { text: `Answer calls (${o.mark}).`, review_every_days: '7',
      ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /commitments/{id}/review': { who: 'member', csrf: true, op: 'write', kind: 'commitments',
    call: form('/commitments/{id}/review', { status: 'kept', note: 'Every day.' }), expect: VIS_PRIVATE },
  'POST /journal': { who: 'partner', csrf: true, op: 'create', kind: 'journal', page: true, member: [303],
    call: (c, id, o) => c.form('/journal', { body: `New ${o.mark}`, ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'GET /journal/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'journal', page: true,
    call: get('/journal/{id}'), expect: VIS_PRIVATE },
  'POST /journal/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'journal', page: true,
    call: form('/journal/{id}', { body: 'Overwritten through the form.' }), expect: VIS_PRIVATE },
  'GET /journal/{id}/delete': { who: 'partner', csrf: false, op: 'read', kind: 'journal', page: true,
    call: get('/journal/{id}/delete'), expect: VIS_PRIVATE, showsContent: false },
  'POST /journal/{id}/delete': { who: 'partner', csrf: true, op: 'write', kind: 'journal', page: true,
    call: form('/journal/{id}/delete'), expect: VIS_PRIVATE },

  // step 2 pages and the couple's rhythm (same rules as their API twins)
  'GET /api/v1/couple': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/couple'), member: [200] },
  'PUT /api/v1/couple': { who: 'partner', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/couple', { rhythm: 'daily' }), member: [200] },
  // what helps me (step 3): each partner's one text; who reads it is tested in helps-me.test.mjs
  // and, for the care team, care-shared.test.mjs
  'GET /api/v1/helps-me': { who: 'member', csrf: false, op: 'plain', call: get('/api/v1/helps-me'), member: [200] },
  'PUT /api/v1/helps-me': { who: 'partner', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/helps-me', { body: 'Twenty minutes alone, then a hug.', shared_with: [] }),
    member: [200] },
  'GET /helps-me': { who: 'partner', csrf: false, op: 'plain', call: get('/helps-me'), member: [200] },
  'POST /helps-me': { who: 'partner', csrf: true, op: 'plain',
    call: form('/helps-me', { body: 'A walk, and no questions yet.' }), member: [303] },
  // help signals and help requests (step 4): whose data counts is help-signals.test.mjs's; here,
  // that only partners reach them, with their tokens (a dismiss is 404 while no such signal stands)
  'GET /api/v1/help-signals': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/help-signals'),
    member: [200] },
  ...Object.fromEntries(['trust_falling', 'breaches', 'overwhelmed', 'sexual_low', 'asked'].map((code) => [
    `POST /api/v1/help-signals/${code}/dismiss`, { who: 'partner', csrf: true, op: 'plain',
      call: api('POST', `/api/v1/help-signals/${code}/dismiss`), member: [204, 404] }])),
  'GET /api/v1/help-requests': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/help-requests'),
    member: [200] },
  'POST /api/v1/help-requests': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/help-requests', { kind: 'asked' }), member: [201] },
  'GET /help': { who: 'partner', csrf: false, op: 'plain', call: get('/help'), member: [200] },
  'POST /help/requests': { who: 'partner', csrf: true, op: 'plain',
    call: form('/help/requests', { kind: 'overwhelmed', note: 'A hard week.' }), member: [303] },
  'POST /help/dismiss': { who: 'partner', csrf: true, op: 'plain',
    call: form('/help/dismiss', { signal: 'asked' }), member: [303] },
  // the conflict plan and time-outs (step 3): the plan's own rules (who accepts which version)
  // are conflict-plan.test.mjs's; here, that only partners reach them, with their tokens
  'GET /api/v1/conflict-plan': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/conflict-plan'),
    member: [200] },
  'PUT /api/v1/conflict-plan': { who: 'partner', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/conflict-plan', {
      timeout_word: 'Lighthouse', break_minutes: 20, come_back: 'We meet in the kitchen.', soft_startup: 'I feel …; I need …',
    }), member: [200] },
  'POST /api/v1/conflict-plan/accept': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/conflict-plan/accept', {}), member: [200, 403, 404] },
  'POST /api/v1/timeouts': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/timeouts', { minutes: 20 }), member: [201] },
  'GET /api/v1/timeouts': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/timeouts'), member: [200] },
  'GET /conflict-plan': { who: 'partner', csrf: false, op: 'plain', call: get('/conflict-plan'), member: [200] },
  'POST /conflict-plan': { who: 'partner', csrf: true, op: 'plain',
    call: form('/conflict-plan', {
      timeout_word: 'Harbour', break_minutes: '25', come_back: 'On the bench outside.', soft_startup: 'I feel …; I need …',
    }), member: [303] },
  'POST /conflict-plan/accept': { who: 'partner', csrf: true, op: 'plain',
    call: form('/conflict-plan/accept', {}), member: [303, 403, 404] },
  'POST /timeouts': { who: 'partner', csrf: true, op: 'plain', call: form('/timeouts', { minutes: '20' }), member: [303] },
  // agreements (step 3): who may take which turn is agreements.test.mjs's; here, that only
  // the couple's partners reach them, and their therapist reads the care-shared ones.  Either
  // partner may retire one: the second to try finds it retired already (409), which changes
  // nothing.
  'GET /api/v1/agreements': { who: 'member', csrf: false, op: 'list', kind: 'agreements', call: get('/api/v1/agreements'),
    visible: AGREEMENTS_VISIBLE },
  'POST /api/v1/agreements': { who: 'partner', csrf: true, op: 'create', kind: 'agreements', member: [201],
    call: (c, id, o) => c.post('/api/v1/agreements',
      { category: 'other', text: `Agreement ${o.mark}`, consequence: '', review_on: day(10) }, { csrf: o.csrf || false }) },
  'GET /api/v1/agreements/{id}': { who: 'member', csrf: false, op: 'read', kind: 'agreements',
    call: get('/api/v1/agreements/{id}'), expect: AGREEMENT_READ },
  'POST /api/v1/agreements/{id}/accept': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: api('POST', '/api/v1/agreements/{id}/accept', { version: 1 }),
    expect: AGREEMENT_ANSWER },
  'POST /api/v1/agreements/{id}/revise': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: api('POST', '/api/v1/agreements/{id}/revise', { text: 'A clearer version.', consequence: '', review_on: day(20) }),
    expect: AGREEMENT_EITHER },
  'POST /api/v1/agreements/{id}/decline': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: api('POST', '/api/v1/agreements/{id}/decline', {}), expect: AGREEMENT_ANSWER },
  'POST /api/v1/agreements/{id}/retire': { who: 'partner', csrf: true, op: 'write', kind: 'agreements', member: [200, 409],
    call: api('POST', '/api/v1/agreements/{id}/retire', { reason: 'It no longer fits.' }),
    expect: AGREEMENT_EITHER },
  'GET /agreements': { who: 'partner', csrf: false, op: 'list', kind: 'agreements', call: get('/agreements'),
    visible: AGREEMENTS_VISIBLE },
  'POST /agreements': { who: 'partner', csrf: true, op: 'create', kind: 'agreements', member: [303],
    call: (c, id, o) => c.form('/agreements', {
      category: 'other', text: `Agreement ${o.mark}`, consequence: '', review_on: day(10), ...(o.csrf ? { csrf: o.csrf } : {}),
    }) },
  'GET /agreements/guide': { who: 'partner', csrf: false, op: 'plain', call: get('/agreements/guide'), member: [200] },
  'GET /agreements/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'agreements',
    call: get('/agreements/{id}'), expect: AGREEMENT_READ },
  'POST /agreements/{id}/accept': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: form('/agreements/{id}/accept', { version: '1' }), expect: AGREEMENT_ANSWER },
  'POST /agreements/{id}/revise': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: form('/agreements/{id}/revise', { text: 'A clearer version.', consequence: '', review_on: day(20), note: '' }),
    expect: AGREEMENT_EITHER },
  'POST /agreements/{id}/decline': { who: 'partner', csrf: true, op: 'write', kind: 'agreements',
    call: form('/agreements/{id}/decline', { note: '' }), expect: AGREEMENT_ANSWER },
  'POST /agreements/{id}/retire': { who: 'partner', csrf: true, op: 'write', kind: 'agreements', member: [303, 409],
    call: form('/agreements/{id}/retire', { reason: 'It no longer fits.' }),
    expect: AGREEMENT_EITHER },
  // date nights (step 3)
  'GET /api/v1/dates': { who: 'partner', csrf: false, op: 'list', kind: 'dates', call: get('/api/v1/dates'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/dates': { who: 'partner', csrf: true, op: 'create', kind: 'dates', member: [201],
    call: (c, id, o) => c.post('/api/v1/dates', { title: `Date ${o.mark}`, planned_for: day(2) }, { csrf: o.csrf || false }) },
  'PUT /api/v1/dates/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'dates',
    call: api('PUT', '/api/v1/dates/{id}', { done: true, rating: 4 }),
    expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  'GET /dates': { who: 'partner', csrf: false, op: 'list', kind: 'dates', call: get('/dates'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /dates': { who: 'partner', csrf: true, op: 'create', kind: 'dates', member: [303],
    call: (c, id, o) => c.form('/dates', { title: `Date ${o.mark}`, planned_for: day(2), ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /dates/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'dates',
    call: form('/dates/{id}', { done: '1', rating: '5' }), expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  // homework (step 4): a partner or the couple's therapist assigns, and the therapist sees
  // what is shared with the care team; either partner marks, each their own
  'GET /api/v1/homework': { who: 'member', csrf: false, op: 'list', kind: 'homework', call: get('/api/v1/homework'),
    visible: { A: ['abShared', 'abCare', 'baCare'], B: ['abShared', 'abCare', 'baCare'], X: ['other'],
      T: ['abCare', 'baCare'] } },
  'POST /api/v1/homework': { who: 'member', csrf: true, op: 'create', kind: 'homework', member: [201], careCreates: true,
    call: (c, id, o) => c.post('/api/v1/homework', { title: `Homework ${o.mark}`, due_on: day(2) }, { csrf: o.csrf || false }) },
  'PUT /api/v1/homework/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'homework',
    call: api('PUT', '/api/v1/homework/{id}', { done: true, note: 'We did it.' }),
    expect: { abShared: { A: OK, B: OK }, abCare: { A: OK, B: OK }, baCare: { A: OK, B: OK }, other: { X: OK } } },
  'GET /homework': { who: 'member', csrf: false, op: 'list', kind: 'homework', call: get('/homework'),
    visible: { A: ['abShared', 'abCare', 'baCare'], B: ['abShared', 'abCare', 'baCare'], X: ['other'],
      T: ['abCare', 'baCare'] } },
  'POST /homework': { who: 'member', csrf: true, op: 'create', kind: 'homework', member: [303], careCreates: true,
    call: (c, id, o) => c.form('/homework', { title: `Homework ${o.mark}`, body: '', due_on: day(2), share_partner: '1', ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /homework/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'homework',
    call: form('/homework/{id}', { done: '1', note: 'We did it.' }),
    expect: { abShared: { A: OK, B: OK }, abCare: { A: OK, B: OK }, baCare: { A: OK, B: OK }, other: { X: OK } } },
  // appreciations (step 5): the partners' alone; the partner thanks, once; one's own is 403
  'GET /api/v1/appreciations': { who: 'partner', csrf: false, op: 'list', kind: 'appreciations',
    call: get('/api/v1/appreciations'), visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/appreciations': { who: 'partner', csrf: true, op: 'create', kind: 'appreciations', member: [201],
    call: (c, id, o) => c.post('/api/v1/appreciations', { body: `Thanks ${o.mark}` }, { csrf: o.csrf || false }) },
  'POST /api/v1/appreciations/{id}/thanks': { who: 'partner', csrf: true, op: 'write', kind: 'appreciations',
    call: api('POST', '/api/v1/appreciations/{id}/thanks'),
    expect: { abShared: { A: NO, B: OK }, other: { X: NO } } },
  'GET /appreciations': { who: 'partner', csrf: false, op: 'list', kind: 'appreciations', call: get('/appreciations'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /appreciations': { who: 'partner', csrf: true, op: 'create', kind: 'appreciations', member: [303],
    call: (c, id, o) => c.form('/appreciations', { body: `Thanks ${o.mark}`, meant: '', ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /appreciations/{id}/thanks': { who: 'partner', csrf: true, op: 'write', kind: 'appreciations',
    call: form('/appreciations/{id}/thanks'), expect: { abShared: { A: NO, B: OK }, other: { X: NO } } },
  // the trigger plan (step 5): each partner's one plan; who reads it is tested in triggered.test.mjs
  'GET /api/v1/trigger-plan': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/trigger-plan'), member: [200] },
  'PUT /api/v1/trigger-plan': { who: 'partner', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/trigger-plan', { wants: ['space'], words: 'Ten quiet minutes.', shared_with: [] }),
    member: [200] },
  'POST /trigger-plan': { who: 'partner', csrf: true, op: 'plain',
    call: form('/trigger-plan', { 'wants.hold': '1', words: 'Hold my hand.' }), member: [303] },
  // "I'm triggered" (step 5): the partners' alone; the partner answers, once; one's own is 403
  'GET /api/v1/triggered': { who: 'partner', csrf: false, op: 'list', kind: 'triggered',
    call: get('/api/v1/triggered'), visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/triggered': { who: 'partner', csrf: true, op: 'create', kind: 'triggered', member: [201],
    call: (c, id, o) => c.post('/api/v1/triggered', { note: `Now ${o.mark}` }, { csrf: o.csrf || false }) },
  'POST /api/v1/triggered/{id}/answer': { who: 'partner', csrf: true, op: 'write', kind: 'triggered',
    call: api('POST', '/api/v1/triggered/{id}/answer', {}),
    expect: { abShared: { A: NO, B: OK }, other: { X: NO } } },
  'GET /triggered': { who: 'partner', csrf: false, op: 'list', kind: 'triggered', call: get('/triggered'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /triggered': { who: 'partner', csrf: true, op: 'create', kind: 'triggered', member: [303],
    call: (c, id, o) => c.form('/triggered', { note: `Now ${o.mark}`, ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /triggered/{id}/answer': { who: 'partner', csrf: true, op: 'write', kind: 'triggered',
    call: form('/triggered/{id}/answer'), expect: { abShared: { A: NO, B: OK }, other: { X: NO } } },
  // the session-prep summary: the caller's own care-shared items, never the partner's; the
  // couple's therapist names A and reads A's (care-shared.test.mjs names each in turn)
  'GET /api/v1/summary': { who: 'member', csrf: false, op: 'list', kind: 'homework',
    call: (c) => c.get(`/api/v1/summary?from=${day(-1)}&to=${day(1)}${
      c === ctx.T || c === ctx.E ? `&member=${ctx.creds.A.member.id}` : ''}`),
    visible: { A: ['abCare'], B: ['baCare'], X: ['other'], T: ['abCare'] } },
  'GET /summary': { who: 'member', csrf: false, op: 'plain', call: get('/summary'), member: [200] },
  // breaches and their repair (step 3): the order of it all is breaches.test.mjs's
  'GET /api/v1/breaches': { who: 'member', csrf: false, op: 'list', kind: 'breaches', call: get('/api/v1/breaches'),
    visible: AGREEMENTS_VISIBLE },
  'POST /api/v1/breaches': { who: 'partner', csrf: true, op: 'create', kind: 'breaches', member: [201],
    call: (c, id, o) => c.post('/api/v1/breaches', { description: `Breach ${o.mark}`, self_report: true },
      { csrf: o.csrf || false }) },
  'GET /api/v1/breaches/feelings': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/breaches/feelings'),
    member: [200] },
  'GET /api/v1/breaches/{id}': { who: 'member', csrf: false, op: 'read', kind: 'breaches',
    call: get('/api/v1/breaches/{id}'), expect: BREACH_BOTH },
  'POST /api/v1/breaches/{id}/repair': { who: 'partner', csrf: true, op: 'write', kind: 'breaches',
    call: api('POST', '/api/v1/breaches/{id}/repair', REPAIR), expect: BREACH_BOTH },
  'PUT /api/v1/breaches/{id}/repair': { who: 'partner', csrf: true, op: 'write', kind: 'breachesWritten',
    call: api('PUT', '/api/v1/breaches/{id}/repair', { ...REPAIR, my_part: 'Changed.' }), expect: BREACH_WRITER },
  'POST /api/v1/breaches/{id}/repaired': { who: 'partner', csrf: true, op: 'write', kind: 'breachesWritten',
    call: api('POST', '/api/v1/breaches/{id}/repaired'), expect: BREACH_WRITER },
  'GET /breaches': { who: 'partner', csrf: false, op: 'list', kind: 'breaches', call: get('/breaches'),
    visible: AGREEMENTS_VISIBLE },
  'POST /breaches': { who: 'partner', csrf: true, op: 'create', kind: 'breaches', member: [303],
    call: (c, id, o) => c.form('/breaches', { description: `Breach ${o.mark}`, ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'GET /breaches/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'breaches',
    call: get('/breaches/{id}'), expect: BREACH_BOTH },
  'POST /breaches/{id}/repair': { who: 'partner', csrf: true, op: 'write', kind: 'breaches',
    call: form('/breaches/{id}/repair', REPAIR_FORM), expect: BREACH_BOTH },
  'POST /breaches/{id}/repaired': { who: 'partner', csrf: true, op: 'write', kind: 'breachesWritten',
    call: form('/breaches/{id}/repaired'), expect: BREACH_WRITER },
  // the chores rota (step 3): who does what when is chores.test.mjs's
  'GET /api/v1/chores': { who: 'partner', csrf: false, op: 'list', kind: 'chores', call: get('/api/v1/chores'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/chores': { who: 'partner', csrf: true, op: 'create', kind: 'chores', member: [201],
    call: async (c, id, o) => c.post('/api/v1/chores',
      { title: `Chore ${o.mark}`, first_partner: await memberId(c), starts_on: day(0) }, { csrf: o.csrf || false }) },
  'DELETE /api/v1/chores/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'chores',
    call: api('DELETE', '/api/v1/chores/{id}'), expect: { abShared: { A: OK, B: NO }, other: { X: OK } } },
  'GET /chores': { who: 'partner', csrf: false, op: 'list', kind: 'chores', call: get('/chores'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /chores': { who: 'partner', csrf: true, op: 'create', kind: 'chores', member: [303],
    call: async (c, id, o) => c.form('/chores', {
      title: `Chore ${o.mark}`, first_partner: await memberId(c), starts_on: day(0), ...(o.csrf ? { csrf: o.csrf } : {}),
    }) },
  'POST /chores/{id}/delete': { who: 'partner', csrf: true, op: 'write', kind: 'chores',
    call: form('/chores/{id}/delete'), expect: { abShared: { A: OK, B: NO }, other: { X: OK } } },
  'GET /checkin': { who: 'partner', csrf: false, op: 'plain', call: get('/checkin'), member: [200] },
  'POST /checkin': { who: 'partner', csrf: true, op: 'create', kind: 'checkins', member: [303],
    call: (c, id, o) => c.form('/checkin', {
      period: day(-(periodDay++)), 'scores.emotional': '3', 'scores.physical': '3', 'scores.mental': '3',
      'scores.sexual': '3', 'scores.financial': '3', trust: '4', closeness: '4', note: `Form ${o.mark}`,
      ...(o.csrf ? { csrf: o.csrf } : {}),
    }) },
  'POST /checkin/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'checkins',
    call: form('/checkin/{id}', {
      'scores.emotional': '2', 'scores.physical': '2', 'scores.mental': '2', 'scores.sexual': '2',
      'scores.financial': '2', trust: '1', closeness: '1', note: 'Changed through the form.',
    }),
    expect: { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: OK, B: NO }, abWaiting: { A: OK },
      abCare: { A: OK }, other: { X: OK } } },
  // the history page's leaks are covered by its API twin (GET /api/v1/checkins)
  'GET /checkins': { who: 'partner', csrf: false, op: 'plain', call: get('/checkins'), member: [200] },
  'POST /settings/rhythm': { who: 'partner', csrf: true, op: 'plain',
    call: form('/settings/rhythm', { rhythm: 'daily' }), member: [303] },
  'GET /shares': { who: 'partner', csrf: false, op: 'list', kind: 'shares', call: get('/shares'),
    visible: { A: ['aPriv', 'abShared'], B: ['bPriv', 'abShared'], X: ['other'] } },
  'POST /shares': { who: 'partner', csrf: true, op: 'create', kind: 'shares', member: [303],
    call: (c, id, o) => c.form('/shares', { kind: 'hope', body: `Form hope ${o.mark}`,
      ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /shares/{id}/ack': { who: 'partner', csrf: true, op: 'write', kind: 'shares',
    call: form('/shares/{id}/ack', { reply: 'I hear you.' }),
    expect: { aPriv: { A: NO }, bPriv: { B: NO }, abShared: { A: NO, B: OK }, other: { X: NO } } },
  'GET /offers': { who: 'partner', csrf: false, op: 'list', kind: 'offers', call: get('/offers'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /offers': { who: 'partner', csrf: true, op: 'create', kind: 'offers', member: [303],
    call: (c, id, o) => c.form('/offers', { text: `Form offer ${o.mark}`, until: day(10),
      ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /offers/{id}/end': { who: 'partner', csrf: true, op: 'write', kind: 'offers',
    call: form('/offers/{id}/end'), expect: { abShared: { A: OK, B: NO }, other: { X: OK } } },
  'GET /activities': { who: 'partner', csrf: false, op: 'list', kind: 'activities', call: get('/activities'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /activities': { who: 'partner', csrf: true, op: 'create', kind: 'activities', member: [303],
    call: (c, id, o) => c.form('/activities', { kind: 'hobby', title: `Form walk ${o.mark}`, planned_for: day(2),
      ...(o.csrf ? { csrf: o.csrf } : {}) }) },
  'POST /activities/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'activities',
    call: form('/activities/{id}', { done: '1', felt: 'Close.' }),
    expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  // step 5: the message coach reads a text being written; nothing is saved
  'POST /api/v1/coach': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/coach', { text: 'You never listen.' }), member: [200] },

  // the pace ladder (step 5): its reveal and pause rules are pace.test.mjs's; here, that only
  // partners reach it, with their tokens (a therapist is refused like on every partner route)
  'GET /api/v1/pace': { who: 'partner', csrf: false, op: 'plain', call: get('/api/v1/pace'), member: [200] },
  'PUT /api/v1/pace/*': { who: 'partner', csrf: true, op: 'plain',
    call: api('PUT', '/api/v1/pace/hands', { choice: 'maybe' }), member: [200] },
  'POST /api/v1/pace/pause': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/pace/pause'), member: [200] },
  'POST /api/v1/pace/resume': { who: 'partner', csrf: true, op: 'plain',
    call: api('POST', '/api/v1/pace/resume'), member: [200] },
  'GET /pace': { who: 'partner', csrf: false, op: 'plain', call: get('/pace'), member: [200] },
  'POST /pace': { who: 'partner', csrf: true, op: 'plain', call: form('/pace', { hug: 'yes' }), member: [303] },
  'POST /pace/pause': { who: 'partner', csrf: true, op: 'plain', call: form('/pace/pause'), member: [303] },
  'POST /pace/resume': { who: 'partner', csrf: true, op: 'plain', call: form('/pace/resume'), member: [303] },
  // the listening exercise (step 5): partners only; either answers, each their own
  'GET /api/v1/listening': { who: 'partner', csrf: false, op: 'list', kind: 'listening',
    call: get('/api/v1/listening'), visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /api/v1/listening': { who: 'partner', csrf: true, op: 'create', kind: 'listening', member: [201],
    call: async (c, id, o) => c.post('/api/v1/listening',
      { topic: `Talk ${o.mark}`, speaker_first: await memberId(c) }, { csrf: o.csrf || false }) },
  'PUT /api/v1/listening/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'listening',
    call: api('PUT', '/api/v1/listening/{id}', { turns: 4, minutes: 20, felt_heard: 4 }),
    expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  'GET /listening': { who: 'partner', csrf: false, op: 'list', kind: 'listening', call: get('/listening'),
    visible: { A: ['abShared'], B: ['abShared'], X: ['other'] } },
  'POST /listening': { who: 'partner', csrf: true, op: 'create', kind: 'listening', member: [303],
    call: async (c, id, o) => c.form('/listening', {
      topic: `Talk ${o.mark}`, speaker_first: await memberId(c), ...(o.csrf ? { csrf: o.csrf } : {}),
    }) },
  'GET /listening/{id}': { who: 'partner', csrf: false, op: 'read', kind: 'listening',
    call: get('/listening/{id}'), expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },
  'POST /listening/{id}': { who: 'partner', csrf: true, op: 'write', kind: 'listening',
    call: form('/listening/{id}', { turns: '4', minutes: '20', felt_heard: '4' }),
    expect: { abShared: { A: OK, B: OK }, other: { X: OK } } },

  // static files
  'GET /favicon.ico': { who: 'anyone', csrf: false, op: 'anyone', call: get('/favicon.ico'), anon: [200] },
  'GET /static/*': { who: 'anyone', csrf: false, op: 'anyone', call: get('/static/css/app.css'), anon: [200] },
  'GET /manifest.webmanifest': { who: 'anyone', csrf: false, op: 'anyone', call: get('/manifest.webmanifest'), anon: [200] },
};

// ---------------------------------------------------------------------------
// The kinds that are all data: their items and their ten routes each, from
// the registry (`kintsugi routes --kinds`).  The rule is one for all of
// them: an item is seen by its author and, when shared, by the partner; its
// author alone changes or removes it (the partner is refused, another
// couple's member gets the answer of a random id).

const OWN_ONLY = { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: OK, B: NO }, other: { X: OK },
  abCare: { A: OK, B: NO, T: NO } };
const SEEN = { aPriv: { A: OK }, bPriv: { B: OK }, abShared: { A: OK, B: OK }, other: { X: OK },
  abCare: { A: OK, B: OK, T: OK } };

for (const k of registryKinds()) {
  const p = k.plural;
  const care = (k.shared_allowed & 2) !== 0 && k.who === 'member';
  const body = (o, shared = []) => exampleBody(k, { mark: o.mark || `mk-${rand(8)}`, shared });
  KINDS[p] = {
    needs: [`POST /api/v1/${p}`, `GET /api/v1/${p}`],
    owners: care ? { aPriv: 'A', bPriv: 'B', abShared: 'A', other: 'X', abCare: 'A' }
      : { aPriv: 'A', bPriv: 'B', abShared: 'A', other: 'X' },
    list: `/api/v1/${p}`,
    listKey: p,
    async make(c, mark) {
      const w = async (who, t, shared) => created(await c[who].post(`/api/v1/${p}`,
        exampleBody(k, { mark: mark(t), shared })), k.name);
      const ids = { aPriv: await w('A', 'aPriv', []), bPriv: await w('B', 'bPriv', []),
        abShared: await w('A', 'abShared', ['partner']), other: await w('X', 'other', []) };
      if (care) ids.abCare = await w('A', 'abCare', ['partner', 'care']);
      return ids;
    },
  };
  // a kind the author cannot keep private (a workshop) is the partner's to see, never to change
  const always = k.shared_allowed === 0 && (k.shared_default & 1) !== 0;
  // a kind the care team may read: A's item shared with the partner and the care team
  const visible = always
    ? { A: ['aPriv', 'bPriv', 'abShared'], B: ['aPriv', 'bPriv', 'abShared'], X: ['other'] }
    : care
      ? { A: ['aPriv', 'abShared', 'abCare'], B: ['bPriv', 'abShared', 'abCare'], X: ['other'], T: ['abCare'] }
      : { A: ['aPriv', 'abShared'], B: ['bPriv', 'abShared'], X: ['other'] };
  const seen = always
    ? { aPriv: { A: OK, B: OK }, bPriv: { A: OK, B: OK }, abShared: { A: OK, B: OK }, other: { X: OK } }
    : SEEN;
  const own = always
    ? { aPriv: { A: OK, B: NO }, bPriv: { A: NO, B: OK }, abShared: { A: OK, B: NO }, other: { X: OK } }
    : OWN_ONLY;
  const writer = k.writer || k.who;
  const change = (c, id, o) => c.request('PUT', `/api/v1/${p}/${id}`, body({ mark: 'changed' }),
    { csrf: o.csrf || false });
  Object.assign(MATRIX, {
    [`GET /api/v1/${p}`]: { who: k.who, csrf: false, op: 'list', kind: p, call: get(`/api/v1/${p}`), visible },
    [`POST /api/v1/${p}`]: { who: writer, csrf: true, op: 'create', kind: p, member: [201],
      call: (c, id, o) => c.post(`/api/v1/${p}`, body(o), { csrf: o.csrf || false }) },
    [`GET /api/v1/${p}/{id}`]: { who: k.who, csrf: false, op: 'read', kind: p,
      call: get(`/api/v1/${p}/{id}`), expect: seen },
    [`PUT /api/v1/${p}/{id}`]: { who: writer, csrf: true, op: 'write', kind: p, call: change, expect: own },
    [`DELETE /api/v1/${p}/{id}`]: { who: writer, csrf: true, op: 'write', kind: p,
      call: api('DELETE', `/api/v1/${p}/{id}`), expect: own },
    [`GET /${p}`]: { who: k.who, csrf: false, op: 'list', kind: p, call: get(`/${p}`), visible },
    [`POST /${p}`]: { who: writer, csrf: true, op: 'create', kind: p, member: [303],
      call: (c, id, o) => c.form(`/${p}`, { ...asForm(k, body(o, ['partner'])),
        ...(o.csrf ? { csrf: o.csrf } : {}) }) },
    // the page that changes an item shows it to its author only
    [`GET /${p}/{id}`]: { who: k.who, csrf: false, op: 'read', kind: p, call: get(`/${p}/{id}`),
      expect: own },
    [`POST /${p}/{id}`]: { who: writer, csrf: true, op: 'write', kind: p,
      call: form(`/${p}/{id}`, asForm(k, exampleBody(k, { mark: 'changed by form' }))), expect: own },
    [`POST /${p}/{id}/delete`]: { who: writer, csrf: true, op: 'write', kind: p,
      call: form(`/${p}/{id}/delete`), expect: own },
  });
}

// ---------------------------------------------------------------------------
// The people.

let server;
const ctx = {};

before(async () => {
  server = await startServer();
  const p = await pair(server.url);
  const q = await pair(server.url);
  Object.assign(ctx, {
    A: p.aClient, B: p.bClient, X: q.aClient, Y: q.bClient,
    creds: { A: p.a, B: p.b, X: q.a, Y: q.b },
    anon: new Client(server.url),
  });
  // The care team: E joins and B ends their access (E signs in again: an
  // empty space), then T joins and stays.  Ending signs every therapist
  // out, so E comes first.
  const careJoin = async (name) => {
    const inv = await p.aClient.post('/api/v1/care/invites', {});
    assert.equal(inv.status, 201, describe(inv));
    const ok = await p.bClient.post(`/api/v1/care/invites/${inv.json.invite.id}/approve`);
    assert.equal(ok.status, 200, describe(ok));
    const c = new Client(server.url);
    const creds = { login: uniqueLogin('t'), password: uniquePassword() };
    const res = await c.post('/api/v1/join',
      { token: ok.json.token, ...creds, display_name: name, language: 'en' });
    assert.equal(res.status, 201, describe(res));
    return { c, id: res.json.member.id, creds };
  };
  const e = await careJoin('Ended');
  assert.equal((await p.bClient.del(`/api/v1/care/${e.id}`)).status, 204);
  assert.equal((await login(e.c, e.creds.login, e.creds.password)).status, 200);
  const t = await careJoin('Active');
  Object.assign(ctx, { T: t.c, E: e.c });
  ctx.creds.T = t.creds;
  ctx.creds.E = e.creds;
  // A signed-out session of A, kept with its cookie and CSRF token. Signing
  // out may end A's other sessions too, so A signs in again afterwards.
  const s = new Client(server.url);
  assert.equal((await login(s, p.a.login, p.a.password)).status, 200);
  const cookie = s.cookie; const csrf = s.csrf;
  assert.equal((await s.post('/api/v1/logout')).status, 204);
  ctx.stale = new Client(server.url);
  ctx.stale.cookie = cookie;
  ctx.stale.csrf = csrf;
  await ensureA();
});

/*
 * The care team on a route: T, a therapist with active access, reads what
 * was shared with the care team (spec.visible.T, spec.expect[target].T)
 * and nothing else; E, whose access ended, sees nothing at all.  A route
 * for partners alone answers both 403 and changes nothing.
 */
// the member routes that write a couple exercise: the server refuses them to a therapist (403)
const CARE_REFUSED = /^(POST|PUT|PATCH|DELETE) \/(api\/v1\/)?(commitments|checkins?|shares|offers|activities|settings\/rhythm)(\/|$)/;

async function checkTherapists(key, spec, fx) {
  const rid = randomId();
  for (const who of ['T', 'E']) {
    const c = ctx[who];
    const label = `${who} (a therapist${who === 'E' ? ' whose access ended' : ''})`;
    const targets = fx ? Object.keys(fx.ids) : [undefined];
    if (spec.who === 'partner' || CARE_REFUSED.test(key)) {
      for (const target of targets) {
        const before = fx ? await snapshot(spec.kind, fx, target) : null;
        const res = await spec.call(c, fx ? fx.ids[target] : undefined,
          { csrf: c.csrf, target, mark: `care-${rand(8)}` });
        assert.equal(res.status, 403, `${key} by ${label} on ${target}: ${describe(res)}`);
        if (fx) {
          assert.equal(await snapshot(spec.kind, fx, target), before, `${key} by ${label} changed ${target}`);
          assert.ok(!res.text.includes(fx.marks[target]), `${key} by ${label} leaks ${target}`);
        }
      }
      continue;
    }
    if (spec.op === 'plain') {
      if (spec.scratch) continue;
      assertSucceeded(key, await spec.call(c, undefined, { csrf: c.csrf }), spec.member, label);
      continue;
    }
    if (spec.op === 'list') {
      const res = await spec.call(c, undefined, {});
      assert.equal(res.status, 200, `${key} by ${label}: ${describe(res)}`);
      const mine = who === 'T' ? spec.visible.T || [] : [];
      for (const target of Object.keys(fx.ids)) {
        const seen = res.text.includes(fx.ids[target]) || res.text.includes(fx.marks[target]);
        assert.equal(seen, mine.includes(target), `${key}: ${label} ${mine.includes(target) ? 'sees' : 'must not see'} ${target}`);
      }
      continue;
    }
    if (spec.op === 'create') {
      const mark = `mk-care-create-${rand(12)}`;
      const res = await spec.call(c, undefined, { csrf: c.csrf, mark });
      if (who === 'T' && spec.careCreates) assertSucceeded(key, res, spec.member, label);
      else assert.equal(res.status, 403, `${key} by ${label}: ${describe(res)}`);
      continue;
    }
    // read and write routes on an {id}
    for (const target of Object.keys(fx.ids)) {
      const want = (who === 'T' && spec.expect[target]?.T) || 'hidden';
      const before = await snapshot(spec.kind, fx, target);
      const real = await spec.call(c, fx.ids[target], { csrf: c.csrf, target });
      if (want === OK) {
        assertSucceeded(key, real, spec.member, `${label} on ${target}`);
        continue;
      }
      if (want === 'hidden') {
        const random = await spec.call(c, rid, { csrf: c.csrf, target });
        assert.equal(random.status, 404, `${key} by ${label} on a random id: ${describe(random)}`);
        assert.equal(real.status, random.status, `${key} by ${label} on ${target}: ${describe(real)}`);
        assert.equal(real.text, random.text, `${key} by ${label} on ${target}: the body of a random id`);
      } else {
        assertRefused(key, real, `${label} on ${target}`);
      }
      assert.equal(await snapshot(spec.kind, fx, target), before, `${key} by ${label} changed ${target}`);
    }
  }
}

/** Signs A's main client in again when a sign-out elsewhere ended its session. */
async function ensureA() {
  if ((await ctx.A.get('/api/v1/me')).status === 200) return;
  const res = await login(ctx.A, ctx.creds.A.login, ctx.creds.A.password);
  assert.equal(res.status, 200, `A signs in again: ${describe(res)}`);
}
after(async () => { await server?.stop(); });

async function scratchA() {
  const c = new Client(server.url);
  const res = await login(c, ctx.creds.A.login, ctx.creds.A.password);
  assert.equal(res.status, 200, `scratch sign-in as A: ${describe(res)}`);
  return c;
}

const shared = new Map(); // kind -> fixtures made once for read and list routes

async function makeFixtures(kindName) {
  const kind = KINDS[kindName];
  const missing = kind.needs.filter((k) => !docs.has(k));
  assert.deepEqual(missing, [], `to make ${kindName} items the matrix needs these routes`);
  const marks = {};
  const mark = (t) => { marks[t] = `mk-${kindName}-${t}-${rand(12)}`; return marks[t]; };
  const ids = await kind.make.call(kind, ctx, mark);
  return { ids, marks, owners: kind.owners };
}

async function fixtures(kindName) {
  if (!shared.has(kindName)) shared.set(kindName, await makeFixtures(kindName));
  return shared.get(kindName);
}

/** What the owner of target sees of it (its object in the owner's list), as JSON text. */
async function snapshot(kindName, fx, target) {
  const kind = KINDS[kindName];
  const owner = ctx[fx.owners[target]];
  const res = await owner.get(kind.list);
  assert.equal(res.status, 200, `the owner lists ${kindName}: ${describe(res)}`);
  const items = res.json?.[kind.listKey];
  assert.ok(Array.isArray(items), `the ${kindName} list has ${kind.listKey}: ${describe(res)}`);
  return JSON.stringify(items.find((x) => x.id === fx.ids[target]) ?? null);
}

const isPage = (spec) => !/^[A-Z]+ \/(api\/|healthz$)/.test(spec.key);

function assertSignedOutAnswer(key, spec, res) {
  if (isPage(spec)) {
    assert.equal(res.status, 303, `${key} without a live session: ${describe(res)}`);
    assert.equal(new URL(res.headers.get('location'), server.url).pathname, '/signin',
      `${key} without a live session redirects to /signin`);
  } else {
    assert.equal(res.status, 401, `${key} without a live session: ${describe(res)}`);
    assert.equal(errCode(res), 'not_signed_in', key);
  }
}

function assertSucceeded(key, res, allowed, label) {
  const want = allowed || [200, 201, 204, 303];
  assert.ok(want.includes(res.status), `${key} by ${label}: want ${want.join('|')}, got ${describe(res)}`);
}

function assertRefused(key, res, label) {
  assert.ok(res.status >= 400 && res.status < 500 && res.status !== 401,
    `${key} by ${label} must be refused with a 4xx: ${describe(res)}`);
}

// Anonymous and the signed-out session of A: the same answer, whether or
// not the id exists; nothing changes.
async function checkWithoutSession(key, spec, id, rid) {
  const o = { csrf: false, target: 'aPriv', mark: `anon-${rand(8)}` };
  const anonReal = await spec.call(ctx.anon, id, o);
  assertSignedOutAnswer(key, spec, anonReal);
  const staleReal = await spec.call(ctx.stale, id, { ...o, csrf: ctx.stale.csrf });
  assertSignedOutAnswer(key, spec, staleReal);
  assert.equal(staleReal.text, anonReal.text, `${key}: a signed-out cookie answers as no cookie`);
  if (id !== undefined) {
    const anonRandom = await spec.call(ctx.anon, rid, o);
    assert.equal(anonRandom.status, anonReal.status, `${key}: anonymous, real id vs random id`);
    assert.equal(anonRandom.text, anonReal.text, `${key}: anonymous, the same body for a real and a random id`);
  }
  return [anonReal, staleReal];
}

for (const [key, spec] of Object.entries(MATRIX)) {
  spec.key = key;
  test(`authorization: ${key}`, async (t) => {
    if (!docs.has(key)) {
      t.skip('not in docs/api.md yet');
      return;
    }
    await ensureA();
    const doc = docs.get(key);
    assert.equal(doc.who, spec.who, `${key}: docs/api.md says "${doc.who}" may call it, the matrix "${spec.who}"`);
    assert.equal(doc.csrf, spec.csrf, `${key}: docs/api.md and the matrix disagree on CSRF`);

    if (spec.op === 'anyone') {
      for (const [label, c] of [['anonymous', ctx.anon], ['a signed-out session', ctx.stale]]) {
        const res = await spec.call(c, undefined, { csrf: false });
        assert.ok(spec.anon.includes(res.status), `${key} by ${label}: want ${spec.anon.join('|')}, got ${describe(res)}`);
      }
      return;
    }

    if (spec.op === 'plain') {
      await checkWithoutSession(key, spec);
      if (spec.csrf) {
        const c = spec.scratch ? await scratchA() : ctx.A;
        const res = await spec.call(c, undefined, { csrf: false });
        assert.equal(res.status, 403, `${key} without the CSRF token: ${describe(res)}`);
        if (!isPage(spec)) assert.equal(errCode(res), 'csrf_failed');
        assert.equal((await c.get('/api/v1/me')).status, 200, `${key} without the token left the session alone`);
      }
      // routes that end or change a session run on a scratch session of A
      for (const who of spec.scratch ? ['A'] : ['A', 'B', 'X']) {
        const c = spec.scratch ? await scratchA() : ctx[who];
        const res = await spec.call(c, undefined, { csrf: c.csrf });
        assertSucceeded(key, res, spec.member, who);
      }
      await checkTherapists(key, spec);
      return;
    }

    const kindName = spec.kind;
    if (spec.op === 'list') {
      await checkWithoutSession(key, spec);
      const fx = await fixtures(kindName);
      for (const who of ['A', 'B', 'X']) {
        const res = await spec.call(ctx[who], undefined, {});
        assert.equal(res.status, 200, `${key} by ${who}: ${describe(res)}`);
        const mine = spec.visible[who];
        for (const target of Object.keys(fx.ids)) {
          const seen = res.text.includes(fx.ids[target]) || res.text.includes(fx.marks[target]);
          if (mine.includes(target)) {
            assert.ok(res.text.includes(fx.ids[target]), `${key}: ${who} sees ${target}`);
          } else {
            assert.ok(!seen, `${key}: ${who} must not see ${target} (id or content)`);
          }
        }
      }
      await checkTherapists(key, spec, fx);
      return;
    }

    if (spec.op === 'create') {
      await checkWithoutSession(key, spec);
      const fxList = KINDS[kindName];
      for (const who of ['A', 'B', 'X']) {
        const mark = `mk-create-${rand(12)}`;
        if (spec.csrf) {
          const res = await spec.call(ctx[who], undefined, { csrf: false, mark });
          assert.equal(res.status, 403, `${key} by ${who} without the CSRF token: ${describe(res)}`);
          const list = await ctx[who].get(fxList.list);
          assert.ok(!list.text.includes(mark), `${key} without the token created nothing`);
        }
        const res = await spec.call(ctx[who], undefined, { csrf: ctx[who].csrf, mark });
        assertSucceeded(key, res, spec.member, who);
        const list = await ctx[who].get(fxList.list);
        assert.ok(list.text.includes(mark), `${key} by ${who}: the new item is in their list`);
      }
      await checkTherapists(key, spec);
      return;
    }

    // read and write routes on an {id}
    const write = spec.op === 'write';
    const fx = write ? await makeFixtures(kindName) : await fixtures(kindName);
    const rid = randomId();
    const targets = Object.keys(spec.expect).filter((t) => Object.hasOwn(fx.ids, t));
    for (const target of Object.keys(fx.ids)) {
      assert.ok(targets.includes(target), `${key}: the matrix says nothing about target ${target}`);
    }
    const firstTarget = targets[0];
    const before = {};
    for (const target of targets) before[target] = await snapshot(kindName, fx, target);

    await checkWithoutSession(key, spec, fx.ids[firstTarget], rid);
    for (const target of targets) {
      assert.equal(await snapshot(kindName, fx, target), before[target], `${key}: calls without a session changed ${target}`);
    }

    if (spec.csrf) {
      const owner = fx.owners[firstTarget];
      const res = await spec.call(ctx[owner], fx.ids[firstTarget], { csrf: false, target: firstTarget });
      assert.equal(res.status, 403, `${key} by the owner without the CSRF token: ${describe(res)}`);
      if (!isPage(spec)) assert.equal(errCode(res), 'csrf_failed');
      assert.equal(await snapshot(kindName, fx, firstTarget), before[firstTarget],
        `${key} without the CSRF token changed nothing`);
    }

    const order = { hidden: 0, [NO]: 1, [SAME]: 2, [OK]: 3 };
    for (const target of targets) {
      const id = fx.ids[target];
      const callers = ['A', 'B', 'X'].map((who) => [who, spec.expect[target][who] || 'hidden'])
        .sort((p, q) => order[p[1]] - order[q[1]]);
      for (const [who, want] of callers) {
        const c = ctx[who];
        const o = { csrf: c.csrf, target };
        const label = `${who} on ${target}`;
        if (want === OK) {
          const res = await spec.call(c, id, o);
          assertSucceeded(key, res, spec.member, label);
          if (!write && spec.showsContent !== false) {
            assert.ok(res.text.includes(fx.marks[target]), `${key} by ${label} shows the item`);
          }
          continue;
        }
        const real = await spec.call(c, id, o);
        if (want === 'hidden') {
          const random = await spec.call(c, rid, o);
          assert.equal(random.status, 404, `${key} by ${who} on a random id: ${describe(random)}`);
          if (!isPage(spec)) assert.equal(errCode(random), 'not_found');
          assert.equal(real.status, random.status, `${key} by ${label}: the status of a random id, got ${describe(real)}`);
          assert.equal(real.text, random.text, `${key} by ${label}: the body of a random id`);
        } else if (want === NO) {
          assertRefused(key, real, label);
        } else if (want === SAME) {
          assert.ok(real.status < 500 && real.status !== 401, `${key} by ${label}: ${describe(real)}`);
        }
        assert.ok(!real.text.includes(fx.marks[target]) || want !== 'hidden', `${key} by ${label} leaks the content`);
        assert.equal(await snapshot(kindName, fx, target), before[target], `${key} by ${label} must change nothing`);
      }
    }
    await checkTherapists(key, spec, fx);
  });
}

test('every route in docs/api.md is covered by the authorization matrix', () => {
  assert.ok(docs.size >= 40, `docs/api.md parsed into ${docs.size} routes`);
  const missing = [...docs.keys()].filter((k) => !Object.hasOwn(MATRIX, k));
  assert.deepEqual(missing, [], `new route not covered by the authorization matrix: ${missing.join(', ')}`);
});

test('a member page with someone else\'s id is the same 404 page as a random id', async () => {
  const fx = await fixtures('journal');
  const rid = randomId();
  for (const p of ['/journal/{id}', '/journal/{id}/delete']) {
    const random = await ctx.B.get(p.replace('{id}', rid));
    assert.equal(random.status, 404, `${p} random: ${describe(random)}`);
    assert.match(random.headers.get('content-type') || '', /^text\/html\b/);
    for (const target of ['aPriv', 'other']) {
      const res = await ctx.B.get(p.replace('{id}', fx.ids[target]));
      assert.equal(res.status, 404);
      assert.equal(res.text, random.text, `${p} with ${target}`);
    }
  }
});
