// The registry of item kinds as the tests see it: `kintsugi routes --kinds`
// lists every kind that is all data with its fields, and these helpers make
// a valid body for any of them.  The authorization matrix, the browser's
// page walk and the kinds' own tests take the kinds from here, so a new
// kind is covered without writing its entries by hand.

import { spawnSync } from 'node:child_process';

import { serverBinary, toolEnv } from './harness.mjs';

let cached = null;

/** registryKinds() - [{name, plural, who, shared_default, shared_allowed, fields: [...]}]. */
export function registryKinds() {
  if (cached) return cached;
  const r = spawnSync(serverBinary(), ['routes', '--kinds'], { encoding: 'utf8', env: toolEnv() });
  if (r.status !== 0) throw new Error(`kintsugi routes --kinds: ${r.status} ${r.stderr}`);
  cached = JSON.parse(r.stdout);
  return cached;
}

/** Today in UTC as YYYY-MM-DD, plus days. */
export function day(plus = 0) {
  return new Date(Date.now() + plus * 86400000).toISOString().slice(0, 10);
}

/**
 * valueOf() - the value of field name in a JSON body: a group's member
 * "checklist.fees" is body.checklist.fees.
 */
export function valueOf(body, name) {
  const dot = name.indexOf('.');
  if (dot < 0) return body[name];
  const group = body[name.slice(0, dot)];
  return group ? group[name.slice(dot + 1)] : undefined;
}

/** setValue() - set field name in a JSON body, making a group's object. */
export function setValue(body, name, value) {
  const dot = name.indexOf('.');
  if (dot < 0) {
    body[name] = value;
    return;
  }
  const g = name.slice(0, dot);
  body[g] = body[g] || {};
  body[g][name.slice(dot + 1)] = value;
}

/**
 * exampleBody() - a valid JSON body for kind: every required field, the
 * first text carrying `mark`, shared as `shared` (['partner'] or []).
 */
export function exampleBody(kind, { mark = 'example', shared = [] } = {}) {
  const body = {};
  let marked = false;
  for (const f of kind.fields) {
    if (f.type === 'shared') {
      body[f.name] = shared;
      continue;
    }
    if (!f.required) continue;
    if (f.type === 'string') {
      setValue(body, f.name, (marked ? `${mark} (${f.name})` : mark).slice(0, f.max));
      marked = true;
    } else if (f.type === 'enum') {
      setValue(body, f.name, f.choices[0]);
    } else if (f.type === 'date') {
      setValue(body, f.name, day(7));
    } else if (f.type === 'int') {
      setValue(body, f.name, f.min);
    } else if (f.type === 'bool') {
      setValue(body, f.name, true);
    } else if (f.type === 'enum_set') {
      setValue(body, f.name, f.choices.slice(0, Math.max(f.min, 1)));
    }
  }
  // a kind with no required text (the self-care log): the mark goes in its first text
  const text = marked ? null : kind.fields.find((f) => f.type === 'string' && f.max >= mark.length);
  if (text) setValue(body, text.name, mark);
  return body;
}

/** asForm() - a JSON body of kind as the fields its page's form sends. */
export function asForm(kind, body) {
  const out = {};
  for (const f of kind.fields) {
    const v = valueOf(body, f.name);
    if (v === undefined || v === null) continue;
    if (f.type === 'shared') {
      if (v.includes('partner')) out.share_partner = '1';
      if (v.includes('care')) out.share_care = '1';
    } else if (f.type === 'enum_set') {
      for (const c of v) out[`${f.name}.${c}`] = '1';
    } else if (f.type === 'bool') {
      out[f.name] = v ? '1' : '0';
    } else {
      out[f.name] = String(v);
    }
  }
  return out;
}
