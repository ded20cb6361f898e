/*
 * apology.c: the statement check (see apology.h).
 *
 * The text is cut into tokens: words (letters and digits, with an
 * apostrophe inside a word kept, so "I'm" is one word) and sentence breaks
 * (. ! ? ; : and the ellipsis; a run of them is one break).  Everything else
 * (spaces, commas, dashes, quotes, brackets, emoji) only separates words,
 * so "Sorry, if" and "sorry if" read the same, while "Sorry. If you want"
 * does not.  Words are folded: ASCII, Latin-1 and Cyrillic to lower case,
 * Spanish accents dropped (people often type "perdon" on a phone), ё read
 * as е, typographic apostrophes read as "'".  Combining marks are dropped,
 * so decomposed "perdón" folds like the composed one.
 *
 * A pattern is a short list of tokens written in ordinary spelling and
 * folded the same way: a word ("sorry"), a word prefix ending in '*'
 * ("довел*" also matches "довела", for Russian endings), a sentence break
 * ("."), or "~", a gap of up to APOLOGY_GAP_MAX words inside one sentence
 * ("sorry ~ but" matches "sorry I lied, but").  Gaps take the fewest words
 * that make the pattern match.  A finding spans from its first matched word
 * to its last, in the original bytes, so the caller can quote the member's
 * own words back.
 *
 * The lists below are ours, written for kintsugi from the four patterns of
 * PROGRAM.md; src/core/test-apology.c holds phrasings that must and must
 * not be flagged in each language.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/apology.h"
#include "i18n/i18n.h"

#define APOLOGY_PATTERN_TOKENS 10  /* tokens in one pattern */
#define APOLOGY_PATTERN_BYTES  160 /* folded bytes of one pattern */
#define APOLOGY_BUCKETS	       256 /* rules indexed by their first word */

struct apology_rule {
	const char *lang;
	enum apology_pattern pattern;
	const char *words;
};

