// The program's step pages: what a journey does on them, and the items the
// page walk seeds through the JSON API.  Each runs only when docs/api.md
// lists the routes it needs (the pages land one by one), and one marked
// phoneOnly only in the journeys at phone width.

import assert from 'node:assert/strict';
import { exampleBody, registryKinds } from '../http/kinds.mjs';
import { PHONE, go, hasRoute, pathOf, rand, submitForm } from './lib.mjs';

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
    // step 3: the conflict plan, what helps, the chores rota, date nights
    word: 'Pause',
    comeBack: 'The one who asked for the break comes to find the other; we sit in the kitchen with tea.',
    softStart: 'I start with how I feel and what I need, not with what went wrong.',
    softStartChange: 'Each of us begins with one sentence about ourselves: "I feel …, I need …".',
    helpsShared: 'A short walk on my own, then a glass of water and a quiet hug.',
    helpsPrivate: 'Writing it down before I talk; music with headphones on.',
    chore: 'Take out the recycling',
    choreOther: 'Water the plants on the balcony',
    date: 'A walk by the river and dinner at the Thai place',
    dateAhead: 'The cinema on Friday evening',
    dateNote: 'We laughed more than we have in months.',
    dateNoteOther: 'Lovely, though the end of the evening felt tired.',
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
    word: 'Pausa',
    comeBack: 'Quien pidió la pausa va a buscar al otro; nos sentamos en la cocina con un té.',
    softStart: 'Empiezo por cómo me siento y qué necesito, no por lo que salió mal.',
    softStartChange: 'Cada uno empieza con una frase sobre sí: «Siento…, necesito…».',
    helpsShared: 'Un paseo corto a solas, luego un vaso de agua y un abrazo tranquilo.',
    helpsPrivate: 'Escribirlo antes de hablar; música con auriculares.',
    chore: 'Sacar el reciclaje',
    choreOther: 'Regar las plantas del balcón',
    date: 'Un paseo por el río y cenar en el tailandés',
    dateAhead: 'El cine el viernes por la noche',
    dateNote: 'Nos reímos como no lo hacíamos en meses.',
    dateNoteOther: 'Precioso, aunque al final de la noche pesaba el cansancio.',
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
    word: 'Пауза',
    comeBack: 'Тот, кто попросил паузу, сам находит другого; садимся на кухне с чаем.',
    softStart: 'Начинаю с того, что чувствую и что мне нужно, а не с того, что пошло не так.',
    softStartChange: 'Каждый начинает с одной фразы о себе: «Я чувствую…, мне нужно…».',
    helpsShared: 'Короткая прогулка в одиночестве, потом стакан воды и спокойные объятия.',
    helpsPrivate: 'Записать всё до разговора; музыка в наушниках.',
    chore: 'Вынести мусор на переработку',
    choreOther: 'Полить цветы на балконе',
    date: 'Прогулка у реки и ужин в тайском кафе',
    dateAhead: 'Кино в пятницу вечером',
    dateNote: 'Столько смеха не было уже много месяцев.',
    dateNoteOther: 'Было хорошо, хотя к концу вечера накопилась усталость.',
  },
};

