/*
 * lang.c: the language engine (see lang.h and docs/language.md).
 *
 * A pattern file holds, one a line (blank lines and lines starting with
 * '#' are comments):
 *
 *   @name = item item ...          a word class
 *   kind: token token ...          a pattern of that kind
 *
 * An item is a word (matched by its Snowball stem: "feel" matches "feels",
 * "felt" does not), "=word" (that exact folded form), "word*" (any folded
 * word that starts so) or "@name" (every item of an earlier class).
 * A token is one item or several joined by '|' ("sorry|apologize"), with
 * '?' after it when it may be left out; "[gap<=N]" (up to N words, inside
 * one sentence); "." (a sentence break); "!item" (the next word must
 * not be that: "but !also"); or "[not<=N] item" (none of the next N words,
 * across sentence breaks, is that: "drunk [not<=8] excuse" leaves "I was
 * drunk, and that is no excuse" alone).  A pattern starts with a word
 * token that is not optional.
 *
 * Text is cut into words by ICU's word-break iterator (UAX #29), so
 * "I'm", "wasn't" and "сделал-то" read as people mean them; between words,
 * . ! ? ; : … and line breaks end a sentence, commas, dashes and brackets
 * end a clause (the end of negation and quotation scopes), quotation
 * marks open and close a quotation.
 *
 * Matching: every word tries the patterns whose first token could take it
 * (an index from stem and exact-form ids to patterns; prefix items are
 * tried everywhere).  Gaps take the fewest words that let the pattern
 * match.  Stems of pattern words are computed at load; stems of text words
 * once per call, only for the languages whose script the word is in.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "core/lang.h"

const char *const lang_codes[LANG_LANGUAGES] = {"en", "es", "ru"};
static const char *const lang_stemmers[LANG_LANGUAGES] = {"english", "spanish", "russian"};

#define KIND_NEGATION	    (LANG_KINDS_MAX) /* the engine's own kinds */
#define KIND_QUOTATION	    (LANG_KINDS_MAX + 1)
#define LANG_CLASSES_MAX    128	 /* classes in one file */
#define LANG_WORD_MAX	    64	 /* UTF-16 units of a word we fold and stem; longer: no match */
#define LANG_POOL_MAX	    16	 /* idle workers kept */
#define LANG_PREFIX_BUCKETS 256	 /* index keys of prefixes, by their first two letters */
#define LANG_FIRST_BITS	    4096 /* the stems' beginnings, hashed */

/* Memory that lives as long as the engine, freed all at once. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(max_align_t) unsigned char mem[];
};

enum item_type { ITEM_STEM, ITEM_EXACT, ITEM_PREFIX };

struct item {
	enum item_type type;
	int id;		 /* stems and exact forms: in the language's table */
	const char *str; /* prefixes: folded UTF-8 */
	size_t len;
};

struct set {
	struct item *items;
	size_t n;
};

enum ptok_type { P_WORD, P_GAP, P_BREAK, P_NOT, P_NOT_WITHIN };

struct ptok {
	enum ptok_type type;
	int optional;	       /* words: may be left out */
	unsigned gap;	       /* gaps, P_NOT_WITHIN: at most this many words */
	const struct set *set; /* words, P_NOT and P_NOT_WITHIN */
};

struct pattern {
	unsigned kind; /* the caller's index, or KIND_NEGATION, KIND_QUOTATION */
	unsigned line;
	struct ptok *t;
	size_t n;
};

/* Folded words and stems, each given a small id: an open-addressing table. */
struct strtab {
	struct {
		const char *s; /* NULL: free slot; a type byte, then the string */
		size_t len;
		int id;
	} * slot;
	size_t cap, n;
};

struct class_def {
	char name[32];
	struct set set;
};

struct lang_one {
	int loaded;
	struct strtab tab;
	struct pattern *pats;
	size_t npats;
	/* patterns by the id their first token can take (CSR), and those starting with a prefix */
	struct lang_index {
		int *start;	   /* CSR: tab.n + LANG_PREFIX_BUCKETS + 1 entries */
		int *pat;	   /* pattern numbers */
	} ix[2];		   /* 0: the caller's kinds, 1: negation and quotation */
	const struct set *through; /* @scope_through: clause openers a scope goes on through */
	/*
	 * The beginnings of the patterns' stems: their first two code points
	 * (first[0]), or their only one (first[1]).  Snowball only cuts and
	 * rewrites endings, so a word whose beginning is in neither cannot
	 * stem to a pattern's stem, and is not stemmed at all.
	 */
	uint64_t first[2][LANG_FIRST_BITS / 64];
};

/*
 * A word already read in this call: its ids are reused (people repeat "I",
 * "you", "it"; stemming is most of a check's time).  Slots of an older
 * call are told apart by the call number, so the cache is never cleared.
 */
struct word_seen {
	uint32_t call; /* 0: never used */
	uint32_t fold, flen;
	int stem[LANG_LANGUAGES], exact[LANG_LANGUAGES];
};

#define LANG_SEEN_SLOTS 512 /* a power of two */

struct worker {
	struct worker *next;
	UBreakIterator *bi;
	struct sb_stemmer *st[LANG_LANGUAGES];
	uint32_t call;
	struct word_seen seen[LANG_SEEN_SLOTS];
};

struct lang_engine {
	const char *const *kinds;
	size_t nkinds;
	struct lang_one l[LANG_LANGUAGES];
	struct chunk *mem;
	pthread_mutex_t lock;
	struct worker *idle;
	size_t nidle;
};

/* ---------------------------------------------------------------- memory */

static void *engine_alloc(struct lang_engine *e, size_t size)
{
	struct chunk *c = e->mem;
	size_t cap;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < size) {
		cap = size > 65536 ? size : 65536;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = e->mem;
		c->used = 0;
		c->cap = cap;
		e->mem = c;
	}
	p = c->mem + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

/* ---------------------------------------------------------------- tables */

static uint32_t hash_bytes(const char *p, size_t n)
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
 * prefix_key() - the bucket of a folded word or prefix by its first two
 * code points (prefixes have at least two), or -1 for a shorter word.
 */
static int prefix_key(const char *f, size_t n)
{
	size_t i = 0, cps = 0;

	while (i < n && cps < 2) {
		i++;
		while (i < n && ((unsigned char)f[i] & 0xC0) == 0x80)
			i++;
		cps++;
	}
	return cps < 2 ? -1 : (int)(hash_bytes(f, i) % LANG_PREFIX_BUCKETS);
}