/* clang-format off */
static const struct apology_rule apology_rules[] = {
	/* English ----------------------------------------------------------- */
	{"en", APOLOGY_CONDITIONAL, "sorry if"},
	{"en", APOLOGY_CONDITIONAL, "sorry in case"},
	{"en", APOLOGY_CONDITIONAL, "apologize if"},
	{"en", APOLOGY_CONDITIONAL, "apologise if"},
	{"en", APOLOGY_CONDITIONAL, "apologies if"},
	{"en", APOLOGY_CONDITIONAL, "sorry for whatever"},
	{"en", APOLOGY_CONDITIONAL, "sorry for anything"},
	{"en", APOLOGY_CONDITIONAL, "if i hurt you"},
	{"en", APOLOGY_CONDITIONAL, "if i have hurt you"},
	{"en", APOLOGY_CONDITIONAL, "if i've hurt you"},
	{"en", APOLOGY_CONDITIONAL, "if i hurt your feelings"},
	{"en", APOLOGY_CONDITIONAL, "if i offended you"},
	{"en", APOLOGY_CONDITIONAL, "if i upset you"},
	{"en", APOLOGY_CONDITIONAL, "if i caused you"},
	{"en", APOLOGY_CONDITIONAL, "if i made you feel"},
	{"en", APOLOGY_CONDITIONAL, "if i did anything wrong"},
	{"en", APOLOGY_CONDITIONAL, "if i did something wrong"},
	{"en", APOLOGY_CONDITIONAL, "if anything i did"},
	{"en", APOLOGY_CONDITIONAL, "if you were hurt"},
	{"en", APOLOGY_CONDITIONAL, "if you felt hurt"},
	{"en", APOLOGY_CONDITIONAL, "if you got hurt"},
	{"en", APOLOGY_CONDITIONAL, "if you were offended"},
	{"en", APOLOGY_CONDITIONAL, "if that hurt you"},
	{"en", APOLOGY_CONDITIONAL, "if it hurt you"},
	{"en", APOLOGY_CONDITIONAL, "in case i hurt"},

	{"en", APOLOGY_BLAME_SHIFT, "sorry you feel*"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry that you feel*"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you felt"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry that you felt"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you're upset"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you are upset"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you were upset"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you got upset"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you're hurt"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you are hurt"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you took it"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you see it"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry you think"},
	{"en", APOLOGY_BLAME_SHIFT, "sorry that you think"},
	{"en", APOLOGY_BLAME_SHIFT, "you made me"},
	{"en", APOLOGY_BLAME_SHIFT, "you drove me"},
	{"en", APOLOGY_BLAME_SHIFT, "you pushed me"},
	{"en", APOLOGY_BLAME_SHIFT, "you forced me"},
	{"en", APOLOGY_BLAME_SHIFT, "you left me no choice"},
	{"en", APOLOGY_BLAME_SHIFT, "you gave me no choice"},
	{"en", APOLOGY_BLAME_SHIFT, "if you hadn't"},
	{"en", APOLOGY_BLAME_SHIFT, "if you had not"},
	{"en", APOLOGY_BLAME_SHIFT, "if you had been"},
	{"en", APOLOGY_BLAME_SHIFT, "if only you had"},
	{"en", APOLOGY_BLAME_SHIFT, "because you never"},
	{"en", APOLOGY_BLAME_SHIFT, "because you always"},
	{"en", APOLOGY_BLAME_SHIFT, "it's your fault"},
	{"en", APOLOGY_BLAME_SHIFT, "it is your fault"},
	{"en", APOLOGY_BLAME_SHIFT, "it was your fault"},
	{"en", APOLOGY_BLAME_SHIFT, "your fault too"},
	{"en", APOLOGY_BLAME_SHIFT, "you're to blame"},
	{"en", APOLOGY_BLAME_SHIFT, "you are to blame"},
	{"en", APOLOGY_BLAME_SHIFT, "what did you expect"},
	{"en", APOLOGY_BLAME_SHIFT, "you should have known"},
	{"en", APOLOGY_BLAME_SHIFT, "you started it"},
	{"en", APOLOGY_BLAME_SHIFT, "you were never there"},

	{"en", APOLOGY_MINIMISING, "it was just"},
	{"en", APOLOGY_MINIMISING, "it was only"},
	{"en", APOLOGY_MINIMISING, "it's just"},
	{"en", APOLOGY_MINIMISING, "it is just"},
	{"en", APOLOGY_MINIMISING, "it's only"},
	{"en", APOLOGY_MINIMISING, "it was nothing"},
	{"en", APOLOGY_MINIMISING, "it meant nothing"},
	{"en", APOLOGY_MINIMISING, "meant nothing"},
	{"en", APOLOGY_MINIMISING, "didn't mean anything"},
	{"en", APOLOGY_MINIMISING, "did not mean anything"},
	{"en", APOLOGY_MINIMISING, "no big deal"},
	{"en", APOLOGY_MINIMISING, "not a big deal"},
	{"en", APOLOGY_MINIMISING, "wasn't a big deal"},
	{"en", APOLOGY_MINIMISING, "not such a big deal"},
	{"en", APOLOGY_MINIMISING, "not that bad"},
	{"en", APOLOGY_MINIMISING, "wasn't that bad"},
	{"en", APOLOGY_MINIMISING, "not that serious"},
	{"en", APOLOGY_MINIMISING, "wasn't serious"},
	{"en", APOLOGY_MINIMISING, "nothing serious"},
	{"en", APOLOGY_MINIMISING, "nothing happened"},
	{"en", APOLOGY_MINIMISING, "nothing really happened"},
	{"en", APOLOGY_MINIMISING, "only once"},
	{"en", APOLOGY_MINIMISING, "just once"},
	{"en", APOLOGY_MINIMISING, "only one time"},
	{"en", APOLOGY_MINIMISING, "only a"},
	{"en", APOLOGY_MINIMISING, "just a"},
	{"en", APOLOGY_MINIMISING, "only texted"},
	{"en", APOLOGY_MINIMISING, "just texted"},
	{"en", APOLOGY_MINIMISING, "only talked"},
	{"en", APOLOGY_MINIMISING, "just talked"},
	{"en", APOLOGY_MINIMISING, "only kissed"},
	{"en", APOLOGY_MINIMISING, "just kissed"},
	{"en", APOLOGY_MINIMISING, "only flirt*"},
	{"en", APOLOGY_MINIMISING, "just flirt*"},
	{"en", APOLOGY_MINIMISING, "only happened"},
	{"en", APOLOGY_MINIMISING, "just words"},
	{"en", APOLOGY_MINIMISING, "only words"},
	{"en", APOLOGY_MINIMISING, "overreact*"},
	{"en", APOLOGY_MINIMISING, "making a big deal"},
	{"en", APOLOGY_MINIMISING, "out of proportion"},
	{"en", APOLOGY_MINIMISING, "at least i didn't"},
	{"en", APOLOGY_MINIMISING, "at least i did not"},
	{"en", APOLOGY_MINIMISING, "could have been worse"},
	{"en", APOLOGY_MINIMISING, "everyone does it"},
	{"en", APOLOGY_MINIMISING, "everybody does it"},

	{"en", APOLOGY_BUT_AFTER_APOLOGY, "sorry ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "sorry . but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "sorry ~ however"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "sorry . however"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "apologize ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "apologise ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "apologies ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "apologize . but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "apologise . but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "forgive me ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "i regret ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "i was wrong ~ but"},
	{"en", APOLOGY_BUT_AFTER_APOLOGY, "my fault ~ but"},

	/* Spanish ----------------------------------------------------------- */
	{"es", APOLOGY_CONDITIONAL, "lo siento si"},
	{"es", APOLOGY_CONDITIONAL, "siento si"},
	{"es", APOLOGY_CONDITIONAL, "lo lamento si"},
	{"es", APOLOGY_CONDITIONAL, "lamento si"},
	{"es", APOLOGY_CONDITIONAL, "perdón si"},
	{"es", APOLOGY_CONDITIONAL, "perdona si"},
	{"es", APOLOGY_CONDITIONAL, "perdóname si"},
	{"es", APOLOGY_CONDITIONAL, "perdóneme si"},
	{"es", APOLOGY_CONDITIONAL, "disculpa si"},
	{"es", APOLOGY_CONDITIONAL, "discúlpame si"},
	{"es", APOLOGY_CONDITIONAL, "disculpe si"},
	{"es", APOLOGY_CONDITIONAL, "disculpas si"},
	{"es", APOLOGY_CONDITIONAL, "si te hice daño"},
	{"es", APOLOGY_CONDITIONAL, "si te he hecho daño"},
	{"es", APOLOGY_CONDITIONAL, "si te lastimé"},
	{"es", APOLOGY_CONDITIONAL, "si te he lastimado"},
	{"es", APOLOGY_CONDITIONAL, "si te ofendí"},
	{"es", APOLOGY_CONDITIONAL, "si te he ofendido"},
	{"es", APOLOGY_CONDITIONAL, "si te herí"},
	{"es", APOLOGY_CONDITIONAL, "si te he herido"},
	{"es", APOLOGY_CONDITIONAL, "si te dolió"},
	{"es", APOLOGY_CONDITIONAL, "si te sentiste"},
	{"es", APOLOGY_CONDITIONAL, "si te molestó"},
	{"es", APOLOGY_CONDITIONAL, "si te molesté"},
	{"es", APOLOGY_CONDITIONAL, "si hice algo mal"},
	{"es", APOLOGY_CONDITIONAL, "si en algo te"},
	{"es", APOLOGY_CONDITIONAL, "por si te"},

	{"es", APOLOGY_BLAME_SHIFT, "siento que te sientas"},
	{"es", APOLOGY_BLAME_SHIFT, "lamento que te sientas"},
	{"es", APOLOGY_BLAME_SHIFT, "siento que te hayas sentido"},
	{"es", APOLOGY_BLAME_SHIFT, "lamento que te hayas sentido"},
	{"es", APOLOGY_BLAME_SHIFT, "siento que lo veas"},
	{"es", APOLOGY_BLAME_SHIFT, "lamento que lo veas"},
	{"es", APOLOGY_BLAME_SHIFT, "siento que te lo tomes"},
	{"es", APOLOGY_BLAME_SHIFT, "siento que te lo hayas tomado"},
	{"es", APOLOGY_BLAME_SHIFT, "siento que pienses"},
	{"es", APOLOGY_BLAME_SHIFT, "lamento que pienses"},
	{"es", APOLOGY_BLAME_SHIFT, "me hiciste"},
	{"es", APOLOGY_BLAME_SHIFT, "me obligaste"},
	{"es", APOLOGY_BLAME_SHIFT, "me empujaste"},
	{"es", APOLOGY_BLAME_SHIFT, "me llevaste a"},
	{"es", APOLOGY_BLAME_SHIFT, "me provocaste"},
	{"es", APOLOGY_BLAME_SHIFT, "por tu culpa"},
	{"es", APOLOGY_BLAME_SHIFT, "es tu culpa"},
	{"es", APOLOGY_BLAME_SHIFT, "fue tu culpa"},
	{"es", APOLOGY_BLAME_SHIFT, "tú tienes la culpa"},
	{"es", APOLOGY_BLAME_SHIFT, "tuviste la culpa"},
	{"es", APOLOGY_BLAME_SHIFT, "si no hubieras"},
	{"es", APOLOGY_BLAME_SHIFT, "si tú no hubieras"},
	{"es", APOLOGY_BLAME_SHIFT, "si me hubieras"},
	{"es", APOLOGY_BLAME_SHIFT, "si hubieras estado"},
	{"es", APOLOGY_BLAME_SHIFT, "no me dejaste opción"},
	{"es", APOLOGY_BLAME_SHIFT, "no me dejaste otra"},
	{"es", APOLOGY_BLAME_SHIFT, "no me diste opción"},
	{"es", APOLOGY_BLAME_SHIFT, "qué esperabas"},
	{"es", APOLOGY_BLAME_SHIFT, "tú empezaste"},
	{"es", APOLOGY_BLAME_SHIFT, "nunca estabas"},

	{"es", APOLOGY_MINIMISING, "no fue para tanto"},
	{"es", APOLOGY_MINIMISING, "no es para tanto"},
	{"es", APOLOGY_MINIMISING, "no era para tanto"},
	{"es", APOLOGY_MINIMISING, "solo fue"},
	{"es", APOLOGY_MINIMISING, "fue solo"},
	{"es", APOLOGY_MINIMISING, "solo era"},
	{"es", APOLOGY_MINIMISING, "era solo"},
	{"es", APOLOGY_MINIMISING, "solamente fue"},
	{"es", APOLOGY_MINIMISING, "fue solamente"},
	{"es", APOLOGY_MINIMISING, "solo un"},
	{"es", APOLOGY_MINIMISING, "solo una"},
	{"es", APOLOGY_MINIMISING, "solo unos"},
	{"es", APOLOGY_MINIMISING, "solo unas"},
	{"es", APOLOGY_MINIMISING, "solamente un"},
	{"es", APOLOGY_MINIMISING, "solamente una"},
	{"es", APOLOGY_MINIMISING, "una sola vez"},
	{"es", APOLOGY_MINIMISING, "nada más fue"},
	{"es", APOLOGY_MINIMISING, "no fue nada"},
	{"es", APOLOGY_MINIMISING, "no era nada"},
	{"es", APOLOGY_MINIMISING, "no significó nada"},
	{"es", APOLOGY_MINIMISING, "no significa nada"},
	{"es", APOLOGY_MINIMISING, "no pasó nada"},
	{"es", APOLOGY_MINIMISING, "no es gran cosa"},
	{"es", APOLOGY_MINIMISING, "no fue gran cosa"},
	{"es", APOLOGY_MINIMISING, "no tiene importancia"},
	{"es", APOLOGY_MINIMISING, "no tuvo importancia"},
	{"es", APOLOGY_MINIMISING, "estás exagerando"},
	{"es", APOLOGY_MINIMISING, "exageras"},
	{"es", APOLOGY_MINIMISING, "todo el mundo lo hace"},
	{"es", APOLOGY_MINIMISING, "al menos no"},
	{"es", APOLOGY_MINIMISING, "por lo menos no"},

	{"es", APOLOGY_BUT_AFTER_APOLOGY, "lo siento ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "lo siento . pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "lo siento ~ sin embargo"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "lo lamento ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "lamento ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "perdón ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "perdón . pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "perdona ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "perdóname ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "perdóname . pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "disculpa ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "discúlpame ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "disculpas ~ pero"},
	{"es", APOLOGY_BUT_AFTER_APOLOGY, "me equivoqué ~ pero"},

	/* Russian ----------------------------------------------------------- */
	{"ru", APOLOGY_CONDITIONAL, "прости если"},
	{"ru", APOLOGY_CONDITIONAL, "простите если"},
	{"ru", APOLOGY_CONDITIONAL, "извини если"},
	{"ru", APOLOGY_CONDITIONAL, "извините если"},
	{"ru", APOLOGY_CONDITIONAL, "прошу прощения если"},
	{"ru", APOLOGY_CONDITIONAL, "мне жаль если"},
	{"ru", APOLOGY_CONDITIONAL, "жаль если"},
	{"ru", APOLOGY_CONDITIONAL, "сожалею если"},
	{"ru", APOLOGY_CONDITIONAL, "если я тебя обидел*"},
	{"ru", APOLOGY_CONDITIONAL, "если я обидел*"},
	{"ru", APOLOGY_CONDITIONAL, "если я тебя задел*"},
	{"ru", APOLOGY_CONDITIONAL, "если я тебя ранил*"},
	{"ru", APOLOGY_CONDITIONAL, "если я причинил*"},
	{"ru", APOLOGY_CONDITIONAL, "если я тебя чем то"},
	{"ru", APOLOGY_CONDITIONAL, "если я чем то"},
	{"ru", APOLOGY_CONDITIONAL, "если чем то обидел*"},
	{"ru", APOLOGY_CONDITIONAL, "если я что то сделал*"},
	{"ru", APOLOGY_CONDITIONAL, "если я сделал* что то"},
	{"ru", APOLOGY_CONDITIONAL, "если что то не так"},
	{"ru", APOLOGY_CONDITIONAL, "если тебе было больно"},
	{"ru", APOLOGY_CONDITIONAL, "если тебе больно"},
	{"ru", APOLOGY_CONDITIONAL, "если тебя это обидело"},
	{"ru", APOLOGY_CONDITIONAL, "если ты обидел*"},
	{"ru", APOLOGY_CONDITIONAL, "если ты почувствовал*"},

	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты так чувству*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты так себя чувству*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты себя так чувству*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты это так воспринял*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты так воспринял*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты так думаешь"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что тебе так кажется"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты расстроил*"},
	{"ru", APOLOGY_BLAME_SHIFT, "жаль что ты обидел*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты меня довёл*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты довёл* меня"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты меня вынудил*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты вынудил* меня"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты меня заставил*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты заставил* меня"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты меня спровоцировал*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты сам* виноват*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты виноват*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты тоже виноват*"},
	{"ru", APOLOGY_BLAME_SHIFT, "твоя вина"},
	{"ru", APOLOGY_BLAME_SHIFT, "по твоей вине"},
	{"ru", APOLOGY_BLAME_SHIFT, "из за тебя"},
	{"ru", APOLOGY_BLAME_SHIFT, "если бы ты не"},
	{"ru", APOLOGY_BLAME_SHIFT, "если бы ты был*"},
	{"ru", APOLOGY_BLAME_SHIFT, "если бы ты больше"},
	{"ru", APOLOGY_BLAME_SHIFT, "если бы ты уделял*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты не оставил* мне выбора"},
	{"ru", APOLOGY_BLAME_SHIFT, "а что ты ожидал*"},
	{"ru", APOLOGY_BLAME_SHIFT, "чего ты ожидал*"},
	{"ru", APOLOGY_BLAME_SHIFT, "ты сам* начал*"},

	{"ru", APOLOGY_MINIMISING, "это было всего лишь"},
	{"ru", APOLOGY_MINIMISING, "всего лишь"},
	{"ru", APOLOGY_MINIMISING, "ничего такого"},
	{"ru", APOLOGY_MINIMISING, "ничего особенного"},
	{"ru", APOLOGY_MINIMISING, "ничего страшного"},
	{"ru", APOLOGY_MINIMISING, "ничего серьёзного"},
	{"ru", APOLOGY_MINIMISING, "ничего не было"},
	{"ru", APOLOGY_MINIMISING, "ничего не значил*"},
	{"ru", APOLOGY_MINIMISING, "ничего не значит"},
	{"ru", APOLOGY_MINIMISING, "это ерунда"},
	{"ru", APOLOGY_MINIMISING, "ерунда"},
	{"ru", APOLOGY_MINIMISING, "подумаешь"},
	{"ru", APOLOGY_MINIMISING, "пустяк*"},
	{"ru", APOLOGY_MINIMISING, "просто флирт*"},
	{"ru", APOLOGY_MINIMISING, "просто переписк*"},
	{"ru", APOLOGY_MINIMISING, "просто поцелу*"},
	{"ru", APOLOGY_MINIMISING, "просто общени*"},
	{"ru", APOLOGY_MINIMISING, "только один раз"},
	{"ru", APOLOGY_MINIMISING, "всего один раз"},
	{"ru", APOLOGY_MINIMISING, "всего раз"},
	{"ru", APOLOGY_MINIMISING, "не так уж страшно"},
	{"ru", APOLOGY_MINIMISING, "не так уж и"},
	{"ru", APOLOGY_MINIMISING, "не так всё плохо"},
	{"ru", APOLOGY_MINIMISING, "не преувеличивай"},
	{"ru", APOLOGY_MINIMISING, "ты преувеличива*"},
	{"ru", APOLOGY_MINIMISING, "раздуваешь"},
	{"ru", APOLOGY_MINIMISING, "не раздувай"},
	{"ru", APOLOGY_MINIMISING, "из мухи слона"},
	{"ru", APOLOGY_MINIMISING, "все так делают"},
	{"ru", APOLOGY_MINIMISING, "хотя бы я не"},
	{"ru", APOLOGY_MINIMISING, "по крайней мере я не"},

	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "прости ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "прости . но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "прости ~ однако"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "простите ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "извини ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "извини . но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "извините ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "прошу прощения ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "мне жаль ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "жаль ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "сожалею ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "я виноват* ~ но"},
	{"ru", APOLOGY_BUT_AFTER_APOLOGY, "моя вина ~ но"},
};
/* clang-format on */

#define APOLOGY_RULES (sizeof(apology_rules) / sizeof(apology_rules[0]))

/* Token kinds, in the text and in patterns. */
enum tok_kind {
	TOK_WORD,  /* a folded word */
	TOK_BREAK, /* the end of a sentence */
	TOK_GAP,   /* patterns only: up to APOLOGY_GAP_MAX words */
};

/* A token of the text: where it sits in the original and in the folded copy. */
struct tok {
	enum tok_kind kind;
	size_t start, end; /* bytes of the original text */
	size_t fstart;	   /* bytes of the folded copy (words only) */
	size_t flen;
};

/* A token of a pattern. */
struct ptok {
	enum tok_kind kind;
	int prefix; /* words: "word*" matches any word that starts so */
	size_t fstart, flen;
};

struct pattern {
	struct ptok t[APOLOGY_PATTERN_TOKENS];
	size_t n;
	char folded[APOLOGY_PATTERN_BYTES];
};

/*
 * The rules of one check, parsed, and indexed by the hash of their first
 * word so that each word of the text tries only the few rules that could
 * start there (rules whose first word is a prefix are tried everywhere).
 * Chains and the prefix list hold rule numbers in ascending order, so
 * rules are tried in table order, as if the whole table were walked.
 */
struct rules {
	struct pattern pats[APOLOGY_RULES];
	int head[APOLOGY_BUCKETS];   /* -1: empty */
	int next[APOLOGY_RULES];     /* -1: end */
	int prefixed[APOLOGY_RULES]; /* ascending */
	size_t nprefixed;
};

/* FNV-1a: a cheap, well-spread hash of a folded word. */
static uint32_t word_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * Decode one code point of well-formed UTF-8 at s (n > 0 bytes left):
 * *len gets its length.  A malformed sequence is one byte read as U+FFFD,
 * which is a separator: the check never stops on bad input.
 */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp;
	size_t need, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		cp = s[0] & 0x07;
	} else {
		return 0xFFFD;
	}
	if (n < need + 1)
		return 0xFFFD;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlongs, surrogates and past U+10FFFF are malformed */
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0xFFFD;
	*len = need + 1;
	return cp;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Lower case and accent folding for the scripts we match.  The result never
 * takes more UTF-8 bytes than the input, so a folded copy fits in len bytes.
 */
static uint32_t fold(uint32_t cp)
{
	/* Latin-1 lower case, accents dropped: a-z only for Spanish words */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
				     "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";

	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7)
		return (uint32_t)(unsigned char)latin1[cp - 0xC0];
	if (cp >= 0x0410 && cp <= 0x042F) /* А..Я */
		cp += 0x20;
	else if (cp >= 0x0400 && cp <= 0x040F) /* Ѐ..Џ, Ё among them */
		cp += 0x50;
	if (cp == 0x0451) /* ё reads as е */
		return 0x0435;
	switch (cp) {
	case 0x2018: /* ‘ */
	case 0x2019: /* ’ */
	case 0x02BC: /* ʼ */
	case 0x0060: /* ` */
	case 0x00B4: /* ´ */
	case 0x2032: /* ′ */
		return '\'';
	default:
		return cp;
	}
}

