// Shared pieces of the browser tests: Debian's Chromium driven by
// playwright-core, a guard on every context (no request may leave for
// another host, no console error), axe-core, and the routes of docs/api.md.
//
// The server comes from the HTTP suite's harness (tests/http/harness.mjs):
// a fresh database on a free loopback port, kintsugi-test (KINTSUGI_BIN, the
// Makefile): Argon2id at its lowest cost.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { repoRoot, startServer as startHttpServer, RECOVERY_KEY_RE, rand, uniqueLogin,
  uniquePassword } from '../http/harness.mjs';

export { repoRoot, RECOVERY_KEY_RE, rand, uniqueLogin, uniquePassword };

const require = createRequire(import.meta.url);

export const LANGS = ['en', 'es', 'ru'];
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Nothing leaves the machine: every request to a host other than loopback
// goes to a proxy on the discard port, where nothing listens, and fails
// (Chromium never sends loopback through a proxy).  The guard below sees
// each such request and fails the test; the browser itself blocks it, so
// no request is held up in the test's process on its way (a route()
// handler on every request cost a round trip each, and turned off the
// HTTP cache).
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--proxy-server=http://127.0.0.1:9'];

/** launch() - headless Debian Chromium; never a downloaded browser. */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-deps (Debian package chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * startServer() - the harness's server (opts as there).
 */
export function startServer(opts = {}) {
  const env = { ...(opts.env || {}) };
  // The harness hands the server none of the caller's KINTSUGI_* variables;
  // these two pass (the catalogs of this build; --no-seccomp for debugging).
  for (const name of ['LOCALE_DIR', 'SECCOMP']) {
    const v = process.env[`KINTSUGI_${name}`];
    if (v !== undefined && env[name] === undefined) env[name] = v;
  }
  return startHttpServer({ ...opts, env });
}

/**
 * Guard - watches one browser context: every request to a host other than
 * the test server is recorded (the browser's proxy setting above makes it
 * fail); console errors and uncaught page errors are recorded.  check()
 * fails the test on any of them, except console errors that a step
 * announced with expectConsoleError().
 */
export class Guard {
  constructor(serverUrl) {
    this.origin = new URL(serverUrl).origin;
    this.foreign = [];
    this.errors = [];
    this.allowed = [];
  }

  async attach(context) {
    context.on('request', (req) => {
      const url = req.url();
      // data: and blob: URLs never leave the browser
      if (/^(data|blob):/.test(url)) return;
      let origin = null;
      try {
        origin = new URL(url).origin;
      } catch {
        // unparsable: treat as foreign
      }
      if (origin !== this.origin) this.foreign.push(url);
    });
    // A page may be a 4xx on purpose; what it loads may not.
    context.on('response', (res) => {
      const req = res.request();
      if (res.status() >= 400 && !req.isNavigationRequest()) {
        this.errors.push(`${req.method()} ${req.url()} answered ${res.status()}`);
      }
    });
    context.on('page', (page) => this.watch(page));
    for (const page of context.pages()) this.watch(page);
  }

  watch(page) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const where = page.url();
      if (this.allowed.some((a) => a.re.test(text) && where.endsWith(a.path))) return;
      this.errors.push(`console error on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (err) => this.errors.push(`page error on ${page.url()}: ${err.message}`));
  }

  /**
   * expectConsoleError() - console errors matching re on the page at path
   * are expected (Chromium logs one for every page answered with 4xx).
   */
  expectConsoleError(re, p) {
    this.allowed.push({ re, path: p });
  }

  /** expectStatusPage() - path is an error page on purpose (404, 403, ...). */
  expectStatusPage(p) {
    this.expectConsoleError(/^Failed to load resource: the server responded with a status of 4\d\d/, p);
  }

  /** Forget what was seen so far (the next page starts clean). */
  reset() {
    this.foreign = [];
    this.errors = [];
    this.allowed = [];
  }

  check(where = '') {
    const at = where ? ` (${where})` : '';
    assert.deepEqual(this.foreign, [], `requests to another host${at}`);
    assert.deepEqual(this.errors, [], `console errors${at}`);
  }
}

/**
 * newContext() - a browser context with the guard attached.
 * opts: lang (Accept-Language through the locale), viewport, js (default
 * true), colorScheme.
 */
export async function newContext(browser, server, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport || PHONE,
    locale: opts.lang || 'en',
    javaScriptEnabled: opts.js !== false,
    colorScheme: opts.colorScheme || 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(20000);
  const guard = new Guard(server.url);
  await guard.attach(context);
  const page = await context.newPage();
  return { context, page, guard };
}

/** The GET page routes and every route of docs/api.md, read at test time. */
export function apiRoutes() {
  const md = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const routes = [];
  let section = '';
  for (const line of md.split('\n')) {
    const h = /^##\s+(.*)$/.exec(line);
    if (h) {
      section = h[1].trim();
      continue;
    }
    const m = /^\|\s*`(GET|POST|PUT|DELETE|PATCH)\s+([^`]+)`\s*\|\s*([^|]*)\|/.exec(line);
    if (m) routes.push({ method: m[1], path: m[2].trim(), who: m[3].trim(), section });
  }
  return routes;
}

/** hasRoute('POST', '/statements') - whether docs/api.md lists that route. */
export function hasRoute(method, p) {
  return apiRoutes().some((r) => r.method === method && r.path === p);
}

/** The routes of the "Pages" table with method GET. */
export function pageRoutes() {
  return apiRoutes().filter((r) => r.method === 'GET' && /^Pages/i.test(r.section));
}

let axeSource = null;
/** runAxe() - axe-core on the current page; returns the violations. */
export async function runAxe(page, { tags = AXE_TAGS, rules } = {}) {
  if (!axeSource) axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  // The pages' Content-Security-Policy forbids inline scripts, so
  // page.addScriptTag({content}) would need the context's bypassCSP, which
  // would also hide the CSP violations these tests look for.  Evaluating the
  // source through the DevTools protocol is not subject to the page's CSP.
  if (!has) await page.evaluate(`${axeSource}\n;void 0`);
  return page.evaluate(async ({ tags: t, rules: r }) => {
    const options = r ? { runOnly: { type: 'rule', values: r } } : { runOnly: { type: 'tag', values: t } };
    options.resultTypes = ['violations'];
    const res = await window.axe.run(document, options);
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  }, { tags, rules });
}

/** A readable account of axe violations for an assertion message. */
export function formatViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`)
    .join('\n');
}

/** The path of the page (without origin). */
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

/**
 * submitForm() - press the submit button of the form matching a selector,
 * wait for the navigation it causes; returns the final answer.
 */
export async function submitForm(page, formSelector) {
  const form = page.locator(formSelector).first();
  const button = form.locator('button[type="submit"], input[type="submit"]').first();
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  return response;
}

/** Go to a path on the server and wait for the load event. */
export async function go(page, server, p) {
  return page.goto(server.url + p, { waitUntil: 'load' });
}

/** A marker text unlikely to appear by chance, with the language's letters. */
export function marker(lang, what) {
  const word = { en: 'private thought', es: 'pensamiento privado', ru: 'личная мысль' }[lang] || 'x';
  return `${word} ${what} ${rand(8)}`;
}

/** The time budget of one journey or one page walk, in milliseconds. */
export const STEP_TIMEOUT = 180000;