async function clickNav(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Today in UTC as YYYY-MM-DD, plus days. */
function day(plus = 0) {
  return new Date(Date.now() + plus * 86400000).toISOString().slice(0, 10);
}

/*
 * The step-3 walks are full at phone width (JavaScript on and off).  At
 * desktop width the pages and forms are the same, so a journey there only
 * agrees a plan (B accepts A's as it is) and takes a break; the steps
 * marked phoneOnly are skipped.  Walking all of it in the twelve journeys
 * took about 10 s more per journey on a busy 2-core machine, for nothing
 * a phone-width walk does not already see.
 */
function fullWalk(viewport) {
  return viewport.width === PHONE.width;
}

/** The conflict plan as it stands (its section), or nothing before the first one. */
function planSection(page) {
  return page.locator('section[aria-labelledby="current-title"]');
}

/** The plan's state as a partner sees it: its words, agreed or not, and whether they may accept it. */
async function planState(page) {
  const section = planSection(page);
  if (await section.count() === 0) return null;
  return {
    text: await section.innerText(),
    agreed: await section.locator('p.notice').count() === 1,
    canAccept: await page.locator('form[action="/conflict-plan/accept"]').count() === 1,
  };
}

/** Fill the conflict plan form with the words and minutes given (only those given). */
async function fillPlan(page, { word, minutes, comeBack, softStart }) {
  if (word !== undefined) await page.fill('#plan-word', word);
  if (minutes !== undefined) await page.fill('#plan-break', String(minutes));
  if (comeBack !== undefined) await page.fill('#plan-come-back', comeBack);
  if (softStart !== undefined) await page.fill('#plan-soft', softStart);
  await submitForm(page, 'form[action="/conflict-plan"]');
}

/** The card of a date night, by its title, and its id. */
async function dateCard(page, title) {
  const card = page.locator('li.card[id^="date-"]', { hasText: title });
  assert.equal(await card.count(), 1, `one date night "${title}"`);
  return { card, id: (await card.getAttribute('id')).slice('date-'.length) };
}

/** Say a date night happened, with a rating and a note, on its card's form. */
async function rateDate(page, id, rating, note) {
  const form = page.locator(`form[action="/dates/${id}"]`);
  await form.locator(`input[name="rating"][value="${rating}"]`).check();
  await form.locator('textarea[name="note"]').fill(note);
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
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
      assert.equal(await page.locator('.flags:not([hidden])').count(), 0, 'no findings after the fix (the coach keeps an empty, hidden box under each part for its live hints)');
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
  {
    title: 'the conflict plan: A proposes, B asks for a change, A accepts it; agreed only then',
    needs: [['GET', '/conflict-plan'], ['POST', '/conflict-plan'], ['POST', '/conflict-plan/accept']],
    async run(s) {
      const { server, lang, viewport, A, B } = s;
      const w = WORDS[lang];
      const full = fullWalk(viewport);
      await go(A.page, server, '/conflict-plan');
      assert.equal(await planState(A.page), null, 'no plan yet');
      await fillPlan(A.page, { word: w.word, minutes: 30, comeBack: w.comeBack, softStart: w.softStart });
      assert.equal(pathOf(A.page), '/conflict-plan?saved=1');
      assert.equal(await A.page.locator('main p.notice[role="status"]').count(), 1, 'A is told it is saved');
      let st = await planState(A.page);
      assert.ok(st.text.includes(w.word) && st.text.includes(w.comeBack), 'A\'s plan reads back');
      assert.ok(!st.agreed && !st.canAccept, 'A\'s own version is not agreed yet, and not A\'s to accept');

      await go(B.page, server, '/conflict-plan');
      st = await planState(B.page);
      assert.ok(st.text.includes(w.word) && st.text.includes(w.softStart), 'B reads A\'s plan');
      assert.ok(!st.agreed && st.canAccept, 'B may accept it; it is not agreed yet');
      let minutes = 30;
      if (full) {
        // B asks for a change: the form starts from the plan as it stands.
        assert.equal(await B.page.inputValue('#plan-word'), w.word);
        assert.equal(await B.page.inputValue('#plan-soft'), w.softStart);
        minutes = 45;
        await fillPlan(B.page, { minutes, softStart: w.softStartChange });
        st = await planState(B.page);
        assert.ok(st.text.includes(w.softStartChange) && st.text.includes(String(minutes)),
          'B\'s version reads back');
        assert.ok(!st.agreed && !st.canAccept, 'B\'s version waits for A');

        await go(A.page, server, '/conflict-plan');
        st = await planState(A.page);
        assert.ok(st.text.includes(w.softStartChange) && !st.text.includes(w.softStart),
          'A sees B\'s version in place of their own');
        assert.ok(!st.agreed && st.canAccept, 'A may accept B\'s version; until then it is not agreed');
        await submitForm(A.page, 'form[action="/conflict-plan/accept"]');
        st = await planState(A.page);
        assert.ok(st.agreed && !st.canAccept, 'after accepting, A sees it agreed');
        await go(B.page, server, '/conflict-plan');
      } else {
        // shorter at desktop width: B accepts A's version as it is
        await submitForm(B.page, 'form[action="/conflict-plan/accept"]');
      }
      st = await planState(B.page);
      assert.ok(st.agreed && !st.canAccept, 'B sees it agreed');
      assert.ok(st.text.includes(String(minutes)));
      await go(A.page, server, '/conflict-plan');
      assert.ok((await planState(A.page)).agreed, 'and so does A');
      s.breakMinutes = minutes;
    },
  },
  {
    title: 'A takes a break; B sees it at once, on home, with when to come back',
    needs: [['GET', '/conflict-plan'], ['POST', '/timeouts']],
    async run(s) {
      const { server, A, B } = s;
      const breakCard = (page) => page.locator('section[aria-labelledby="timeout-title"]');
      await go(A.page, server, '/conflict-plan');
      const minutes = Number(await A.page.inputValue('#timeout-minutes'));
      if (s.breakMinutes) assert.equal(minutes, s.breakMinutes, 'the break lasts what the plan says');
      await submitForm(A.page, 'form[action="/timeouts"]');
      assert.equal(pathOf(A.page), '/conflict-plan');
      const aTime = breakCard(A.page).locator('time[datetime]');
      assert.equal(await aTime.count(), 1, 'A sees the break under way');
      assert.equal(await A.page.locator('form[action="/timeouts"]').count(), 0, 'and no second one to take');
      const endsAt = await aTime.getAttribute('datetime');
      const left = (Date.parse(endsAt) - Date.now()) / 60000;
      assert.ok(left > minutes - 2 && left <= minutes + 1, `the break ends in ${minutes} minutes (${endsAt})`);
      const aText = await aTime.innerText();
      assert.ok(aText.includes(String(minutes)), `A reads how long: ${aText}`);

      await go(B.page, server, '/home');
      const bTime = B.page.locator('section[aria-labelledby="break-title"] time[datetime]');
      assert.equal(await bTime.count(), 1, 'B\'s home shows the break');
      assert.equal(await bTime.getAttribute('datetime'), endsAt, 'with the same time to come back');
      const bText = await bTime.innerText();
      assert.ok(bText.includes(String(minutes)), `B reads how long: ${bText}`);
      assert.notEqual(bText, aText, 'B is told the partner asked for it, not B');
      await go(B.page, server, '/conflict-plan');
      assert.equal(await breakCard(B.page).locator('time[datetime]').getAttribute('datetime'), endsAt);
      assert.equal(await B.page.locator('form[action="/timeouts"]').count(), 0);
    },
  },
  {
    title: 'what helps each: A shares it, B keeps theirs private; each sees only what the other shared',
    needs: [['GET', '/helps-me'], ['POST', '/helps-me']],
    phoneOnly: true,
    async run({ server, lang, A, B }) {
      const w = WORDS[lang];
      const partnerCard = (page) => page.locator('section[aria-labelledby="partner-title"]');
      const save = (page) => submitForm(page, 'form[action="/helps-me"]');
      await go(A.page, server, '/helps-me');
      assert.ok(await A.page.isChecked('#helps-partner'), 'sharing with the partner is offered');
      await A.page.fill('#helps-body', w.helpsShared);
      await save(A.page);
      assert.equal(pathOf(A.page), '/helps-me?saved=1');
      assert.equal(await A.page.inputValue('#helps-body'), w.helpsShared, 'A\'s text reads back');

      await go(B.page, server, '/helps-me');
      assert.ok((await partnerCard(B.page).innerText()).includes(w.helpsShared), 'B reads what helps A');
      await B.page.fill('#helps-body', w.helpsPrivate);
      await B.page.uncheck('#helps-partner');
      await save(B.page);
      assert.ok(!(await B.page.isChecked('#helps-partner')), 'B\'s stays unshared');
      assert.equal(await B.page.inputValue('#helps-body'), w.helpsPrivate);

      await go(A.page, server, '/helps-me');
      assert.ok(!(await A.page.content()).includes(w.helpsPrivate), 'B\'s private text is nowhere on A\'s page');
      assert.equal(await partnerCard(A.page).locator('.entry-body').count(), 0, 'A is told nothing is shared');
      // B changes their mind and shares it: now A reads it.
      await go(B.page, server, '/helps-me');
      await B.page.check('#helps-partner');
      await save(B.page);
      await go(A.page, server, '/helps-me');
      assert.ok((await partnerCard(A.page).innerText()).includes(w.helpsPrivate), 'once shared, A reads it');
    },
  },
  {
    title: 'A adds a chore B does first; each sees who does it this week and who the next',
    needs: [['GET', '/chores'], ['POST', '/chores']],
    phoneOnly: true,
    async run({ server, lang, a, b, A, B }) {
      const w = WORDS[lang];
      await go(A.page, server, '/chores');
      assert.equal(await A.page.inputValue('#chore-title'), '', 'a new chore starts empty');
      await A.page.fill('#chore-title', w.chore);
      await A.page.check('#chore-first-partner');
      assert.equal(await A.page.inputValue('#chore-starts'), day(), 'it starts this week unless changed');
      await submitForm(A.page, 'form[action="/chores"]');
      // The card's first line is this week's, the second next week's.
      const weeks = async (page) => {
        const card = page.locator('li.card[id^="chore-"]', { hasText: w.chore });
        assert.equal(await card.count(), 1, 'the chore is on the rota');
        const lines = card.locator('p');
        return {
          now: await lines.nth(0).innerText(),
          next: await lines.nth(1).innerText(),
          canRemove: await card.locator('form[action$="/delete"]').count() === 1,
        };
      };
      const aSees = await weeks(A.page);
      assert.ok(aSees.now.includes(b.name), `A: ${b.name} does it this week (${aSees.now})`);
      assert.ok(!aSees.next.includes(b.name), `A: and not next week (${aSees.next})`);
      assert.ok(aSees.canRemove, 'A may take it off the rota');

      await go(B.page, server, '/chores');
      const bSees = await weeks(B.page);
      assert.ok(!bSees.now.includes(a.name) && bSees.now !== aSees.now, `B: B does it this week (${bSees.now})`);
      assert.ok(bSees.next.includes(a.name), `B: ${a.name} does it next week (${bSees.next})`);
      assert.ok(!bSees.canRemove, 'only A may take it off');
    },
  },
  {
    title: 'a date night: A plans it, each says it happened and rates it, both see both ratings',
    needs: [['GET', '/dates'], ['POST', '/dates'], ['POST', '/dates/{id}']],
    phoneOnly: true,
    async run({ server, lang, a, b, A, B }) {
      const w = WORDS[lang];
      await go(A.page, server, '/dates');
      assert.equal(await A.page.inputValue('#date-title'), '', 'a new date starts empty');
      await A.page.fill('#date-title', w.date);
      assert.equal(await A.page.inputValue('#date-day'), day(), 'tonight unless changed');
      await submitForm(A.page, 'form[action="/dates"]');
      const { id } = await dateCard(A.page, w.date);
      assert.match(id, /^[0-9a-f]{32}$/);
      await rateDate(A.page, id, 4, w.dateNote);
      let { card } = await dateCard(A.page, w.date);
      assert.ok((await card.innerText()).includes(w.dateNote), 'A\'s note reads back');
      assert.ok(await card.locator('input[name="rating"][value="4"]').isChecked(), 'A\'s rating stays checked');

      await go(B.page, server, '/dates');
      ({ card } = await dateCard(B.page, w.date));
      const aLine = await card.locator('p', { hasText: a.name }).innerText();
      assert.match(aLine, /\b4\b/, `B sees A's rating (${aLine})`);
      assert.ok((await card.innerText()).includes(w.dateNote), 'and A\'s note');
      assert.equal(await card.locator('input[name="rating"]:checked').count(), 0, 'B\'s own is still to give');
      await rateDate(B.page, id, 2, w.dateNoteOther);

      await go(A.page, server, '/dates');
      ({ card } = await dateCard(A.page, w.date));
      const bLine = await card.locator('p', { hasText: b.name }).innerText();
      assert.match(bLine, /\b2\b/, `A sees B's rating (${bLine})`);
      const text = await card.innerText();
      assert.ok(text.includes(w.dateNote) && text.includes(w.dateNoteOther), 'A sees both notes');
      assert.match(text, /\b4\b/, 'and their own rating');
      // A date ahead cannot be rated yet.
      await A.page.fill('#date-title', w.dateAhead);
      await A.page.fill('#date-day', day(5));
      await submitForm(A.page, 'form[action="/dates"]');
      const ahead = await dateCard(A.page, w.dateAhead);
      assert.equal(await ahead.card.locator('form').count(), 0, 'a date ahead has no "how was it" yet');
    },
  },
  {
    title: 'A proposes an agreement; B asks for a change; A accepts it, and both see it agreed',
    needs: [['GET', '/agreements'], ['POST', '/agreements'], ['GET', '/agreements/{id}'],
      ['POST', '/agreements/{id}/revise'], ['POST', '/agreements/{id}/accept']],
    async run({ server, lang, A, B }) {
      const w = WORDS[lang];
      const text = `${w.offer} (${rand(4)})`;
      const change = `${w.repair} (${rand(4)})`;
      await go(A.page, server, '/agreements');
      await A.page.selectOption('#agreement-category', 'privacy');
      await A.page.fill('#agreement-text', text);
      await A.page.fill('#agreement-consequence', w.regret);
      await A.page.fill('#agreement-review', day(60));
      await submitForm(A.page, 'form[action="/agreements"]');
      assert.match(pathOf(A.page), /^\/agreements\/[0-9a-f]{32}\?saved=1$/, 'A lands on the new agreement');
      const url = new URL(A.page.url()).pathname;
      assert.equal(await A.page.locator(`form[action="${url}/accept"]`).count(), 0, 'A does not accept their own');
      assert.equal(await A.page.locator('.agreement-state.is-agreed').count(), 0, 'one-sided: not shown as agreed');

      // B finds it waiting, and proposes a change instead of accepting
      await go(B.page, server, '/agreements');
      await clickNav(B.page, `main a[href="${url}"] >> nth=-1`);
      assert.ok((await B.page.innerText('main')).includes(text), 'B reads A\'s words');
      assert.equal(await B.page.locator(`form[action="${url}/accept"]`).count(), 1, 'B may accept');
      await B.page.fill('#revise-text', change);
      await submitForm(B.page, `form[action="${url}/revise"]`);
      assert.equal(await B.page.locator(`form[action="${url}/accept"]`).count(), 0, 'now it waits for A');

      // A accepts B's version; both see it agreed, with its history
      await go(A.page, server, url);
      assert.ok((await A.page.innerText('main')).includes(change), 'A reads B\'s change');
      await submitForm(A.page, `form[action="${url}/accept"]`);
      for (const P of [A.page, B.page]) {
        await go(P, server, url);
        assert.equal(await P.locator('.agreement-state.is-agreed').count(), 1, 'agreed by both');
        const main = await P.innerText('main');
        assert.ok(main.includes(change) && main.includes(text), 'the version and its history');
      }
    },
  },
  {
    title: 'a breach: A reports their own, each writes their side of the repair, both say it is repaired',
    needs: [['GET', '/breaches'], ['POST', '/breaches'], ['GET', '/breaches/{id}'],
      ['POST', '/breaches/{id}/repair'], ['POST', '/breaches/{id}/repaired']],
    phoneOnly: true,
    async run({ server, lang, A, B }) {
      const w = WORDS[lang];
      const what = `${w.did} (${rand(4)})`;
      await go(A.page, server, '/breaches');
      await A.page.fill('#breach-description', what);
      await A.page.check('#breach-self');
      await submitForm(A.page, 'form[action="/breaches"]');
      assert.match(pathOf(A.page), /^\/breaches\/[0-9a-f]{32}$/, 'A lands on the breach');
      const url = new URL(A.page.url()).pathname;
      const sides = { A: `${w.why} (${rand(4)})`, B: `${w.impact} (${rand(4)})` };
      for (const [who, P, feeling] of [['A', A.page, 'ashamed'], ['B', B.page, 'hurt']]) {
        await go(P, server, url);
        assert.ok((await P.innerText('main')).includes(what), `${who} reads what happened`);
        await P.check(`input[name="feelings.${feeling}"]`);
        await P.fill('#repair-my-view', sides[who]);
        await P.fill('#repair-my-part', w.regret);
        await P.fill('#repair-differently', w.repair);
        await submitForm(P, `form[action="${url}/repair"]`);
      }
      // each reads the other's side only now that both wrote theirs
      await go(A.page, server, url);
      assert.ok((await A.page.innerText('main')).includes(sides.B), 'A reads B\'s side');
      for (const P of [A.page, B.page]) {
        await go(P, server, url);
        await submitForm(P, `form[action="${url}/repaired"]`);
      }
      for (const P of [A.page, B.page]) {
        await go(P, server, url);
        assert.equal(await P.locator(`form[action="${url}/repair"]`).count(), 0, 'repaired: no more changes');
        assert.equal(await P.locator(`form[action="${url}/repaired"]`).count(), 0);
      }
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
  await seed(aClient, 'PUT', '/api/v1/helps-me', { body: w.helpsShared, shared_with: ['partner'] }, 'what helps A');
  await seed(bClient, 'PUT', '/api/v1/helps-me', { body: w.helpsPrivate, shared_with: [] }, 'what helps B, private');
  // A's plan, not accepted yet: the page walk's last visits accept it and take a break.
  await seed(aClient, 'PUT', '/api/v1/conflict-plan', {
    timeout_word: w.word, break_minutes: 30, come_back: w.comeBack, soft_startup: w.softStart,
  }, 'A\'s conflict plan');
  const bMe = (await bClient.get('/api/v1/me')).json?.member?.id;
  if (bMe) {
    await seed(aClient, 'POST', '/api/v1/chores', { title: w.chore, first_partner: bMe, starts_on: day() },
      'a chore B does first');
  }
  await seed(aClient, 'POST', '/api/v1/dates', { title: w.date, planned_for: day() }, 'a date night tonight');
  // one that happened, with both ratings and notes
  const past = await seed(bClient, 'POST', '/api/v1/dates', { title: w.dateAhead, planned_for: day(-3) },
    'a date night that happened');
  if (past?.date?.id) {
    const p = `/api/v1/dates/${past.date.id}`;
    await seed(aClient, 'PUT', p, { done: true, rating: 4, note: w.dateNote }, 'A\'s rating');
    await seed(bClient, 'PUT', p, { done: true, rating: 2, note: w.dateNoteOther }, 'B\'s rating');
  }
  // homework: one A shares with the care team, which B marks done with a note (so /homework
  // shows a mark, and A's /summary an item with its answer), and one B assigns, not done yet
  const hw = await seed(aClient, 'POST', '/api/v1/homework',
    { title: w.repair, body: w.need, due_on: day(7), shared_with: ['partner', 'care'] }, 'homework for the care team');
  if (hw?.homework?.id) {
    await seed(bClient, 'PUT', `/api/v1/homework/${hw.homework.id}`, { done: true, note: w.dateNote }, 'B marks it done');
  }
  await seed(bClient, 'POST', '/api/v1/homework', { title: w.offer, due_on: day(2) }, 'homework B assigns');
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
  // step 5: a listening session B speaks first in, with A's private answer
  if (bMe) {
    const ls = await seed(aClient, 'POST', '/api/v1/listening', { topic: w.need, speaker_first: bMe },
      'a listening session');
    if (ls?.listening?.id) {
      await seed(aClient, 'PUT', `/api/v1/listening/${ls.listening.id}`, { turns: 4, minutes: 20, felt_heard: 4 },
        'A\'s answer to it');
    }
  }
  // every kind that is all data: one of A's, shared, and one of B's, private
  for (const k of registryKinds()) {
    await seed(aClient, 'POST', `/api/v1/${k.plural}`,
      exampleBody(k, { mark: w.landed, shared: ['partner'] }), `A's ${k.name}`);
    await seed(bClient, 'POST', `/api/v1/${k.plural}`, exampleBody(k, { mark: w.need }), `B's ${k.name}`);
  }
  // step 4: B asks for professional help, with a note A reads on /help (a signal for both)
  await seed(bClient, 'POST', '/api/v1/help-requests', { kind: 'asked', note: w.need }, 'a help request');
  // step 5: an appreciation of B's that A thanked and one A has still to thank; A's trigger plan,
  // shared, and A's "I'm triggered" that B has still to answer (B's /triggered shows it first)
  const ap = await seed(bClient, 'POST', '/api/v1/appreciations', { body: w.landed, meant: w.need }, 'an appreciation');
  if (ap?.appreciation?.id) {
    await seed(aClient, 'POST', `/api/v1/appreciations/${ap.appreciation.id}/thanks`, undefined, 'A thanks it');
  }
  await seed(bClient, 'POST', '/api/v1/appreciations', { body: w.offer }, 'an appreciation to thank');
  await seed(aClient, 'PUT', '/api/v1/trigger-plan', { wants: ['reassurance', 'hold'], words: w.helpsShared,
    shared_with: ['partner'] }, 'A\'s trigger plan');
  await seed(aClient, 'POST', '/api/v1/triggered', { note: w.need }, 'A is triggered');
  return notes;
}
