/*
 * mustache.c: compiles mustache templates into a flat node array once and
 * renders them over jansson values many times, from many threads.
 *
 * Compiling copies the source into the template and parses it in one pass:
 * every text run, tag name and partial indentation is a slice of that copy,
 * so rendering touches no allocator but the output buffer.  A section is one
 * node whose `end` is the index just past its body, so the renderer walks an
 * array instead of a tree.  Standalone-line rules (spec: "Standalone Lines")
 * are resolved at compile time by trimming the text slices around the tag.
 *
 * Partial indentation follows the reference implementation, which prepends
 * the indentation to every line of the partial's source before compiling
 * it: here the partial is compiled once, and the renderer inserts the
 * indentation at the same places instead: at the start of a text node that
 * begins a line, after every newline inside a text node except its last
 * byte, and at MNODE_INDENT nodes, which the compiler places wherever a kept
 * line starts with a tag.  Values interpolated into a partial are therefore
 * not indented, as the spec's "Standalone Indentation" test requires.
 *
 * Rendering is bounded three ways so that no template, however hostile,
 * runs away: nested partials stop at MUSTACHE_MAX_PARTIAL_DEPTH, nested
 * sections and partials together at MUSTACHE_MAX_RENDER_DEPTH (C stack),
 * and the output size and number of node visits are capped (-E2BIG).
 */
#include "web/mustache.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUSTACHE_MAX_DELIM	   16	       /* a longer delimiter is a typo, not a design */
#define MUSTACHE_MAX_NESTING	   100	       /* sections open at once in one template */
#define MUSTACHE_MAX_PARTIAL_DEPTH 64	       /* header: recursion ends at 64 levels */
#define MUSTACHE_MAX_RENDER_DEPTH  512	       /* sections + partials nested: bounds C stack */
#define MUSTACHE_MAX_OUTPUT	   (16u << 20) /* a bigger page is a runaway template */
#define MUSTACHE_MAX_STEPS	   (1u << 20) /* node visits + indent pieces: bounds loops in loops */
#define MUSTACHE_ERR_NAME	   48	      /* bytes of a tag name quoted in an error */

enum mnode_type {
	MNODE_TEXT,	/* literal bytes */
	MNODE_INDENT,	/* a kept line starts with a tag: partial indentation goes here */
	MNODE_VAR,	/* {{name}}: HTML-escaped */
	MNODE_RAW,	/* {{{name}}} or {{&name}}: as is */
	MNODE_SECTION,	/* {{#name}} body {{/name}} */
	MNODE_INVERTED, /* {{^name}} body {{/name}} */
	MNODE_PARTIAL,	/* {{>name}} */
};

struct mnode {
	const char *str;    /* text bytes, or the NUL-terminated tag name */
	size_t len;	    /* bytes in str */
	size_t head;	    /* name: bytes before the first '.' (len when none) */
	size_t end;	    /* section: index of the first node after the body */
	const char *ind;    /* partial: standalone indentation, NULL when inline */
	size_t ind_len;	    /* bytes in ind */
	unsigned char type; /* enum mnode_type */
	unsigned char bol;  /* text: begins at the start of a line */
	unsigned char self; /* name is "." (implicit iterator) */
};

struct mustache {
	char *src;	     /* private copy of the source; nodes point into it */
	size_t len;	     /* bytes in src */
	struct mnode *nodes; /* the whole template, sections flattened */
	size_t n;	     /* nodes used */
};