/*
 * first_key() - the hash of the first want code points of the folded f, or
 * -1 when it has fewer.
 */
static int first_key(const char *f, size_t n, size_t want)
{
	size_t i = 0, cps = 0;

	while (i < n && cps < want) {
		i++;
		while (i < n && ((unsigned char)f[i] & 0xC0) == 0x80)
			i++;
		cps++;
	}
	if (cps < want)
		return -1;
	return (int)(hash_bytes(f, i) % LANG_FIRST_BITS);
}

static void first_set(uint64_t *bits, int key)
{
	if (key >= 0)
		bits[key / 64] |= (uint64_t)1 << (key % 64);
}

static int first_has(const uint64_t *bits, int key)
{
	return key >= 0 && (bits[key / 64] >> (key % 64) & 1);
}

/* strtab_find() - the id of (type, s, len), or -1. */
static int strtab_find(const struct strtab *t, char type, const char *s, size_t len)
{
	size_t i;

	if (!t->cap)
		return -1;
	i = (hash_bytes(s, len) ^ (unsigned char)type) & (t->cap - 1);
	for (; t->slot[i].s; i = (i + 1) & (t->cap - 1))
		if (t->slot[i].len == len + 1 && t->slot[i].s[0] == type &&
		    memcmp(t->slot[i].s + 1, s, len) == 0)
			return t->slot[i].id;
	return -1;
}

/* strtab_add() - the id of (type, s, len), added when new.  -ENOMEM. */
static int strtab_add(struct lang_engine *e, struct strtab *t, char type, const char *s, size_t len)
{
	int id = strtab_find(t, type, s, len);
	size_t i, k, ncap;
	char *copy;

	if (id >= 0)
		return id;
	if ((t->n + 1) * 2 > t->cap) {
		struct strtab bigger = {NULL, t->cap ? t->cap * 2 : 256, t->n};

		ncap = bigger.cap;
		bigger.slot = calloc(ncap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		for (k = 0; k < t->cap; k++) {
			if (!t->slot[k].s)
				continue;
			i = (hash_bytes(t->slot[k].s + 1, t->slot[k].len - 1) ^
			     (unsigned char)t->slot[k].s[0]) &
			    (ncap - 1);
			while (bigger.slot[i].s)
				i = (i + 1) & (ncap - 1);
			bigger.slot[i] = t->slot[k];
		}
		free(t->slot);
		*t = bigger;
	}
	copy = engine_alloc(e, len + 2);
	if (!copy)
		return -ENOMEM;
	copy[0] = type;
	memcpy(copy + 1, s, len);
	i = (hash_bytes(s, len) ^ (unsigned char)type) & (t->cap - 1);
	while (t->slot[i].s)
		i = (i + 1) & (t->cap - 1);
	t->slot[i].s = copy;
	t->slot[i].len = len + 1;
	t->slot[i].id = (int)t->n;
	return (int)t->n++;
}

/* --------------------------------------------------------------- folding */

/*
 * fold_word() - fold the UTF-16 word w[0..n) into UTF-8 (out, cap bytes):
 * NFC when it holds combining marks, Unicode case folding, then ё read as
 * е, Latin vowels' accents dropped (people type "perdon" on a phone; ñ is
 * kept), typographic apostrophes read as "'".  Returns the bytes written,
 * or 0 when the word does not fit (it then matches nothing).
 */
static size_t fold_word(const UChar *w, int32_t n, char *out, size_t cap)
{
	UChar nfc[LANG_WORD_MAX * 2], low[LANG_WORD_MAX * 3];
	UErrorCode err = U_ZERO_ERROR;
	int32_t i, k = 0, nl, outlen = 0;
	int combining = 0;

	if (n <= 0 || n > LANG_WORD_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (w[i] >= 0x300 && w[i] <= 0x36F)
			combining = 1;
	if (combining) {
		const UNormalizer2 *nz = unorm2_getNFCInstance(&err);

		if (U_FAILURE(err))
			return 0;
		n = unorm2_normalize(nz, w, n, nfc, (int32_t)(sizeof(nfc) / sizeof(nfc[0])), &err);
		if (U_FAILURE(err))
			return 0;
		w = nfc;
	}
	nl = u_strFoldCase(low, (int32_t)(sizeof(low) / sizeof(low[0])), w, n, U_FOLD_CASE_DEFAULT,
			   &err);
	if (U_FAILURE(err))
		return 0;
	for (i = 0; i < nl; i++) {
		UChar c = low[i];

		if (c >= 0x300 && c <= 0x36F)
			continue; /* a mark NFC could not join */
		if (c == 0x451)
			c = 0x435;
		else if (c >= 0xE0 && c <= 0xE5)
			c = 'a';
		else if (c >= 0xE8 && c <= 0xEB)
			c = 'e';
		else if (c >= 0xEC && c <= 0xEF)
			c = 'i';
		else if ((c >= 0xF2 && c <= 0xF6) || c == 0xF8)
			c = 'o';
		else if (c >= 0xF9 && c <= 0xFC)
			c = 'u';
		else if (c == 0xFD || c == 0xFF)
			c = 'y';
		else if (c == 0x2019 || c == 0x2018 || c == 0x2BC || c == 0x60 || c == 0xB4 ||
			 c == 0x2032)
			c = '\'';
		low[k++] = c;
	}
	u_strToUTF8(out, (int32_t)cap, &outlen, low, k, &err);
	if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || outlen <= 0 ||
	    (size_t)outlen >= cap)
		return 0;
	return (size_t)outlen;
}

/* fold_utf8() - fold_word() for a UTF-8 word (a pattern file's). */
static size_t fold_utf8(const char *s, size_t len, char *out, size_t cap)
{
	UChar w[LANG_WORD_MAX + 1];
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = 0;

	u_strFromUTF8(w, LANG_WORD_MAX + 1, &n, s, (int32_t)len, &err);
	if (U_FAILURE(err) || n > LANG_WORD_MAX)
		return 0;
	return fold_word(w, n, out, cap);
}

/* ---------------------------------------------------------------- parsing */

struct parse {
	struct lang_engine *e;
	struct lang_one *l;
	struct sb_stemmer *st;
	struct class_def classes[LANG_CLASSES_MAX];
	size_t nclasses;
	unsigned line;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3))) static int parse_fail(struct parse *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->why, ps->whylen, "%u: %s", ps->line, msg);
	return -EINVAL;
}

