// The program's step pages: what a journey does on them, and the items the
// page walk seeds through the JSON API.  Each runs only when docs/api.md
// lists the routes it needs (the pages land one by one).

import assert from 'node:assert/strict';
import { exampleBody, registryKinds } from '../http/kinds.mjs';
import { go, hasRoute, pathOf, rand, submitForm } from './lib.mjs';

/** Words of each language: a non-apology the statement check flags, and plain ones. */
export const WORDS = {
  en: {
    did: 'I lied to you for months about where I was and who I was with.',
    impact: 'You stopped trusting what I say, and you felt alone in our home.',
    why: 'I avoided a hard conversation and chose what was easy for me.',
    flagged: 'I\'m sorry if you felt hurt.',
    regret: 'I am sorry that I lied to you. It was wrong, and it hurt you.',
    repair: 'I will tell you where I am, and I will answer your questions honestly.',
    landed: 'That you named the lying plainly.',
    need: 'How you will keep it up when it gets hard.',
    offer: 'I will tell you if anyone from that time contacts me.',
  },
  es: {
    did: 'Te mentí durante meses sobre dónde estaba y con quién.',
    impact: 'Dejaste de creer lo que digo y te sentiste sola en casa.',
    why: 'Evité una conversación difícil y elegí lo que me resultaba cómodo.',
    flagged: 'Lo siento si te sentiste herida.',
    regret: 'Lamento haberte mentido. Estuvo mal y te hizo daño.',
    repair: 'Te diré dónde estoy y responderé tus preguntas con sinceridad.',
    landed: 'Que nombraras la mentira con claridad.',
    need: 'Cómo lo mantendrás cuando sea difícil.',
    offer: 'Te diré si alguien de aquella época se pone en contacto conmigo.',
  },
  ru: {
    did: 'Я месяцами обманывал тебя о том, где и с кем я был.',
    impact: 'Ты перестала верить моим словам и чувствовала себя одинокой дома.',
    why: 'Я избегал трудного разговора и выбирал то, что удобно мне.',
    flagged: 'Прости, если тебе было больно.',
    regret: 'Мне жаль, что я тебя обманывал. Это было неправильно и ранило тебя.',
    repair: 'Я буду говорить, где я, и честно отвечать на твои вопросы.',
    landed: 'Что ты прямо назвал обман.',
    need: 'Как ты будешь держаться, когда станет трудно.',
    offer: 'Я скажу тебе, если со мной свяжется кто-то из того времени.',
  },
};