/* Combining marks (U+0300..U+036F) belong to the letter before them. */
static int is_combining(uint32_t cp)
{
	return cp >= 0x0300 && cp <= 0x036F;
}

/* A letter or digit, after folding. */
static int is_word(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       (cp >= '0' && cp <= '9');
	return (cp >= 0xC0 && cp <= 0x2AF && cp != 0xD7 && cp != 0xF7) ||
	       (cp >= 0x0370 && cp <= 0x052F) || (cp >= 0x1E00 && cp <= 0x1FFF) ||
	       (cp >= 0x3040 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFDFF);
}

/* The end of a sentence: . ! ? ; : … and their full-width forms. */
static int is_break(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == 0x2026 ||
	       cp == 0x3002 || cp == 0xFF01 || cp == 0xFF0E || cp == 0xFF1F;
}

/*
 * tokenize() - cut s[0..n) into tokens (at most n of them, so toks holds n
 * entries) and write the folded words into folded (n bytes).  Returns the
 * number of tokens.
 */
static size_t tokenize(const char *s, size_t n, struct tok *toks, char *folded)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, nt = 0, fo = 0, clen, nlen;
	uint32_t cp, next;
	struct tok *w = NULL; /* the word being read, or NULL */

	while (i < n) {
		cp = fold(utf8_next(u + i, n - i, &clen));
		if (w && is_combining(cp)) {
			w->end = i + clen;
			i += clen;
			continue;
		}
		if (w && cp == '\'' && i + clen < n) {
			/* an apostrophe inside a word ("I'm"), not a quotation mark */
			next = fold(utf8_next(u + i + clen, n - i - clen, &nlen));
			if (is_word(next)) {
				folded[fo++] = '\'';
				w->flen++;
				w->end = i + clen;
				i += clen;
				continue;
			}
		}
		if (is_word(cp)) {
			if (!w) {
				w = &toks[nt++];
				*w = (struct tok){TOK_WORD, i, i, fo, 0};
			}
			nlen = utf8_put(folded + fo, cp);
			fo += nlen;
			w->flen += nlen;
			w->end = i + clen;
		} else {
			w = NULL;
			if (is_break(cp)) {
				if (nt > 0 && toks[nt - 1].kind == TOK_BREAK)
					toks[nt - 1].end = i + clen; /* "...", "?!" */
				else
					toks[nt++] = (struct tok){TOK_BREAK, i, i + clen, fo, 0};
			}
		}
		i += clen;
	}
	return nt;
}

