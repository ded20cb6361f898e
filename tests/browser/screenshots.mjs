// make screenshots: PNGs of the main pages in en, es and ru at 360x740 (and
// home at 1280x800) into docs/screenshots/, from a throwaway server seeded
// through the JSON API.  Full-page captures for review go to
// tests/browser/out/screenshots/ (not kept in git).

import fs from 'node:fs/promises';
import path from 'node:path';
import { SESSION_COOKIE, pair } from '../http/harness.mjs';
import { DESKTOP, LANGS, PHONE, go, hasRoute, launch, newContext, repoRoot, startServer } from './lib.mjs';
import { WORDS } from './steps.mjs';

const OUT = path.join(repoRoot, 'docs', 'screenshots');
const REVIEW = path.join(repoRoot, 'tests', 'browser', 'out', 'screenshots');

const JOURNAL = {
  en: ['Today I noticed how quickly I get defensive when she asks where I was. I want to answer calmly, even when it stings.',
    'We walked by the river after dinner. It felt almost normal, and I let it.'],
  es: ['Hoy noté lo rápido que me pongo a la defensiva cuando me pregunta dónde estaba. Quiero responder con calma, aunque duela.',
    'Paseamos junto al río después de cenar. Se sintió casi normal, y lo dejé ser.'],
  ru: ['Сегодня я заметил, как быстро начинаю защищаться, когда она спрашивает, где я был. Хочу отвечать спокойно, даже когда больно.',
    'После ужина мы гуляли у реки. Было почти как раньше, и я позволил себе это почувствовать.'],
};
const NAMES = { en: ['Alex', 'Sam'], es: ['Álex', 'Sara'], ru: ['Саша', 'Женя'] };

function day(plus = 0) {
  return new Date(Date.now() + plus * 86400000).toISOString().slice(0, 10);
}

async function seed(server, lang) {
  const w = WORDS[lang];
  const { aClient, bClient } = await pair(server.url, {
    aFields: { language: lang, display_name: NAMES[lang][0] },
    bFields: { language: lang, display_name: NAMES[lang][1] },
  });
  const ids = {};
  for (const body of JOURNAL[lang]) {
    const r = await aClient.post('/api/v1/journal', { body });
    ids.entry = r.json.entry.id;
  }
  if (hasRoute('POST', '/api/v1/statements')) {
    const r = await aClient.post('/api/v1/statements', {
      what_i_did: w.did, impact: w.impact, why: w.why, regret: w.flagged, repair: w.repair,
    });
    ids.statement = r.json?.statement?.id;
  }
  if (hasRoute('POST', '/api/v1/checkins')) {
    // A few days of check-ins for the chart; both for today, so they show side by side.
    for (let i = 6; i >= 0; i--) {
      const t = 3 + Math.round(i % 3 === 0 ? 1 : 0) + (6 - i) / 2;
      for (const [c, k] of [[aClient, 0], [bClient, 1]]) {
        await c.post('/api/v1/checkins', {
          period: day(-i),
          scores: { emotional: 3, physical: 4, mental: 3, sexual: 2, financial: 4 },
          trust: Math.min(10, Math.round(t) + k),
          closeness: Math.min(10, Math.round(t) + 1 - k),
          note: i === 0 ? (k ? w.need : w.landed) : undefined,
          shared_with: ['partner'],
        });
      }
    }
  }
  if (hasRoute('POST', '/api/v1/offers')) {
    await aClient.post('/api/v1/offers', { text: w.offer, until: day(60) });
  }
  Object.assign(ids, await seedStep3(w, aClient, bClient));
  return { aClient, ids };
}

/**
 * Step 3: a plan both accepted, what helps each, a rota of chores, date
 * nights, an agreement agreed after a change, a breach both repaired.
 * Returns the ids of the agreement and the breach.
 */
