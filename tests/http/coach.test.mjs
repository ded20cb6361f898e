// The message coach (step 5, issue 15): POST /api/v1/coach reads a text
// being written and answers each finding with its pattern, where it sits in
// code points (right for accents, Cyrillic and emoji) and a gentler hint in
// the member's language; nothing denied or quoted is flagged, bad input is a
// 400 naming the field, and the texts a partner reads come back with
// coach_flags for their author alone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describe, errCode, hiddenInput, pair, startServer } from './harness.mjs';

let server;

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/* The words [start, end) of text, counted in code points as the API counts them. */
function words(text, f) {
  return [...text].slice(f.start, f.end).join('');
}

test('each pattern is found, with its words and a hint; denied and quoted words are not', async () => {
  const { aClient } = await pair(server.url);
  const text = 'You always put your phone first. You\'re pathetic. It\'s not my fault. '
    + 'Whatever. You owe me. I don\'t think you\'re stupid, and you said "whatever" once.';
  const res = await aClient.post('/api/v1/coach', { text });
  assert.equal(res.status, 200, describe(res));
  assert.deepEqual(Object.keys(res.json), ['findings']);
  assert.deepEqual(res.json.findings.map((f) => [f.pattern, words(text, f)]), [
    ['criticism', 'You always'],
    ['contempt', 'pathetic'],
    ['defensiveness', 'It\'s not my fault'],
    ['stonewalling', 'Whatever'],
    ['controlling', 'You owe me'],
  ]);
  for (const f of res.json.findings) {
    assert.deepEqual(Object.keys(f).sort(), ['end', 'hint', 'pattern', 'start']);
    assert.ok(f.hint.length > 20, f.hint);
  }
  assert.match(res.json.findings[0].hint, /I feel/);
  const kind = await aClient.post('/api/v1/coach', { text: 'I\'m done with the dishes; you have to try this cake.' });
  assert.equal(kind.status, 200, describe(kind));
  assert.deepEqual(kind.json.findings, []);
});

test('offsets count code points before and inside multi-byte words; hints follow the member', async () => {
  const { aClient } = await pair(server.url, { aFields: { language: 'es' } });
  const text = '😢 Café, ñandú… você? You never listen.';
  const res = await aClient.post('/api/v1/coach', { text, language: 'en' });
  assert.equal(res.status, 200, describe(res));
  assert.equal(res.json.findings.length, 1, describe(res));
  const f = res.json.findings[0];
  assert.equal(f.pattern, 'criticism');
  assert.equal(words(text, f), 'You never');
  assert.equal(f.start, [...'😢 Café, ñandú… você? '].length);
  // the hint is Spanish for a member who reads Spanish
  assert.match(f.hint, /[áéíóúñ¿]|Prueba|puede/i, f.hint);
});

