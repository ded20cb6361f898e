/*
 * test-apology.c: the statement check against phrasings people write.
 *
 * For each language, at least twenty non-apologies that must be flagged
 * (with the pattern and the exact words we expect to quote back), and at
 * least twenty sincere apologies that must not be flagged, checked both
 * with their own language's patterns and with all of them (the server
 * checks statements with all three, so a sincere Spanish sentence must not
 * trip an English pattern).  Then the edges: case folding in both scripts,
 * typographic apostrophes, decomposed accents, word boundaries, sentence
 * breaks, the gap limit, the findings cap and bad arguments.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "build-config.h"
#include "core/apology.h"
#include "core/lang.h"

struct flagged {
	const char *text;
	enum apology_pattern pattern;
	const char *match; /* the exact bytes the finding must span */
};

/* clang-format off */
static const struct flagged en_flagged[] = {
	{"I'm sorry if you felt hurt.", APOLOGY_CONDITIONAL, "sorry if"},
	{"I am SORRY, IF anything I did upset you.", APOLOGY_CONDITIONAL, "SORRY, IF"},
	{"Sorry if I hurt you, that was never my intention.", APOLOGY_CONDITIONAL, "Sorry if"},
	{"I apologize if my words came across badly.", APOLOGY_CONDITIONAL, "apologize if"},
	{"If I hurt you, I am sorry.", APOLOGY_CONDITIONAL, "If I hurt you"},
	{"My apologies if that came out wrong.", APOLOGY_CONDITIONAL, "apologies if"},
	{"I\xe2\x80\x99m sorry you feel that way.", APOLOGY_BLAME_SHIFT, "sorry you feel"},
	{"I'm sorry that you feel betrayed.", APOLOGY_BLAME_SHIFT, "sorry that you feel"},
	{"I'm sorry you're upset about this.", APOLOGY_BLAME_SHIFT, "sorry you're upset"},
	{"You made me do it when you stopped talking to me.", APOLOGY_BLAME_SHIFT, "You made me"},
	{"If you hadn't ignored me for months, this would not have happened.",
	 APOLOGY_BLAME_SHIFT, "If you hadn't"},
	{"Honestly it was your fault too.", APOLOGY_BLAME_SHIFT, "it was your fault"},
	{"It was just a few messages.", APOLOGY_MINIMISING, "It was just"},
	{"It meant nothing to me.", APOLOGY_MINIMISING, "It meant nothing"},
	{"It only happened once.", APOLOGY_MINIMISING, "only happened"},
	{"It's not a big deal, we only talked.", APOLOGY_MINIMISING, "not a big deal"},
	{"You are overreacting.", APOLOGY_MINIMISING, "overreacting"},
	{"It was only a kiss.", APOLOGY_MINIMISING, "It was only"},
	{"I just texted her.", APOLOGY_MINIMISING, "just texted"},
	{"I'm sorry, but you were never home.", APOLOGY_BUT_AFTER_APOLOGY, "sorry, but"},
	{"I'm sorry I lied, but I was scared.", APOLOGY_BUT_AFTER_APOLOGY, "sorry I lied, but"},
	{"I am truly sorry. But you have to understand my side.", APOLOGY_BUT_AFTER_APOLOGY,
	 "sorry. But"},
	{"I apologise, but I was under a lot of stress.", APOLOGY_BUT_AFTER_APOLOGY,
	 "apologise, but"},
	{"I was so lonely that winter.", APOLOGY_JUSTIFICATION, "I was so lonely"},
	{"I was drunk that night.", APOLOGY_JUSTIFICATION, "I was drunk"},
};

