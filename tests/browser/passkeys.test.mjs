// Passkeys in the browser (issue 11 part 2), with Chromium's virtual
// authenticator (DevTools protocol, WebAuthn domain): a member signs up,
// turns two-step sign-in on, adds a passkey from the settings, signs out,
// signs in with the password and the passkey (no code), and removes it,
// at phone width, every page axe-clean.  In Spanish, the section speaks
// Spanish, and without JavaScript it says why there is no "add" button and
// a passkey still goes with a recovery code.
//
// WebAuthn needs a secure context and an RP id that is a domain name, so
// the browser talks to the server as http://localhost:PORT (a loopback
// server takes "localhost" as its own Host).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCode } from '../http/harness.mjs';
import {
  PHONE, RECOVERY_KEY_RE, formatViolations, go, launch, newContext, pathOf, runAxe, startServer, submitForm,
  uniqueLogin, uniquePassword,
} from './lib.mjs';

let browser;
let server;
let site; // {url} of the server as http://localhost:PORT
before(async () => {
  browser = await launch();
  server = await startServer();
  site = { url: server.url.replace('//127.0.0.1:', '//localhost:') };
});
after(async () => {
  if (process.env.PK_DEBUG) console.log(server?.stderr());
  await browser?.close();
  await server?.stop();
});

/** axe finds nothing on the page and it fits a phone. */
async function assertPage(page, what) {
  const where = `${what} (${pathOf(page)})`;
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where}: ${width} px wide at ${PHONE.width} px`);
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${where}: axe\n${formatViolations(violations)}`);
}

/** A virtual platform authenticator (a phone's fingerprint) for page; returns {cdp, id}. */
async function addAuthenticator(context, page, { prf = false } = {}) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true, ...(prf ? { hasPrf: true } : {}),
    },
  });
  return { cdp, id: authenticatorId };
}

/** The text of the settings' passkeys section. */
const section = (page) => page.locator('#passkeys').innerText();

/** Sign up in the browser; then two-step sign-in on.  Returns {login, password, codes}. */
async function signUpWithTotp(page, lang) {
  const login = uniqueLogin('pk');
  const password = uniquePassword();
  await go(page, site, '/signup');
  await page.fill('#display_name', { es: 'Ana', ru: 'Саша' }[lang] || 'Robin');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.selectOption('#language', lang);
  await submitForm(page, 'form[action="/signup"]');

  await go(page, site, '/settings');
  // no passkey before two-step sign-in: its recovery codes are the way back
  assert.equal(await page.locator('#passkey-add').count(), 0, 'no add form before TOTP');
  await page.fill('#totp_password', password);
  await submitForm(page, 'form[action="/settings/totp"]');
  await page.fill('#code', totpCode(await page.inputValue('#secret-copy')));
  await submitForm(page, 'form[action="/settings/totp/confirm"]');
  const codes = await page.locator('.recovery-codes .key-group').allInnerTexts();
  assert.ok(codes.length > 0, 'recovery codes shown');
  return { login, password, codes };
}

/** Add a passkey named name from the settings; lands on the settings again. */
async function addPasskey(page, name, password) {
  await go(page, site, '/settings');
  assert.ok(await page.isVisible('#passkey-add'), 'the add form shows with script and WebAuthn');
  assert.ok(!(await page.isVisible('[data-passkey-fallback]')), 'no "needs JavaScript" note then');
  await page.fill('#passkey_name', name);
  await page.fill('#passkey_password', password);
  await Promise.all([
    page.waitForURL(/\/settings\?changed=passkey_added/),
    page.click('#passkey-add button[type="submit"]'),
  ]);
}