/* Compiler state, on the stack of mustache_compile(). */
struct parser {
	char *src;			   /* the template's copy of the source */
	size_t len;			   /* bytes in src */
	size_t pos;			   /* first byte not yet consumed */
	size_t lpos;			   /* line counting has reached this byte */
	size_t line;			   /* 1-based line of byte lpos */
	char otag[MUSTACHE_MAX_DELIM];	   /* current opening delimiter */
	size_t olen;			   /* bytes in otag */
	char ctag[MUSTACHE_MAX_DELIM + 1]; /* [0] is a '}' or '=' prefix slot, then the closer */
	size_t clen;			   /* bytes of the closer, without the slot */
	struct mnode *nodes;		   /* growing node array */
	size_t n;			   /* nodes used */
	size_t cap;			   /* nodes allocated */
	size_t open[MUSTACHE_MAX_NESTING]; /* node index of each open section */
	size_t open_line[MUSTACHE_MAX_NESTING]; /* line each open section started on */
	unsigned nopen;				/* sections open */
	char *err;				/* caller's message buffer, may be NULL */
	size_t errlen;				/* bytes in err */
};

/* Renderer state, on the stack of mustache_render(). */
struct render {
	char *buf;				     /* output, always room for a NUL */
	size_t len;				     /* bytes written */
	size_t cap;				     /* bytes allocated */
	int err;				     /* first error; rendering stops when set */
	size_t steps;				     /* nodes visited */
	unsigned depth;				     /* sections + partials being rendered */
	unsigned pdepth;			     /* partials being rendered */
	mustache_partial_fn partial;		     /* caller's partial lookup, may be NULL */
	void *ud;				     /* its argument */
	const char *ind[MUSTACHE_MAX_PARTIAL_DEPTH]; /* indentation pieces, outermost first */
	size_t ind_len[MUSTACHE_MAX_PARTIAL_DEPTH];  /* their lengths */
	unsigned ind_lo; /* pieces [ind_lo, ind_hi) apply to the current partial */
	unsigned ind_hi;
};

/* One entry of the context stack; lives in the renderer's C stack frames. */
struct ctx {
	const json_t *v;      /* the value pushed */
	const struct ctx *up; /* the enclosing context, NULL at the root */
};

/* ------------------------------------------------------------------ */
/* Compiling                                                          */
/* ------------------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * memmem() without needing _GNU_SOURCE: the first occurrence of
 * needle[0, n) in hay[0, len), or NULL.  n >= 1 (delimiters are never
 * empty), and short, so memchr on the first byte does most of the work.
 */
static const char *find_bytes(const char *hay, size_t len, const char *needle, size_t n)
{
	const char *end = hay + len, *s = hay;

	while ((size_t)(end - s) >= n) {
		s = memchr(s, needle[0], (size_t)(end - s) - n + 1);
		if (!s)
			return NULL;
		if (!memcmp(s, needle, n))
			return s;
		s++;
	}
	return NULL;
}

/* Line number of byte off; calls come with off non-decreasing. */
static size_t parser_line_at(struct parser *p, size_t off)
{
	while (p->lpos < off) {
		const char *nl = memchr(p->src + p->lpos, '\n', off - p->lpos);

		if (!nl) {
			p->lpos = off;
			break;
		}
		p->line++;
		p->lpos = (size_t)(nl - p->src) + 1;
	}
	return p->line;
}

