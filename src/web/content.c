/*
 * content.c: the program's texts.  Each page of the program ("The program"
 * and its five steps) is a Markdown file per language under
 * <data_dir>/content/<lang>/<name>.md, written by us and shipped with the
 * server.  At start-up every file is rendered once with md4c-html and
 * kept; a request then costs a lookup.  The cache is filled before the
 * server threads start and never changes after, so readers need no lock.
 *
 * md4c copies raw HTML through unless told not to: MD_FLAG_NOHTML makes
 * "<script>" in a file come out as text.  It does not look at link
 * targets, so content_render() refuses any but our own paths, in-page
 * anchors and https:// addresses: a slip in a file fails start-up, not a
 * reader's browser.  md4c gives headings no ids; we add them here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md4c-html.h>

#include "i18n/i18n.h"
#include "web/content.h"
#include "web/render.h"

#define CONTENT_MAX_BYTES (64 * 1024) /* one page of the program is a few KiB */
#define CONTENT_IDS_MAX	  64	      /* headings on a page whose ids are kept unique */
#define CONTENT_ID_MAX	  80	      /* bytes of a heading id; longer is cut at a character */

/*
 * The pages, their files <name>.md: first the program's, in its order
 * (content_name() lists those), then the pages of their own ("find-help",
 * served at /find-help).
 */
static const char *const content_names[] = {
	"index", "step-1", "step-2", "step-3", "step-4", "step-5", "find-help",
};
#define CONTENT_PAGES	      (sizeof(content_names) / sizeof(content_names[0]))
#define CONTENT_PROGRAM_PAGES 6 /* "index" .. "step-5" */

struct content_page {
	char *html; /* rendered, NUL-terminated; NULL until loaded */
	size_t len;
	char title[CONTENT_TITLE_MAX];
};

static struct content_page pages[CONTENT_PAGES][I18N_LANG_MAX]; /* [page][i18n_languages slot] */

/* A growing output buffer; oom sticks once an allocation failed. */
struct obuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void obuf_add(struct obuf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (n + 1 > b->cap - b->len || !b->p) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap - b->len < n + 1) {
			if (ncap > SIZE_MAX / 2) {
				b->oom = 1;
				return;
			}
			ncap *= 2;
		}
		np = realloc(b->p, ncap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void md_out(const MD_CHAR *text, MD_SIZE size, void *ud)
{
	obuf_add(ud, text, size);
}

/* The code point of the UTF-8 sequence at s (n bytes left), and its length in *seq. */
static unsigned utf8_at(const unsigned char *s, size_t n, size_t *seq)
{
	size_t k = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	unsigned cp = k == 1 ? s[0] : s[0] & (0x7F >> k);
	size_t i;

	if (k > n)
		k = n;
	for (i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	*seq = k;
	return cp;
}

/*
 * heading_id() - an id for the heading whose rendered inside is s (n
 * bytes of HTML): letters and digits kept (ASCII lower-cased), tags and
 * entities dropped, anything else (spaces, punctuation, Latin-1 and general
 * punctuation such as « » ¿ —) one '-' between words.
 */
static void heading_id(const char *s, size_t n, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, seq;
	int gap = 0;
	unsigned cp;

	while (i < n) {
		if (u[i] == '<' || u[i] == '&') {
			const char *end = memchr(s + i, u[i] == '<' ? '>' : ';', n - i);
			i = end ? (size_t)(end - s) + 1 : n;
			continue;
		}
		if (u[i] == '\'') { /* "what's" reads as one word */
			i++;
			continue;
		}
		cp = utf8_at(u + i, n - i, &seq);
		if ((cp < 0x80 && !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
				    (cp >= '0' && cp <= '9'))) ||
		    (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F)) {
			gap = 1;
			i += seq;
			continue;
		}
		if (o + seq + (gap && o) + 1 > outlen)
			break;
		if (gap && o)
			out[o++] = '-';
		gap = 0;
		if (cp >= 'A' && cp <= 'Z')
			out[o++] = (char)(cp - 'A' + 'a');
		else
			memcpy(out + o, s + i, seq), o += seq;
		i += seq;
	}
	if (o == 0 && outlen > sizeof("section"))
		o = (size_t)snprintf(out, outlen, "section");
	out[o] = '\0';
}

/* heading_text() - the inside of a heading as plain text into out: tags dropped, md4c's entities
 * decoded. */
static void heading_text(const char *s, size_t n, char *out, size_t outlen)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}};
	size_t i = 0, o = 0, k, add;
	const char *piece;

	while (i < n && o + 1 < outlen) {
		piece = s + i;
		add = 1;
		if (s[i] == '<') {
			const char *end = memchr(s + i, '>', n - i);
			i = end ? (size_t)(end - s) + 1 : n;
			continue;
		}
		if (s[i] == '&') {
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				if (n - i >= strlen(ents[k].ent) &&
				    !memcmp(s + i, ents[k].ent, strlen(ents[k].ent))) {
					piece = ents[k].ch;
					i += strlen(ents[k].ent) - 1;
					break;
				}
			}
		}
		/* never cut a UTF-8 sequence: stop before one that does not fit */
		if (((unsigned char)*piece & 0xC0) == 0xC0) {
			size_t seq;
			utf8_at((const unsigned char *)piece, n - i, &seq);
			if (o + seq + 1 > outlen)
				break;
			add = seq;
			i += seq - 1;
		}
		memcpy(out + o, piece, add);
		o += add;
		i++;
	}
	out[o] = '\0';
}

/* link_ok() - a link target content may hold: our own path, an anchor, or https. */
static int link_ok(const char *v)
{
	return (v[0] == '/' && v[1] != '/') || v[0] == '#' || !strncmp(v, "https://", 8);
}

