// The differential test's pieces (tests/http/differential.test.mjs): a
// seeded pseudo-random generator, a normaliser that maps each server's ids
// to one numbering by order of appearance, a comparison that sets times
// aside, and a model of several couples from which a random sequence of
// API operations is drawn, every item kind and state change, errors on
// purpose among them.
//
// An operation names ids as the model knows them ('#12': the twelfth id
// the answers brought); each server's client turns them into that server's
// own ids.  The model learns only from answers the two servers agreed on,
// so both get the very same sequence.

import { ID_RE } from './harness.mjs';
import { day } from './kinds.mjs';

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    /** An integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    hex: (n) => {
      let out = '';
      while (out.length < n) out += Math.floor(next() * 16).toString(16);
      return out;
    },
    /** A few of arr, distinct, in arr's order. */
    some: (arr, min = 0) => {
      const got = arr.filter(() => next() < 0.4);
      return got.length >= min ? got : arr.slice(0, min);
    },
  };
  return r;
}

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const HEX32_G = /[0-9a-f]{32}/g;
/** Keys whose values are secrets or per-server tokens: kept as present, not compared. */
const SECRET_KEYS = new Set(['csrf_token', 'token', 'recovery_key', 'secret', 'uri', 'url']);

export function isTime(v) {
  return typeof v === 'string' && TIME_RE.test(v);
}

/**
 * Ids - one server's numbering: its ids as '#n' by order of appearance, and
 * back.
 */
export class Ids {
  constructor() {
    this.toCanon = new Map();
    this.toReal = new Map();
  }

  canon(real) {
    let c = this.toCanon.get(real);
    if (!c) {
      c = `#${this.toCanon.size + 1}`;
      this.toCanon.set(real, c);
      this.toReal.set(c, real);
    }
    return c;
  }

  /** A string with every '#n' the model knows as this server's id ('#n' unknown: left). */
  real(s) {
    return s.replace(/#(\d+)/g, (m) => this.toReal.get(m) ?? m);
  }

  /** A JSON body with every '#n' string (or within one) as this server's id. */
  realBody(v) {
    if (typeof v === 'string') return this.real(v);
    if (Array.isArray(v)) return v.map((x) => this.realBody(x));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.realBody(x);
      return out;
    }
    return v;
  }

  /**
   * canonValue() - an answer's JSON with every id (a string of 32 hex
   * digits, alone or within a longer string) as '#n'; secrets as '<secret>';
   * times stay (the comparison sets them aside).
   */
  canonValue(v, key = null) {
    if (key !== null && SECRET_KEYS.has(key) && v !== null) return '<secret>';
    if (typeof v === 'string') {
      if (ID_RE.test(v)) return this.canon(v);
      return v.replace(HEX32_G, (m) => this.canon(m));
    }
    if (Array.isArray(v)) return v.map((x) => this.canonValue(x));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.canonValue(x, k);
      return out;
    }
    return v;
  }
}