static const char *const en_sincere[] = {
	"I'm sorry I lied to you.",
	"I lied to you for months, and I am sorry.",
	"I broke your trust when I hid those messages from you.",
	"I know my lies made you doubt yourself, and that was cruel.",
	"You did nothing to deserve this.",
	"I understand now that I chose to keep secrets because I was afraid of conflict.",
	"I regret every time I looked you in the eye and lied.",
	"From now on I will tell you when she contacts me.",
	"I will answer your questions honestly, even when it is hard.",
	"I am going to see a therapist every week.",
	"I'm so sorry for the pain I caused you.",
	"There is no excuse for what I did.",
	"It was my choice and my responsibility.",
	"I hurt you deeply, and I see that now.",
	"I am sorry. I will not ask you to move on before you are ready.",
	"You are the only person I want to build a life with.",
	"I want to earn back your trust, one day at a time.",
	"I was wrong to lie, and I am ashamed of it.",
	"When you asked me directly, I looked away and lied again.",
	"I understand if you need time and space.",
	"I'm sorry. If you want to talk tonight, I will listen.",
	"Sorrow is not enough; I will change, and justice matters to me.",
	"I'm sorry I made you feel small.",
	/* a reason followed within ten words by one that owns it ("[not<=10] @own") */
	"I was lonely that winter, and that is no excuse for what I did.",
	"I was drunk. I chose to hide behind that for too long.",
};

static const struct flagged es_flagged[] = {
	{"Lo siento si te sentiste herida.", APOLOGY_CONDITIONAL, "Lo siento si"},
	{"Perdón si te hice daño.", APOLOGY_CONDITIONAL, "Perdón si"},
	{"Perdon si te ofendi.", APOLOGY_CONDITIONAL, "Perdon si"},
	{"Si te hice daño, lo siento.", APOLOGY_CONDITIONAL, "Si te hice daño"},
	{"Discúlpame si te lastimé.", APOLOGY_CONDITIONAL, "Discúlpame si"},
	{"LO LAMENTO SI ALGO TE MOLESTÓ.", APOLOGY_CONDITIONAL, "LO LAMENTO SI"},
	{"Siento que te sientas así.", APOLOGY_BLAME_SHIFT, "Siento que te sientas"},
	{"Lamento que te hayas sentido traicionada.", APOLOGY_BLAME_SHIFT,
	 "Lamento que te hayas sentido"},
	{"Tú me hiciste hacerlo.", APOLOGY_BLAME_SHIFT, "me hiciste"},
	{"Me obligaste a buscar cariño fuera.", APOLOGY_BLAME_SHIFT, "Me obligaste"},
	{"Fue tu culpa por no escucharme.", APOLOGY_BLAME_SHIFT, "Fue tu culpa"},
	{"Si no hubieras estado siempre trabajando, no habría pasado.", APOLOGY_BLAME_SHIFT,
	 "Si no hubieras"},
	{"No fue para tanto.", APOLOGY_MINIMISING, "No fue para tanto"},
	{"Solo fue un mensaje.", APOLOGY_MINIMISING, "Solo fue"},
	{"Sólo fue un beso.", APOLOGY_MINIMISING, "Sólo fue"},
	{"No significó nada para mí.", APOLOGY_MINIMISING, "No significó nada"},
	{"Estás exagerando con todo esto.", APOLOGY_MINIMISING, "Estás exagerando"},
	{"No pasó nada entre nosotros.", APOLOGY_MINIMISING, "No pasó nada"},
	{"Perdón, pero tú también tienes parte.", APOLOGY_BUT_AFTER_APOLOGY, "Perdón, pero"},
	{"Lo siento mucho, pero estaba muy solo.", APOLOGY_BUT_AFTER_APOLOGY,
	 "Lo siento mucho, pero"},
	{"Lo siento. Pero entiende que estaba confundido.", APOLOGY_BUT_AFTER_APOLOGY,
	 "Lo siento. Pero"},
	{"Perdóname, pero no podía más.", APOLOGY_BUT_AFTER_APOLOGY, "Perdóname, pero"},
	{"Estaba muy sola en esa época.", APOLOGY_JUSTIFICATION, "Estaba muy sola"},
};