/*
 * pattern_parse() - a rule's words into pattern tokens.  Returns 0, or
 * -EINVAL for a pattern too long for the fixed buffers (a mistake in the
 * table above, caught by the unit test).
 */
static int pattern_parse(const char *words, struct pattern *p)
{
	size_t len = strlen(words), i = 0, j, fo = 0, clen;
	const unsigned char *u = (const unsigned char *)words;
	uint32_t cp;

	p->n = 0;
	while (i < len) {
		while (i < len && words[i] == ' ')
			i++;
		if (i == len)
			break;
		for (j = i; j < len && words[j] != ' '; j++)
			;
		if (p->n == APOLOGY_PATTERN_TOKENS)
			return -EINVAL;
		struct ptok *t = &p->t[p->n++];

		*t = (struct ptok){TOK_WORD, 0, fo, 0};
		if (j - i == 1 && words[i] == '~') {
			t->kind = TOK_GAP;
		} else if (j - i == 1 && words[i] == '.') {
			t->kind = TOK_BREAK;
		} else {
			size_t k = i, end = j;

			if (words[end - 1] == '*') {
				t->prefix = 1;
				end--;
			}
			while (k < end) {
				cp = fold(utf8_next(u + k, end - k, &clen));
				k += clen;
				if (is_combining(cp))
					continue;
				if (fo + 4 > sizeof(p->folded))
					return -EINVAL;
				clen = utf8_put(p->folded + fo, cp);
				fo += clen;
				t->flen += clen;
			}
		}
		i = j;
	}
	/* a pattern starts and ends with a word, and has one */
	if (p->n == 0 || p->t[0].kind != TOK_WORD || p->t[p->n - 1].kind != TOK_WORD)
		return -EINVAL;
	return 0;
}