__attribute__((format(printf, 3, 4))) static int parser_fail(struct parser *p, size_t line,
							     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "line %zu: ", line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static struct mnode *parser_add(struct parser *p, enum mnode_type type)
{
	struct mnode *nd;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct mnode *nodes;

		if (cap > SIZE_MAX / sizeof(*nodes))
			return NULL;
		nodes = realloc(p->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return NULL;
		p->nodes = nodes;
		p->cap = cap;
	}
	nd = &p->nodes[p->n++];
	memset(nd, 0, sizeof(*nd));
	nd->type = (unsigned char)type;
	return nd;
}

/* Adds src[a, b) as a text node; nothing when empty. */
static int parser_add_text(struct parser *p, size_t a, size_t b)
{
	struct mnode *nd;

	if (a >= b)
		return 0;
	nd = parser_add(p, MNODE_TEXT);
	if (!nd)
		return -ENOMEM;
	nd->str = p->src + a;
	nd->len = b - a;
	nd->bol = a == 0 || p->src[a - 1] == '\n';
	return 0;
}

/* Adds a node named src[a, b); the name is NUL-terminated in place later. */
static struct mnode *parser_add_named(struct parser *p, enum mnode_type type, size_t a, size_t b)
{
	struct mnode *nd = parser_add(p, type);
	const char *dot;

	if (!nd)
		return NULL;
	nd->str = p->src + a;
	nd->len = b - a;
	dot = memchr(nd->str, '.', nd->len);
	nd->head = dot ? (size_t)(dot - nd->str) : nd->len;
	nd->self = nd->len == 1 && nd->str[0] == '.';
	return nd;
}

/*
 * Parses the inside of {{=open close=}} (without the '=' marks) and makes
 * it current.  The spec forbids whitespace and '=' inside a delimiter.
 */
static bool parser_set_delims(struct parser *p, size_t a, size_t b)
{
	size_t o, olen, c, clen;

	while (a < b && is_space(p->src[a]))
		a++;
	while (b > a && is_space(p->src[b - 1]))
		b--;
	for (o = a; a < b && !is_space(p->src[a]); a++)
		;
	olen = a - o;
	while (a < b && is_space(p->src[a]))
		a++;
	for (c = a; a < b && !is_space(p->src[a]); a++)
		;
	clen = a - c;
	if (a != b || !olen || !clen || olen > MUSTACHE_MAX_DELIM || clen > MUSTACHE_MAX_DELIM)
		return false;
	if (memchr(p->src + o, '=', olen) || memchr(p->src + c, '=', clen))
		return false;
	memcpy(p->otag, p->src + o, olen);
	p->olen = olen;
	memcpy(p->ctag + 1, p->src + c, clen);
	p->clen = clen;
	return true;
}

/* Parses one tag starting at byte ts (where the opening delimiter is). */
static int parser_tag(struct parser *p, size_t ts)
{
	size_t line = parser_line_at(p, ts);
	size_t cs = ts + p->olen, from = cs, ce, te, a, b, ls, le;
	const char *close, *c;
	size_t closelen = p->clen;
	bool standalone = false, eligible;
	struct mnode *nd;
	char type;
	int r;

	if (cs >= p->len)
		return parser_fail(p, line, "unclosed tag");
	type = p->src[cs];
	close = p->ctag + 1;
	switch (type) {
	case '{':
	case '=':
		/* {{{name}}} ends at "}}}", {{=a b=}} at "=}}" */
		p->ctag[0] = type == '{' ? '}' : '=';
		close = p->ctag;
		closelen++;
		from++;
		break;
	case '#':
	case '^':
	case '/':
	case '!':
	case '>':
	case '&':
		from++;
		break;
	default:
		type = 0;
		break;
	}
	c = from <= p->len ? find_bytes(p->src + from, p->len - from, close, closelen) : NULL;
	if (!c)
		return parser_fail(p, line, "unclosed tag");
	ce = (size_t)(c - p->src);
	te = ce + closelen;

	/* The name: the tag's content without surrounding whitespace. */
	for (a = from; a < ce && is_space(p->src[a]); a++)
		;
	for (b = ce; b > a && is_space(p->src[b - 1]); b--)
		;

	/*
	 * Spec, "Standalone": a section, inverted, closing, comment, partial or
	 * delimiter tag alone on its line (but for blanks) takes the whole line
	 * with it.  The blanks before it are text since pos; a previous tag on
	 * the same line would show as a non-blank byte (delimiters hold none).
	 */
	eligible = type && type != '{' && type != '&';
	ls = ts;
	le = te;
	if (eligible) {
		while (ls > p->pos && is_blank(p->src[ls - 1]))
			ls--;
		if (ls == 0 || p->src[ls - 1] == '\n') {
			while (le < p->len && is_blank(p->src[le]))
				le++;
			if (le == p->len) {
				standalone = true;
			} else if (p->src[le] == '\n') {
				standalone = true;
				le++;
			} else if (p->src[le] == '\r' && le + 1 < p->len &&
				   p->src[le + 1] == '\n') {
				standalone = true;
				le += 2;
			}
		}
	}
	if (standalone) {
		r = parser_add_text(p, p->pos, ls);
	} else {
		r = parser_add_text(p, p->pos, ts);
		if (!r && (ts == 0 || p->src[ts - 1] == '\n') && !parser_add(p, MNODE_INDENT))
			r = -ENOMEM;
	}
	if (r)
		return r;

	if (type != '!' && type != '=' && a == b)
		return parser_fail(p, line, "empty tag");
	switch (type) {
	case '!':
		break;
	case '=':
		if (!parser_set_delims(p, from, ce))
			return parser_fail(p, line, "invalid delimiter change");
		break;
	case '#':
	case '^':
		if (p->nopen == MUSTACHE_MAX_NESTING)
			return parser_fail(p, line, "sections nested deeper than %d",
					   MUSTACHE_MAX_NESTING);
		if (!parser_add_named(p, type == '#' ? MNODE_SECTION : MNODE_INVERTED, a, b))
			return -ENOMEM;
		p->open[p->nopen] = p->n - 1;
		p->open_line[p->nopen] = line;
		p->nopen++;
		break;
	case '/':
		if (!p->nopen)
			return parser_fail(
				p, line, "closing tag \"%.*s\" without an open section",
				(int)(b - a < MUSTACHE_ERR_NAME ? b - a : MUSTACHE_ERR_NAME),
				p->src + a);
		nd = &p->nodes[p->open[p->nopen - 1]];
		if (nd->len != b - a || memcmp(nd->str, p->src + a, b - a) != 0)
			return parser_fail(
				p, line,
				"closing tag \"%.*s\" does not match \"%.*s\" opened on "
				"line %zu",
				(int)(b - a < MUSTACHE_ERR_NAME ? b - a : MUSTACHE_ERR_NAME),
				p->src + a,
				(int)(nd->len < MUSTACHE_ERR_NAME ? nd->len : MUSTACHE_ERR_NAME),
				nd->str, p->open_line[p->nopen - 1]);
		nd->end = p->n;
		p->nopen--;
		break;
	case '>':
		nd = parser_add_named(p, MNODE_PARTIAL, a, b);
		if (!nd)
			return -ENOMEM;
		if (standalone) {
			nd->ind = p->src + ls;
			nd->ind_len = ts - ls;
		}
		break;
	default:
		if (!parser_add_named(p, type ? MNODE_RAW : MNODE_VAR, a, b))
			return -ENOMEM;
		break;
	}
	/*
	 * Terminate the name in place: byte b lies inside this tag (at worst on
	 * the closer's first byte), which nothing reads again.
	 */
	if (type != '!' && type != '=')
		p->src[b] = '\0';
	p->pos = standalone ? le : te;
	return 0;
}

static int parser_run(struct parser *p)
{
	int r;

	while (p->pos < p->len) {
		const char *o = find_bytes(p->src + p->pos, p->len - p->pos, p->otag, p->olen);

		if (!o) {
			r = parser_add_text(p, p->pos, p->len);
			if (r)
				return r;
			p->pos = p->len;
			break;
		}
		r = parser_tag(p, (size_t)(o - p->src));
		if (r)
			return r;
	}
	if (p->nopen) {
		struct mnode *nd = &p->nodes[p->open[p->nopen - 1]];

		return parser_fail(p, p->open_line[p->nopen - 1], "unclosed section \"%.*s\"",
				   (int)(nd->len < MUSTACHE_ERR_NAME ? nd->len : MUSTACHE_ERR_NAME),
				   nd->str);
	}
	return 0;
}

/*
 * mustache_compile() - see mustache.h.  The source is copied, so the caller
 * may free src as soon as this returns.
 */
struct mustache *mustache_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct parser p = {
		.len = len,
		.line = 1,
		.otag = "{{",
		.olen = 2,
		.ctag = " }}",
		.clen = 2,
		.err = err,
		.errlen = errlen,
	};
	struct mustache *t = NULL;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!src && len)
		goto fail_inval;
	if (len == SIZE_MAX)
		goto fail_nomem;
	p.src = malloc(len + 1);
	if (!p.src)
		goto fail_nomem;
	if (len)
		memcpy(p.src, src, len);
	p.src[len] = '\0';

	r = parser_run(&p);
	if (r == -ENOMEM)
		goto fail_nomem;
	if (r)
		goto out;

	t = malloc(sizeof(*t));
	if (!t)
		goto fail_nomem;
	t->src = p.src;
	t->len = len;
	t->nodes = p.nodes;
	t->n = p.n;
	return t;