static const char *const es_sincere[] = {
	"Lo siento, te mentí.",
	"Te mentí durante meses y lo siento de verdad.",
	"Rompí tu confianza cuando te oculté esos mensajes.",
	"Sé que mis mentiras te hicieron dudar de ti misma.",
	"No hiciste nada para merecer esto.",
	"Fue mi decisión y mi responsabilidad.",
	"Me arrepiento de cada vez que te miré a los ojos y te mentí.",
	"A partir de hoy te diré si ella me escribe.",
	"Voy a responder tus preguntas con honestidad.",
	"Perdóname por el daño que te hice.",
	"Lo siento por todo el dolor que te causé.",
	"No hay excusa para lo que hice.",
	"Te hice mucho daño y ahora lo veo.",
	"Entiendo que necesites tiempo.",
	"Quiero recuperar tu confianza poco a poco.",
	"Me equivoqué al mentirte y me avergüenzo.",
	"Voy a ir a terapia cada semana.",
	"Eres la única persona con quien quiero construir una vida.",
	"Lo siento. Si quieres hablar esta noche, te escucharé.",
	"Estaba muy sola ese invierno, pero eso no me excusa.",
	"Estaba borracho, pero no me voy a esconder detrás de eso.",
	"Siento mucho haberte mentido.",
	"Lamento profundamente haberte traicionado.",
	"Tú no tienes la culpa de nada.",
};

static const struct flagged ru_flagged[] = {
	{"Прости, если я тебя обидел.", APOLOGY_CONDITIONAL, "Прости, если"},
	{"Извини, если что-то не так.", APOLOGY_CONDITIONAL, "Извини, если"},
	{"ПРОСТИ, ЕСЛИ СМОЖЕШЬ.", APOLOGY_CONDITIONAL, "ПРОСТИ, ЕСЛИ"},
	{"Мне жаль, если тебе было больно.", APOLOGY_CONDITIONAL, "Мне жаль, если"},
	{"Если я тебя обидела, прошу прощения.", APOLOGY_CONDITIONAL, "Если я тебя обидела"},
	{"Жаль, что ты так чувствуешь.", APOLOGY_BLAME_SHIFT, "Жаль, что ты так чувствуешь"},
	{"Мне жаль, что ты так себя чувствуешь.", APOLOGY_BLAME_SHIFT,
	 "жаль, что ты так себя чувствуешь"},
	{"Ты меня довёл до этого.", APOLOGY_BLAME_SHIFT, "Ты меня довёл"},
	{"Ты меня довела.", APOLOGY_BLAME_SHIFT, "Ты меня довела"},
	{"Это всё из-за тебя.", APOLOGY_BLAME_SHIFT, "из-за тебя"},
	{"Ты сама виновата.", APOLOGY_BLAME_SHIFT, "Ты сама виновата"},
	{"Если бы ты не уходил в работу, ничего бы не случилось.", APOLOGY_BLAME_SHIFT,
	 "Если бы ты не"},
	{"Это было всего лишь сообщение.", APOLOGY_MINIMISING, "Это было всего лишь"},
	{"Ничего такого не было.", APOLOGY_MINIMISING, "Ничего такого"},
	{"Это был просто флирт.", APOLOGY_MINIMISING, "просто флирт"},
	{"Это ничего не значило.", APOLOGY_MINIMISING, "ничего не значило"},
	{"Ты преувеличиваешь.", APOLOGY_MINIMISING, "Ты преувеличиваешь"},
	{"Подумаешь, переписка.", APOLOGY_MINIMISING, "Подумаешь"},
	{"Прости, но ты тоже не идеальна.", APOLOGY_BUT_AFTER_APOLOGY, "Прости, но"},
	{"Прости меня, но я был одинок.", APOLOGY_BUT_AFTER_APOLOGY, "Прости меня, но"},
	{"Извини. Но ты должна меня понять.", APOLOGY_BUT_AFTER_APOLOGY, "Извини. Но"},
	{"Мне очень жаль, но так получилось.", APOLOGY_BUT_AFTER_APOLOGY, "жаль, но"},
	{"Мне было очень одиноко в то время.", APOLOGY_JUSTIFICATION, "Мне было очень одиноко"},
};