static int word_matches(const struct tok *t, const char *folded, const struct pattern *p,
			const struct ptok *pt)
{
	if (t->kind != TOK_WORD)
		return 0;
	if (pt->prefix ? t->flen < pt->flen : t->flen != pt->flen)
		return 0;
	return memcmp(folded + t->fstart, p->folded + pt->fstart, pt->flen) == 0;
}

/*
 * match_at() - does pattern p (from token k on) match the text's tokens
 * from ti on?  Returns the index one past the last matched token, or 0 for
 * no match (a match always takes at least one token, so 0 is free).
 */
static size_t match_at(const struct tok *toks, size_t nt, const char *folded,
		       const struct pattern *p, size_t k, size_t ti)
{
	size_t skip, end;

	if (k == p->n)
		return ti;
	if (p->t[k].kind == TOK_GAP) {
		for (skip = 0; skip <= APOLOGY_GAP_MAX && ti + skip <= nt; skip++) {
			if (skip > 0 && toks[ti + skip - 1].kind != TOK_WORD)
				break; /* a gap stays inside one sentence */
			end = match_at(toks, nt, folded, p, k + 1, ti + skip);
			if (end)
				return end;
		}
		return 0;
	}
	if (ti >= nt)
		return 0;
	if (p->t[k].kind == TOK_BREAK) {
		if (toks[ti].kind != TOK_BREAK)
			return 0;
	} else if (!word_matches(&toks[ti], folded, p, &p->t[k])) {
		return 0;
	}
	return match_at(toks, nt, folded, p, k + 1, ti + 1);
}