describe('passkeys in the browser', () => {
  test('en: add a passkey, sign in with it instead of a code, remove it with it', { timeout: 180000 }, async () => {
    const { context, page, guard } = await newContext(browser, site, { viewport: PHONE, lang: 'en' });
    try {
      const auth = await addAuthenticator(context, page);
      const { login, password } = await signUpWithTotp(page, 'en');

      // without a passkey: the section says so, and offers to add one
      await go(page, site, '/settings');
      assert.match(await section(page), /You have no passkey yet/);
      await assertPage(page, 'settings, two-step sign-in on, no passkey');

      await addPasskey(page, 'Kitchen tablet', password);
      let text = await section(page);
      assert.match(text, /Passkey added/);
      assert.match(text, /Kitchen tablet/);
      assert.match(text, /Added on \d+ \w+ \d{4}/);
      assert.match(text, /Not used yet/);
      const { credentials } = await auth.cdp.send('WebAuthn.getCredentials', { authenticatorId: auth.id });
      assert.equal(credentials.length, 1, 'one credential in the authenticator');
      assert.equal(credentials[0].rpId, 'localhost');
      await assertPage(page, 'settings with a passkey');

      // sign out, then in: the password, then the passkey in place of the code
      await submitForm(page, 'form.signout');
      await go(page, site, '/signin');
      await page.fill('#login', login);
      await page.fill('#password', password);
      guard.expectStatusPage('/signin');
      const second = await submitForm(page, 'form[action="/signin"]');
      assert.equal(second.status(), 401);
      assert.ok(await page.isVisible('#totp'), 'the code field is still there');
      const use = page.getByRole('button', { name: 'Use a passkey' });
      assert.ok(await use.isVisible(), '"Use a passkey" beside the code field');
      await assertPage(page, 'sign-in, second step with a passkey');
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(/\/home$/), use.click()]);
      assert.equal(pathOf(page), '/home');
      assert.ok(await page.isVisible('nav.site-nav'), 'signed in');

      // the settings now say when it was last used
      await go(page, site, '/settings');
      text = await section(page);
      assert.match(text, /Last used on \d+ \w+ \d{4}/);

      // a new recovery key, the passkey in place of the current key or a code
      const recovery = page.locator('form[action="/settings/recovery"]');
      await Promise.all([
        page.waitForURL(/\/settings\/recovery$/),
        recovery.getByRole('button', { name: 'Use a passkey' }).click(),
      ]);
      assert.equal(await page.locator('h1').innerText(), 'Your recovery key');
      assert.match(await page.locator('main').innerText(), RECOVERY_KEY_RE);
      await go(page, site, '/settings');

      // remove it, answering the check with the passkey (no code typed)
      const remove = page.locator('form[action="/settings/passkeys/remove"]');
      await remove.locator('#passkey_off_password').fill(password);
      await Promise.all([
        page.waitForURL(/\/settings\?changed=passkey_removed/),
        remove.getByRole('button', { name: 'Use a passkey' }).click(),
      ]);
      text = await section(page);
      assert.match(text, /Passkey removed/);
      assert.match(text, /You have no passkey yet/);
      assert.doesNotMatch(text, /Kitchen tablet/);
      assert.equal(await remove.count(), 0, 'nothing left to remove');

      // and signing in asks for the code alone again
      await submitForm(page, 'form.signout');
      await go(page, site, '/signin');
      await page.fill('#login', login);
      await page.fill('#password', password);
      await submitForm(page, 'form[action="/signin"]');
      assert.ok(await page.isVisible('#totp'));
      assert.equal(await page.getByRole('button', { name: 'Use a passkey' }).count(), 0);
      guard.check();
    } finally {
      await context.close();
    }
  });

  test('es: the section in Spanish; without JavaScript, why there is no button, and removal with a recovery code', { timeout: 180000 }, async () => {
    const { context, page, guard } = await newContext(browser, site, { viewport: PHONE, lang: 'es' });
    let bare;
    try {
      await addAuthenticator(context, page);
      const { password, codes } = await signUpWithTotp(page, 'es');
      await addPasskey(page, 'Mi móvil', password);
      const text = await section(page);
      assert.match(text, /Llaves de acceso/);
      assert.match(text, /Mi móvil/);
      assert.match(text, /Añadida el \d+ de \w+ de \d{4}/);
      await assertPage(page, 'ajustes con una llave de acceso');
      guard.check();

      // the same session in a browser without script
      const cookies = await context.cookies();
      ({ context: bare } = await newContext(browser, site, { viewport: PHONE, lang: 'es', js: false }));
      await bare.addCookies(cookies);
      const nojs = await bare.newPage();
      await go(nojs, site, '/settings');
      assert.ok(await nojs.isVisible('[data-passkey-fallback]'), 'says adding one needs JavaScript');
      assert.match(await nojs.innerText('[data-passkey-fallback]'), /JavaScript/);
      assert.ok(!(await nojs.isVisible('#passkey-add')), 'no add form without script');
      assert.ok(!(await nojs.isVisible('[data-passkey-get]')), 'no passkey button without script');
      await nojs.fill('#passkey_off_password', password);
      await nojs.fill('#passkey_off_code', codes[0]);
      await submitForm(nojs, 'form[action="/settings/passkeys/remove"]');
      assert.match(pathOf(nojs), /changed=passkey_removed/);
      assert.doesNotMatch(await section(nojs), /Mi móvil/);
    } finally {
      await bare?.close();
      await context.close();
    }
  });

  test('ru: a passkey that signs in on its own, with no password; then a second step again', { timeout: 180000 }, async () => {
    const { context, page, guard } = await newContext(browser, site, { viewport: PHONE, lang: 'ru' });
    try {
      await addAuthenticator(context, page, { prf: true });
      const { login, password } = await signUpWithTotp(page, 'ru');
      await addPasskey(page, 'Мой телефон', password);
      const turnOn = page.locator('[data-passkey-signin-on] button');
      assert.ok(await turnOn.isVisible(), 'the "sign me in on its own" button shows with WebAuthn');
      assert.match(await turnOn.innerText(), /Разрешить ему выполнять вход самому/);
      await assertPage(page, 'настройки с ключом доступа');
      await Promise.all([page.waitForURL(/changed=passkey_signin_on/), turnOn.click()]);
      let text = await section(page);
      assert.match(text, /Теперь этот ключ доступа выполняет вход сам по себе/);
      assert.match(text, /без пароля/);
      await assertPage(page, 'настройки: ключ входит сам');

      // signed out, the sign-in page offers the passkey; no login, no password typed
      await submitForm(page, 'form.signout');
      await go(page, site, '/signin');
      const signIn = page.locator('[data-passkey-signin] button');
      assert.match(await signIn.innerText(), /Войти с ключом доступа/);
      await assertPage(page, 'вход с ключом доступа');
      await Promise.all([page.waitForURL(/\/home$/), signIn.click()]);
      assert.ok(await page.isVisible('nav.site-nav'), 'signed in with the passkey alone');
      await go(page, site, '/settings');
      assert.match(await section(page), /Мой телефон/, 'the name opens: the master key is the right one');

      // turned off, without script too: a plain form
      await submitForm(page, 'form[action="/settings/passkeys/signin-off"]');
      assert.match(pathOf(page), /changed=passkey_signin_off/);
      text = await section(page);
      assert.match(text, /больше не выполняет вход сам по себе/);
      assert.ok(await turnOn.isVisible(), 'it may be turned on again');

      guard.check();
      // and now the passkey alone is refused, in Russian, on the page (its API call answers 401)
      await submitForm(page, 'form.signout');
      await go(page, site, '/signin');
      await page.locator('[data-passkey-signin] button').click();
      const alert = page.locator('[data-passkey-signin] [role="alert"]');
      await alert.waitFor({ state: 'visible' });
      assert.match(await alert.innerText(), /[а-я]/, 'the refusal is in Russian');
      assert.equal(pathOf(page), '/signin');
      assert.ok(guard.errors.length > 0 && guard.errors.every((e) => / 401|status of 401/.test(e)),
        guard.errors.join('\n'));
      assert.deepEqual(guard.foreign, []);
      assert.ok(login);
    } finally {
      await context.close();
    }
  });
});