/* links_ok() - every href and src in html (NUL-terminated) passes link_ok(). */
static int links_ok(const char *html)
{
	static const char *const attrs[] = {" href=\"", " src=\""};
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		for (p = strstr(html, attrs[i]); p; p = strstr(p + 1, attrs[i]))
			if (!link_ok(p + strlen(attrs[i])))
				return 0;
	return 1;
}

/*
 * add_heading_ids() - copy html (md_html's output, NUL-terminated) into out
 * with an id on every <hN>, and the first heading's text into title.
 */
static void add_heading_ids(const char *html, struct obuf *out, char *title, size_t titlelen)
{
	char ids[CONTENT_IDS_MAX][CONTENT_ID_MAX + 8], id[CONTENT_ID_MAX + 1],
		tag[CONTENT_ID_MAX + 32];
	size_t nids = 0, k;
	const char *p = html, *h, *end;
	char close[6];
	int seen;

	title[0] = '\0';
	for (h = strstr(p, "<h"); h; h = strstr(h + 2, "<h")) {
		if (!(h[2] >= '1' && h[2] <= '6' && h[3] == '>'))
			continue; /* <hr> */
		snprintf(close, sizeof(close), "</h%c>", h[2]);
		end = strstr(h + 4, close);
		if (!end)
			break; /* md4c closes what it opens */
		heading_id(h + 4, (size_t)(end - (h + 4)), id, sizeof(id));
		for (seen = 1, k = 0; k < nids; k++)
			if (!strcmp(ids[k], id))
				seen++;
		if (seen > 1)
			snprintf(tag, sizeof(tag), "<h%c id=\"%s-%d\">", h[2], id, seen);
		else
			snprintf(tag, sizeof(tag), "<h%c id=\"%s\">", h[2], id);
		if (nids < CONTENT_IDS_MAX)
			memcpy(ids[nids++], id, sizeof(id));
		if (!title[0])
			heading_text(h + 4, (size_t)(end - (h + 4)), title, titlelen);
		obuf_add(out, p, (size_t)(h - p));
		obuf_add(out, tag, strlen(tag));
		p = h = h + 4;
	}
	obuf_add(out, p, strlen(p));
}

int content_render(const char *md, size_t len, char **ret, size_t *ret_len, char *title,
		   size_t titlelen)
{
	struct obuf raw = {0}, out = {0};
	int r = 0;

	/* MD_FLAG_NOHTML: raw HTML in a file is escaped, never passed through */
	if (md_html(md, (MD_SIZE)len, md_out, &raw, MD_FLAG_NOHTML | MD_FLAG_TABLES, 0) != 0) {
		r = -EINVAL;
		goto out;
	}
	obuf_add(&raw, "", 0); /* an empty page is "" rather than NULL */
	if (raw.oom) {
		r = -ENOMEM;
		goto out;
	}
	if (!links_ok(raw.p)) {
		r = -EINVAL;
		goto out;
	}
	obuf_add(&out, "", 0);
	add_heading_ids(raw.p, &out, title, titlelen);
	if (out.oom) {
		r = -ENOMEM;
		goto out;
	}
	*ret = out.p;
	*ret_len = out.len;
	out.p = NULL;
out:
	free(raw.p);
	free(out.p);
	return r;
}

void content_free(void)
{
	size_t i, l;

	for (i = 0; i < CONTENT_PAGES; i++)
		for (l = 0; l < I18N_LANG_MAX; l++) {
			free(pages[i][l].html);
			pages[i][l].html = NULL;
		}
}

int content_load(const char *data_dir, char *errbuf, size_t errlen)
{
	char path[4096];
	char *md = NULL;
	size_t i, l, len;
	int r = 0;

	for (i = 0; i < CONTENT_PAGES; i++) {
		for (l = 0; l < I18N_LANG_MAX && i18n_languages[l]; l++) {
			struct content_page *pg = &pages[i][l];

			if (snprintf(path, sizeof(path), "%s/content/%s/%s.md", data_dir,
				     i18n_languages[l], content_names[i]) >= (int)sizeof(path)) {
				snprintf(errbuf, errlen, "data directory path too long");
				r = -ENAMETOOLONG;
				goto out;
			}
			r = web_read_file(path, CONTENT_MAX_BYTES, &md, &len);
			if (r < 0) {
				snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
				goto out;
			}
			r = content_render(md, len, &pg->html, &pg->len, pg->title,
					   sizeof(pg->title));
			free(md);
			md = NULL;
			if (r == 0 && !pg->title[0])
				r = -EINVAL; /* the first heading is the page's title */
			if (r < 0) {
				snprintf(errbuf, errlen, "%s: %s", path,
					 r == -EINVAL ? "no heading first, a link that does not "
							"go to /, # or https://, or bad Markdown"
						      : strerror(-r));
				goto out;
			}
		}
	}
out:
	if (r < 0)
		content_free();
	return r;
}

int content_find(const char *name, const char *lang, const char **ret_html, size_t *ret_len,
		 const char **ret_title)
{
	size_t i;
	int l, slot = 0;

	for (l = 0; lang && l < I18N_LANG_MAX && i18n_languages[l]; l++)
		if (!strcmp(lang, i18n_languages[l]))
			slot = l;
	for (i = 0; i < CONTENT_PAGES; i++) {
		if (strcmp(name, content_names[i]) != 0 || !pages[i][slot].html)
			continue;
		*ret_html = pages[i][slot].html;
		*ret_len = pages[i][slot].len;
		*ret_title = pages[i][slot].title;
		return 0;
	}
	return -ENOENT;
}

const char *content_name(size_t i)
{
	return i < CONTENT_PROGRAM_PAGES ? content_names[i] : NULL;
}