static int lang_known(const char *lang)
{
	return !strcmp(lang, "en") || !strcmp(lang, "es") || !strcmp(lang, "ru");
}

/* Does the new span [start, end) overlap a finding of the same pattern? */
static int overlaps(const struct apology_finding *out, size_t n, enum apology_pattern pat,
		    size_t start, size_t end)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (out[i].pattern == pat && start < out[i].start + out[i].len &&
		    out[i].start < end)
			return 1;
	return 0;
}

/*
 * rules_build() - parse the rules of lang (all when all is set) and index
 * them.  Returns 0, or -EINVAL for a rule the fixed buffers cannot hold.
 */
static int rules_build(struct rules *rs, const char *lang, int all)
{
	size_t i, k;
	uint32_t h;
	int r;

	for (k = 0; k < APOLOGY_BUCKETS; k++)
		rs->head[k] = -1;
	rs->nprefixed = 0;
	for (i = 0; i < APOLOGY_RULES; i++) {
		rs->next[i] = -1;
		r = pattern_parse(apology_rules[i].words, &rs->pats[i]);
		if (r < 0)
			return r;
		if (rs->pats[i].t[0].prefix && (all || !strcmp(apology_rules[i].lang, lang)))
			rs->prefixed[rs->nprefixed++] = (int)i;
	}
	/* pushed at the front from the last rule down: each chain ascends */
	for (i = APOLOGY_RULES; i-- > 0;) {
		const struct pattern *p = &rs->pats[i];

		if (p->t[0].prefix || (!all && strcmp(apology_rules[i].lang, lang) != 0))
			continue;
		h = word_hash(p->folded + p->t[0].fstart, p->t[0].flen) % APOLOGY_BUCKETS;
		rs->next[i] = rs->head[h];
		rs->head[h] = (int)i;
	}
	return 0;
}

