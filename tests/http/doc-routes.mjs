// The GET routes docs/api.md lists, and the addresses of them a member can
// read: for the tests that walk everything one member can see (the safety
// check changes nothing of it; no time of day of the partner's is in it).

import fs from 'node:fs';
import path from 'node:path';

import { repoRoot } from './harness.mjs';

/** Every GET route of docs/api.md, with who may call it. */
export function docGetRoutes() {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const re = /^\|\s*`GET ([^`\s]+)`\s*\|\s*([^|]*?)\s*\|/gm;
  const out = [];
  let m;
  while ((m = re.exec(text))) out.push({ pattern: m[1], who: m[2] });
  return out;
}

/**
 * The GET addresses client c (a partner) may read: the routes without an
 * {id} as they are, and each {id} route with the first id (of those c's
 * answers hold) that c may read.  {paths, missing}: missing are the {id}
 * routes no id of c's filled.
 */
export async function readablePaths(c) {
  const routes = docGetRoutes().filter((r) => r.who !== 'therapist' && !r.pattern.includes('*'));
  const plain = routes.filter((r) => !r.pattern.includes('{')).map((r) => r.pattern);
  const ids = new Set();
  for (const p of plain) {
    const res = await c.get(p);
    for (const id of res.text.match(/\b[0-9a-f]{32}\b/g) || []) ids.add(id);
  }
  const paths = [...plain];
  const missing = [];
  for (const r of routes.filter((x) => x.pattern.includes('{'))) {
    let found = null;
    for (const id of ids) {
      const p = r.pattern.replace('{id}', id);
      if ((await c.get(p)).status === 200) {
        found = p;
        break;
      }
    }
    if (found) paths.push(found);
    else missing.push(r.pattern);
  }
  return { paths, missing };
}