static const char *const ru_sincere[] = {
	"Прости меня, я тебе солгал.",
	"Я лгал тебе месяцами, и мне очень стыдно.",
	"Я разрушил твоё доверие, когда скрывал переписку.",
	"Я знаю, что мои слова причинили тебе боль.",
	"Ты ни в чём не виновата.",
	"Это был мой выбор и моя ответственность.",
	"Я сожалею о каждом дне, когда обманывал тебя.",
	"С этого дня я буду рассказывать тебе, если она напишет.",
	"Я буду честно отвечать на твои вопросы.",
	"Я начал ходить к психологу каждую неделю.",
	"Прости меня за боль, которую я тебе причинил.",
	"Мне нет оправдания.",
	"Я сделал тебе очень больно и теперь это понимаю.",
	"Я хочу вернуть твоё доверие, шаг за шагом.",
	"Я был неправ, что лгал, и мне стыдно.",
	"Ты единственный человек, с которым я хочу строить жизнь.",
	"Прости. Если захочешь поговорить вечером, я выслушаю.",
	"Мне жаль, что я причинил тебе столько боли.",
	"Я понимаю, что тебе нужно время.",
	"Я обманул тебя, и это было жестоко.",
	"Прошу прощения за всё, что я сделал.",
	"Я виноват перед тобой.",
	"Мне было одиноко, но это меня не оправдывает.",
	"Я был пьян, но прятаться за этим не буду.",
};
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static size_t check(const char *text, const char *lang, struct apology_finding *out)
{
	size_t n = 99;

	assert_int_equal(apology_check(text, strlen(text), lang, out, APOLOGY_FINDINGS_MAX, &n), 0);
	assert_true(n <= APOLOGY_FINDINGS_MAX);
	return n;
}

/* The finding of pattern p that spans exactly `match`, in its own language and in all. */
static void expect_flagged(const struct flagged *f, size_t count, const char *lang)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];
	const char *langs[] = {lang, NULL};
	size_t i, k, n, l, missed = 0;
	int found;

	for (i = 0; i < count; i++) {
		for (l = 0; l < 2; l++) {
			n = check(f[i].text, langs[l], out);
			found = 0;
			for (k = 0; k < n; k++) {
				assert_true(out[k].start + out[k].len <= strlen(f[i].text));
				if (out[k].pattern == f[i].pattern &&
				    out[k].len == strlen(f[i].match) &&
				    !memcmp(f[i].text + out[k].start, f[i].match, out[k].len))
					found = 1;
			}
			if (!found) {
				print_error("%s (%s): expected %s on \"%s\", got %zu "
					    "finding(s)%s%.*s\n",
					    f[i].text, langs[l] ? langs[l] : "all",
					    apology_pattern_name(f[i].pattern), f[i].match, n,
					    n ? ", first: " : "", n ? (int)out[0].len : 0,
					    n ? f[i].text + out[0].start : "");
				missed++;
			}
		}
	}
	assert_int_equal(missed, 0);
}

static void expect_sincere(const char *const *texts, size_t count, const char *lang)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];
	const char *langs[] = {lang, NULL};
	size_t i, n, l, wrong = 0;

	for (i = 0; i < count; i++) {
		for (l = 0; l < 2; l++) {
			n = check(texts[i], langs[l], out);
			if (n) {
				print_error("%s (%s): flagged %s on \"%.*s\"\n", texts[i],
					    langs[l] ? langs[l] : "all",
					    apology_pattern_name(out[0].pattern), (int)out[0].len,
					    texts[i] + out[0].start);
				wrong++;
			}
		}
	}
	assert_int_equal(wrong, 0);
}

static void test_english(void **state)
{
	(void)state;
	assert_true(COUNT(en_flagged) >= 20);
	assert_true(COUNT(en_sincere) >= 20);
	expect_flagged(en_flagged, COUNT(en_flagged), "en");
	expect_sincere(en_sincere, COUNT(en_sincere), "en");
}

static void test_spanish(void **state)
{
	(void)state;
	assert_true(COUNT(es_flagged) >= 20);
	assert_true(COUNT(es_sincere) >= 20);
	expect_flagged(es_flagged, COUNT(es_flagged), "es");
	expect_sincere(es_sincere, COUNT(es_sincere), "es");
}

static void test_russian(void **state)
{
	(void)state;
	assert_true(COUNT(ru_flagged) >= 20);
	assert_true(COUNT(ru_sincere) >= 20);
	expect_flagged(ru_flagged, COUNT(ru_flagged), "ru");
	expect_sincere(ru_sincere, COUNT(ru_sincere), "ru");
}