/* One item ("word", "=word", "word*") into it; "@name" adds a class's items. */
static int parse_item(struct parse *ps, const char *s, size_t len, struct item *items, size_t *n)
{
	char folded[LANG_WORD_MAX * 4], word[64];
	enum item_type type = ITEM_STEM;
	size_t flen, i;
	int id;

	if (len == 0)
		return parse_fail(ps, "an empty word");
	if (s[0] == '@') {
		for (i = 0; i < ps->nclasses; i++) {
			const struct class_def *c = &ps->classes[i];

			if (strlen(c->name) == len - 1 && !memcmp(c->name, s + 1, len - 1))
				break;
		}
		snprintf(word, sizeof(word), "%.*s", (int)len, s);
		if (i == ps->nclasses)
			return parse_fail(ps, "unknown class %s (define it above)", word);
		if (*n + ps->classes[i].set.n > LANG_CLASS_ITEMS)
			return parse_fail(ps, "too many words in %s", word);
		memcpy(items + *n, ps->classes[i].set.items, ps->classes[i].set.n * sizeof(*items));
		*n += ps->classes[i].set.n;
		return 0;
	}
	if (*n == LANG_CLASS_ITEMS)
		return parse_fail(ps, "too many words in one token");
	if (s[0] == '=') {
		type = ITEM_EXACT;
		s++;
		len--;
	} else if (len > 1 && s[len - 1] == '*') {
		type = ITEM_PREFIX;
		len--;
	}
	snprintf(word, sizeof(word), "%.*s", (int)len, s);
	for (i = 0; i < len; i++)
		if (strchr("[]=*!?@|.:", s[i]))
			return parse_fail(ps, "a stray sign in \"%s\"", word);
	flen = fold_utf8(s, len, folded, sizeof(folded));
	if (flen == 0)
		return parse_fail(ps, "cannot read the word \"%s\"", word);
	items[*n].type = type;
	if (type == ITEM_PREFIX && prefix_key(folded, flen) < 0)
		return parse_fail(ps, "a prefix has two letters or more: \"%s\"", word);
	if (type == ITEM_PREFIX) {
		char *copy = engine_alloc(ps->e, flen + 1);

		if (!copy)
			return -ENOMEM;
		memcpy(copy, folded, flen);
		items[*n].str = copy;
		items[*n].len = flen;
	} else if (type == ITEM_EXACT) {
		id = strtab_add(ps->e, &ps->l->tab, 'x', folded, flen);
		if (id < 0)
			return id;
		items[*n].id = id;
	} else {
		const sb_symbol *stem =
			sb_stemmer_stem(ps->st, (const sb_symbol *)folded, (int)flen);

		if (!stem)
			return -ENOMEM;
		size_t slen = (size_t)sb_stemmer_length(ps->st);

		id = strtab_add(ps->e, &ps->l->tab, 's', (const char *)stem, slen);
		if (id < 0)
			return id;
		items[*n].id = id;
		first_set(ps->l->first[0], first_key((const char *)stem, slen, 2));
		if (first_key((const char *)stem, slen, 2) < 0)
			first_set(ps->l->first[1], first_key((const char *)stem, slen, 1));
	}
	(*n)++;
	return 0;
}

/* Items joined by '|' into a set kept by the engine. */
static int parse_set(struct parse *ps, const char *s, size_t len, const struct set **ret)
{
	struct item items[LANG_CLASS_ITEMS];
	struct set *set;
	size_t n = 0, i = 0, j;
	int r;

	while (i <= len) {
		for (j = i; j < len && s[j] != '|'; j++)
			;
		r = parse_item(ps, s + i, j - i, items, &n);
		if (r < 0)
			return r;
		i = j + 1;
	}
	set = engine_alloc(ps->e, sizeof(*set));
	if (!set)
		return -ENOMEM;
	set->items = engine_alloc(ps->e, n * sizeof(*items));
	if (!set->items)
		return -ENOMEM;
	memcpy(set->items, items, n * sizeof(*items));
	set->n = n;
	*ret = set;
	return 0;
}

/* Split s[0..len) on spaces and tabs: the next field from *pos, or 0 at the end. */
static size_t next_field(const char *s, size_t len, size_t *pos, const char **field)
{
	size_t i = *pos, j;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (j = i; j < len && s[j] != ' ' && s[j] != '\t'; j++)
		;
	*field = s + i;
	*pos = j;
	return j - i;
}

static int parse_class(struct parse *ps, const char *s, size_t len)
{
	struct item items[LANG_CLASS_ITEMS];
	struct class_def *c;
	const char *f;
	size_t pos = 0, flen, n = 0, i;
	int r;

	flen = next_field(s, len, &pos, &f);
	if (flen < 2 || flen > sizeof(c->name) || f[0] != '@')
		return parse_fail(ps, "a class is \"@name = words\"");
	for (i = 1; i < flen; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9') || f[i] == '_'))
			return parse_fail(ps, "a class name is a-z, 0-9 and _");
	if (ps->nclasses == LANG_CLASSES_MAX)
		return parse_fail(ps, "too many classes");
	c = &ps->classes[ps->nclasses];
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(flen - 1), f + 1);
	for (i = 0; i < ps->nclasses; i++)
		if (!strcmp(ps->classes[i].name, c->name))
			return parse_fail(ps, "the class @%s is defined twice", c->name);
	flen = next_field(s, len, &pos, &f);
	if (flen != 1 || f[0] != '=')
		return parse_fail(ps, "a class is \"@name = words\"");
	while ((flen = next_field(s, len, &pos, &f)) > 0) {
		r = parse_item(ps, f, flen, items, &n);
		if (r < 0)
			return r;
	}
	if (n == 0)
		return parse_fail(ps, "the class @%s has no words", c->name);
	c->set.items = engine_alloc(ps->e, n * sizeof(*items));
	if (!c->set.items)
		return -ENOMEM;
	memcpy(c->set.items, items, n * sizeof(*items));
	c->set.n = n;
	ps->nclasses++;
	return 0;
}