/** For a log: an answer with its times as '<time>'. */
export function printable(v) {
  return JSON.stringify(v, (k, x) => (isTime(x) ? '<time>' : x));
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function idObjects(arr) {
  return arr.length > 1 && arr.every((x) => x && typeof x === 'object' && !Array.isArray(x) &&
    typeof x.id === 'string');
}

/**
 * tie() - may x and y (two items of one server's list) come in either
 * order?  Only when nothing they show orders them: the same days (a
 * period, a planned day) and creation times within a second of each other
 * (a partner's times come as their day, which ties all of that day).
 */
function tie(x, y) {
  if (!isTime(x.created_at) || !isTime(y.created_at)) return false;
  if (Math.abs(Date.parse(x.created_at) - Date.parse(y.created_at)) > 1000) return false;
  for (const k of Object.keys(x)) {
    if (typeof x[k] === 'string' && DATE_RE.test(x[k]) && x[k] !== y[k]) return false;
  }
  return true;
}

/**
 * difference() - where two canonical answers differ ('$.path'), or null.
 * Times are set aside.  A list of items in another order is the same list
 * when every pair the two servers order differently is a tie on each
 * server (made in the same second, same days): the servers' clocks tick
 * apart.
 */
export function difference(a, b, p = '$') {
  if (isTime(a) && isTime(b)) return null;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? null : p;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return p;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${p}.length`;
    let first = null;
    for (let i = 0; i < a.length && first === null; i++) first = difference(a[i], b[i], `${p}[${i}]`);
    if (first === null || !idObjects(a) || !idObjects(b)) return first;
    const posB = new Map(b.map((x, i) => [x.id, i]));
    if (posB.size !== b.length || a.some((x) => !posB.has(x.id))) return first;
    for (let i = 0; i < a.length; i++) {
      for (let j = i + 1; j < a.length; j++) {
        const bi = posB.get(a[i].id);
        const bj = posB.get(a[j].id);
        if (bi > bj && !(tie(a[i], a[j]) && tie(b[bi], b[bj]))) return first;
      }
    }
    const reordered = a.map((x) => b[posB.get(x.id)]);
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], reordered[i], `${p}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join('\0') !== kb.join('\0')) return `${p}{keys}`;
  for (const k of ka) {
    const d = difference(a[k], b[k], `${p}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

// ---- the model: couples, what they wrote, and the operations drawn from it ----

const WORDS = ['we', 'talk', 'slowly', 'tonight', 'after', 'dinner', 'I', 'felt', 'heard', 'walk',
  'the', 'dog', 'together', 'trust', 'grows', 'small', 'steps', 'honest', 'kind', 'quiet',
  'sábado', 'mañana', 'café', 'прогулка', 'вечером', 'чай', '😊', 'naïve', 'Zoë', '"quoted"',
  'back\\slash', "it's", '<b>not</b>', '&amp;', '🫶🏽', 'e\u0301', '\u202eRTL', 'tab\there',
  'line\nbreak'];

/** A synthetic text of n words at most, max characters at most (code points). */
function text(rng, n = 8, max = 200) {
  const words = [];
  const k = rng.int(1, n);
  for (let i = 0; i < k; i++) words.push(rng.pick(WORDS));
  return [...words.join(' ')].slice(0, max).join('').trim() || 'ok';
}

const SHARE_KINDS = ['insecurity', 'fear', 'desire', 'need', 'hope'];
const ACTIVITY_KINDS = ['exercise', 'cooking', 'hobby', 'other'];
const AGREEMENT_CATEGORIES = ['physical_contact', 'flirting', 'online', 'privacy', 'finances',
  'decisions', 'other'];
const RUNGS = ['hands', 'hug', 'kiss', 'cuddle', 'massage', 'sensate_1', 'sensate_2', 'sensate_3',
  'intercourse'];
const FEELINGS_FALLBACK = ['hurt', 'taken_for_granted', 'powerless', 'ashamed'];
const HELP_CODES = ['trust_falling', 'breaches', 'overwhelmed', 'sexual_low', 'asked'];
const WANTS = ['reassurance', 'space', 'talk_later', 'hold'];
const DIMS = ['emotional', 'physical', 'mental', 'sexual', 'financial'];

/** The Monday of the week holding today + plus days, as YYYY-MM-DD. */
function monday(plus = 0) {
  const d = new Date(Date.now() + plus * 86400000);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * Model - the couples of one run and the ids they know.  nextOp() draws an
 * operation: {who: 'c.m' (a member's client) or 'anon', label (the route,
 * for logs), method, path, body (an object, a raw string, or a function of
 * the server's index for per-server secrets), opts, after(answer, raws)}.
 */
export class Model {
  constructor(rng, kinds, { couples = 4, tag = 'd' } = {}) {
    this.rng = rng;
    this.kinds = kinds;
    this.versions = new Map();
    this.couples = [];
    for (let i = 0; i < couples; i++) {
      const members = [0, 1].map((m) => ({
        login: `${tag}c${i}m${m}`,
        password: `pw-${tag}-${i}-${m}-Test`,
        display_name: m === 0 ? `Person ${i}A` : `Person ${i}B`,
        id: null,
        concern: false,
      }));
      const therapist = { login: `${tag}c${i}t`, password: `pw-${tag}-${i}-t-Test`, display_name: `Dr. ${i}`, id: null };
      this.couples.push({ i, members, therapist, items: {}, tokens: null, feelings: FEELINGS_FALLBACK });
    }
  }

  /**
   * setupSteps() - the operations that make the couples, in steps of one
   * operation per couple (sent together): sign up, invite, join, sign in
   * again (the first partner: a password hash costs), the feelings' keys.
   */
  setupSteps() {
    const each = (f) => this.couples.map((c) => ({ who: `${c.i}.0`, ...f(c, c.members[0], c.members[1]) }));
    return [
      each((c, a) => ({ label: 'POST /api/v1/signup', method: 'POST', path: '/api/v1/signup',
        body: { login: a.login, password: a.password, display_name: a.display_name, language: 'en' },
        after: (ans) => { a.id = ans.body?.member?.id; } })),
      each((c) => ({ label: 'POST /api/v1/invites', method: 'POST', path: '/api/v1/invites',
        body: { role: 'partner' },
        after: (ans, raws) => { c.tokens = raws.map((r) => r.json?.token); } })),
      each((c, a, b) => ({ who: `${c.i}.1`, label: 'POST /api/v1/join', method: 'POST', path: '/api/v1/join',
        body: (s) => ({ token: c.tokens[s], login: b.login, password: b.password,
          display_name: b.display_name, language: 'en' }),
        after: (ans) => { b.id = ans.body?.member?.id; } })),
      each((c, a) => ({ label: 'POST /api/v1/login', method: 'POST', path: '/api/v1/login',
        body: { login: a.login, password: a.password } })),
      each((c) => ({ label: 'GET /api/v1/breaches/feelings', method: 'GET', path: '/api/v1/breaches/feelings',
        after: (ans) => {
          const keys = ans.body?.feelings?.map((f) => f.key);
          if (keys?.length) c.feelings = keys;
        } })),
      // the care team: a therapist proposed, approved by the other partner, joining (in Russian)
      each((c) => ({ label: 'POST /api/v1/care/invites', method: 'POST', path: '/api/v1/care/invites', body: {},
        after: (ans) => { c.careInvite = ans.body?.invite?.id; } })),
      each((c) => ({ who: `${c.i}.1`, label: 'POST /api/v1/care/invites/{id}/approve', method: 'POST',
        path: () => `/api/v1/care/invites/${c.careInvite}/approve`,
        after: (ans, raws) => { c.careTokens = raws.map((r) => r.json?.token); } })),
      each((c) => ({ who: `${c.i}.2`, label: 'POST /api/v1/join (therapist)', method: 'POST', path: '/api/v1/join',
        body: (s) => ({ token: c.careTokens[s], login: c.therapist.login, password: c.therapist.password,
          display_name: c.therapist.display_name, language: 'ru' }),
        after: (ans) => { c.therapist.id = ans.body?.member?.id; } })),
    ];
  }

  /** Learn the versions in an answer both servers gave. */
  learn(v) {
    if (Array.isArray(v)) {
      for (const x of v) this.learn(x);
    } else if (v && typeof v === 'object') {
      if (typeof v.id === 'string' && typeof v.version === 'number') this.versions.set(v.id, v.version);
      for (const x of Object.values(v)) this.learn(x);
    }
  }

  pool(c, name) {
    c.items[name] = c.items[name] || [];
    return c.items[name];
  }

  /** Remember an item an answer made (201 or 200), under name, written by member m. */
  keep(c, name, m, pick, extra = {}) {
    return (ans) => {
      if (ans.status !== 200 && ans.status !== 201) return;
      const item = pick(ans.body);
      if (item && typeof item.id === 'string') this.pool(c, name).push({ id: item.id, author: m, ...extra });
    };
  }

  /**
   * target() - an id for an operation on a name item of couple c: mostly
   * one of the couple's (either partner's, gone or not), sometimes another
   * couple's, sometimes one that never was.
   */
  target(c, name, { mine = null } = {}) {
    const r = this.rng.next();
    let pool = this.pool(c, name);
    if (mine !== null && this.rng.chance(0.8)) pool = pool.filter((x) => x.author === mine);
    if (r < 0.82 && pool.length) return this.rng.pick(pool).id;
    if (r < 0.92) {
      const other = this.rng.pick(this.couples);
      const op = this.pool(other, name);
      if (op.length) return this.rng.pick(op).id;
    }
    return this.rng.hex(32);
  }

  /** A shared_with of the choices allowed: [], ['partner'], ['partner', 'care'], or a wrong one. */
  shared(allowCare = true) {
    const r = this.rng.next();
    if (r < 0.3) return [];
    if (r < 0.75 || !allowCare) return ['partner'];
    if (r < 0.97) return ['partner', 'care'];
    return this.rng.pick([['care'], ['nobody'], 'partner', ['partner', 'partner']]);
  }

  /** Sometimes spoil a valid body: a wrong type, an unknown field, a field too long, one missing. */
  spoil(body, p = 0.08) {
    if (!this.rng.chance(p)) return body;
    const keys = Object.keys(body);
    const out = { ...body };
    const r = this.rng.int(0, 4);
    const k = keys.length ? this.rng.pick(keys) : 'x';
    if (r === 0) out[k] = typeof body[k] === 'number' ? 'seven' : 7;
    else if (r === 1) out.unexpected = 'x';
    else if (r === 2) out[k] = 'y'.repeat(this.rng.pick([1001, 2001, 4001, 20001]));
    else if (r === 3) delete out[k];
    else out[k] = null;
    return out;
  }

  /**
   * nextStep() - the next step of the random sequence: an operation of
   * each couple, by either partner, which the runner sends together (what
   * one couple does cannot change what another's answers say).
   */
  nextStep(progress = 0) {
    const step = this.couples.map((c) => this.nextOp(c));
    // once, late in the sequence: the last couple's second partner leaves (a password
    // check: a hash on each server), after a wrong password that is refused
    // once, past the middle: the first couple ends its therapist's access
    const first = this.couples[0];
    if (progress >= 0.6 && !first.careEnded && first.therapist.id) {
      first.careEnded = true;
      step[0] = { who: `${first.i}.0`, label: 'DELETE /api/v1/care/{id}', method: 'DELETE',
        path: `/api/v1/care/${first.therapist.id}` };
    }
    const last = this.couples.at(-1);
    if (progress >= 0.85 && !last.left) {
      const leaver = last.members[1];
      const password = last.tried ? leaver.password : `${leaver.password}-wrong`;
      step[step.length - 1] = { who: `${last.i}.1`, label: 'POST /api/v1/couple/leave', method: 'POST',
        path: '/api/v1/couple/leave', body: { password } };
      if (last.tried) last.left = true;
      last.tried = true;
    }
    return step;
  }

  /** The next operation of couple c. */
  nextOp(c) {
    const rng = this.rng;
    for (;;) {
      // now and then the couple's therapist, who reads what was shared with the care
      // team and is refused the partners' routes (the operation drawn as the second
      // partner's, sent with the therapist's session)
      const care = rng.chance(0.1);
      const m = care ? 1 : rng.int(0, 1);
      const area = rng.pick(AREAS);
      const op = this[area](c, m);
      if (!op) continue;
      const therapist = care && op.who !== 'anon';
      if (therapist) op.who = `${c.i}.2`;
      return { who: `${c.i}.${m}`, ...op, label: `${op.label || `${op.method} ${op.path}`}${therapist ? ' (therapist)' : ''}` };
    }
  }

  // ---- the areas, each an operation of couple c's member m ----

  journal(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 9);
    if (r <= 2) {
      const body = this.spoil({ body: text(rng, 30, 20000), ...(rng.chance(0.3) ? { prompt: text(rng, 5, 200) } : {}) });
      return { method: 'POST', path: '/api/v1/journal', body, after: this.keep(c, 'journal', m, (b) => b?.entry) };
    }
    if (r <= 4) {
      const q = rng.pick(['', '?limit=5', `?limit=3&before=${this.target(c, 'journal')}`, '?limit=0', '?limit=101',
        '?limit=x', '?limit=2&limit=3']);
      return { method: 'GET', path: `/api/v1/journal${q}`, label: 'GET /api/v1/journal?' };
    }
    const id = this.target(c, 'journal', { mine: m });
    if (r <= 6) return { method: 'GET', path: `/api/v1/journal/${id}`, label: 'GET /api/v1/journal/{id}' };
    if (r <= 8) {
      return { method: 'PUT', path: `/api/v1/journal/${id}`, label: 'PUT /api/v1/journal/{id}',
        body: this.spoil({ body: text(rng, 30) }) };
    }
    return { method: 'DELETE', path: `/api/v1/journal/${id}`, label: 'DELETE /api/v1/journal/{id}' };
  }

  /** A body of registry kind k: random values of its fields, in range or now and then not. */
  kindBody(k) {
    const rng = this.rng;
    const body = {};
    for (const f of k.fields) {
      if (!f.required && rng.chance(0.4)) continue;
      let v;
      if (f.type === 'shared') v = this.shared((k.shared_allowed & 2) !== 0);
      else if (f.type === 'string') v = f.min === 5 && f.max === 5 ? rng.pick(['07:30', '21:05', '7.30 ']) : text(rng, 10, f.max);
      else if (f.type === 'enum') v = rng.chance(0.97) ? rng.pick(f.choices) : 'none_of_them';
      else if (f.type === 'date') v = day(rng.chance(0.9) ? rng.int(-20, 20) : rng.int(-400, 400));
      else if (f.type === 'int') v = rng.int(f.min - (rng.chance(0.05) ? 1 : 0), Math.min(f.max, f.min + 120));
      else if (f.type === 'bool') v = rng.chance(0.5);
      else if (f.type === 'enum_set') v = rng.some(f.choices, f.min);
      const dot = f.name.indexOf('.');
      if (dot < 0) body[f.name] = v;
      else (body[f.name.slice(0, dot)] ||= {})[f.name.slice(dot + 1)] = v;
    }
    // a limit's `until` goes with "not now" alone, today or later (src/core/boundaries.c)
    if (k.name === 'limit' && rng.chance(0.9)) {
      if (body.kind === 'not_now') body.until = day(rng.int(0, 60));
      else delete body.until;
    }
    return this.spoil(body, 0.05);
  }

  kind(c, m) {
    const rng = this.rng;
    const k = rng.pick(this.kinds);
    const base = `/api/v1/${k.plural}`;
    const r = rng.int(0, 9);
    if (r <= 3) {
      return { method: 'POST', path: base, body: this.kindBody(k),
        after: this.keep(c, k.name, m, (b) => b?.[k.name]) };
    }
    if (r <= 5) return { method: 'GET', path: base };
    const id = this.target(c, k.name, { mine: rng.chance(0.7) ? m : null });
    if (r <= 7) return { method: 'GET', path: `${base}/${id}`, label: `GET ${base}/{id}` };
    if (r <= 8) return { method: 'PUT', path: `${base}/${id}`, label: `PUT ${base}/{id}`, body: this.kindBody(k) };
    return { method: 'DELETE', path: `${base}/${id}`, label: `DELETE ${base}/{id}` };
  }

  statementBody() {
    const rng = this.rng;
    const body = {};
    for (const part of ['what_i_did', 'impact', 'why', 'regret', 'repair', 'forgiveness_request']) {
      if (rng.chance(0.75)) body[part] = rng.chance(0.1) ? '' : text(rng, 25, 4000);
    }
    return this.spoil(body, 0.04);
  }

  statements(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/statements', body: this.statementBody(),
        after: this.keep(c, 'statement', m, (b) => b?.statement) };
    }
    if (r === 3) return { method: 'POST', path: '/api/v1/statements/check', body: this.statementBody() };
    if (r === 4) return { method: 'GET', path: '/api/v1/statements' };
    const id = this.target(c, 'statement', { mine: r <= 8 ? m : 1 - m });
    if (r === 5) return { method: 'GET', path: `/api/v1/statements/${id}`, label: 'GET /api/v1/statements/{id}' };
    if (r === 6) {
      return { method: 'PUT', path: `/api/v1/statements/${id}`, label: 'PUT /api/v1/statements/{id}',
        body: this.statementBody() };
    }
    if (r <= 8) {
      return { method: 'POST', path: `/api/v1/statements/${id}/deliver`, label: 'POST /api/v1/statements/{id}/deliver' };
    }
    return { method: 'POST', path: `/api/v1/statements/${id}/responses`,
      label: 'POST /api/v1/statements/{id}/responses',
      body: this.spoil({ read: rng.chance(0.9), ...(rng.chance(0.7) ? { landed: text(rng, 10) } : {}),
        ...(rng.chance(0.5) ? { still_need: text(rng, 10) } : {}) }, 0.05) };
  }

  commitments(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 7);
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/commitments',
        body: this.spoil({ text: text(rng, 12, 1000), review_every_days: rng.pick([1, 7, 14, 30, 365, 0, 366]) }),
        after: this.keep(c, 'commitment', m, (b) => b?.commitment) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/commitments' };
    const id = this.target(c, 'commitment', { mine: m });
    if (r === 4) return { method: 'GET', path: `/api/v1/commitments/${id}`, label: 'GET /api/v1/commitments/{id}' };
    return { method: 'PUT', path: `/api/v1/commitments/${id}`, label: 'PUT /api/v1/commitments/{id}',
      body: this.spoil({ status: rng.pick(['kept', 'slipped', 'renewed']),
        ...(rng.chance(0.5) ? { note: text(rng, 8) } : {}) }) };
  }

  checkinBody(withPeriod = true) {
    const rng = this.rng;
    const scores = {};
    for (const d of DIMS) scores[d] = rng.int(1, 5);
    if (rng.chance(0.03)) scores.emotional = 6;
    const body = { scores, trust: rng.int(0, 10), closeness: rng.int(0, 10), shared_with: this.shared() };
    if (withPeriod) body.period = rng.chance(0.2) ? monday(-7 * rng.int(0, 6)) : day(-rng.int(0, 20));
    if (rng.chance(0.6)) body.note = text(rng, 10, 1000);
    return this.spoil(body, 0.04);
  }

  checkins(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    if (r <= 3) {
      return { method: 'POST', path: '/api/v1/checkins', body: this.checkinBody(),
        after: this.keep(c, 'checkin', m, (b) => b?.checkin) };
    }
    if (r <= 5) {
      const q = rng.pick(['', `?from=${day(-20)}&to=${day(0)}`, `?from=${day(-3)}&to=${day(-3)}`,
        `?from=${day(-400)}&to=${day(0)}`, '?from=yesterday']);
      return { method: 'GET', path: `/api/v1/checkins${q}`, label: 'GET /api/v1/checkins?' };
    }
    if (r === 6) {
      return { method: 'PUT', path: '/api/v1/couple', body: { rhythm: rng.chance(0.75) ? 'daily' : 'weekly' } };
    }
    if (r === 7) return { method: 'GET', path: '/api/v1/couple' };
    const id = this.target(c, 'checkin', { mine: rng.chance(0.6) ? m : null });
    if (r <= 9) return { method: 'GET', path: `/api/v1/checkins/${id}`, label: 'GET /api/v1/checkins/{id}' };
    return { method: 'PUT', path: `/api/v1/checkins/${id}`, label: 'PUT /api/v1/checkins/{id}',
      body: this.checkinBody(false) };
  }

  shares(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 7);
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/shares',
        body: this.spoil({ kind: rng.pick(SHARE_KINDS), body: text(rng, 20, 4000), shared_with: this.shared() }),
        after: this.keep(c, 'share', m, (b) => b?.share) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/shares' };
    const id = this.target(c, 'share', { mine: 1 - m });
    if (r === 4) return { method: 'GET', path: `/api/v1/shares/${id}`, label: 'GET /api/v1/shares/{id}' };
    return { method: 'POST', path: `/api/v1/shares/${id}/ack`, label: 'POST /api/v1/shares/{id}/ack',
      body: rng.chance(0.5) ? {} : this.spoil({ reply: text(rng, 10) }) };
  }

  offers(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 6);
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/offers',
        body: this.spoil({ text: text(rng, 12, 1000), until: day(rng.int(-2, 380)) }),
        after: this.keep(c, 'offer', m, (b) => b?.offer) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/offers' };
    const id = this.target(c, 'offer', { mine: m });
    if (r === 4) return { method: 'GET', path: `/api/v1/offers/${id}`, label: 'GET /api/v1/offers/{id}' };
    return { method: 'POST', path: `/api/v1/offers/${id}/end`, label: 'POST /api/v1/offers/{id}/end' };
  }

  activities(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 6);
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/activities',
        body: this.spoil({ kind: rng.pick(ACTIVITY_KINDS), title: text(rng, 6, 200), planned_for: day(rng.int(-30, 30)) }),
        after: this.keep(c, 'activity', m, (b) => b?.activity) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/activities' };
    const id = this.target(c, 'activity');
    if (r === 4) return { method: 'GET', path: `/api/v1/activities/${id}`, label: 'GET /api/v1/activities/{id}' };
    return { method: 'PUT', path: `/api/v1/activities/${id}`, label: 'PUT /api/v1/activities/{id}',
      body: this.spoil({ done: rng.chance(0.7), ...(rng.chance(0.6) ? { felt: text(rng, 10) } : {}) }) };
  }

  steady(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    if (r === 0) return { method: 'GET', path: '/api/v1/helps-me' };
    if (r === 1) {
      return { method: 'PUT', path: '/api/v1/helps-me',
        body: this.spoil({ body: text(rng, 20, 2000), shared_with: this.shared() }) };
    }
    const plan = (ans) => { if (ans.body?.plan?.id) c.planId = ans.body.plan.id; };
    if (r === 2) return { method: 'GET', path: '/api/v1/conflict-plan', after: plan };
    if (r <= 4) {
      return { method: 'PUT', path: '/api/v1/conflict-plan', after: plan,
        body: this.spoil({ timeout_word: text(rng, 2, 100), break_minutes: rng.pick([20, 30, 45, 60, 1440, 19]),
          come_back: text(rng, 12), soft_startup: text(rng, 12) }) };
    }
    if (r <= 6) {
      const b = {};
      const v = this.versions.get(c.planId);
      if (rng.chance(0.7) && v) b.version = rng.chance(0.8) ? v : Math.max(1, v - 1);
      return { method: 'POST', path: '/api/v1/conflict-plan/accept', body: b, after: plan };
    }
    if (r === 7) {
      return { method: 'POST', path: '/api/v1/timeouts',
        body: rng.chance(0.5) ? {} : this.spoil({ minutes: rng.pick([20, 25, 60, 1441]) }) };
    }
    if (r === 8) return { method: 'GET', path: '/api/v1/timeouts' };
    if (r === 9) return { method: 'GET', path: '/api/v1/trigger-plan' };
    if (r === 10) {
      return { method: 'PUT', path: '/api/v1/trigger-plan',
        body: this.spoil({ wants: rng.some(WANTS), words: rng.chance(0.8) ? text(rng, 10) : '',
          shared_with: rng.chance(0.5) ? [] : ['partner'] }) };
    }
    return { method: 'GET', path: '/api/v1/help-signals' };
  }

  agreements(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    const review = () => day(rng.chance(0.95) ? rng.int(0, 365) : rng.pick([-1, 400]));
    if (r <= 2) {
      return { method: 'POST', path: '/api/v1/agreements',
        body: this.spoil({ category: rng.pick(AGREEMENT_CATEGORIES), text: text(rng, 12, 2000),
          consequence: text(rng, 12, 2000), review_on: review(),
          ...(rng.chance(0.5) ? { shared_with: rng.pick([['partner'], ['partner', 'care'], []]) } : {}) }),
        after: this.keep(c, 'agreement', m, (b) => b?.agreement) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/agreements' };
    const id = this.target(c, 'agreement');
    if (r === 4) return { method: 'GET', path: `/api/v1/agreements/${id}`, label: 'GET /api/v1/agreements/{id}' };
    const act = (verb, body) => ({ method: 'POST', path: `/api/v1/agreements/${id}/${verb}`,
      label: `POST /api/v1/agreements/{id}/${verb}`, body });
    if (r <= 7) {
      const v = this.versions.get(id) ?? 1;
      return act('accept', this.spoil({ version: rng.chance(0.8) ? v : Math.max(1, v - 1) }, 0.03));
    }
    if (r === 8) {
      return act('revise', this.spoil({ text: text(rng, 12), consequence: text(rng, 8), review_on: review(),
        ...(rng.chance(0.5) ? { note: text(rng, 6) } : {}) }));
    }
    if (r <= 10) return act('decline', rng.chance(0.5) ? {} : { note: text(rng, 6) });
    return act('retire', this.spoil({ reason: text(rng, 6) }));
  }

  repairBody(c) {
    const rng = this.rng;
    return this.spoil({ feelings: rng.some(c.feelings, 1), my_view: text(rng, 12), my_part: text(rng, 12),
      do_differently: text(rng, 12), ...(rng.chance(0.5) ? { their_view_summary: text(rng, 8) } : {}),
      ...(rng.chance(0.5) ? { triggers: text(rng, 8) } : {}) }, 0.05);
  }

  breaches(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    if (r <= 2) {
      const body = { description: text(rng, 12, 2000), self_report: rng.chance(0.5) };
      if (rng.chance(0.5)) body.agreement_id = this.target(c, 'agreement');
      if (rng.chance(0.4)) body.shared_with = rng.pick([['partner'], ['partner', 'care'], []]);
      return { method: 'POST', path: '/api/v1/breaches', body: this.spoil(body, 0.05),
        after: this.keep(c, 'breach', m, (b) => b?.breach) };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/breaches' };
    if (r === 4) return { method: 'GET', path: '/api/v1/breaches/feelings' };
    const id = this.target(c, 'breach');
    if (r === 5) return { method: 'GET', path: `/api/v1/breaches/${id}`, label: 'GET /api/v1/breaches/{id}' };
    if (r <= 8) {
      const method = rng.chance(0.7) ? 'POST' : 'PUT';
      return { method, path: `/api/v1/breaches/${id}/repair`, label: `${method} /api/v1/breaches/{id}/repair`,
        body: this.repairBody(c) };
    }
    return { method: 'POST', path: `/api/v1/breaches/${id}/repaired`, label: 'POST /api/v1/breaches/{id}/repaired' };
  }

  rota(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 11);
    const partner = () => (rng.chance(0.9) ? c.members[rng.int(0, 1)].id : this.rng.hex(32));
    if (r <= 1) {
      return { method: 'POST', path: '/api/v1/chores',
        body: this.spoil({ title: text(rng, 5, 200), first_partner: partner(), starts_on: day(rng.int(-30, 30)) }),
        after: this.keep(c, 'chore', m, (b) => b?.chore) };
    }
    if (r === 2) {
      const q = rng.pick(['', `?week=${monday(7 * rng.int(-4, 4))}`, `?week=${day(1)}`]);
      return { method: 'GET', path: `/api/v1/chores${q}`, label: 'GET /api/v1/chores?' };
    }
    if (r === 3) {
      const id = this.target(c, 'chore');
      return { method: 'DELETE', path: `/api/v1/chores/${id}`, label: 'DELETE /api/v1/chores/{id}' };
    }
    if (r <= 5) {
      return { method: 'POST', path: '/api/v1/dates',
        body: this.spoil({ title: text(rng, 5, 200), planned_for: day(rng.int(-30, 30)) }),
        after: this.keep(c, 'date', m, (b) => b?.date) };
    }
    if (r === 6) return { method: 'GET', path: '/api/v1/dates' };
    if (r === 7) {
      const id = this.target(c, 'date');
      const done = rng.chance(0.7);
      const body = { done };
      if (rng.chance(0.7)) body.rating = rng.int(done ? 1 : 0, 5);
      if (rng.chance(0.5)) body.note = text(rng, 8);
      return { method: 'PUT', path: `/api/v1/dates/${id}`, label: 'PUT /api/v1/dates/{id}', body: this.spoil(body) };
    }
    if (r === 8) {
      return { method: 'POST', path: '/api/v1/homework',
        body: this.spoil({ title: text(rng, 5, 200), body: text(rng, 12), due_on: day(rng.int(-1, 367)),
          ...(rng.chance(0.4) ? { shared_with: rng.pick([['partner'], ['partner', 'care'], []]) } : {}) }),
        after: this.keep(c, 'homework', m, (b) => b?.homework) };
    }
    if (r === 9) return { method: 'GET', path: '/api/v1/homework' };
    const id = this.target(c, 'homework');
    return { method: 'PUT', path: `/api/v1/homework/${id}`, label: 'PUT /api/v1/homework/{id}',
      body: this.spoil({ done: rng.chance(0.7), ...(rng.chance(0.5) ? { note: text(rng, 8) } : {}) }) };
  }

  kindness(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 13);
    if (r <= 1) {
      return { method: 'POST', path: '/api/v1/appreciations',
        body: this.spoil({ body: text(rng, 12, 1000), ...(rng.chance(0.5) ? { meant: text(rng, 8) } : {}) }),
        after: this.keep(c, 'appreciation', m, (b) => b?.appreciation) };
    }
    if (r === 2) return { method: 'GET', path: '/api/v1/appreciations' };
    if (r === 3) {
      const id = this.target(c, 'appreciation', { mine: 1 - m });
      return { method: 'POST', path: `/api/v1/appreciations/${id}/thanks`,
        label: 'POST /api/v1/appreciations/{id}/thanks' };
    }
    if (r === 4) {
      return { method: 'POST', path: '/api/v1/triggered',
        body: rng.chance(0.4) ? {} : this.spoil({ note: text(rng, 8, 500) }),
        after: this.keep(c, 'triggered', m, (b) => b?.triggered) };
    }
    if (r === 5) return { method: 'GET', path: '/api/v1/triggered' };
    if (r === 6) {
      const id = this.target(c, 'triggered', { mine: 1 - m });
      return { method: 'POST', path: `/api/v1/triggered/${id}/answer`, label: 'POST /api/v1/triggered/{id}/answer',
        body: {} };
    }
    if (r === 7) return { method: 'GET', path: '/api/v1/pace' };
    if (r <= 9) {
      const key = rng.chance(0.95) ? rng.pick(RUNGS) : 'flying';
      return { method: 'PUT', path: `/api/v1/pace/${key}`, label: 'PUT /api/v1/pace/{key}',
        body: this.spoil({ choice: rng.pick(['yes', 'yes', 'maybe', 'not_yet']) }, 0.04) };
    }
    if (r === 10) {
      return { method: 'POST', path: `/api/v1/pace/${rng.chance(0.5) ? 'pause' : 'resume'}` };
    }
    if (r === 11) {
      const first = rng.chance(0.9) ? c.members[rng.int(0, 1)].id : this.rng.hex(32);
      return { method: 'POST', path: '/api/v1/listening',
        body: this.spoil({ speaker_first: first, ...(rng.chance(0.6) ? { topic: text(rng, 5, 200) } : {}) }),
        after: this.keep(c, 'listening', m, (b) => b?.listening) };
    }
    if (r === 12) return { method: 'GET', path: '/api/v1/listening' };
    const id = this.target(c, 'listening');
    return { method: 'PUT', path: `/api/v1/listening/${id}`, label: 'PUT /api/v1/listening/{id}',
      body: this.spoil({ turns: rng.int(0, 100), minutes: rng.int(0, 600), felt_heard: rng.int(1, 5) }) };
  }

  help(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 5);
    if (r <= 1) {
      return { method: 'POST', path: '/api/v1/help-requests',
        body: this.spoil({ kind: rng.pick(['asked', 'overwhelmed']), ...(rng.chance(0.5) ? { note: text(rng, 8) } : {}) }) };
    }
    if (r === 2) return { method: 'GET', path: '/api/v1/help-requests' };
    if (r === 3) return { method: 'GET', path: '/api/v1/help-signals' };
    const code = rng.pick(HELP_CODES);
    return { method: 'POST', path: `/api/v1/help-signals/${code}/dismiss`, label: 'POST /api/v1/help-signals/{code}/dismiss' };
  }

  account(c, m) {
    const rng = this.rng;
    const me = c.members[m];
    const r = rng.int(0, 19);
    if (r <= 1) return { method: 'GET', path: '/api/v1/me' };
    if (r === 2) {
      const body = {};
      if (rng.chance(0.5)) body.language = rng.pick(['en', 'en', 'es', 'ru', 'fr']);
      if (rng.chance(0.3)) body.display_name = rng.chance(0.95) ? text(rng, 3, 80) : '';
      if (rng.chance(0.3)) body.discreet = rng.chance(0.5);
      return { method: 'PUT', path: '/api/v1/me', body };
    }
    if (r === 3) return { method: 'GET', path: '/api/v1/me/sessions' };
    if (r === 4) {
      return { method: 'DELETE', path: `/api/v1/me/sessions/${rng.hex(32)}`, label: 'DELETE /api/v1/me/sessions/{id} (unknown)' };
    }
    if (r === 5) return { method: 'GET', path: '/api/v1/me/activity' };
    if (r === 6) return { method: 'GET', path: '/api/v1/safety-check' };
    if (r === 7) {
      // a concern closes the couple exercises to this member until a check without one
      const concern = me.concern ? rng.chance(0.3) : rng.chance(0.1);
      const body = { afraid: false, threatened: false, hurt: concern, forced: false };
      return { method: 'POST', path: '/api/v1/safety-check', body: this.spoil(body, 0.1),
        after: (ans) => { if (ans.status === 200) me.concern = ans.body?.result === 'concern'; } };
    }
    if (r === 8) {
      return { method: 'POST', path: '/api/v1/coach',
        body: this.spoil({ text: rng.chance(0.5) ? 'You always do this and you never listen.' : text(rng, 20),
          ...(rng.chance(0.5) ? { language: rng.pick(['en', 'es', 'ru']) } : {}) }, 0.05) };
    }
    if (r === 9) {
      const q = rng.pick(['', `?from=${day(-30)}&to=${day(0)}`, `?from=${day(0)}&to=${day(-1)}`,
        `?journal=${this.target(c, 'journal', { mine: m })}`, '?what=1']);
      return { method: 'GET', path: `/api/v1/summary${q}`, label: 'GET /api/v1/summary?' };
    }
    if (r === 10 && rng.chance(0.2)) return { method: 'GET', path: '/api/v1/export' };
    if (r === 11) return { method: 'GET', path: '/api/v1/care' };
    if (r === 12) {
      return { method: 'POST', path: '/api/v1/care/invites', body: rng.chance(0.5) ? {} : this.spoil({ note: text(rng, 6) }),
        after: this.keep(c, 'care_invite', m, (b) => b?.invite) };
    }
    if (r === 13) {
      const id = this.target(c, 'care_invite', { mine: 1 - m });
      const verb = rng.chance(0.6) ? 'approve' : 'cancel';
      return { method: 'POST', path: `/api/v1/care/invites/${id}/${verb}`, label: `POST /api/v1/care/invites/{id}/${verb}` };
    }
    if (r === 14) return { method: 'DELETE', path: `/api/v1/care/${rng.hex(32)}`, label: 'DELETE /api/v1/care/{id} (unknown)' };
    if (r === 15) return { method: 'GET', path: '/api/v1/couple' };
    return null;
  }

  /** Errors on purpose, whatever the route: the order of checks of docs/api.md. */
  errors(c, m) {
    const rng = this.rng;
    const r = rng.int(0, 9);
    const routes = ['/api/v1/journal', '/api/v1/shares', '/api/v1/statements', '/api/v1/appreciations',
      `/api/v1/${rng.pick(this.kinds).plural}`];
    const p = rng.pick(routes);
    if (r === 0) return { method: 'POST', path: p, label: `POST ${p} (invalid JSON)`, body: rng.pick(['{"body":', '[]', '"x"', '{"a":1,"a":2}', '\xff']) };
    if (r === 1) return { method: 'POST', path: p, label: `POST ${p} (no CSRF token)`, body: { body: 'x' }, opts: { csrf: false } };
    if (r === 2) {
      return { method: 'POST', path: p, label: `POST ${p} (text/plain)`, body: '{"body":"x"}',
        opts: { contentType: 'text/plain' } };
    }
    if (r === 3) return { method: 'POST', path: p, label: `POST ${p} (too large)`, body: { body: 'z'.repeat(70000) } };
    if (r === 4) return { method: 'GET', path: `/api/v1/no-such-${rng.pick(['thing', 'route'])}`, label: 'GET unknown route' };
    if (r === 5) return { method: 'PATCH', path: p, label: `PATCH ${p}` };
    if (r === 6) return { who: 'anon', method: 'GET', path: p, label: `GET ${p} (signed out)`, opts: { cookie: false } };
    if (r === 7) {
      // a refused sign-up (no password is hashed: that takes long)
      const login = `n${rng.hex(8)}`;
      return { who: 'anon', method: 'POST', path: '/api/v1/signup', label: 'POST /api/v1/signup (refused)',
        opts: { cookie: false },
        body: rng.pick([{ login: c.members[0].login, password: 'short', display_name: 'X', language: 'en' },
          { login, password: 'password123', display_name: 'X', language: 'en' },
          { login, password: `has-${login}-in-it`, display_name: 'X', language: 'en' },
          { login, password: 'pw-long-enough-Test', display_name: '', language: 'en' },
          { login, password: 'pw-long-enough-Test', display_name: 'X', language: 'xx' }]) };
    }
    if (r === 8) return { method: 'GET', path: `${p}/${rng.pick(['not-an-id', 'ABCDEF', rng.hex(31), rng.hex(33)])}`, label: `GET ${p}/{bad id}` };
    return { method: 'POST', path: p, label: `POST ${p} (unknown field)`, body: { zzz: 1 } };
  }
}

/** Each area's weight: how many times it is in the list nextOp() picks from. */
const AREAS = [
  ...Array(5).fill('journal'), ...Array(8).fill('kind'), ...Array(4).fill('statements'),
  ...Array(2).fill('commitments'), ...Array(4).fill('checkins'), ...Array(2).fill('shares'),
  ...Array(2).fill('offers'), ...Array(2).fill('activities'), ...Array(3).fill('steady'),
  ...Array(4).fill('agreements'), ...Array(4).fill('breaches'), ...Array(4).fill('rota'),
  ...Array(4).fill('kindness'), 'help', ...Array(3).fill('account'), ...Array(2).fill('errors'),
];