fail_inval:
	if (err && errlen)
		snprintf(err, errlen, "line 1: no template");
	goto out;
fail_nomem:
	if (err && errlen)
		snprintf(err, errlen, "line %zu: out of memory", p.line);
out:
	free(p.nodes);
	free(p.src);
	return NULL;
}

/* mustache_free() - see mustache.h. */
void mustache_free(struct mustache *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->src);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                          */
/* ------------------------------------------------------------------ */

/* Makes room for n more bytes and the NUL; false (r->err set) when it cannot. */
static bool render_reserve(struct render *r, size_t n)
{
	size_t need, cap;
	char *buf;

	if (r->err)
		return false;
	if (n > MUSTACHE_MAX_OUTPUT || r->len + n > MUSTACHE_MAX_OUTPUT) {
		r->err = -E2BIG;
		return false;
	}
	need = r->len + n + 1;
	if (need <= r->cap)
		return true;
	cap = r->cap ? r->cap : 256;
	while (cap < need)
		cap *= 2;
	/* not realloc(): the old block holds the page so far, what a member
	 * wrote among it, and must be wiped rather than left in the heap */
	buf = malloc(cap);
	if (!buf) {
		r->err = -ENOMEM;
		return false;
	}
	if (r->buf) {
		memcpy(buf, r->buf, r->len);
		explicit_bzero(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = buf;
	r->cap = cap;
	return true;
}

static void render_put(struct render *r, const char *s, size_t n)
{
	/* On failure render_reserve() set r->err, which stops the walk. */
	if (r->cap - r->len <= n && !render_reserve(r, n))
		return;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void render_indent(struct render *r)
{
	unsigned i;

	/* Deeply nested indentation is work too: count it with the nodes. */
	r->steps += r->ind_hi - r->ind_lo;
	for (i = r->ind_lo; i < r->ind_hi; i++)
		render_put(r, r->ind[i], r->ind_len[i]);
}

/* A text node: indentation at its line starts, except after its last byte. */
static void render_text(struct render *r, const struct mnode *nd)
{
	const char *s = nd->str, *nl;
	size_t n = nd->len;

	if (r->ind_lo == r->ind_hi) {
		render_put(r, s, n);
		return;
	}
	if (nd->bol)
		render_indent(r);
	while (n > 1 && (nl = memchr(s, '\n', n - 1))) {
		size_t k = (size_t)(nl - s) + 1;

		render_put(r, s, k);
		render_indent(r);
		s += k;
		n -= k;
	}
	render_put(r, s, n);
}

/* Header: & < > " ' and also ` and = become entities. */
static const unsigned char escape_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5, ['`'] = 6, ['='] = 7,
};

static const struct {
	char s[7];	   /* the entity */
	unsigned char len; /* its length */
} escape_entity[8] = {
	{"", 0},       {"&amp;", 5}, {"&lt;", 4},  {"&gt;", 4},
	{"&quot;", 6}, {"&#39;", 5}, {"&#96;", 5}, {"&#61;", 5},
};

/*
 * s[n] must be NUL, as jansson guarantees for its strings: strcspn() then
 * finds the next byte to escape many bytes at a time, and a NUL it stops
 * at before n is a NUL inside the string, copied as is.
 */
static void render_escaped(struct render *r, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned c;

		k = strcspn(s + i, "&<>\"'`=");
		render_put(r, s + i, k);
		i += k;
		if (i >= n)
			break;
		c = escape_class[(unsigned char)s[i]];
		if (c)
			render_put(r, escape_entity[c].s, escape_entity[c].len);
		else
			render_put(r, s + i, 1);
		i++;
	}
}

/* Decimal digits of v into the end of buf[24]; returns the first byte. */
static char *format_integer(json_int_t v, char *end)
{
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	char *s = end;

	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--s = '-';
	return s;
}

/*
 * The shortest of %.15g, %.16g, %.17g that reads back as d: any double
 * with a 15-digit decimal form prints that way (1.21, not
 * 1.2099999999999999).  The decimal separator is forced to '.' whatever
 * LC_NUMERIC says, so a localised process still renders JSON numbers.
 */
static size_t format_real(double d, char *out, size_t outlen)
{
	char tmp[40];
	size_t i, o = 0;
	bool sep = false;
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return 0;
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (i = 0; i < (size_t)n && o < outlen; i++) {
		char ch = tmp[i];

		if ((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == 'e' || ch == 'E') {
			out[o++] = ch;
			sep = false;
		} else if (!sep) {
			out[o++] = '.';
			sep = true;
		}
	}
	return o;
}

static void render_value(struct render *r, const json_t *v, bool escape)
{
	char num[40], *s;
	size_t n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (escape)
			render_escaped(r, json_string_value(v), json_string_length(v));
		else
			render_put(r, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		s = format_integer(json_integer_value(v), num + sizeof(num));
		render_put(r, s, (size_t)(num + sizeof(num) - s));
		break;
	case JSON_REAL:
		n = format_real(json_real_value(v), num, sizeof(num));
		render_put(r, num, n);
		break;
	case JSON_TRUE:
		render_put(r, "true", 4);
		break;
	case JSON_FALSE:
		render_put(r, "false", 5);
		break;
	default:
		/* null, and objects and arrays, which have no text form */
		break;
	}
}

/* Spec: false, null, the empty list and a missing name are falsy. */
static bool value_truthy(const json_t *v)
{
	return v && !json_is_false(v) && !json_is_null(v) &&
	       !(json_is_array(v) && !json_array_size(v));
}

/*
 * Spec, "Dotted Names": the first part is looked up through the context
 * stack, innermost first; the rest only inside what it found ("Context
 * Precedence": no falling back to outer contexts).  Keys are matched as
 * slices of the name, never copied.
 */
static const json_t *ctx_lookup(const struct ctx *c, const struct mnode *nd)
{
	const char *s = nd->str, *dot;
	size_t left = nd->len, part = nd->head;
	const json_t *v = NULL;

	if (nd->self)
		return c->v;
	for (; c; c = c->up) {
		if (json_is_object(c->v)) {
			v = json_object_getn(c->v, s, part);
			if (v)
				break;
		}
	}
	while (v && part < left) {
		s += part + 1;
		left -= part + 1;
		dot = memchr(s, '.', left);
		part = dot ? (size_t)(dot - s) : left;
		v = json_is_object(v) ? json_object_getn(v, s, part) : NULL;
	}
	return v;
}

static void render_nodes(struct render *r, const struct mustache *t, size_t from, size_t to,
			 const struct ctx *c);

/* Renders a section or inverted body, unless nesting is already too deep. */
static void render_body(struct render *r, const struct mustache *t, size_t from, size_t to,
			const struct ctx *c)
{
	if (r->depth >= MUSTACHE_MAX_RENDER_DEPTH)
		return;
	r->depth++;
	render_nodes(r, t, from, to, c);
	r->depth--;
}

static void render_section(struct render *r, const struct mustache *t, size_t i,
			   const struct ctx *c)
{
	const struct mnode *nd = &t->nodes[i];
	const json_t *v = ctx_lookup(c, nd);
	struct ctx child = {.v = v, .up = c};
	size_t k, n;

	if (!value_truthy(v))
		return;
	if (!json_is_array(v)) {
		render_body(r, t, i + 1, nd->end, &child);
		return;
	}
	n = json_array_size(v);
	for (k = 0; k < n && !r->err; k++) {
		child.v = json_array_get(v, k);
		render_body(r, t, i + 1, nd->end, &child);
	}
}

/*
 * A standalone partial adds its own indentation to the pieces in force; an
 * inline one renders without any, as its text is not part of the lines of
 * the enclosing source.
 */
static void render_partial(struct render *r, const struct mnode *nd, const struct ctx *c)
{
	unsigned lo = r->ind_lo, hi = r->ind_hi;
	const struct mustache *p;

	if (!r->partial || r->pdepth >= MUSTACHE_MAX_PARTIAL_DEPTH ||
	    r->depth >= MUSTACHE_MAX_RENDER_DEPTH)
		return;
	p = r->partial(r->ud, nd->str);
	if (!p)
		return;
	if (!nd->ind) {
		r->ind_lo = r->ind_hi;
	} else if (nd->ind_len) {
		/* ind_hi <= pdepth < MUSTACHE_MAX_PARTIAL_DEPTH: there is room */
		r->ind[r->ind_hi] = nd->ind;
		r->ind_len[r->ind_hi] = nd->ind_len;
		r->ind_hi++;
	}
	r->pdepth++;
	r->depth++;
	render_nodes(r, p, 0, p->n, c);
	r->depth--;
	r->pdepth--;
	r->ind_lo = lo;
	r->ind_hi = hi;
}

static void render_nodes(struct render *r, const struct mustache *t, size_t from, size_t to,
			 const struct ctx *c)
{
	size_t i = from;

	while (i < to && !r->err) {
		const struct mnode *nd = &t->nodes[i];
		const json_t *v;

		if (++r->steps > MUSTACHE_MAX_STEPS) {
			r->err = -E2BIG;
			return;
		}
		switch (nd->type) {
		case MNODE_TEXT:
			render_text(r, nd);
			break;
		case MNODE_INDENT:
			render_indent(r);
			break;
		case MNODE_VAR:
		case MNODE_RAW:
			v = ctx_lookup(c, nd);
			if (v)
				render_value(r, v, nd->type == MNODE_VAR);
			break;
		case MNODE_SECTION:
			render_section(r, t, i, c);
			i = nd->end;
			continue;
		case MNODE_INVERTED:
			if (!value_truthy(ctx_lookup(c, nd)))
				render_body(r, t, i + 1, nd->end, c);
			i = nd->end;
			continue;
		case MNODE_PARTIAL:
			render_partial(r, nd, c);
			break;
		}
		i++;
	}
}

/* mustache_render() - see mustache.h. */
int mustache_render(const struct mustache *t, const json_t *data, mustache_partial_fn partial,
		    void *ud, char **ret, size_t *ret_len)
{
	struct render r = {.partial = partial, .ud = ud};
	struct ctx root = {.v = data, .up = NULL};
	size_t guess;

	if (!t || !ret || !ret_len)
		return -EINVAL;
	/* Most pages come out a little longer than their template. */
	guess = t->len < MUSTACHE_MAX_OUTPUT / 2 ? t->len + t->len / 2 + 64 : MUSTACHE_MAX_OUTPUT;
	if (!render_reserve(&r, guess))
		return r.err;
	render_nodes(&r, t, 0, t->n, &root);
	if (r.err) {
		free(r.buf);
		return r.err;
	}
	r.buf[r.len] = '\0';
	*ret = r.buf;
	*ret_len = r.len;
	return 0;
}