static int parse_pattern(struct parse *ps, const char *s, size_t len, struct pattern *p)
{
	struct ptok t[LANG_TOKENS_MAX];
	const char *colon = memchr(s, ':', len), *f;
	char kind[64];
	size_t pos, flen, n = 0, k;
	unsigned gap;
	int r;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(kind))
		return parse_fail(ps, "a pattern is \"kind: words\"");
	snprintf(kind, sizeof(kind), "%.*s", (int)(colon - s), s);
	if (!strcmp(kind, "negation")) {
		p->kind = KIND_NEGATION;
	} else if (!strcmp(kind, "quotation")) {
		p->kind = KIND_QUOTATION;
	} else {
		for (k = 0; k < ps->e->nkinds; k++)
			if (!strcmp(ps->e->kinds[k], kind))
				break;
		if (k == ps->e->nkinds)
			return parse_fail(ps, "unknown kind \"%s\"", kind);
		p->kind = (unsigned)k;
	}
	pos = (size_t)(colon - s) + 1;
	while ((flen = next_field(s, len, &pos, &f)) > 0) {
		if (n == LANG_TOKENS_MAX)
			return parse_fail(ps, "too many tokens");
		memset(&t[n], 0, sizeof(t[n]));
		if (flen == 1 && f[0] == '.') {
			t[n].type = P_BREAK;
		} else if (flen >= 6 && memcmp(f, "[not<=", 6) == 0) {
			/* "[not<=N] item": N read as a gap's, then the next field's items */
			gap = 0;
			for (k = 6; k < flen && f[k] >= '0' && f[k] <= '9' && gap <= LANG_GAP_MAX;
			     k++)
				gap = gap * 10 + (unsigned)(f[k] - '0');
			if (flen < 8 || k != flen - 1 || f[k] != ']' || gap == 0 ||
			    gap > LANG_GAP_MAX)
				return parse_fail(ps, "\"[not<=N] word\" takes N from 1 to 12");
			flen = next_field(s, len, &pos, &f);
			if (flen == 0 || f[0] == '[' || f[0] == '!' || f[0] == '.' ||
			    f[flen - 1] == '?')
				return parse_fail(ps, "\"[not<=N]\" is followed by a word");
			t[n].type = P_NOT_WITHIN;
			t[n].gap = gap;
			r = parse_set(ps, f, flen, &t[n].set);
			if (r < 0)
				return r;
		} else if (f[0] == '[') {
			/* "[gap<=N]" read within the field: the line need not end in a NUL */
			gap = 0;
			for (k = 6; k < flen && f[k] >= '0' && f[k] <= '9' && gap <= LANG_GAP_MAX;
			     k++)
				gap = gap * 10 + (unsigned)(f[k] - '0');
			if (flen < 8 || memcmp(f, "[gap<=", 6) != 0 || k != flen - 1 ||
			    f[k] != ']' || gap == 0 || gap > LANG_GAP_MAX)
				return parse_fail(ps, "a gap is [gap<=N], N from 1 to 12");
			t[n].type = P_GAP;
			t[n].gap = gap;
		} else {
			if (f[0] == '!') {
				t[n].type = P_NOT;
				f++;
				flen--;
			} else if (flen > 1 && f[flen - 1] == '?') {
				t[n].optional = 1;
				flen--;
			}
			r = parse_set(ps, f, flen, &t[n].set);
			if (r < 0)
				return r;
		}
		n++;
	}
	if (n == 0 || t[0].type != P_WORD || t[0].optional)
		return parse_fail(ps, "a pattern starts with a word that must be there");
	if (t[n - 1].type == P_GAP || t[n - 1].type == P_BREAK)
		return parse_fail(ps, "a pattern ends with a word");
	p->t = engine_alloc(ps->e, n * sizeof(*t));
	if (!p->t)
		return -ENOMEM;
	memcpy(p->t, t, n * sizeof(*t));
	p->n = n;
	p->line = ps->line;
	return 0;
}

/* A first token's key in l's index: its id in the word table, or past the table a prefix's. */
static int index_key(const struct lang_one *l, const struct item *it)
{
	return it->type == ITEM_PREFIX ? (int)l->tab.n + prefix_key(it->str, it->len) : it->id;
}

/*
 * index_build() - for each pass (0: the caller's kinds, 1: the scopes),
 * the patterns a word can start, by key: the stem and exact-form ids of
 * the first token's items, then LANG_PREFIX_BUCKETS keys for its prefixes
 * (counted, then filled).
 */
static int index_build(struct lang_engine *e, struct lang_one *l)
{
	size_t keys = l->tab.n + LANG_PREFIX_BUCKETS, i, k, total;
	int *fill, pass, key;

	for (pass = 0; pass < 2; pass++) {
		struct lang_index *ix = &l->ix[pass];

		ix->start = engine_alloc(e, (keys + 1) * sizeof(int));
		fill = calloc(keys + 1, sizeof(int));
		if (!ix->start || !fill) {
			free(fill);
			return -ENOMEM;
		}
		for (total = 0, i = 0; i < l->npats; i++) {
			const struct set *s = l->pats[i].t[0].set;

			if ((l->pats[i].kind >= LANG_KINDS_MAX) != pass)
				continue;
			for (k = 0; k < s->n; k++) {
				key = index_key(l, &s->items[k]);
				ix->start[key + 1]++;
				total++;
			}
		}
		for (i = 0; i < keys; i++)
			ix->start[i + 1] += ix->start[i];
		ix->pat = engine_alloc(e, (total + 1) * sizeof(int));
		if (!ix->pat) {
			free(fill);
			return -ENOMEM;
		}
		for (i = 0; i < l->npats; i++) {
			const struct set *s = l->pats[i].t[0].set;

			if ((l->pats[i].kind >= LANG_KINDS_MAX) != pass)
				continue;
			for (k = 0; k < s->n; k++) {
				key = index_key(l, &s->items[k]);
				ix->pat[ix->start[key] + fill[key]++] = (int)i;
			}
		}
		free(fill);
	}
	return 0;
}

static int lang_index(const char *lang)
{
	int i;

	for (i = 0; i < LANG_LANGUAGES; i++)
		if (!strcmp(lang, lang_codes[i]))
			return i;
	return -1;
}