async function clickNav(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Today in UTC as YYYY-MM-DD, plus days. */
function day(plus = 0) {
  return new Date(Date.now() + plus * 86400000).toISOString().slice(0, 10);
}

/** Fill a check-in form: a middle answer for every scale, trust, closeness, a note, shared. */
async function fillCheckin(page, note, level) {
  const form = page.locator('form[action^="/checkin"][method="post"]').first();
  const names = await form.evaluate((f) => [...new Set(Array.from(
    f.querySelectorAll('input[type="radio"]'), (r) => r.name))]);
  assert.ok(names.length >= 5, `the check-in asks about five areas (${names.join(', ')})`);
  for (const [i, name] of names.entries()) {
    await form.locator(`input[type="radio"][name="${name}"][value="${2 + (i % 3)}"]`).check();
  }
  await form.locator('select[name="trust"]').selectOption(String(level));
  await form.locator('select[name="closeness"]').selectOption(String(level + 1));
  await form.locator('textarea[name="note"]').fill(note);
  await form.locator('input[type="checkbox"][name="share_partner"]').check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
}

export const STEPS = [
  {
    title: 'A drafts a statement, sees the check\'s findings, fixes them and delivers; B reads and responds',
    needs: [['GET', '/statements'], ['GET', '/statements/new'], ['POST', '/statements'],
      ['GET', '/statements/{id}'], ['POST', '/statements/{id}'], ['POST', '/statements/{id}/deliver'],
      ['POST', '/statements/{id}/responses']],
    async run({ server, lang, A, B }) {
      const w = WORDS[lang];
      const { page } = A;
      await go(page, server, '/statements');
      await clickNav(page, 'main a[href="/statements/new"]');
      await page.fill('#what_i_did', w.did);
      await page.fill('#impact', w.impact);
      await page.fill('#why', w.why);
      await page.fill('#regret', w.flagged);
      await page.fill('#repair', w.repair);
      await submitForm(page, 'form[action="/statements"]');
      assert.match(pathOf(page), /^\/statements\/[0-9a-f]{32}/, 'the draft is saved');
      const draft = new URL(page.url()).pathname;
      const flags = page.locator('#regret-flags .flag-match');
      assert.ok(await flags.count() >= 1, 'the check flags the conditional apology beside its part');
      assert.ok(await page.isVisible('#regret-flags'));
      // Fix it and save again: the findings are gone.
      await page.fill('#regret', w.regret);
      await submitForm(page, `form[action="${draft}"]`);
      assert.equal(await page.locator('.flags').count(), 0, 'no findings after the fix');
      assert.equal(await page.inputValue('#regret'), w.regret);
      await submitForm(page, `form[action="${draft}/deliver"]`);
      assert.ok((await page.innerText('main')).includes(w.repair), 'the delivered statement reads back');

      // B finds it among the statements received, reads it and responds.
      const b = B.page;
      await go(b, server, '/statements');
      await clickNav(b, `main a[href="${draft}"]`);
      const text = await b.innerText('main');
      assert.ok(text.includes(w.did) && text.includes(w.regret), 'B reads the statement');
      await b.fill('#landed', w.landed);
      await b.fill('#still_need', w.need);
      await submitForm(b, `form[action="${draft}/responses"]`);
      assert.ok((await b.innerText('main')).includes(w.landed), 'B\'s response is shown to B');
      await go(page, server, draft);
      assert.ok((await page.innerText('main')).includes(w.need), 'A reads B\'s response');
    },
  },
  {
    title: 'both check in, and each sees the other\'s only after their own (simultaneous reveal)',
    needs: [['GET', '/checkin'], ['POST', '/checkin']],
    async run({ server, A, B }) {
      const aNote = `A note ${rand(6)}`;
      const bNote = `B note ${rand(6)}`;
      await go(A.page, server, '/checkin');
      await fillCheckin(A.page, aNote, 6);
      assert.match(pathOf(A.page), /^\/checkin/);
      let aText = await A.page.innerText('main');
      assert.ok(aText.includes(aNote), 'A sees their own check-in');
      assert.ok(!aText.includes(bNote));
      assert.equal(await A.page.locator('.waiting').count(), 1, 'A waits for B');

      await go(B.page, server, '/checkin');
      assert.ok(!(await B.page.content()).includes(aNote), 'before checking in, B cannot see A\'s note');
      assert.ok(await B.page.locator('.notice').count() >= 1, 'B is told A has checked in');
      await fillCheckin(B.page, bNote, 4);
      const bText = await B.page.innerText('main');
      assert.ok(bText.includes(bNote) && bText.includes(aNote), 'after checking in, B sees both');

      await go(A.page, server, '/checkin');
      aText = await A.page.innerText('main');
      assert.ok(aText.includes(bNote), 'now A sees B\'s check-in');
    },
  },
  {
    title: 'A offers a transparency commitment and B sees it',
    needs: [['GET', '/offers'], ['POST', '/offers']],
    async run({ server, lang, A, B }) {
      const text = `${WORDS[lang].offer} (${rand(4)})`;
      await go(A.page, server, '/offers');
      await A.page.fill('#offer-text', text);
      await A.page.fill('#offer-until', day(30));
      await submitForm(A.page, 'form[action="/offers"]');
      assert.ok((await A.page.innerText('main')).includes(text), 'A sees the offer');
      await go(B.page, server, '/offers');
      const card = B.page.locator('.offer-card', { hasText: text });
      assert.equal(await card.count(), 1, 'B sees A\'s offer');
      assert.equal(await card.locator('form[action$="/end"]').count(), 0, 'only A can end it');
    },
  },
];

/** seedSteps() - items for the step pages, through the API; returns notes. */
export async function seedSteps({ lang, aClient, bClient }) {
  const notes = [];
  const w = WORDS[lang];
  const seed = async (client, method, p, body, what) => {
    const pattern = p.replace(/[0-9a-f]{32}/g, '{id}');
    if (!hasRoute(method, pattern)) {
      notes.push(`not seeded (${method} ${pattern} is not in docs/api.md): ${what}`);
      return null;
    }
    const r = await client.request(method, p, body);
    if (r.status >= 300) throw new Error(`seeding ${what}: ${method} ${p} answered ${r.status} ${r.text}`);
    return r.json;
  };
  const statement = { what_i_did: w.did, impact: w.impact, why: w.why, regret: w.flagged, repair: w.repair };
  // A: one draft (with findings) and one delivered with B's response; B: a draft.
  await seed(aClient, 'POST', '/api/v1/statements', statement, 'a draft statement');
  const st = await seed(aClient, 'POST', '/api/v1/statements', { ...statement, regret: w.regret },
    'a statement to deliver');
  if (st?.statement?.id) {
    const id = st.statement.id;
    await seed(aClient, 'POST', `/api/v1/statements/${id}/deliver`, undefined, 'delivery');
    await seed(bClient, 'POST', `/api/v1/statements/${id}/responses`,
      { read: true, landed: w.landed, still_need: w.need }, 'a response');
  }
  await seed(bClient, 'POST', '/api/v1/statements', { what_i_did: w.did }, 'B\'s draft');
  await seed(aClient, 'POST', '/api/v1/commitments', { text: w.repair, review_every_days: 7 }, 'a commitment');
  const checkin = (trust) => ({
    period: day(),
    scores: { emotional: 3, physical: 4, mental: 3, sexual: 2, financial: 4 },
    trust,
    closeness: trust - 1,
    note: w.landed,
    shared_with: ['partner'],
  });
  await seed(aClient, 'POST', '/api/v1/checkins', checkin(6), 'A\'s check-in');
  await seed(bClient, 'POST', '/api/v1/checkins', checkin(5), 'B\'s check-in');
  await seed(aClient, 'POST', '/api/v1/shares', { kind: 'fear', body: w.need, shared_with: ['partner'] },
    'an openness card');
  await seed(aClient, 'POST', '/api/v1/offers', { text: w.offer, until: day(30) }, 'an offer');
  await seed(bClient, 'POST', '/api/v1/activities', { kind: 'cooking', title: 'Soup', planned_for: day(2) },
    'an activity');
  await seed(aClient, 'PUT', '/api/v1/helps-me', { body: w.need, shared_with: ['partner'] }, 'what helps A');
  await seed(aClient, 'PUT', '/api/v1/conflict-plan', {
    timeout_word: w.landed.slice(0, 40), break_minutes: 30, come_back: w.repair, soft_startup: w.need,
  }, 'A\'s conflict plan');
  const bMe = (await bClient.get('/api/v1/me')).json?.member?.id;
  if (bMe) {
    await seed(aClient, 'POST', '/api/v1/chores', { title: w.offer.slice(0, 60), first_partner: bMe, starts_on: day() },
      'a chore B does first');
  }
  await seed(aClient, 'POST', '/api/v1/dates', { title: w.landed.slice(0, 60), planned_for: day() }, 'a date night');
  // agreements: one agreed after a change (so its page shows a history), and one B is to answer
  const ag = await seed(aClient, 'POST', '/api/v1/agreements',
    { category: 'privacy', text: w.offer, consequence: w.repair, review_on: day(60) }, 'an agreement');
  if (ag?.agreement?.id) {
    const id = ag.agreement.id;
    await seed(bClient, 'POST', `/api/v1/agreements/${id}/revise`,
      { text: w.repair, consequence: w.offer, review_on: day(0), note: w.need }, 'B\'s change to it');
    await seed(aClient, 'POST', `/api/v1/agreements/${id}/accept`, { version: 2 }, 'A accepts the change');
  }
  await seed(aClient, 'POST', '/api/v1/agreements',
    { category: 'online', text: w.need, consequence: '', review_on: day(30) }, 'an agreement B is to answer');
  // a self-report of A's, with A's side of the repair (B's waits, so B's page shows the form)
  const br = await seed(aClient, 'POST', '/api/v1/breaches', { description: w.did, self_report: true },
    'A\'s self-reported breach');
  if (br?.breach?.id) {
    await seed(aClient, 'POST', `/api/v1/breaches/${br.breach.id}/repair`, {
      feelings: ['ashamed', 'scared'], my_view: w.why, their_view_summary: w.impact, triggers: w.need,
      my_part: w.regret, do_differently: w.repair,
    }, 'A\'s side of the repair');
  }
  // every kind that is all data: one of A's, shared, and one of B's, private
  for (const k of registryKinds()) {
    await seed(aClient, 'POST', `/api/v1/${k.plural}`,
      exampleBody(k, { mark: w.landed, shared: ['partner'] }), `A's ${k.name}`);
    await seed(bClient, 'POST', `/api/v1/${k.plural}`, exampleBody(k, { mark: w.need }), `B's ${k.name}`);
  }
  return notes;
}