async function seedStep3(w, aClient, bClient) {
  const ok = async (client, method, p, body) => {
    const r = await client.request(method, p, body);
    if (r.status >= 300) throw new Error(`screenshots: ${method} ${p} answered ${r.status}`);
    return r.json;
  };
  if (hasRoute('PUT', '/api/v1/conflict-plan')) {
    await ok(aClient, 'PUT', '/api/v1/conflict-plan', {
      timeout_word: w.word, break_minutes: 30, come_back: w.comeBack, soft_startup: w.softStartChange,
    });
    await ok(bClient, 'POST', '/api/v1/conflict-plan/accept', {});
  }
  if (hasRoute('PUT', '/api/v1/helps-me')) {
    await ok(aClient, 'PUT', '/api/v1/helps-me', { body: w.helpsShared, shared_with: ['partner'] });
    await ok(bClient, 'PUT', '/api/v1/helps-me', { body: w.helpsPrivate, shared_with: ['partner'] });
  }
  if (hasRoute('POST', '/api/v1/chores')) {
    const b = (await bClient.get('/api/v1/me')).json.member.id;
    await ok(aClient, 'POST', '/api/v1/chores', { title: w.choreOther, first_partner: b, starts_on: day(-7) });
    await ok(bClient, 'POST', '/api/v1/chores', { title: w.chore, first_partner: b, starts_on: day() });
  }
  if (hasRoute('POST', '/api/v1/dates')) {
    await ok(aClient, 'POST', '/api/v1/dates', { title: w.dateAhead, planned_for: day(4) });
    const past = await ok(bClient, 'POST', '/api/v1/dates', { title: w.date, planned_for: day(-3) });
    const p = `/api/v1/dates/${past.date.id}`;
    await ok(aClient, 'PUT', p, { done: true, rating: 4, note: w.dateNote });
    await ok(bClient, 'PUT', p, { done: true, rating: 5, note: w.dateNoteOther });
  }
  const ids = {};
  if (hasRoute('POST', '/api/v1/agreements')) {
    const ag = await ok(aClient, 'POST', '/api/v1/agreements',
      { category: 'privacy', text: w.offer, consequence: w.repair, review_on: day(90) });
    ids.agreement = ag.agreement.id;
    await ok(bClient, 'POST', `/api/v1/agreements/${ids.agreement}/revise`,
      { text: w.repair, consequence: w.regret, review_on: day(60), note: w.need });
    await ok(aClient, 'POST', `/api/v1/agreements/${ids.agreement}/accept`, { version: 2 });
    await ok(bClient, 'POST', '/api/v1/agreements',
      { category: 'online', text: w.helpsShared, consequence: '', review_on: day(30) });
  }
  if (hasRoute('POST', '/api/v1/breaches')) {
    const br = await ok(aClient, 'POST', '/api/v1/breaches', { description: w.did, self_report: true });
    ids.breach = br.breach.id;
    for (const [c, feelings, view] of [[aClient, ['ashamed', 'scared'], w.why], [bClient, ['hurt', 'sad'], w.impact]]) {
      await ok(c, 'POST', `/api/v1/breaches/${ids.breach}/repair`, {
        feelings, my_view: view, their_view_summary: '', triggers: w.need, my_part: w.regret, do_differently: w.repair,
      });
    }
  }
  return ids;
}

async function main() {
  await fs.mkdir(OUT, { recursive: true });
  await fs.mkdir(REVIEW, { recursive: true });
  const browser = await launch();
  const server = await startServer();
  const written = [];
  try {
    for (const lang of LANGS) {
      const { aClient, ids } = await seed(server, lang);
      const shots = [
        ['landing', '/', false],
        ['signup', '/signup', false],
        ['home', '/home', true],
        ['journal', '/journal', true],
        ['journal-entry', `/journal/${ids.entry}`, true],
        ['settings', '/settings', true],
      ];
      // The draft is shown from its "regret" part, where the check's finding sits.
      if (ids.statement) shots.push(['statement-draft', `/statements/${ids.statement}`, true, '.statement-part:has(#regret)']);
      if (hasRoute('GET', '/checkin')) shots.push(['checkin', '/checkin', true]);
      if (hasRoute('GET', '/offers')) shots.push(['offers', '/offers', true]);
      // step 3: the plan from where it stands (below the break), the dates from
      // their cards (below the form to plan one).
      if (hasRoute('GET', '/conflict-plan')) {
        shots.push(['conflict-plan', '/conflict-plan', true, 'section[aria-labelledby="current-title"]']);
      }
      if (hasRoute('GET', '/helps-me')) shots.push(['helps-me', '/helps-me', true]);
      if (hasRoute('GET', '/chores')) shots.push(['chores', '/chores', true]);
      if (hasRoute('GET', '/dates')) shots.push(['dates', '/dates', true, '.cards']);
      if (ids.agreement) {
        shots.push(['agreements', '/agreements', true]);
        shots.push(['agreement', `/agreements/${ids.agreement}`, true]);
      }
      if (ids.breach) shots.push(['breach', `/breaches/${ids.breach}`, true]);
      if (hasRoute('GET', '/program/step-3')) shots.push(['program-step-3', '/program/step-3', false]);
      const sizes = [['', PHONE, shots], ['desktop-', DESKTOP, shots.filter(([n]) => n === 'home')]];
      for (const [prefix, viewport, list] of sizes) {
        const signedOut = await newContext(browser, server, { lang, viewport });
        const signedIn = await newContext(browser, server, { lang, viewport });
        await signedIn.context.addCookies([{ name: SESSION_COOKIE, value: aClient.cookie, url: server.url }]);
        for (const [name, p, member, scrollTo] of list) {
          const { page } = member ? signedIn : signedOut;
          await go(page, server, p);
          if (scrollTo) {
            await page.evaluate((sel) => {
              const el = document.querySelector(sel);
              if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 72);
            }, scrollTo);
          }
          const file = `${lang}-${prefix}${name}.png`;
          await page.screenshot({ path: path.join(OUT, file) });
          await page.screenshot({ path: path.join(REVIEW, file), fullPage: true });
          written.push(file);
        }
        if (prefix === '' && lang === 'en') {
          await signedIn.page.emulateMedia({ colorScheme: 'dark' });
          await go(signedIn.page, server, '/home');
          await signedIn.page.screenshot({ path: path.join(OUT, 'en-home-dark.png') });
          await signedIn.page.screenshot({ path: path.join(REVIEW, 'en-home-dark.png'), fullPage: true });
          written.push('en-home-dark.png');
        }
        for (const c of [signedOut, signedIn]) {
          c.guard.check(`${lang} screenshots`);
          await c.context.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`screenshots: ${written.length} PNG files in docs/screenshots/ (full pages in tests/browser/out/screenshots/)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