int lang_engine_new(const char *const *kinds, size_t nkinds, struct lang_engine **ret)
{
	struct lang_engine *e;

	if (!ret || (!kinds && nkinds) || nkinds > LANG_KINDS_MAX)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->kinds = kinds;
	e->nkinds = nkinds;
	if (pthread_mutex_init(&e->lock, NULL) != 0) {
		free(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

int lang_engine_add(struct lang_engine *e, const char *lang, const char *text, size_t len,
		    const char *name, char *errbuf, size_t errlen)
{
	struct parse *ps = NULL;
	struct lang_one *l;
	struct pattern *pats = NULL;
	char why[256] = "";
	size_t i = 0, j, n = 0, end;
	int li, r = 0;

	if (!e || !lang || (!text && len) || !name || (!errbuf && errlen))
		return -EINVAL;
	li = lang_index(lang);
	if (li < 0)
		return -EINVAL;
	l = &e->l[li];
	if (l->loaded)
		return -EEXIST;
	if (len > LANG_FILE_MAX) {
		snprintf(errbuf, errlen, "%s: longer than %d bytes", name, LANG_FILE_MAX);
		return -EINVAL;
	}
	ps = calloc(1, sizeof(*ps));
	pats = calloc(LANG_PATTERNS_MAX, sizeof(*pats));
	if (!ps || !pats) {
		r = -ENOMEM;
		goto out;
	}
	*ps = (struct parse){.e = e, .l = l, .why = why, .whylen = sizeof(why)};
	ps->st = sb_stemmer_new(lang_stemmers[li], "UTF_8");
	if (!ps->st) {
		r = -ENOMEM;
		goto out;
	}
	while (i < len) {
		for (j = i; j < len && text[j] != '\n'; j++)
			;
		ps->line++;
		end = j;
		if (end > i && text[end - 1] == '\r')
			end--;
		while (i < end && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (end - i > LANG_LINE_MAX) {
			r = parse_fail(ps, "a line longer than 512 bytes");
		} else if (i == end || text[i] == '#') {
			r = 0;
		} else if (text[i] == '@') {
			r = parse_class(ps, text + i, end - i);
		} else if (n == LANG_PATTERNS_MAX) {
			r = parse_fail(ps, "too many patterns");
		} else {
			r = parse_pattern(ps, text + i, end - i, &pats[n]);
			if (r == 0)
				n++;
		}
		if (r < 0)
			goto out;
		i = j + 1;
	}
	if (n == 0) {
		r = parse_fail(ps, "no patterns");
		goto out;
	}
	for (i = 0; i < ps->nclasses; i++)
		if (!strcmp(ps->classes[i].name, "scope_through")) {
			struct set *through = engine_alloc(e, sizeof(*through));

			if (!through) {
				r = -ENOMEM;
				goto out;
			}
			*through = ps->classes[i].set;
			l->through = through;
		}
	/*
	 * Snowball's English exceptions that change a word's beginning: "dying",
	 * "lying", "tying" stem to "die", "lie", "tie" (checked over the words
	 * of po/ and tests/language/: no other word of the three languages
	 * does).  Their beginnings open the filter when those stems are used.
	 */
	if (li == 0) {
		static const char *const changed[][2] = {
			{"die", "dy"}, {"lie", "ly"}, {"tie", "ty"}};

		for (i = 0; i < sizeof(changed) / sizeof(changed[0]); i++)
			if (strtab_find(&l->tab, 's', changed[i][0], 3) >= 0)
				first_set(l->first[0], first_key(changed[i][1], 2, 2));
	}
	l->pats = engine_alloc(e, n * sizeof(*pats));
	if (!l->pats) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(l->pats, pats, n * sizeof(*pats));
	l->npats = n;
	r = index_build(e, l);
	if (r == 0)
		l->loaded = 1;
out:
	if (r == -EINVAL)
		snprintf(errbuf, errlen, "%s:%s", name, why);
	else if (r < 0)
		snprintf(errbuf, errlen, "%s: %s", name, strerror(-r));
	if (r < 0 && !l->loaded) {
		/* keep no part of this file (its words may stay in the arena, unused) */
		free(l->tab.slot);
		memset(l, 0, sizeof(*l));
	}
	if (ps && ps->st)
		sb_stemmer_delete(ps->st);
	free(ps);
	free(pats);
	return r;
}

static int lang_engine_warm(struct lang_engine *e, char *errbuf, size_t errlen);

int lang_engine_load(struct lang_engine *e, const char *dir, char *errbuf, size_t errlen)
{
	char path[4096], *text = NULL;
	size_t i, len, got;
	FILE *f;
	int r = 0;

	if (!e || !dir || (!errbuf && errlen))
		return -EINVAL;
	for (i = 0; i < LANG_LANGUAGES && r == 0; i++) {
		if (snprintf(path, sizeof(path), "%s/%s.txt", dir, lang_codes[i]) >=
		    (int)sizeof(path)) {
			snprintf(errbuf, errlen, "%s: path too long", dir);
			return -ENAMETOOLONG;
		}
		/* raw-fd: a pattern file under data/language, read once at start-up */
		f = fopen(path, "rb");
		if (!f) {
			r = -errno;
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			break;
		}
		text = malloc(LANG_FILE_MAX + 1);
		if (!text) {
			fclose(f);
			return -ENOMEM;
		}
		len = 0;
		while ((got = fread(text + len, 1, LANG_FILE_MAX + 1 - len, f)) > 0)
			len += got;
		r = ferror(f) ? -EIO : 0;
		fclose(f);
		if (r == 0)
			r = lang_engine_add(e, lang_codes[i], text, len, path, errbuf, errlen);
		else
			snprintf(errbuf, errlen, "%s: cannot read", path);
		free(text);
	}
	if (r == 0)
		r = lang_engine_warm(e, errbuf, errlen);
	return r;
}

static void worker_free(struct worker *w)
{
	size_t i;

	if (!w)
		return;
	if (w->bi)
		ubrk_close(w->bi);
	for (i = 0; i < LANG_LANGUAGES; i++)
		if (w->st[i])
			sb_stemmer_delete(w->st[i]);
	free(w);
}

struct lang_engine *lang_engine_free(struct lang_engine *e)
{
	struct chunk *c, *next;
	struct worker *w;
	size_t i;

	if (!e)
		return NULL;
	while ((w = e->idle)) {
		e->idle = w->next;
		worker_free(w);
	}
	for (i = 0; i < LANG_LANGUAGES; i++)
		free(e->l[i].tab.slot);
	for (c = e->mem; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&e->lock);
	free(e);
	return NULL;
}

/* ---------------------------------------------------------------- workers */

/* A break iterator and the stemmers, lent to one call at a time. */
static struct worker *worker_get(struct lang_engine *e)
{
	UErrorCode err = U_ZERO_ERROR;
	struct worker *w;
	size_t i;

	pthread_mutex_lock(&e->lock);
	w = e->idle;
	if (w) {
		e->idle = w->next;
		e->nidle--;
	}
	pthread_mutex_unlock(&e->lock);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
	if (U_FAILURE(err))
		w->bi = NULL;
	for (i = 0; i < LANG_LANGUAGES; i++)
		w->st[i] = sb_stemmer_new(lang_stemmers[i], "UTF_8");
	for (i = 0; i < LANG_LANGUAGES; i++)
		if (!w->st[i])
			break;
	if (!w->bi || i < LANG_LANGUAGES) {
		worker_free(w);
		return NULL;
	}
	return w;
}

static void worker_put(struct lang_engine *e, struct worker *w)
{
	pthread_mutex_lock(&e->lock);
	if (e->nidle < LANG_POOL_MAX) {
		w->next = e->idle;
		e->idle = w;
		e->nidle++;
		w = NULL;
	}
	pthread_mutex_unlock(&e->lock);
	worker_free(w);
}

/* ---------------------------------------------------------------- matching */

enum tok_type { T_WORD, T_BREAK };

struct tok {
	enum tok_type type;
	unsigned clause_start : 1; /* a clause (or sentence) begins at this word */
	unsigned quoted : 1;	   /* inside quotation marks or a quotation scope */
	unsigned negated : 1;	   /* inside a negation scope */
	unsigned negator : 1;	   /* a word of a negation match itself */
	uint32_t start, end;	   /* bytes (texts are at most LANG_TEXT_MAX) */
	uint32_t cp_start, cp_end; /* code points */
	uint32_t fold, flen;	   /* the folded word in the call's buffer */
	int pkey;		   /* prefix_key() of the folded word, -1: none */
	int stem[LANG_LANGUAGES];  /* stem ids, -1: none */
	int exact[LANG_LANGUAGES]; /* exact-form ids, -1: none */
};

struct text {
	struct tok *t;
	size_t n;
	char *folded;
};

static int item_matches(const struct item *it, const struct tok *t, const char *folded, int li)
{
	switch (it->type) {
	case ITEM_STEM:
		return t->stem[li] == it->id;
	case ITEM_EXACT:
		return t->exact[li] == it->id;
	default:
		return t->flen >= it->len && memcmp(folded + t->fold, it->str, it->len) == 0;
	}
}

static int set_matches(const struct set *s, const struct tok *t, const char *folded, int li)
{
	size_t i;

	if (t->type != T_WORD)
		return 0;
	for (i = 0; i < s->n; i++)
		if (item_matches(&s->items[i], t, folded, li))
			return 1;
	return 0;
}

/*
 * match_at() - does pattern p, from its token k on, match the text from
 * token ti on?  Returns one past the last token taken, 0 for no match (a
 * match takes at least its first word, so 0 is free).
 */
static size_t match_at(const struct text *x, const struct pattern *p, size_t k, size_t ti, int li)
{
	const struct ptok *pt;
	size_t skip, end, words;

	if (k == p->n)
		return ti;
	pt = &p->t[k];
	switch (pt->type) {
	case P_GAP:
		for (skip = 0; skip <= pt->gap && ti + skip <= x->n; skip++) {
			if (skip > 0 &&
			    (x->t[ti + skip - 1].type != T_WORD || x->t[ti + skip - 1].negator))
				break; /* a gap stays inside one sentence, and never skips a "not"
					*/
			end = match_at(x, p, k + 1, ti + skip, li);
			if (end)
				return end;
		}
		return 0;
	case P_NOT:
		if (ti < x->n && set_matches(pt->set, &x->t[ti], x->folded, li))
			return 0;
		return match_at(x, p, k + 1, ti, li);
	case P_NOT_WITHIN:
		/* none of the next gap words (sentence breaks are not counted) is in set */
		for (skip = ti, words = 0; skip < x->n && words < pt->gap; skip++) {
			if (x->t[skip].type != T_WORD)
				continue;
			if (set_matches(pt->set, &x->t[skip], x->folded, li))
				return 0;
			words++;
		}
		return match_at(x, p, k + 1, ti, li);
	case P_BREAK:
		if (ti >= x->n || x->t[ti].type != T_BREAK)
			return 0;
		return match_at(x, p, k + 1, ti + 1, li);
	default:
		if (ti < x->n && set_matches(pt->set, &x->t[ti], x->folded, li)) {
			end = match_at(x, p, k + 1, ti + 1, li);
			if (end)
				return end;
		}
		return pt->optional ? match_at(x, p, k + 1, ti, li) : 0;
	}
}

static int is_sentence_end(UChar32 c)
{
	return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == 0x2026 ||
	       c == '\n' || c == 0x3002 || c == 0xFF01 || c == 0xFF0E || c == 0xFF1F;
}

static int is_clause_end(UChar32 c)
{
	return c == ',' || c == 0x2013 || c == 0x2014 || c == '(' || c == ')' || c == 0xBF ||
	       c == 0xA1 || c == 0x3001 || c == 0xFF0C;
}

/*
 * Quotation marks: 0 none, 1 opens, 2 closes, 3 either (the straight
 * marks and “, which opens in English and closes after „ in Spanish and
 * Russian).
 */
static int quote_mark(UChar32 c)
{
	switch (c) {
	case 0x201E: /* „ */
	case 0xAB:   /* « */
	case 0x2018: /* ‘ (a standalone one: inside a word it is an apostrophe) */
		return 1;
	case 0x201D: /* ” */
	case 0xBB:   /* » */
	case 0x2019: /* ’ */
		return 2;
	case '"':
	case 0x201C: /* “ */
	case '\'':
		return 3;
	default:
		return 0;
	}
}

/* Script gates: stem a word only in the languages its letters belong to. */
static unsigned word_langs(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c == 0xD0 || c == 0xD1)
			return 1u << 2; /* Cyrillic: ru */
		if ((c >= 'a' && c <= 'z') || c == 0xC3)
			return (1u << 0) | (1u << 1); /* Latin: en, es */
	}
	return 0;
}

/*
 * tokenize() - the text's words and sentence breaks, with clause starts
 * and quotation marks noted; folded words in x->folded, stems looked up in
 * the languages of mask.
 */
static int tokenize(struct lang_engine *e, struct worker *w, const UChar *u, int32_t n16,
		    const uint32_t *off8, const uint32_t *cpi, unsigned mask, struct text *x,
		    size_t fcap)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t p, q;
	size_t fo = 0, flen;
	int clause = 1, quoted = 0, li, key1, key2;
	struct word_seen *seen;
	unsigned langs;

	ubrk_setText(w->bi, u, n16, &err);
	if (U_FAILURE(err))
		return -EIO;
	x->n = 0;
	if (++w->call == 0) { /* after 2^32 calls: start the numbers again */
		memset(w->seen, 0, sizeof(w->seen));
		w->call = 1;
	}
	p = ubrk_first(w->bi);
	for (q = ubrk_next(w->bi); q != UBRK_DONE; p = q, q = ubrk_next(w->bi)) {
		int32_t status = ubrk_getRuleStatus(w->bi), i;

		if (status >= UBRK_WORD_NUMBER) {
			struct tok *t = &x->t[x->n++];

			memset(t, 0, sizeof(*t));
			t->type = T_WORD;
			t->start = off8[p];
			t->end = off8[q];
			t->cp_start = cpi[p];
			t->cp_end = cpi[q];
			t->clause_start = (unsigned)clause;
			t->quoted = (unsigned)(quoted != 0);
			clause = 0;
			flen = fcap - fo > 1 ? fold_word(u + p, q - p, x->folded + fo, fcap - fo)
					     : 0;
			t->fold = (uint32_t)fo;
			t->flen = (uint32_t)flen;
			fo += flen;
			t->pkey = flen ? prefix_key(x->folded + t->fold, flen) : -1;
			seen = NULL;
			if (flen) {
				uint32_t h = hash_bytes(x->folded + t->fold, flen), probe;

				for (probe = 0; probe < 8; probe++) {
					seen = &w->seen[(h + probe) & (LANG_SEEN_SLOTS - 1)];
					if (seen->call != w->call)
						break; /* a free slot: fill it below */
					if (seen->flen == flen &&
					    !memcmp(x->folded + seen->fold, x->folded + t->fold,
						    flen))
						break;
					seen = NULL;
				}
			}
			if (seen && seen->call == w->call) {
				memcpy(t->stem, seen->stem, sizeof(t->stem));
				memcpy(t->exact, seen->exact, sizeof(t->exact));
				continue;
			}
			/* a word is looked up only in the languages of its script */
			langs = flen ? word_langs(x->folded + t->fold, flen) & mask : 0;
			key2 = first_key(x->folded + t->fold, flen, 2);
			key1 = first_key(x->folded + t->fold, flen, 1);
			for (li = 0; li < LANG_LANGUAGES; li++) {
				t->stem[li] = t->exact[li] = -1;
				if (!(langs & (1u << li)))
					continue;
				t->exact[li] =
					strtab_find(&e->l[li].tab, 'x', x->folded + t->fold, flen);
#ifndef LANG_NO_FIRST_FILTER
				if (!first_has(e->l[li].first[0], key2) &&
				    !first_has(e->l[li].first[1], key1))
					continue;
#endif
				const sb_symbol *s = sb_stemmer_stem(
					w->st[li], (const sb_symbol *)(x->folded + t->fold),
					(int)flen);

				if (!s)
					return -ENOMEM;
				t->stem[li] = strtab_find(&e->l[li].tab, 's', (const char *)s,
							  (size_t)sb_stemmer_length(w->st[li]));
			}
			if (seen) {
				seen->call = w->call;
				seen->fold = t->fold;
				seen->flen = t->flen;
				memcpy(seen->stem, t->stem, sizeof(t->stem));
				memcpy(seen->exact, t->exact, sizeof(t->exact));
			}
			continue;
		}
		for (i = p; i < q; i++) {
			UChar32 c = u[i];
			int m = quote_mark(c);

			if (is_sentence_end(c)) {
				clause = 1;
				if (c == '\n')
					quoted = 0; /* an unclosed quotation ends with its paragraph
						     */
				if (x->n > 0 && x->t[x->n - 1].type == T_BREAK) {
					x->t[x->n - 1].end = off8[i + 1];
					x->t[x->n - 1].cp_end = cpi[i + 1];
				} else {
					struct tok *t = &x->t[x->n++];

					memset(t, 0, sizeof(*t));
					t->type = T_BREAK;
					t->start = off8[i];
					t->end = off8[i + 1];
					t->cp_start = cpi[i];
					t->cp_end = cpi[i + 1];
				}
			} else if (is_clause_end(c)) {
				clause = 1;
			} else if (m) {
				if (quoted && (m & 2))
					quoted = 0;
				else if (!quoted && (m & 1))
					quoted = 1;
			}
		}
	}
	return 0;
}

/*
 * Mark the scope a negation or quotation match opens: to the end of its
 * clause, where a clause that opens with a word of the file's
 * @scope_through class ("что" after its comma) goes on the same clause.
 */
static void scope_mark(struct text *x, size_t from, unsigned kind, const struct set *through,
		       int li)
{
	size_t i, words = 0;

	for (i = from; i < x->n; i++) {
		struct tok *t = &x->t[i];

		if (t->type != T_WORD)
			break;
		if (t->clause_start && !(through && set_matches(through, t, x->folded, li)))
			break;
		if (kind == KIND_NEGATION) {
			if (words++ == LANG_NEGATION_SPAN)
				break;
			t->negated = 1;
		} else {
			t->quoted = 1;
		}
	}
}

/* Try pattern pi of language li at token ti; record a match. */
static void try_pattern(struct lang_engine *e, const struct text *x, int li, int pi, size_t ti,
			struct lang_match *out, size_t *n, size_t max)
{
	const struct pattern *p = &e->l[li].pats[pi];
	const struct tok *first = &x->t[ti], *last;
	size_t end, i;
	int scope = p->kind >= LANG_KINDS_MAX;

	end = match_at(x, p, 0, ti, li);
	if (!end)
		return;
	if (scope) {
		if (p->kind == KIND_NEGATION)
			for (i = ti; i < end; i++)
				((struct text *)x)->t[i].negator = 1;
		scope_mark((struct text *)x, end, p->kind, e->l[li].through, li);
		return;
	}
	if (first->quoted || first->negated)
		return;
	last = &x->t[end - 1];
	for (i = 0; i < *n; i++)
		if (out[i].kind == p->kind && first->start < out[i].end && out[i].start < last->end)
			return;
	if (*n < max)
		out[(*n)++] = (struct lang_match){p->kind,	   first->start, last->end,
						  first->cp_start, last->cp_end, p->line,
						  (unsigned)li};
}

static void match_all(struct lang_engine *e, const struct text *x, unsigned mask, int scopes,
		      struct lang_match *out, size_t *n, size_t max)
{
	size_t ti, k;
	int li, key, j;

	for (ti = 0; ti < x->n && *n < max; ti++) {
		const struct tok *t = &x->t[ti];

		if (t->type != T_WORD)
			continue;
		for (li = 0; li < LANG_LANGUAGES; li++) {
			const struct lang_one *l = &e->l[li];
			const struct lang_index *ix = &l->ix[scopes];

			if (!(mask & (1u << li)))
				continue;
			for (k = 0; k < 3; k++) {
				key = k == 0 ? t->stem[li] : k == 1 ? t->exact[li] : t->pkey;
				if (key < 0)
					continue;
				if (k == 2)
					key += (int)l->tab.n;
				for (j = ix->start[key]; j < ix->start[key + 1]; j++)
					try_pattern(e, x, li, ix->pat[j], ti, out, n, max);
			}
		}
	}
}

/* UTF-8 to UTF-16, with each unit's byte offset and code point index. */
static int32_t utf16_from(const unsigned char *s, size_t len, UChar *u, uint32_t *off8,
			  uint32_t *cpi)
{
	size_t i = 0, need, k;
	int32_t n = 0;
	uint32_t cp, cps = 0;

	while (i < len) {
		size_t at = i;

		cp = s[i];
		need = 0;
		if (cp >= 0xC2 && cp <= 0xDF) {
			need = 1;
			cp &= 0x1F;
		} else if (cp >= 0xE0 && cp <= 0xEF) {
			need = 2;
			cp &= 0x0F;
		} else if (cp >= 0xF0 && cp <= 0xF4) {
			need = 3;
			cp &= 0x07;
		} else if (cp >= 0x80) {
			cp = 0xFFFD;
		}
		if (need && len - i < need + 1)
			need = 0, cp = 0xFFFD;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80) {
				need = 0;
				cp = 0xFFFD;
				break;
			}
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (need &&
		    ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		     (cp >= 0xD800 && cp <= 0xDFFF))) {
			need = 0;
			cp = 0xFFFD;
		}
		i += need + 1;
		if (cp >= 0x10000) {
			off8[n] = (uint32_t)at;
			cpi[n] = cps;
			u[n++] = (UChar)(0xD800 + ((cp - 0x10000) >> 10));
			off8[n] = (uint32_t)at;
			cpi[n] = cps;
			u[n++] = (UChar)(0xDC00 + ((cp - 0x10000) & 0x3FF));
		} else {
			off8[n] = (uint32_t)at;
			cpi[n] = cps;
			u[n++] = (UChar)cp;
		}
		cps++;
	}
	off8[n] = (uint32_t)len;
	cpi[n] = cps;
	return n;
}