/* Each language's patterns stay in their language. */
static void test_language_selects_patterns(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];

	(void)state;
	assert_int_equal(check("I'm sorry if you felt hurt.", "es", out), 0);
	assert_int_equal(check("I'm sorry if you felt hurt.", "ru", out), 0);
	assert_int_equal(check("Lo siento si te sentiste herida.", "en", out), 0);
	assert_int_equal(check("Прости, если я тебя обидел.", "en", out), 0);
	assert_int_equal(check("Прости, если я тебя обидел.", "", out), 1);
}

static void test_spans_and_folding(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];
	/* "perdón" with a combining acute accent (NFD) */
	static const char nfd[] = "Perdo\xcc\x81n si te hice dan\xcc\x83o.";
	static const char curly[] = "I\xe2\x80\x99m sorry you\xe2\x80\x99re upset.";
	size_t n;

	(void)state;
	n = check("  Well... I’m SORRY,   IF it hurt.", "en", out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].pattern, APOLOGY_CONDITIONAL);
	assert_int_equal(out[0].start, strlen("  Well... I’m "));
	assert_int_equal(out[0].len, strlen("SORRY,   IF"));

	n = check(nfd, "es", out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].start, 0);
	assert_int_equal(out[0].len, strlen("Perdo\xcc\x81n si"));

	n = check(curly, "en", out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].pattern, APOLOGY_BLAME_SHIFT);
	assert_int_equal(out[0].len, strlen("sorry you\xe2\x80\x99re upset"));

	/* Ё and ё read as Е and е, in any case */
	assert_int_equal(check("ТЫ МЕНЯ ДОВЁЛ", "ru", out), 1);
	assert_int_equal(check("ты меня довел", "ru", out), 1);
	assert_int_equal(check("Ты Меня Довёл!", "ru", out), 1);
	assert_int_equal(out[0].len, strlen("Ты Меня Довёл"));

	/* words in quotation marks are quoted, not said (issue 16) */
	assert_int_equal(check("He said 'sorry if' twice.", "en", out), 0);
	assert_int_equal(check("«Прости, если» — это не извинение.", "ru", out), 0);
	/* the quotation ends with its closing mark */
	assert_int_equal(check("“Sorry” is a word. Sorry if it hurt.", "en", out), 1);
	assert_int_equal(out[0].start, strlen("“Sorry” is a word. "));
}

static void test_word_boundaries_and_sentences(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];

	(void)state;
	assert_int_equal(check("sorryif", "en", out), 0);
	assert_int_equal(check("I am sorry iffy plans came up", "en", out), 0);
	assert_int_equal(check("Justin was there.", "en", out), 0);
	assert_int_equal(check("It was justice.", "en", out), 0);
	assert_int_equal(check("прости, еслиб", "ru", out), 0);
	assert_int_equal(check("непрости, если", "ru", out), 0);
	/* a sentence break stops "sorry if" and the gap, not "sorry. but" */
	assert_int_equal(check("Sorry. If you like, I will listen.", "en", out), 0);
	assert_int_equal(check("I'm sorry! Butter is on the table.", "en", out), 0);
	assert_int_equal(check("I'm sorry... But you know why.", "en", out), 1);
	assert_int_equal(out[0].pattern, APOLOGY_BUT_AFTER_APOLOGY);
	assert_int_equal(out[0].len, strlen("sorry... But"));
	assert_int_equal(check("I'm sorry; and I know why. But still.", "en", out), 0);
}

static void test_gap_limit(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];
	char text[512];
	size_t i;

	(void)state;
	strcpy(text, "sorry");
	for (i = 0; i < APOLOGY_GAP_MAX; i++)
		strcat(text, " word");
	strcat(text, " but");
	assert_int_equal(check(text, "en", out), 1);
	assert_int_equal(out[0].len, strlen(text));

	strcpy(text, "sorry");
	for (i = 0; i < APOLOGY_GAP_MAX + 1; i++)
		strcat(text, " word");
	strcat(text, " but");
	assert_int_equal(check(text, "en", out), 0);

	/* the shortest gap wins: the first "but" */
	assert_int_equal(check("sorry I did it, but then, but", "en", out), 1);
	assert_int_equal(out[0].len, strlen("sorry I did it, but"));
}