test('bad input is refused with 400 naming the field; nothing else is read', async () => {
  const { aClient } = await pair(server.url);
  for (const [body, field] of [
    [{}, 'text'],
    [{ text: 42 }, 'text'],
    [{ text: 'x'.repeat(20001) }, 'text'],
    [{ text: 'ok', language: 'fr' }, 'language'],
    [{ text: 'ok', language: 7 }, 'language'],
  ]) {
    const res = await aClient.post('/api/v1/coach', body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${describe(res)}`);
    assert.match(JSON.stringify(res.json.error), new RegExp(field, 'i'), describe(res));
  }
  const bytes = Buffer.concat([Buffer.from('{"text":"you always'), Buffer.from([0xff]), Buffer.from('"}')]);
  const bad = await aClient.post('/api/v1/coach', bytes);
  assert.equal(bad.status, 400, describe(bad));
  // the message is in the member's language
  const { aClient: ru } = await pair(server.url, { aFields: { language: 'ru' } });
  const long = await ru.post('/api/v1/coach', { text: 'ж'.repeat(20001) });
  assert.equal(long.status, 400, describe(long));
  assert.match(long.json.error.message, /[а-я]/i, describe(long));
  assert.ok(errCode(long));
  // the largest text is read
  const max = await aClient.post('/api/v1/coach', { text: `${'ж'.repeat(19980)} whatever` });
  assert.equal(max.status, 200, describe(max));
  assert.equal(max.json.findings[0].start, 19981);
});

test('a card, an offer and a statement carry coach_flags for their author, never for the partner', async () => {
  const { aClient, bClient } = await pair(server.url);
  const card = await aClient.post('/api/v1/shares', {
    kind: 'need', body: 'You never ask about my day.', shared_with: ['partner'],
  });
  assert.equal(card.status, 201, describe(card));
  assert.deepEqual(card.json.share.coach_flags.map((f) => [f.field, f.pattern, f.match]),
    [['body', 'criticism', 'You never']]);
  const seen = (await bClient.get(`/api/v1/shares/${card.json.share.id}`)).json.share;
  assert.equal(seen.coach_flags, undefined, 'the partner sees the words, not the coach');
  const ack = await bClient.post(`/api/v1/shares/${card.json.share.id}/ack`, { reply: 'Whatever.' });
  assert.equal(ack.status, 201, describe(ack));
  assert.deepEqual(ack.json.ack.coach_flags.map((f) => f.pattern), ['stonewalling']);

  const until = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
  const offer = await aClient.post('/api/v1/offers', { text: 'You have to check my phone with me.', until });
  assert.equal(offer.status, 201, describe(offer));
  assert.deepEqual(offer.json.offer.coach_flags.map((f) => f.pattern), ['controlling']);
  const offers = (await bClient.get('/api/v1/offers')).json.offers;
  assert.equal(offers[0].coach_flags, undefined);

  const st = await aClient.post('/api/v1/statements', {
    what_i_did: 'I lied to you.', impact: 'It\'s not my fault you were hurt.',
  });
  assert.equal(st.status, 201, describe(st));
  assert.deepEqual(st.json.statement.coach_flags.map((f) => [f.field, f.pattern]),
    [['impact', 'defensiveness']]);
  // the draft's page shows the hint beside the part, to its author
  const page = await aClient.get(`/statements/${st.json.statement.id}`);
  assert.equal(page.status, 200, describe(page));
  assert.match(page.text, /<div class="flags coach-hints">[^]*?<q class="flag-match">It&#39;s not my fault<\/q>|<div class="flags coach-hints">[^]*?<q class="flag-match">It's not my fault<\/q>/);
});

test('without JavaScript, the cards page shows its author the hints after sending, in their language', async () => {
  for (const [lang, title] of [['en', 'A gentler way to say it'], ['es', 'Una forma más amable de decirlo'],
    ['ru', 'Как сказать мягче']]) {
    const { aClient, bClient } = await pair(server.url, { aFields: { language: lang }, bFields: { language: lang } });
    const page = await aClient.get('/shares');
    assert.equal(page.status, 200, describe(page));
    // the form's textarea asks for live hints, and the script is a file (CSP)
    assert.match(page.text, new RegExp(`<textarea id="share-body" data-coach="${title}"`));
    assert.match(page.text, /<script src="\/static\/js\/coach\.js" defer><\/script>/);
    const res = await aClient.form('/shares', {
      csrf: hiddenInput(page.text, 'csrf'), kind: 'need', body: 'You never ask about <my> day.', share_partner: '1',
    });
    assert.equal(res.status, 303, describe(res));
    const mine = await aClient.get('/shares');
    assert.match(mine.text, new RegExp(`<div class="flags coach-hints">\\s*<p class="flags-title">${title}</p>`));
    assert.match(mine.text, /<q class="flag-match">You never<\/q>/);
    assert.doesNotMatch(mine.text, /<my>/, 'the words are escaped');
    const theirs = await bClient.get('/shares');
    assert.match(theirs.text, /You never ask about &lt;my&gt; day\./);
    assert.doesNotMatch(theirs.text, /coach-hints/, 'the partner reads the words, not the coach');
  }
  const js = await aClientless();
  assert.doesNotMatch(js, /innerHTML/, 'hints are set as text');
  assert.match(js, /aria-live/);
  assert.match(js, /X-CSRF-Token/);
});

async function aClientless() {
  const res = await fetch(`${server.url}/static/js/coach.js`);
  assert.equal(res.status, 200);
  return res.text();
}

test('without JavaScript, a reply and an appreciation show their author the hints after sending, never the partner', async () => {
  const { aClient, bClient } = await pair(server.url);
  const card = await aClient.post('/api/v1/shares', {
    kind: 'hope', body: 'I hope we can walk together on Sundays.', shared_with: ['partner'],
  });
  assert.equal(card.status, 201, describe(card));
  assert.equal(card.json.share.coach_flags.length, 0, 'a kind card has nothing to say');
  let page = await bClient.get('/shares');
  let res = await bClient.form(`/shares/${card.json.share.id}/ack`, {
    csrf: hiddenInput(page.text, 'csrf'), reply: 'Whatever.',
  });
  assert.equal(res.status, 303, describe(res));
  page = await bClient.get('/shares');
  assert.match(page.text, /<blockquote class="entry-body">Whatever\.<\/blockquote>\s*<div class="flags coach-hints">/,
    'the hint stands under the reply its author wrote');
  assert.doesNotMatch((await aClient.get('/shares')).text, /coach-hints/, 'the card\'s author reads the reply, not the coach');

  page = await aClient.get('/appreciations');
  assert.match(page.text, /<textarea id="appreciation-body" data-coach=/);
  assert.match(page.text, /<script src="\/static\/js\/coach\.js" defer><\/script>/);
  res = await aClient.form('/appreciations', {
    csrf: hiddenInput(page.text, 'csrf'), body: 'Thanks for the dinner. You never ask about my day, though.',
  });
  assert.equal(res.status, 303, describe(res));
  assert.match((await aClient.get('/appreciations')).text, /<q class="flag-match">[^<]+<\/q>/);
  assert.doesNotMatch((await bClient.get('/appreciations')).text, /coach-hints/);
  const api = (await aClient.get('/api/v1/appreciations')).json.appreciations[0];
  assert.ok(api.coach_flags.length > 0, 'the API tells its author too');
  assert.equal((await bClient.get('/api/v1/appreciations')).json.appreciations[0].coach_flags, undefined);
});