int apology_check(const char *text, size_t len, const char *lang, struct apology_finding *out,
		  size_t max, size_t *ret_n)
{
	struct rules *rs = NULL;
	struct tok *toks = NULL;
	char *folded = NULL;
	size_t nt, ti, n = 0, end, pi;
	int all = !lang || !*lang, r = 0, i, j;

	if ((!text && len) || (!out && max) || !ret_n || len > APOLOGY_TEXT_MAX)
		return -EINVAL;
	if (!all && !lang_known(lang))
		return -EINVAL;
	if (len == 0 || max == 0) {
		*ret_n = 0;
		return 0;
	}
	toks = calloc(len, sizeof(*toks));
	folded = malloc(len);
	rs = malloc(sizeof(*rs));
	if (!toks || !folded || !rs) {
		r = -ENOMEM;
		goto out;
	}
	r = rules_build(rs, lang, all);
	if (r < 0)
		goto out;
	nt = tokenize(text, len, toks, folded);

	for (ti = 0; ti < nt && n < max; ti++) {
		if (toks[ti].kind != TOK_WORD)
			continue;
		j = rs->head[word_hash(folded + toks[ti].fstart, toks[ti].flen) % APOLOGY_BUCKETS];
		pi = 0;
		/* the word's chain and the prefixed rules, merged in table order */
		while ((j >= 0 || pi < rs->nprefixed) && n < max) {
			size_t start = toks[ti].start, stop;

			if (pi < rs->nprefixed && (j < 0 || rs->prefixed[pi] < j)) {
				i = rs->prefixed[pi++];
			} else {
				i = j;
				j = rs->next[j];
			}
			end = match_at(toks, nt, folded, &rs->pats[i], 0, ti);
			if (!end)
				continue;
			stop = toks[end - 1].end;
			if (overlaps(out, n, apology_rules[i].pattern, start, stop))
				continue;
			out[n++] = (struct apology_finding){apology_rules[i].pattern, start,
							    stop - start};
		}
	}
	*ret_n = n;
	r = 0;
out:
	if (folded)
		memset(folded, 0, len); /* it held the member's words */
	free(folded);
	free(toks);
	free(rs);
	return r;
}