static void test_findings_order_overlap_and_cap(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX], few[2];
	char text[4096];
	size_t n, i;

	(void)state;
	/* "it was just a" is one minimising finding, not two */
	n = check("It was just a kiss.", "en", out);
	assert_int_equal(n, 1);
	/* different patterns may overlap and are all reported, in order */
	n = check("I'm sorry you feel hurt, but it was just once.", "en", out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].pattern, APOLOGY_BLAME_SHIFT);
	assert_int_equal(out[1].pattern, APOLOGY_BUT_AFTER_APOLOGY);
	assert_int_equal(out[2].pattern, APOLOGY_MINIMISING);
	for (i = 1; i < n; i++)
		assert_true(out[i - 1].start <= out[i].start);

	text[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(text, "Sorry if. ");
	n = check(text, "en", out);
	assert_int_equal(n, APOLOGY_FINDINGS_MAX);
	assert_int_equal(apology_check(text, strlen(text), "en", few, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(apology_check(text, strlen(text), "en", NULL, 0, &n), 0);
	assert_int_equal(n, 0);
}

static void test_bad_input(void **state)
{
	struct apology_finding out[APOLOGY_FINDINGS_MAX];
	static const char junk[] = "\xff\xfe sorry \xc3 if \xe2\x82 \xf0\x9f\x98\x80 but\x80";
	size_t n = 77;

	(void)state;
	assert_int_equal(apology_check("x", 1, "de", out, 4, &n), -EINVAL);
	assert_int_equal(apology_check(NULL, 1, NULL, out, 4, &n), -EINVAL);
	assert_int_equal(apology_check("x", 1, NULL, NULL, 4, &n), -EINVAL);
	assert_int_equal(apology_check("x", 1, NULL, out, 4, NULL), -EINVAL);
	assert_int_equal(apology_check("x", APOLOGY_TEXT_MAX + 1, NULL, out, 4, &n), -EINVAL);
	assert_int_equal(n, 77);
	assert_int_equal(apology_check(NULL, 0, NULL, out, 4, &n), 0);
	assert_int_equal(n, 0);
	/* malformed bytes separate words and never stop the check */
	n = check(junk, NULL, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].pattern, APOLOGY_CONDITIONAL);
	assert_int_equal(out[1].pattern, APOLOGY_BUT_AFTER_APOLOGY);
	/* the text need not be NUL-terminated */
	assert_int_equal(apology_check("sorry if you", 8, "en", out, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(apology_check("sorry if you", 7, "en", out, 4, &n), 0);
	assert_int_equal(n, 0);
}

static void test_names_and_suggestions(void **state)
{
	int p;

	(void)state;
	assert_string_equal(apology_pattern_name(APOLOGY_CONDITIONAL), "conditional");
	assert_string_equal(apology_pattern_name(APOLOGY_BLAME_SHIFT), "blame_shift");
	assert_string_equal(apology_pattern_name(APOLOGY_MINIMISING), "minimising");
	assert_string_equal(apology_pattern_name(APOLOGY_BUT_AFTER_APOLOGY), "but_after_apology");
	assert_null(apology_pattern_name(_APOLOGY_PATTERN_MAX));
	for (p = 0; p < _APOLOGY_PATTERN_MAX; p++)
		assert_true(strlen(apology_suggestion((enum apology_pattern)p)) > 20);
}

/* The patterns as shipped, from the source tree. */
static int load_patterns(void **state)
{
	char err[512] = "";
	int r = apology_load(KINTSUGI_SOURCE_ROOT, err, sizeof(err));

	(void)state;
	if (r < 0)
		fprintf(stderr, "apology_load: %s\n", err);
	return r < 0 ? -1 : 0;
}

static int unload_patterns(void **state)
{
	(void)state;
	apology_unload();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english),
		cmocka_unit_test(test_spanish),
		cmocka_unit_test(test_russian),
		cmocka_unit_test(test_language_selects_patterns),
		cmocka_unit_test(test_spans_and_folding),
		cmocka_unit_test(test_word_boundaries_and_sentences),
		cmocka_unit_test(test_gap_limit),
		cmocka_unit_test(test_findings_order_overlap_and_cap),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_names_and_suggestions),
	};

	return cmocka_run_group_tests(tests, load_patterns, unload_patterns);
}
