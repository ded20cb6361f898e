// What a person does in the browser, one step at a time: sign up, invite,
// join, write in the journal, sign out and in.  Elements are found by their
// ids, names and link targets, never by their (translated) text.

import assert from 'node:assert/strict';
import { SESSION_COOKIE, pair } from '../http/harness.mjs';
import { go, newContext, pathOf, RECOVERY_KEY_RE, submitForm, uniqueLogin, uniquePassword } from './lib.mjs';

/** A person with the credentials they will use. */
export function person(lang, prefix, name) {
  return { lang, login: uniqueLogin(prefix), password: uniquePassword(), name, recoveryKey: null };
}

/** Whether element a comes before element b in document order. */
async function before(page, a, b) {
  return page.evaluate(([sa, sb]) => {
    const ea = document.querySelector(sa);
    const eb = document.querySelector(sb);
    if (!ea || !eb) return false;
    // eslint-disable-next-line no-bitwise
    return Boolean(ea.compareDocumentPosition(eb) & Node.DOCUMENT_POSITION_FOLLOWING);
  }, [a, b]);
}

/** Fill the account fields (sign-up and join forms share them). */
async function fillAccount(page, who) {
  await page.fill('#display_name', who.name);
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.selectOption('select#language', who.lang);
}

/**
 * After sign-up or join: the recovery key page; note the key, continue to
 * the private safety check a new account is offered, skip it, and be home.
 */
async function noteRecoveryKey(page, who) {
  const key = await page.inputValue('#recovery-copy');
  assert.match(key, RECOVERY_KEY_RE, 'the recovery key is shown');
  const groups = await page.locator('.recovery-key .key-group').allInnerTexts();
  const plain = (x) => x.replace(/[^0-9A-Z]/g, '');
  assert.equal(plain(groups.join('')), plain(key), 'the large key and the key to copy agree');
  who.recoveryKey = key;
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/safety?welcome=1"]')]);
  assert.equal(pathOf(page), '/safety?welcome=1', 'a new account is offered the safety check');
  await assertLang(page, who.lang);
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/home"]')]);
  assert.equal(pathOf(page), '/home', 'the safety check can be skipped');
}

/** Every page is in the member's language. */
export async function assertLang(page, lang) {
  const got = await page.evaluate(() => document.documentElement.lang);
  assert.equal(got, lang, `lang attribute of ${pathOf(page)}`);
}

/**
 * signUp() - from the landing page: who sees what comes before the form,
 * then the form, then the recovery key, then home.
 */
export async function signUp(page, server, who) {
  await go(page, server, '/');
  await assertLang(page, who.lang); // from Accept-Language
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/signup"]')]);
  assert.equal(pathOf(page), '/signup');
  await assertLang(page, who.lang);
  assert.ok(await page.isVisible('[aria-labelledby="who-sees-title"]'), 'who sees what is shown');
  assert.ok(await before(page, '[aria-labelledby="who-sees-title"]', 'form[action="/signup"]'),
    'who sees what comes before the sign-up form');
  await fillAccount(page, who);
  await submitForm(page, 'form[action="/signup"]');
  await assertLang(page, who.lang);
  await noteRecoveryKey(page, who);
}

/** invite() - from home to the invite page; returns the link it shows. */
export async function invite(page, server) {
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/invite"]')]);
  await submitForm(page, 'form[action="/invite"]');
  const link = await page.inputValue('#invite-url');
  assert.ok(link.startsWith(`${server.url}/join?invite=`), `invite link: ${link}`);
  return link;
}

/** join() - B opens the link, reads who sees what, and joins. */
export async function join(page, link, who) {
  await page.goto(link, { waitUntil: 'load' });
  await assertLang(page, who.lang);
  assert.ok(await before(page, '[aria-labelledby="who-sees-title"]', 'form[action="/join"]'),
    'who sees what comes before the join form');
  await fillAccount(page, who);
  await submitForm(page, 'form[action="/join"]');
  await noteRecoveryKey(page, who);
}

/**
 * writeJournal() - from anywhere: the journal, a new entry, save; returns
 * the entry's path (the newest of the list).
 */
export async function writeJournal(page, server, text) {
  await go(page, server, '/home');
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/journal/new"]')]);
  await page.fill('#body', text);
  await submitForm(page, 'form[action="/journal"]');
  assert.equal(pathOf(page), '/journal');
  const first = page.locator('.entries .entry').first();
  assert.ok((await first.innerText()).includes(text.slice(0, 40)), 'the new entry is listed first');
  const href = await first.locator('a[href^="/journal/"]').first().getAttribute('href');
  assert.match(href, /^\/journal\/[0-9a-f]{32}$/);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="${href}"]`)]);
  assert.ok((await page.innerText('.entry-body')).includes(text), 'the entry reads back');
  return href;
}

/** signOut() - the sign-out button in the menu; lands on the start page. */
export async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('form.signout button[type="submit"]')]);
  assert.equal(pathOf(page), '/');
}

/** signIn() - from the start page, sign in; lands home. */
export async function signIn(page, server, who) {
  await go(page, server, '/signin');
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await submitForm(page, 'form[action="/signin"]');
  assert.equal(pathOf(page), '/home');
  await assertLang(page, who.lang);
}

/**
 * couple() - a and b (from person()) as a couple made through the JSON API:
 * A signs up and invites, B joins; each gets a browser context (newContext
 * options aOpts, bOpts) signed in with that session.  For the tests whose
 * subject comes after: the journeys walk the sign-up, invite and join
 * forms themselves, in every language, at both widths, with JavaScript on
 * and off, and doing it again in each test costs a password hash and a
 * dozen page loads each time.  Returns {A, B}.
 */
export async function couple(browser, server, lang, a, b, { aOpts = {}, bOpts = {} } = {}) {
  const made = await pair(server.url, {
    aFields: { language: lang, display_name: a.name, login: a.login, password: a.password },
    bFields: { language: lang, display_name: b.name, login: b.login, password: b.password },
  });
  a.recoveryKey = made.a.recovery_key;
  b.recoveryKey = made.b.recovery_key;
  const A = await newContext(browser, server, { lang, ...aOpts });
  const B = await newContext(browser, server, { lang, ...bOpts });
  await A.context.addCookies([{ name: SESSION_COOKIE, value: made.aClient.cookie, url: server.url }]);
  await B.context.addCookies([{ name: SESSION_COOKIE, value: made.bClient.cookie, url: server.url }]);
  return { A, B };
}
