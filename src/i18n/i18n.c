/*
 * i18n.c: gettext catalogs read by hand, Accept-Language negotiation,
 * template translation and dates in English, Spanish and Russian.
 *
 * A catalog is a GNU .mo file (see "The Format of GNU MO Files" in the
 * gettext manual): a header of 32-bit words in either byte order, then two
 * tables of (length, offset) pairs pointing at NUL-terminated strings.  The
 * file is read whole into memory, every pair is checked against the file
 * size before it is trusted, and the entries are copied into a table sorted
 * by msgid that lookups search by bisection.  The hash table msgfmt writes
 * is ignored, so a hostile one cannot lead us astray.  Catalogs are loaded
 * once by i18n_init() and read-only afterwards, so any thread may look up.
 *
 * Plural rules are compiled in, one per language, rather than evaluated from
 * the catalog's Plural-Forms header: an expression interpreter would be one
 * more parser of untrusted input for three fixed rules.  The header of each
 * po/<lang>.po must therefore state exactly the rule written here:
 *   en, es: nplurals=2; plural=(n != 1);
 *   ru:     nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 &&
 *                       n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);
 * i18n_init() rejects a catalog whose nplurals differs, and scripts/check-po
 * compares the whole header line.
 */
#include "i18n/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A few thousand UI strings make well under 1 MiB; more is a mistake. */
#define I18N_MO_MAX_BYTES (8u * 1024 * 1024)
#define MO_MAGIC	  0x950412deu
#define MO_HEADER_BYTES	  28 /* magic, revision, N, O, T, S, H */

const char *const i18n_languages[] = {"en", "es", "ru", NULL};

enum i18n_lang {
	LANG_EN,
	LANG_ES,
	LANG_RU,
};

/* nplurals of each language's compiled-in rule, in i18n_languages order. */
static const unsigned lang_nplurals[I18N_LANG_MAX] = {2, 2, 3};

struct mo_entry {
	const char *key; /* msgid (singular part), NUL-terminated in data */
	const char *val; /* msgstr; plural forms separated by NUL */
	size_t val_len;	 /* bytes of val, without the final NUL */
};

struct catalog {
	char *data;		  /* the whole .mo file; entries point into it */
	size_t size;		  /* bytes of data */
	struct mo_entry *entries; /* sorted by strcmp() of key, no duplicates */
	size_t n;		  /* number of entries */
	const char *header;	  /* translation of "" (the PO header), or NULL */
};

static struct catalog catalogs[I18N_LANG_MAX];
static _Thread_local const char *thread_lang;

static int lang_index(const char *lang)
{
	int i;

	if (!lang)
		return -1;
	for (i = 0; i < I18N_LANG_MAX; i++)
		if (!strcmp(lang, i18n_languages[i]))
			return i;
	return -1;
}

/* Plural form index for n (see the top of this file). */
static unsigned plural_index(int lang, unsigned long n)
{
	switch (lang) {
	case LANG_RU:
		if (n % 10 == 1 && n % 100 != 11)
			return 0;
		if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20))
			return 1;
		return 2;
	default:
		return n != 1;
	}
}

static void catalog_clear(struct catalog *cat)
{
	if (!cat)
		return;
	free(cat->entries);
	free(cat->data);
	memset(cat, 0, sizeof(*cat));
}