int lang_engine_match(struct lang_engine *e, const char *text, size_t len, const char *lang,
		      struct lang_match *out, size_t max, size_t *ret_n)
{
	struct worker *w = NULL;
	struct text x = {NULL, 0, NULL};
	UChar *u = NULL;
	uint32_t *off8 = NULL, *cpi = NULL;
	unsigned mask = 0;
	size_t n = 0, fcap = 3 * len + 16;
	int32_t n16;
	int li, r;

	if (!e || (!text && len) || (!out && max) || !ret_n || len > LANG_TEXT_MAX)
		return -EINVAL;
	if (lang && *lang) {
		li = lang_index(lang);
		if (li < 0 || !e->l[li].loaded)
			return -EINVAL;
		mask = 1u << li;
	} else {
		for (li = 0; li < LANG_LANGUAGES; li++)
			if (e->l[li].loaded)
				mask |= 1u << li;
	}
	if (len == 0 || max == 0 || !mask) {
		*ret_n = 0;
		return 0;
	}
	u = malloc((len + 1) * sizeof(*u));
	off8 = malloc((len + 1) * sizeof(*off8));
	cpi = malloc((len + 1) * sizeof(*cpi));
	x.t = malloc((len + 1) * sizeof(*x.t));
	x.folded = malloc(fcap);
	w = worker_get(e);
	if (!u || !off8 || !cpi || !x.t || !x.folded || !w) {
		r = -ENOMEM;
		goto out;
	}
	n16 = utf16_from((const unsigned char *)text, len, u, off8, cpi);
	r = tokenize(e, w, u, n16, off8, cpi, mask, &x, fcap);
	if (r < 0)
		goto out;
	match_all(e, &x, mask, 1, out, &n, max);
	match_all(e, &x, mask, 0, out, &n, max);
	/* matches were found in start order per language: merge them */
	for (size_t i = 1; i < n; i++) {
		struct lang_match m = out[i];
		size_t j = i;

		while (j > 0 && out[j - 1].start > m.start) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = m;
	}
	*ret_n = n;
	r = 0;
out:
	if (w)
		worker_put(e, w);
	if (x.folded)
		memset(x.folded, 0, fcap); /* it held the member's words */
	if (u)
		memset(u, 0, (len + 1) * sizeof(*u));
	free(x.folded);
	free(x.t);
	free(u);
	free(off8);
	free(cpi);
	return r;
}

/*
 * lang_engine_warm() - one match over a text with a decomposed accent, so
 * that ICU's data (the word-break rules, NFC) and one worker are ready
 * before the server's sandbox closes in; a failure here fails the start.
 */
static int lang_engine_warm(struct lang_engine *e, char *errbuf, size_t errlen)
{
	static const char sample[] = "Perdo\xcc\x81n, I\xe2\x80\x99m \xd0\xbf\xd1\x80\xd0\xbe"
				     "\xd1\x81\xd1\x82\xd0\xb8.";
	struct lang_match m[4];
	size_t n;
	int r = lang_engine_match(e, sample, sizeof(sample) - 1, NULL, m, 4, &n);

	if (r < 0)
		snprintf(errbuf, errlen, "the language engine does not start: %s", strerror(-r));
	return r;
}