const char *apology_pattern_name(enum apology_pattern p)
{
	static const char *const names[_APOLOGY_PATTERN_MAX] = {
		[APOLOGY_CONDITIONAL] = "conditional",
		[APOLOGY_BLAME_SHIFT] = "blame_shift",
		[APOLOGY_MINIMISING] = "minimising",
		[APOLOGY_BUT_AFTER_APOLOGY] = "but_after_apology",
	};

	return (unsigned)p < _APOLOGY_PATTERN_MAX ? names[p] : NULL;
}

const char *apology_suggestion(enum apology_pattern p)
{
	switch (p) {
	case APOLOGY_CONDITIONAL:
		return _("An apology with “if” can sound unsure that anything happened. You "
			 "could name what you did and how it hurt, plainly.");
	case APOLOGY_BLAME_SHIFT:
		return _("These words can move some of the weight onto your partner. You could "
			 "speak only about your own choices here.");
	case APOLOGY_MINIMISING:
		return _("These words can make what happened sound small. You could let it "
			 "weigh what it weighed for your partner.");
	case APOLOGY_BUT_AFTER_APOLOGY:
		return _("A “but” after an apology can sound as if it takes the apology back. "
			 "You could end the apology first; your reasons belong in “why”.");
	default:
		return _("You may want to read this part again.");
	}
}