static uint32_t mo_word(const unsigned char *p, int big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * mo_string() - the string described by the (length, offset) pair at byte
 * pos of the file.  The pair itself must lie inside the file (the caller
 * checked the table), and the string plus its terminating NUL must too.
 */
static const char *mo_string(const unsigned char *buf, size_t size, size_t pos, int big_endian,
			     size_t *ret_len)
{
	size_t len = mo_word(buf + pos, big_endian);
	size_t off = mo_word(buf + pos + 4, big_endian);

	if (off > size || len >= size - off || buf[off + len] != '\0')
		return NULL;
	*ret_len = len;
	return (const char *)buf + off;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct mo_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/*
 * catalog_parse() - turn the .mo image data (size bytes, malloc'd) into a
 * catalog.  On success cat owns data; on failure data is freed, cat is left
 * empty, and *why names the problem.  Returns 0 or -EINVAL (-ENOMEM).
 */
static int catalog_parse(struct catalog *cat, char *data, size_t size, const char **why)
{
	const unsigned char *buf = (const unsigned char *)data;
	struct mo_entry *entries = NULL;
	const char *header = NULL;
	uint32_t rev, n, otab, ttab;
	size_t i, kept = 0;
	int be, r = -EINVAL;

	*why = "not a .mo file";
	if (size < MO_HEADER_BYTES)
		goto out;
	if (mo_word(buf, 0) == MO_MAGIC)
		be = 0;
	else if (mo_word(buf, 1) == MO_MAGIC)
		be = 1;
	else
		goto out;

	/* Major revision 1 only adds system-dependent strings, which we skip. */
	*why = "unsupported .mo revision";
	rev = mo_word(buf + 4, be);
	if (rev >> 16 > 1)
		goto out;

	*why = "string table out of bounds";
	n = mo_word(buf + 8, be);
	otab = mo_word(buf + 12, be);
	ttab = mo_word(buf + 16, be);
	if (otab > size || n > (size - otab) / 8 || ttab > size || n > (size - ttab) / 8)
		goto out;

	if (n) {
		entries = calloc(n, sizeof(*entries));
		if (!entries) {
			*why = "out of memory";
			r = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		const char *key, *val;
		size_t key_len, val_len;

		*why = "string out of bounds";
		key = mo_string(buf, size, otab + 8 * i, be, &key_len);
		val = mo_string(buf, size, ttab + 8 * i, be, &val_len);
		if (!key || !val)
			goto out;
		if (key_len == 0) {
			if (header) {
				*why = "two headers";
				goto out;
			}
			header = val;
			continue;
		}
		/* Entries with a msgctxt ("ctxt\004msgid") are never looked up. */
		if (memchr(key, '\004', strlen(key)))
			continue;
		/* An empty translation means "use the msgid". */
		if (val_len == 0)
			continue;
		entries[kept].key = key;
		entries[kept].val = val;
		entries[kept].val_len = val_len;
		kept++;
	}

	if (kept)
		qsort(entries, kept, sizeof(*entries), entry_cmp);
	for (i = 1; i < kept; i++) {
		if (!strcmp(entries[i - 1].key, entries[i].key)) {
			*why = "duplicate msgid";
			goto out;
		}
	}

	cat->data = data;
	cat->size = size;
	cat->entries = entries;
	cat->n = kept;
	cat->header = header;
	data = NULL;
	entries = NULL;
	*why = NULL;
	r = 0;
out:
	free(entries);
	free(data);
	return r;
}

/*
 * header_nplurals() - the nplurals= value of the Plural-Forms line of a PO
 * header, 0 when there is none or it cannot be read.
 */
static unsigned header_nplurals(const char *header)
{
	static const char field[] = "Plural-Forms:";
	const char *p = header, *eol;
	unsigned long v;

	while (p && *p) {
		eol = strchr(p, '\n');
		if (!strncmp(p, field, sizeof(field) - 1)) {
			const char *np = strstr(p, "nplurals=");

			if (!np || (eol && np > eol))
				return 0;
			np += strlen("nplurals=");
			if (*np < '0' || *np > '9')
				return 0;
			for (v = 0; *np >= '0' && *np <= '9' && v < 1000; np++)
				v = v * 10 + (unsigned long)(*np - '0');
			return v < 1000 ? (unsigned)v : 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/*
 * read_file() - the whole of path in a malloc'd buffer.  Reads to end of
 * file rather than trusting st_size, which may change under us.
 */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	struct stat st;
	ssize_t k;
	int fd, r;

	/* raw-fd: a translation catalog (.mo) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= I18N_MO_MAX_BYTES) {
				r = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			if (cap > I18N_MO_MAX_BYTES)
				cap = I18N_MO_MAX_BYTES;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				r = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd); /* raw-fd: the same file */
	return r;
}

/*
 * i18n_init() - load <dir>/<lang>.mo for every supported language.
 * Replaces whatever an earlier call loaded; on failure nothing is loaded.
 */
int i18n_init(const char *dir, char *errbuf, size_t errlen)
{
	struct catalog cat;
	char path[4096];
	const char *why;
	char *data = NULL;
	size_t size = 0;
	unsigned np;
	int i, r = 0;

	i18n_fini();
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!dir)
		return -EINVAL;

	for (i = 0; i < I18N_LANG_MAX; i++) {
		memset(&cat, 0, sizeof(cat));
		r = snprintf(path, sizeof(path), "%s/%s.mo", dir, i18n_languages[i]);
		if (r < 0 || (size_t)r >= sizeof(path)) {
			r = -ENAMETOOLONG;
			why = "path too long";
			goto fail;
		}
		r = read_file(path, &data, &size);
		if (r == -ENOENT && i == LANG_EN) {
			/* msgids are English: no catalog means identity. */
			continue;
		}
		if (r == -EFBIG) {
			r = -EINVAL;
			why = "catalog too large";
			goto fail;
		}
		if (r < 0) {
			why = strerror(-r);
			goto fail;
		}
		r = catalog_parse(&cat, data, size, &why);
		if (r < 0)
			goto fail;
		np = header_nplurals(cat.header);
		if (np && np != lang_nplurals[i]) {
			catalog_clear(&cat);
			r = -EINVAL;
			why = "Plural-Forms nplurals does not match the compiled-in rule";
			goto fail;
		}
		catalogs[i] = cat;
	}
	return 0;

fail:
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", path, why);
	i18n_fini();
	return r;
}

/* i18n_fini() - unload every catalog; lookups return msgids afterwards. */
void i18n_fini(void)
{
	int i;

	for (i = 0; i < I18N_LANG_MAX; i++)
		catalog_clear(&catalogs[i]);
}

/* i18n_lang_valid() - exact match against i18n_languages only. */
int i18n_lang_valid(const char *lang)
{
	return lang_index(lang) >= 0;
}

static const struct mo_entry *catalog_find(const struct catalog *cat, const char *msgid)
{
	size_t lo = 0, hi = cat->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(msgid, cat->entries[mid].key);

		if (c == 0)
			return &cat->entries[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const struct mo_entry *lookup(const char *lang, const char *msgid, int *ret_lang)
{
	int li = lang_index(lang);

	*ret_lang = li;
	if (li < 0 || !msgid || !*msgid)
		return NULL;
	return catalog_find(&catalogs[li], msgid);
}

/*
 * i18n_gettext() - bisect the language's table.  The header (msgid "") is
 * not an entry, so "" comes back as itself rather than as the PO header.
 */
const char *i18n_gettext(const char *lang, const char *msgid)
{
	const struct mo_entry *e;
	int li;

	e = lookup(lang, msgid, &li);
	/* A plural entry answers with its first form, as GNU gettext does. */
	if (!e || !e->val[0])
		return msgid;
	return e->val;
}

/*
 * i18n_ngettext() - the entry is found by its singular msgid, as in GNU
 * gettext, and the rule's index picks among its NUL-separated forms.
 */
const char *i18n_ngettext(const char *lang, const char *singular, const char *plural,
			  unsigned long n)
{
	const struct mo_entry *e;
	const char *p, *end;
	unsigned idx;
	int li;

	e = lookup(lang, singular, &li);
	if (!e)
		return n == 1 ? singular : plural;

	idx = plural_index(li, n);
	p = e->val;
	end = e->val + e->val_len;
	while (idx > 0 && p < end) {
		p += strlen(p) + 1;
		idx--;
	}
	/* Fewer forms than the rule needs, or an empty one: fall back. */
	if (p >= end || !*p)
		return n == 1 ? singular : plural;
	return p;
}

/*
 * i18n_set_thread_lang() - stores a pointer to our own static copy of the
 * code, never the caller's string, so the caller may free lang at once.
 */
void i18n_set_thread_lang(const char *lang)
{
	int li = lang_index(lang);

	thread_lang = i18n_languages[li < 0 ? LANG_EN : li];
}

/* i18n_thread_lang() - "en" on a thread that never chose. */
const char *i18n_thread_lang(void)
{
	return thread_lang ? thread_lang : i18n_languages[LANG_EN];
}

/* Accept-Language --------------------------------------------------------- */

#define AL_WILDCARD I18N_LANG_MAX

/* One element of an Accept-Language list, as far as we care. */
struct al_range {
	int valid; /* the element parsed; otherwise it is ignored */
	int lang;  /* index of the primary subtag, -1 unsupported, AL_WILDCARD */
	int exact; /* the range is the bare primary subtag ("es", not "es-MX") */
	int q;	   /* weight in thousandths, 0..1000 */
};

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * al_range_parse() - language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*"
 * (RFC 4647 section 2.1).  '_' is accepted as a separator too, since some
 * clients send POSIX locale names ("ru_RU").
 */
static int al_range_parse(const char *p, size_t len, struct al_range *r)
{
	size_t i = 0, run, primary;
	int li;

	if (len == 1 && p[0] == '*') {
		r->lang = AL_WILDCARD;
		r->exact = 1;
		return 0;
	}
	while (i < len && is_alpha(p[i]))
		i++;
	if (i == 0 || i > 8)
		return -1;
	primary = i;
	while (i < len) {
		if (p[i] != '-' && p[i] != '_')
			return -1;
		i++;
		for (run = 0; i < len && (is_alpha(p[i]) || is_digit(p[i])); i++)
			run++;
		if (run == 0 || run > 8)
			return -1;
	}
	r->lang = -1;
	r->exact = primary == len;
	if (primary != 2)
		return 0;
	for (li = 0; li < I18N_LANG_MAX; li++) {
		if (lower(p[0]) == i18n_languages[li][0] && lower(p[1]) == i18n_languages[li][1])
			r->lang = li;
	}
	return 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), RFC 9110 12.4.2. */
static int al_qvalue_parse(const char *p, size_t len)
{
	int q, scale = 100;
	size_t i;

	if (len == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	q = p[0] == '1' ? 1000 : 0;
	if (len == 1)
		return q;
	if (p[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (!is_digit(p[i]) || (q == 1000 && p[i] != '0'))
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q;
}

static size_t trim(const char **p, size_t len)
{
	while (len && is_ows(**p)) {
		(*p)++;
		len--;
	}
	while (len && is_ows((*p)[len - 1]))
		len--;
	return len;
}

/*
 * al_element_parse() - one comma-separated element: a range, then any
 * number of ";" parameters of which only q is understood.  An element
 * that does not follow the grammar, or carries a bad q, is marked invalid.
 */
static void al_element_parse(const char *p, size_t len, struct al_range *r)
{
	const char *end, *seg, *next, *eq, *name, *val;
	size_t seglen, nlen, vlen;
	int q;

	memset(r, 0, sizeof(*r));
	r->q = 1000;
	end = p + len;
	next = memchr(p, ';', len);
	seg = p;
	seglen = trim(&seg, (size_t)((next ? next : end) - p));
	if (al_range_parse(seg, seglen, r) < 0)
		return;
	while (next) {
		seg = next + 1;
		next = memchr(seg, ';', (size_t)(end - seg));
		seglen = (size_t)((next ? next : end) - seg);
		eq = memchr(seg, '=', seglen);
		if (!eq)
			continue; /* a bare token: meaningless here, ignore it */
		name = seg;
		nlen = trim(&name, (size_t)(eq - seg));
		if (nlen != 1 || lower(name[0]) != 'q')
			continue; /* not a weight: ignore it */
		val = eq + 1;
		vlen = trim(&val, (size_t)(seg + seglen - val));
		q = al_qvalue_parse(val, vlen);
		if (q < 0)
			return;
		r->q = q;
	}
	r->valid = 1;
}

/*
 * al_next() - parse the element starting at p (up to the next comma) into
 * r, and return where the following element starts, or NULL at the end.
 * Accept-Language has no quoted strings, so a comma always separates.
 */
static const char *al_next(const char *p, const char *end, struct al_range *r)
{
	const char *comma = memchr(p, ',', (size_t)(end - p));

	al_element_parse(p, (size_t)((comma ? comma : end) - p), r);
	return comma ? comma + 1 : NULL;
}

/*
 * i18n_negotiate() - RFC 9110 section 12.5.4 with the "lookup" reading of
 * RFC 4647: a range matches our language when its primary subtag is the
 * language's code, so "es-419" and "ru-RU" choose es and ru.  The highest
 * weight wins and equal weights keep header order.  "lang;q=0" (the bare
 * code) makes that language unacceptable even to a later "*"; "es-MX;q=0"
 * only refuses Mexican Spanish, not our neutral Spanish.  "*" stands for
 * the first supported language (display order) the header names nowhere.
 * Two passes over the header, no allocation: cost is linear in len.
 */
const char *i18n_negotiate(const char *accept_language, size_t len)
{
	int mentioned[I18N_LANG_MAX] = {0}, refused[I18N_LANG_MAX] = {0};
	const char *p, *end;
	struct al_range r;
	int best = -1, best_q = 0, li;

	if (!accept_language)
		return i18n_languages[LANG_EN];
	end = accept_language + len;

	for (p = accept_language; p;) {
		p = al_next(p, end, &r);
		if (!r.valid || r.lang < 0 || r.lang == AL_WILDCARD)
			continue;
		mentioned[r.lang] = 1;
		if (r.q == 0 && r.exact)
			refused[r.lang] = 1;
	}
	for (p = accept_language; p;) {
		p = al_next(p, end, &r);
		if (!r.valid || r.lang < 0 || r.q <= best_q)
			continue;
		if (r.lang == AL_WILDCARD) {
			for (li = 0; li < I18N_LANG_MAX; li++)
				if (!mentioned[li] && !refused[li])
					break;
			if (li == I18N_LANG_MAX)
				continue;
		} else {
			li = r.lang;
			if (refused[li])
				continue;
		}
		best = li;
		best_q = r.q;
	}
	return i18n_languages[best < 0 ? LANG_EN : best];
}

/*
 * al_region() - the region subtag of the range at the start of an element
 * (p, len bytes up to the comma): two letters right after the primary
 * subtag or after a four-letter script subtag; -1 when there is none.
 */
static int al_region(const char *p, size_t len, char out[3])
{
	const char *semi = memchr(p, ';', len), *seg = p;
	size_t n = trim(&seg, semi ? (size_t)(semi - p) : len), i = 0, start;
	int sub;

	for (sub = 0; i < n; sub++, i++) {
		start = i;
		while (i < n && seg[i] != '-' && seg[i] != '_')
			i++;
		if (sub == 0)
			continue;
		if (i - start == 2 && is_alpha(seg[start]) && is_alpha(seg[start + 1])) {
			out[0] = (char)(lower(seg[start]) - 'a' + 'A');
			out[1] = (char)(lower(seg[start + 1]) - 'a' + 'A');
			out[2] = '\0';
			return 0;
		}
		if (sub > 1 || i - start != 4)
			return -1; /* only a script comes before the region */
	}
	return -1;
}

int i18n_region(const char *accept_language, size_t len, char out[3])
{
	const char *p, *end, *at;
	struct al_range r;
	char cc[3], best[3] = "";
	int best_q = 0;

	if (!accept_language || !out)
		return -ENOENT;
	end = accept_language + len;
	for (p = accept_language; p;) {
		at = p;
		p = al_next(p, end, &r);
		if (!r.valid || r.q <= best_q)
			continue;
		if (al_region(at, (size_t)((p ? p - 1 : end) - at), cc) < 0)
			continue;
		memcpy(best, cc, sizeof(best));
		best_q = r.q;
	}
	if (!best[0])
		return -ENOENT;
	memcpy(out, best, sizeof(best));
	return 0;
}

/* Templates --------------------------------------------------------------- */

struct buf {
	char *p;    /* NUL-terminated once anything was appended */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
};

static int buf_append(struct buf *b, const char *s, size_t n)
{
	size_t need, cap;
	char *np;

	if (n > SIZE_MAX - 1 - b->len)
		return -ENOMEM;
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/*
 * marker_len() - the length of the marker "{{" OWS kind OWS "_" OWS "}}" at
 * p (kind is '#' or '/'), 0 when p does not start one.  Mustache allows
 * blanks inside tags, so "{{ #_ }}" is a marker too.  scripts/update-po
 * extracts msgids with the same regular expression; keep them in step.
 */
static size_t marker_len(const char *p, const char *end, char kind)
{
	const char *s = p;

	if (end - s < 2 || s[0] != '{' || s[1] != '{')
		return 0;
	s += 2;
	while (s < end && is_ows(*s))
		s++;
	if (s == end || *s++ != kind)
		return 0;
	while (s < end && is_ows(*s))
		s++;
	if (s == end || *s++ != '_')
		return 0;
	while (s < end && is_ows(*s))
		s++;
	if (end - s < 2 || s[0] != '}' || s[1] != '}')
		return 0;
	return (size_t)(s + 2 - p);
}

/* The next "{{" in [p, end), or NULL. */
static const char *find_braces(const char *p, const char *end)
{
	while (p < end) {
		p = memchr(p, '{', (size_t)(end - p));
		if (!p || end - p < 2)
			return NULL;
		if (p[1] == '{')
			return p;
		p++;
	}
	return NULL;
}

/*
 * i18n_translate_template() - one pass over src.  The msgid is copied into
 * the output followed by a NUL, looked up there, and replaced by the
 * translation if there is one, so no temporary buffer is needed.  A msgid
 * holding a NUL byte can match no catalog entry and is kept as written.
 * Scanning resumes one byte after a "{{" that is not a marker, exactly as
 * the leftmost-match regular expression in scripts/update-po does.
 */
int i18n_translate_template(const char *lang, const char *src, size_t len, char **ret,
			    size_t *ret_len)
{
	struct buf b = {0};
	const char *p, *end, *open, *body, *c;
	const char *tr;
	size_t olen = 0, clen = 0, blen, mark;
	int r;

	if (!ret || (!src && len))
		return -EINVAL;
	if (!src)
		src = "";
	p = src;
	end = src + len;
	r = buf_append(&b, "", 0);
	if (r < 0)
		goto out;

	while (p < end) {
		for (open = find_braces(p, end); open; open = find_braces(open + 1, end)) {
			olen = marker_len(open, end, '#');
			if (olen)
				break;
			/* A closing marker with nothing open is malformed. */
			if (marker_len(open, end, '/')) {
				r = -EINVAL;
				goto out;
			}
		}
		if (!open) {
			r = buf_append(&b, p, (size_t)(end - p));
			if (r < 0)
				goto out;
			break;
		}
		r = buf_append(&b, p, (size_t)(open - p));
		if (r < 0)
			goto out;

		body = open + olen;
		for (c = find_braces(body, end); c; c = find_braces(c + 1, end)) {
			clen = marker_len(c, end, '/');
			if (clen)
				break;
			/* Markers do not nest: an opening one here means no close. */
			if (marker_len(c, end, '#')) {
				r = -EINVAL;
				goto out;
			}
		}
		if (!c) {
			r = -EINVAL;
			goto out;
		}

		blen = (size_t)(c - body);
		mark = b.len;
		r = buf_append(&b, body, blen);
		if (r < 0)
			goto out;
		if (!memchr(body, '\0', blen)) {
			tr = i18n_gettext(lang, b.p + mark);
			if (tr != b.p + mark) {
				b.len = mark;
				r = buf_append(&b, tr, strlen(tr));
				if (r < 0)
					goto out;
			}
		}
		p = c + clen;
	}
	r = 0;
	*ret = b.p;
	if (ret_len)
		*ret_len = b.len;
	b.p = NULL;
out:
	free(b.p);
	return r;
}

/* Dates ------------------------------------------------------------------- */

static const char *const month_names[I18N_LANG_MAX][12] = {
	[LANG_EN] = {"January", "February", "March", "April", "May", "June", "July", "August",
		     "September", "October", "November", "December"},
	/* Spanish months are common nouns: lowercase. */
	[LANG_ES] = {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
		     "septiembre", "octubre", "noviembre", "diciembre"},
	/* Russian dates take the genitive: "26 ноября", not "26 ноябрь". */
	[LANG_RU] = {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
		     "сентября", "октября", "ноября", "декабря"},
};

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (!is_digit(*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/*
 * i18n_format_date() - full-date of RFC 3339 section 5.6 ("2026-11-26"),
 * optionally followed by "T"/"t"/" " and the rest of a timestamp, which is
 * not examined: a date is shown as written, never shifted to another zone.
 */
int i18n_format_date(const char *lang, const char *rfc3339, char *out, size_t outlen)
{
	char tmp[64];
	int li = lang_index(lang);
	int y, m, d, n;
	const char *mon;

	if (li < 0 || !rfc3339 || !out)
		return -EINVAL;
	y = digits(rfc3339, 4);
	if (y < 1 || rfc3339[4] != '-')
		return -EINVAL;
	m = digits(rfc3339 + 5, 2);
	if (m < 1 || m > 12 || rfc3339[7] != '-')
		return -EINVAL;
	d = digits(rfc3339 + 8, 2);
	if (d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	if (rfc3339[10] != '\0' && rfc3339[10] != 'T' && rfc3339[10] != 't' && rfc3339[10] != ' ')
		return -EINVAL;

	mon = month_names[li][m - 1];
	/* English and Russian alike: Russian without "г." after the year, since
	 * sentences end with a date ("... 6 декабря 2026.") and "г.." would end
	 * them twice */
	if (li == LANG_ES)
		n = snprintf(tmp, sizeof(tmp), "%d de %s de %d", d, mon, y);
	else
		n = snprintf(tmp, sizeof(tmp), "%d %s %d", d, mon, y);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -EINVAL;
	if ((size_t)n >= outlen)
		return -ENOSPC;
	memcpy(out, tmp, (size_t)n + 1);
	return 0;
}
