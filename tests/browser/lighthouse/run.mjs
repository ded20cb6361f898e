// make lighthouse: Lighthouse (mobile form factor) against Debian's chromium
// for the main pages of a throwaway server, offline; prints a table of the
// accessibility, best-practices and performance scores and writes the JSON
// reports to tests/browser/lighthouse/reports/.  Not part of `make test`.

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { SESSION_COOKIE, pair } from '../../http/harness.mjs';
import { CHROMIUM, CHROMIUM_ARGS, startServer } from '../lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPORTS = path.join(here, 'reports');
const CATEGORIES = ['accessibility', 'best-practices', 'performance'];

function day(plus = 0) {
  return new Date(Date.now() + plus * 86400000).toISOString().slice(0, 10);
}

async function main() {
  await fs.mkdir(REPORTS, { recursive: true });
  const server = await startServer();
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || CHROMIUM,
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
  });
  const rows = [];
  let failed = false;
  try {
    const { aClient } = await pair(server.url);
    const r = await aClient.post('/api/v1/journal', { body: 'A short entry for Lighthouse to read.' });
    const entry = r.json.entry.id;
    await aClient.post('/api/v1/checkins', {
      period: day(), scores: { emotional: 3, physical: 3, mental: 3, sexual: 3, financial: 3 },
      trust: 5, closeness: 5, shared_with: ['partner'],
    });
    const cookie = { Cookie: `${SESSION_COOKIE}=${aClient.cookie}` };
    const pages = [
      ['/', null], ['/signup', null], ['/signin', null], ['/privacy', null],
      ['/home', cookie], ['/journal', cookie], [`/journal/${entry}`, cookie], ['/journal/new', cookie],
      ['/statements', cookie], ['/checkin', cookie], ['/settings', cookie],
    ];
    for (const [p, headers] of pages) {
      const res = await lighthouse(`${server.url}${p}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: CATEGORIES,
        formFactor: 'mobile',
        extraHeaders: headers || undefined,
      });
      const lhr = res.lhr;
      if (lhr.runtimeError) {
        failed = true;
        console.error(`${p}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        continue;
      }
      const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
      rows.push([p.replace(/[0-9a-f]{32}/, '{id}'), ...CATEGORIES.map(score)]);
      const below = [];
      for (const c of CATEGORIES) {
        for (const ref of lhr.categories[c].auditRefs) {
          const a = lhr.audits[ref.id];
          if (ref.weight > 0 && a.score !== null && a.score < 1) below.push(`${c}: ${a.id} (${a.score})`);
        }
      }
      if (below.length) console.error(`${p}: ${below.join('; ')}`);
      const name = p === '/' ? 'landing' : p.slice(1).replace(/[0-9a-f]{32}/, 'id').replace(/\//g, '-');
      await fs.writeFile(path.join(REPORTS, `${name}.json`), res.report);
    }
  } finally {
    await chrome.kill();
    await server.stop();
  }
  console.log(`| page | ${CATEGORIES.join(' | ')} |`);
  console.log(`|---|${CATEGORIES.map(() => '---:').join('|')}|`);
  for (const row of rows) console.log(`| \`${row[0]}\` | ${row.slice(1).join(' | ')} |`);
  if (failed) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
