/*
 * render.c: the machinery behind every page: templates and static files
 * loaded once at start-up, and the helpers the handlers share.
 *
 * Templates live in <data_dir>/templates/<name>.mustache.  Each is
 * pre-translated for every supported language (i18n_translate_template
 * replaces {{#_}}...{{/_}}) and compiled once, so a request only renders.
 * Compiled templates are immutable and shared by all server threads.  A
 * page template pulls in the layout through the partials layout_head and
 * layout_foot; partials resolve in the page's own language.
 *
 * The program's texts (content/<lang>/<name>.md) are rendered at start-up too,
 * by content.c, and the safety check's help (data/safety/<lang>.txt) is
 * parsed then by core/safety.c.
 *
 * Static files live in <data_dir>/static/ and are read into memory at
 * start-up.  page_static() answers only exact hits in that table, so no
 * request path ever reaches the file system ("../" cannot escape).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/account.h"
#include "core/activity.h"
#include "core/checkin.h"
#include "core/offer.h"
#include "core/share.h"
#include "core/item.h"
#include "core/safety.h"
#include "i18n/i18n.h"
#include "vault/vault.h"
#include "web/content.h"
#include "web/mustache.h"
#include "web/pages.h"
#include "web/render.h"

#define WEB_TEMPLATE_MAX_BYTES (256 * 1024)  /* a page template is a few KiB; more is a mistake */
#define WEB_TEMPLATES_MAX      128	     /* templates in the directory */
#define WEB_STATIC_MAX_BYTES   (1024 * 1024) /* one static file; images belong elsewhere */
#define WEB_STATIC_FILES_MAX   256	     /* files under static/ */
#define WEB_STATIC_DEPTH_MAX   8	     /* directory nesting under static/ */
#define WEB_NAME_MAX	       64	     /* a template name */

/* Every template a handler renders: web_init() fails when one is missing,
 * so a broken install is found at start-up, not by the first visitor. */
static const char *const required_templates[] = {
	"layout_head",	 "layout_foot",	   "account_fields", "who_sees_box",   "error",
	"landing",	 "privacy",	   "exit",	     "signup",	       "signin",
	"recover",	 "recovery_key",   "home",	     "invite",	       "join",
	"journal_list",	 "journal_new",	   "journal_show",   "journal_delete", "settings",
	"totp_setup",	 "recovery_codes", "lock",	     "safety",	       "safety_help",
	"safety_paused", "safety_hold",	   "care",	     "care_home",
};

struct template
{
	char name[WEB_NAME_MAX + 1];
	struct mustache *t[I18N_LANG_MAX]; /* in i18n_languages order */
};

struct static_file {
	char *path; /* relative to static/, '/'-separated */
	char *data;
	size_t len;
	const char *type; /* Content-Type */
};

static struct template *templates;
static size_t ntemplates;
static struct static_file *statics;
static size_t nstatics;

/* Partial lookup passes a pointer to one of these as user data. */
static const int lang_slots[I18N_LANG_MAX] = {0, 1, 2};

static int lang_slot(const char *lang)
{
	int i;

	for (i = 0; lang && i < I18N_LANG_MAX && i18n_languages[i]; i++)
		if (!strcmp(lang, i18n_languages[i]))
			return i;
	return 0; /* English: msgids are English */
}

static const struct template *template_find(const char *name)
{
	size_t i;

	for (i = 0; i < ntemplates; i++)
		if (!strcmp(templates[i].name, name))
			return &templates[i];
	return NULL;
}

static const struct mustache *partial_find(void *ud, const char *name)
{
	const struct template *t = template_find(name);

	return t ? t->t[*(const int *)ud] : NULL;
}

int web_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	/* raw-fd: a template or static file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break; /* shrank while reading: keep what is there */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd); /* raw-fd: the same file */
	return r;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Template names become lookup keys and appear in error messages. */
static int template_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > WEB_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int template_load(const char *dir, const char *file, struct template *t, char *errbuf,
			 size_t errlen)
{
	char path[4096], err[256];
	char *src = NULL, *tr = NULL;
	size_t len = 0, trlen;
	int r, i;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		snprintf(errbuf, errlen, "%s/%s: path too long", dir, file);
		return -ENAMETOOLONG;
	}
	r = web_read_file(path, WEB_TEMPLATE_MAX_BYTES, &src, &len);
	if (r < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	for (i = 0; i < I18N_LANG_MAX && i18n_languages[i]; i++) {
		r = i18n_translate_template(i18n_languages[i], src, len, &tr, &trlen);
		if (r < 0) {
			snprintf(errbuf, errlen, "%s: %s", path,
				 r == -EINVAL ? "unclosed {{#_}} marker" : strerror(-r));
			goto out;
		}
		t->t[i] = mustache_compile(tr, trlen, err, sizeof(err));
		free(tr);
		tr = NULL;
		if (!t->t[i]) {
			snprintf(errbuf, errlen, "%s (%s): %s", path, i18n_languages[i], err);
			r = -EINVAL;
			goto out;
		}
	}
	r = 0;
out:
	free(src);
	return r;
}

static void templates_free(void)
{
	size_t i;
	int l;

	for (i = 0; i < ntemplates; i++)
		for (l = 0; l < I18N_LANG_MAX; l++)
			mustache_free(templates[i].t[l]);
	free(templates);
	templates = NULL;
	ntemplates = 0;
}

static int templates_load(const char *data_dir, char *errbuf, size_t errlen)
{
	char dir[4096];
	struct dirent *de;
	DIR *d = NULL;
	size_t i, nlen;
	int r;

	if (snprintf(dir, sizeof(dir), "%s/templates", data_dir) >= (int)sizeof(dir)) {
		snprintf(errbuf, errlen, "data directory path too long");
		return -ENAMETOOLONG;
	}
	templates = calloc(WEB_TEMPLATES_MAX, sizeof(*templates));
	if (!templates)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: %s", dir, strerror(-r));
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".mustache"))
			continue;
		nlen = strlen(de->d_name) - strlen(".mustache");
		if (!template_name_ok(de->d_name, nlen)) {
			snprintf(errbuf, errlen, "%s/%s: template names use a-z, 0-9 and _", dir,
				 de->d_name);
			r = -EINVAL;
			goto out;
		}
		if (ntemplates == WEB_TEMPLATES_MAX) {
			snprintf(errbuf, errlen, "%s: more than %d templates", dir,
				 WEB_TEMPLATES_MAX);
			r = -E2BIG;
			goto out;
		}
		memcpy(templates[ntemplates].name, de->d_name, nlen);
		templates[ntemplates].name[nlen] = '\0';
		r = template_load(dir, de->d_name, &templates[ntemplates], errbuf, errlen);
		ntemplates++; /* counted even on failure, so templates_free() frees it */
		if (r < 0)
			goto out;
	}
	for (i = 0; i < sizeof(required_templates) / sizeof(required_templates[0]); i++) {
		if (!template_find(required_templates[i])) {
			snprintf(errbuf, errlen, "%s/%s.mustache: missing", dir,
				 required_templates[i]);
			r = -ENOENT;
			goto out;
		}
	}
	/* a kind that is all data has its pages, and they need its template */
	for (i = 0; item_kinds[i]; i++) {
		char name[64];

		if (!item_kinds[i]->plural)
			continue;
		web_kind_template(item_kinds[i], name, sizeof(name));
		if (!template_find(name)) {
			snprintf(errbuf, errlen, "%s/%s.mustache: missing", dir, name);
			r = -ENOENT;
			goto out;
		}
	}
	r = 0;
out:
	if (d)
		closedir(d);
	return r;
}

/* Content types by extension; files of any other kind are not served. */
static const char *static_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".ico", "image/x-icon"},
		{".png", "image/png"},
		{".txt", "text/plain; charset=utf-8"},
		{".woff2", "font/woff2"},
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ends_with(name, types[i].ext))
			return types[i].type;
	return NULL;
}

static int static_walk(const char *root, const char *rel, int depth, char *errbuf, size_t errlen)
{
	char dir[4096], path[4096], relpath[4096];
	struct dirent *de;
	struct stat st;
	struct static_file *f;
	DIR *d = NULL;
	const char *type;
	int r;

	if (depth > WEB_STATIC_DEPTH_MAX) {
		snprintf(errbuf, errlen, "%s/%s: nested too deep", root, rel);
		return -ELOOP;
	}
	if (snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel) >= (int)sizeof(dir)) {
		snprintf(errbuf, errlen, "%s: path too long", root);
		return -ENAMETOOLONG;
	}
	d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and hidden files such as .gitkeep */
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    snprintf(relpath, sizeof(relpath), "%s%s%s", rel, *rel ? "/" : "",
			     de->d_name) >= (int)sizeof(relpath)) {
			snprintf(errbuf, errlen, "%s: path too long", dir);
			r = -ENAMETOOLONG;
			goto out;
		}
		if (lstat(path, &st) < 0) {
			r = -errno;
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			r = static_walk(root, relpath, depth + 1, errbuf, errlen);
			if (r < 0)
				goto out;
			continue;
		}
		type = static_type(de->d_name);
		if (!S_ISREG(st.st_mode) || !type)
			continue; /* symbolic links, devices, unknown kinds: never served */
		if (nstatics == WEB_STATIC_FILES_MAX) {
			snprintf(errbuf, errlen, "%s: more than %d files", root,
				 WEB_STATIC_FILES_MAX);
			r = -E2BIG;
			goto out;
		}
		f = &statics[nstatics];
		r = web_read_file(path, WEB_STATIC_MAX_BYTES, &f->data, &f->len);
		if (r < 0) {
			snprintf(errbuf, errlen, "%s: %s", path,
				 r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
			goto out;
		}
		f->path = strdup(relpath);
		f->type = type;
		nstatics++;
		if (!f->path) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	closedir(d);
	return r;
}

static int static_cmp(const void *a, const void *b)
{
	return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

static void statics_free(void)
{
	size_t i;

	for (i = 0; i < nstatics; i++) {
		free(statics[i].path);
		free(statics[i].data);
	}
	free(statics);
	statics = NULL;
	nstatics = 0;
}

static int statics_load(const char *data_dir, char *errbuf, size_t errlen)
{
	char root[4096];
	int r;

	if (snprintf(root, sizeof(root), "%s/static", data_dir) >= (int)sizeof(root)) {
		snprintf(errbuf, errlen, "data directory path too long");
		return -ENAMETOOLONG;
	}
	statics = calloc(WEB_STATIC_FILES_MAX, sizeof(*statics));
	if (!statics)
		return -ENOMEM;
	r = static_walk(root, "", 0, errbuf, errlen);
	if (r < 0)
		return r;
	qsort(statics, nstatics, sizeof(*statics), static_cmp);
	return 0;
}

/*
 * safety_load() - the help of the safety check, data/safety/<lang>.txt,
 * parsed for every language (core/safety.h); a file missing or wrong in
 * any language fails start-up, with the line at fault in errbuf.
 */
static int safety_load(const char *data_dir, char *errbuf, size_t errlen)
{
	char path[4096], why[160], *text = NULL;
	struct safety_help *h = NULL;
	size_t i, len = 0;
	int r;

	for (i = 0; i < I18N_LANG_MAX; i++) {
		if (snprintf(path, sizeof(path), "%s/data/safety/%s.txt", data_dir,
			     i18n_languages[i]) >= (int)sizeof(path)) {
			snprintf(errbuf, errlen, "data directory path too long");
			return -ENAMETOOLONG;
		}
		r = web_read_file(path, SAFETY_HELP_BYTES_MAX, &text, &len);
		if (r < 0) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
			return r;
		}
		r = safety_help_parse(text, len, &h, why, sizeof(why));
		free(text);
		if (r == -EINVAL)
			snprintf(errbuf, errlen, "%s: %s", path, why);
		if (r == 0) {
			r = safety_help_set(i18n_languages[i], h);
			if (r < 0)
				safety_help_free(h);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * web_init() - load templates and static files from data_dir.  i18n_init()
 * must have run: templates are translated here.  On failure everything
 * loaded so far is released and errbuf names the file at fault.
 */
int web_init(const char *data_dir, char *errbuf, size_t errlen)
{
	int r;

	if (!data_dir) {
		snprintf(errbuf, errlen, "no data directory");
		return -EINVAL;
	}
	snprintf(errbuf, errlen, "out of memory");
	r = templates_load(data_dir, errbuf, errlen);
	if (r < 0)
		goto out;
	r = statics_load(data_dir, errbuf, errlen);
	if (r < 0)
		goto out;
	r = content_load(data_dir, errbuf, errlen);
	if (r < 0)
		goto out;
	r = safety_load(data_dir, errbuf, errlen);
	if (r < 0)
		goto out;
	errbuf[0] = '\0';
out:
	if (r < 0)
		web_fini();
	return r;
}

/* web_fini() - release what web_init() loaded; safe to call twice. */
void web_fini(void)
{
	templates_free();
	statics_free();
	content_free();
	safety_help_reset();
}

json_t *web_page_new(const struct kreq *r, const char *title)
{
	json_t *data = json_object();

	if (!data)
		return NULL;
	web_set(data, "lang", r->lang ? r->lang : "en");
	web_set(data, "title", title);
	web_set_bool(data, "signed_in", r->session != NULL);
	/* the journal is a partner's: the care team has none */
	web_set_bool(data, "nav_journal_shown",
		     r->session && strcmp(r->session->role, "partner") == 0);
	if (r->session)
		web_set(data, "csrf", session_csrf_token(r->session));
	web_set(data, "home_url", r->session ? "/home" : "/");
	/*
	 * Discreet mode: a neutral title, brand, icon and manifest on every
	 * page (layout_head).  Auto-lock: static/js/autolock.js reloads a page
	 * left open past the member's time, so that the lock shows without a
	 * click; the lock itself is the server's (http/server.c).
	 */
	if (r->session) {
		web_set_bool(data, "discreet", r->session->discreet);
		if (r->session->autolock_minutes > 0 && !r->session->locked) {
			char s[16];

			snprintf(s, sizeof(s), "%d", r->session->autolock_minutes * 60);
			web_set(data, "autolock_s", s);
		}
	}
	return data;
}

void web_wipe(json_t *data)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(data)) {
		/* jansson owns a private copy of every string value; wiping it
		 * in place is safe because nothing else points at it. */
		explicit_bzero((char *)json_string_value(data), json_string_length(data));
	} else if (json_is_object(data)) {
		json_object_foreach(data, key, v) web_wipe(v);
	} else if (json_is_array(data)) {
		json_array_foreach(data, i, v) web_wipe(v);
	}
}

int web_render(struct kreq *r, int status, const char *name, json_t *data, int flags)
{
	const struct template *t;
	char *html = NULL;
	size_t len = 0;
	int slot, rc;

	if (!data)
		return -ENOMEM;
	t = template_find(name);
	if (!t) {
		rc = -ENOENT;
		goto out;
	}
	slot = lang_slot(r->lang);
	rc = mustache_render(t->t[slot], data, partial_find, (void *)&lang_slots[slot], &html,
			     &len);
	if (rc < 0)
		goto out;
	free(r->resp_body);
	r->resp_body = html;
	r->resp_len = len;
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	r->private_page = !((flags & WEB_PUBLIC) && !r->session);
	rc = 0;
out:
	web_wipe(data);
	json_decref(data);
	return rc;
}

int web_redirect(struct kreq *r, const char *location)
{
	char *loc = strdup(location);

	if (!loc)
		return -ENOMEM;
	free(r->location);
	r->location = loc;
	r->status = 303;
	return 0;
}

int web_signed_out(struct kreq *r)
{
	char *clear = strdup("");

	if (!clear)
		return -ENOMEM;
	free(r->set_cookie);
	r->set_cookie = clear;
	return web_redirect(r, "/");
}

int web_error_page(struct kreq *r, int status, const char *title, const char *message)
{
	json_t *data = web_page_new(r, title);

	web_set(data, "message", message);
	return web_render(r, status, "error", data, 0);
}

/*
 * page_error() - the error page for status in r->lang.  Each status gets a
 * heading and one kind sentence that says what to do next; other error
 * statuses keep their number and get the general text.
 */
int page_error(struct kreq *r, int status)
{
	const char *title, *message;

	switch (status) {
	case 400:
		title = _("Something was not quite right");
		message = _("We could not read that form. Please go back and try again.");
		break;
	case 401:
		title = _("Please sign in");
		message = _("You need to be signed in to see this page.");
		break;
	case 403:
		title = _("This form has expired");
		message = _("Please go back, reload the page and try again.");
		break;
	case 404:
		title = _("Page not found");
		message = _("There is nothing here. It may have been deleted, or the address may "
			    "be mistyped.");
		break;
	case 405:
		title = _("That did not work");
		message = _("This address cannot be used that way. Please use the links and "
			    "buttons on the page.");
		break;
	case 413:
		title = _("That was too long");
		message = _("That was more than we can take at once. Please go back and send "
			    "something shorter.");
		break;
	case 429:
		title = _("Please wait a moment");
		message = _("There were many tries in a short time. Please wait a minute and try "
			    "again.");
		break;
	case 503:
		title = _("Please wait a moment");
		message = _("The server is busy right now. Please try again in a moment.");
		break;
	default:
		if (status < 400 || status > 599)
			status = 500;
		title = _("Something went wrong");
		message = _("Something went wrong on our side. Please try again in a moment.");
		break;
	}
	return web_error_page(r, status, title, message);
}

/* page_cookie_conflict() - see pages.h. */
int page_cookie_conflict(struct kreq *r)
{
	return web_error_page(
		r, 400, _("Please sign in again"),
		_("Your browser sent two sign-in cookies for this site, and one of them "
		  "may have been put there by someone else. Please clear this site's "
		  "cookies, then sign in again."));
}

/*
 * page_storage_error() - see pages.h.  A member who sent a form without
 * JavaScript has their words only in the browser now: the page says so.
 */
int page_storage_error(struct kreq *r)
{
	return web_error_page(r, 503, _("We could not save this just now"),
			      _("The server cannot reach its storage at the moment, so nothing was "
				"changed. Your browser's Back button should bring back what you "
				"wrote; please keep a copy and try again in a little while."));
}

static int static_key_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct static_file *)elem)->path);
}

/*
 * page_static() - answer GET /static/<path> and /favicon.ico from the table
 * made at start-up.  Only exact matches are served; everything else is the
 * 404 page.  The HTTP layer adds the cache headers.
 */
int page_static(struct kreq *r)
{
	const struct static_file *f = NULL;
	const char *key = NULL;
	char *body;

	if (r->path && !strcmp(r->path, "/favicon.ico"))
		key = "favicon.ico";
	else if (r->path && !strncmp(r->path, "/static/", 8))
		key = r->path + 8;
	if (key && nstatics)
		f = bsearch(key, statics, nstatics, sizeof(*statics), static_key_cmp);
	if (!f)
		return page_error(r, 404);
	body = malloc(f->len ? f->len : 1);
	if (!body)
		return -ENOMEM;
	memcpy(body, f->data, f->len);
	free(r->resp_body);
	r->resp_body = body;
	r->resp_len = f->len;
	r->content_type = f->type;
	r->status = 200;
	r->private_page = 0;
	return 0;
}

void web_kind_template(const struct item_kind *k, char *out, size_t cap)
{
	char *p;

	snprintf(out, cap, "%s", k->plural ? k->plural : k->name);
	for (p = out; *p; p++)
		if (*p == '-')
			*p = '_';
}

void web_set(json_t *data, const char *key, const char *val)
{
	if (data && val)
		json_object_set_new(data, key, json_string(val)); /* NULL value: no-op */
}

void web_set_bool(json_t *data, const char *key, int on)
{
	if (data && on)
		json_object_set_new(data, key, json_true());
}

const char *web_form_value(const struct kreq *r, const char *name)
{
	const char *v = r->json ? kreq_str(r, name) : NULL;

	return v ? v : kreq_form(r, name);
}

void web_form_error(json_t *data, const char *key, const char *message, const char *field)
{
	char key_buf[128], *p;
	json_t *invalid;

	if (!data)
		return;
	web_set(data, key, message);
	if (!field || !*field)
		return;
	invalid = json_object_get(data, "invalid");
	if (!invalid) {
		invalid = json_object();
		if (!invalid || json_object_set_new(data, "invalid", invalid) < 0)
			return;
	}
	/* "checklist.fees" is invalid.checklist_fees: a dot in a mustache name looks inside */
	snprintf(key_buf, sizeof(key_buf), "%s", field);
	for (p = key_buf; *p; p++)
		if (*p == '.')
			*p = '_';
	json_object_set_new(invalid, key_buf, json_true());
}

void web_input_error(const struct kreq *r, json_t *data, const char *key)
{
	if (r->input_error)
		web_form_error(data, key, kreq_input_message(r->input_error),
			       r->input_error->field);
	else
		web_form_error(data, key, _("Please fill in every field."), NULL);
}

int web_form_refused(const struct kreq *r, json_t *data, int refused, const char *field)
{
	if (refused && r->input_error)
		web_input_error(r, data, "error");
	else if (refused)
		web_form_error(data, "error", _("Please look again at the field marked below."),
			       field);
	return refused;
}

json_t *web_languages(const char *selected)
{
	/* Each language is named in itself, so anyone can find their own. */
	static const struct {
		const char *code, *name;
	} names[] = {{"en", "English"}, {"es", "Español"}, {"ru", "Русский"}};
	json_t *list = json_array(), *o;
	size_t i;

	if (!list)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!i18n_lang_valid(names[i].code))
			continue;
		o = json_object();
		if (!o || json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
		web_set(o, "code", names[i].code);
		web_set(o, "name", names[i].name);
		web_set_bool(o, "selected", selected && !strcmp(selected, names[i].code));
	}
	return list;
}

void web_format_count(char *out, size_t outlen, const char *fmt, long n)
{
	char num[24];
	size_t o = 0, k;
	int done = 0;

	if (!outlen)
		return;
	snprintf(num, sizeof(num), "%ld", n);
	while (*fmt && o + 1 < outlen) {
		if (fmt[0] == '%' && fmt[1] == 'd' && !done) {
			for (k = 0; num[k] && o + 1 < outlen; k++)
				out[o++] = num[k];
			fmt += 2;
			done = 1;
			continue;
		}
		if (fmt[0] == '%' && fmt[1] == '%')
			fmt++;
		out[o++] = *fmt++;
	}
	/* Cut short: drop the last character, which may be incomplete. */
	if (*fmt) {
		while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && (unsigned char)out[o - 1] >= 0xC0)
			o--;
	}
	out[o] = '\0';
}

char *web_excerpt(const char *text, size_t len, size_t max_chars)
{
	size_t i = 0, chars = 0, cut, space = 0;
	char *ret;
	int more;

	while (i < len && chars < max_chars) {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++; /* continuation bytes belong to the same character */
		chars++;
		if (text[i - 1] == ' ' || text[i - 1] == '\n')
			space = i - 1;
	}
	more = i < len;
	cut = i;
	/* Prefer to end at a word boundary, unless that loses too much. */
	if (more && space > 0 && space + 40 >= cut)
		cut = space;
	while (cut > 0 && (text[cut - 1] == ' ' || text[cut - 1] == '\n' || text[cut - 1] == '\r'))
		cut--;
	ret = malloc(cut + sizeof("\xe2\x80\xa6"));
	if (!ret)
		return NULL;
	memcpy(ret, text, cut);
	if (more)
		memcpy(ret + cut, "\xe2\x80\xa6", sizeof("\xe2\x80\xa6"));
	else
		ret[cut] = '\0';
	return ret;
}

void web_use_session_lang(struct kreq *r)
{
	if (r->session && i18n_lang_valid(r->session->language)) {
		r->lang = r->session->language;
		i18n_set_thread_lang(r->lang);
	}
}

/*
 * Helpers of the item pages (statements, commitments, check-ins, cards,
 * offers, activities) and of the home page's part for steps 1 and 2.
 */

/* data[key] = true or false: set either way, so that a template never falls
 * back to a key of the same name in an outer context. */
void set_flag(json_t *o, const char *key, int on)
{
	if (o)
		json_object_set_new(o, key, json_boolean(on));
}

/* data[key] = the string, or null. */
void set_text(json_t *o, const char *key, const char *s, size_t len)
{
	if (o)
		json_object_set_new(o, key, s ? json_stringn(s, len) : json_null());
}

void set_int(json_t *o, const char *key, long long v)
{
	if (o)
		json_object_set_new(o, key, json_integer(v));
}

/* A date (or the date part of a time) as a person reads it in r->lang. */
void set_date(const struct kreq *r, json_t *o, const char *key, const char *when)
{
	char out[64];

	if (when && *when && i18n_format_date(r->lang, when, out, sizeof(out)) == 0)
		web_set(o, key, out);
	else
		web_set(o, key, when);
}

void web_wait_message(struct kreq *r, int wait_s, char *out, size_t outlen)
{
	int minutes;

	r->retry_after = wait_s > 0 ? wait_s : 1;
	minutes = (r->retry_after + 59) / 60;
	web_format_count(
		out, outlen,
		ngettext_("Too many wrong passwords. Please wait %d minute and try again.",
			  "Too many wrong passwords. Please wait %d minutes and try again.",
			  minutes),
		minutes);
}

void set_day(json_t *o, const char *key, const char *when)
{
	char day[11];

	if (!when || strnlen(when, sizeof(day) - 1) < sizeof(day) - 1)
		return;
	memcpy(day, when, sizeof(day) - 1);
	day[sizeof(day) - 1] = '\0';
	web_set(o, key, day);
}

/* Adds v to the array arr; drops it (and returns -ENOMEM) when that fails. */
int push(json_t *arr, json_t *v)
{
	if (!arr || !v || json_array_append_new(arr, v) < 0) {
		if (v && arr)
			json_decref(v);
		return -ENOMEM;
	}
	return 0;
}

void member_view_partner(const struct member_view *mv, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", "");
	for (i = 0; i < mv->npartners && i < 2; i++)
		if (strcmp(mv->partners[i].id, mv->id) != 0)
			snprintf(out, len, "%s", mv->partners[i].display_name);
}

/* The partner's display name, or "" when there is none (they left, or never joined). */
void partner_display_name(const struct kreq *r, char *out, size_t len)
{
	struct member_view mv;

	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) != 0)
		memset(&mv, 0, sizeof(mv)); /* nobody named: the stand-in */
	member_view_partner(&mv, out, len);
}

void author_display_name(const struct member_view *mv, const char *author_id, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", "");
	for (i = 0; i < mv->npartners && i < 2; i++)
		if (strcmp(mv->partners[i].id, author_id) == 0)
			snprintf(out, len, "%s", mv->partners[i].display_name);
	if (mv->has_former && strcmp(mv->former.id, author_id) == 0)
		snprintf(out, len, "%s", mv->former.display_name);
}

/*
 * Without a name, the stand-in is a phrase, and a phrase takes the case of
 * where it stands: "Offered by your partner", but "Your partner recorded
 * it". So there are two stand-ins, and two keys: key for the middle of a
 * sentence, Key (capital first letter) for its start or a label alone. A
 * translation uses whichever its word order needs; a name reads the same in
 * both. Russian's stand-in is nominative: translations keep the name where
 * a nominative fits ("Предлагает {{from_name}}", "Запись: {{from_name}}").
 */
void set_partner(json_t *o, const char *key, const char *name)
{
	char cap[64];
	int named = name && *name;

	snprintf(cap, sizeof(cap), "%s", key);
	cap[0] = (char)toupper((unsigned char)cap[0]);
	/* TRANSLATORS: stands for a partner's name in the middle of a sentence
	 * ("Offered by your partner on ..."); in Russian, nominative. */
	web_set(o, key, named ? name : _("your partner"));
	web_set(o, cap, named ? name : _("Your partner"));
}

/* A 403 that says what happened (page_error's 403 speaks of expired forms). */
int not_yours(struct kreq *r, const char *message)
{
	return web_error_page(r, 403, _("That is not yours to change"), message);
}

int page_outcome(struct kreq *r, int outcome, const char *done, const char *forbidden)
{
	switch (outcome) {
	case ITEM_OK:
		return web_redirect(r, done);
	case ITEM_NOTFOUND:
		return page_error(r, 404);
	case ITEM_FORBIDDEN:
		return forbidden ? not_yours(r, forbidden) : page_error(r, 403);
	case ITEM_CONFLICT:
		return web_error_page(r, 409, _("This changed meanwhile"),
				      _("It was changed at the same moment somewhere else. Please "
					"go back, reload it and try again."));
	default:
		return outcome < 0 ? outcome : page_error(r, 500);
	}
}

/*
 * step2_form_error() - why a step 2 form came back, in one kind sentence,
 * and which field to mark.  Nothing typed is lost: the page shows it again.
 */
void step2_form_error(const struct kreq *r, json_t *data)
{
	static const struct {
		const char *field;
		long max;
	} longs[] = {
		{"note", CHECKIN_NOTE_MAX},    {"body", SHARE_BODY_MAX},
		{"reply", SHARE_REPLY_MAX},    {"text", OFFER_TEXT_MAX},
		{"title", ACTIVITY_TITLE_MAX}, {"felt", ACTIVITY_FELT_MAX},
	};
	const struct input_error *e = r->input_error;
	const char *f = e ? e->field : "";
	char msg[512];
	size_t i;

	if (!e) {
		web_form_error(data, "error", _("Please fill in every field."), NULL);
		return;
	}
	if (!strcmp(e->code, INPUT_TOO_LONG)) {
		for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
			if (strcmp(f, longs[i].field) != 0)
				continue;
			web_format_count(
				msg, sizeof(msg),
				ngettext_("That is longer than %d character. Nothing is lost: "
					  "please shorten it a little.",
					  "That is longer than %d characters. Nothing is lost: "
					  "please shorten it a little.",
					  (unsigned long)longs[i].max),
				longs[i].max);
			web_form_error(data, "error", msg, f);
			return;
		}
	}
	if (!strncmp(f, "scores", 6))
		web_form_error(data, "error",
			       _("Please choose a number from 1 to 5 for each of the five areas."),
			       NULL);
	else if (!strcmp(f, "trust") || !strcmp(f, "closeness"))
		web_form_error(
			data, "error",
			_("Please choose a number from 0 to 10 for trust and for closeness."),
			NULL);
	else if (!strcmp(f, "period"))
		web_form_error(data, "error", _("Please choose a day for this check-in."), f);
	else if (!strcmp(f, "body"))
		web_form_error(data, "error", _("Please write a few words before saving."), f);
	else if (!strcmp(f, "kind"))
		web_form_error(data, "error", _("Please choose one of the kinds."), f);
	else if (!strcmp(f, "text"))
		web_form_error(data, "error", _("Please write what you are offering."), f);
	else if (!strcmp(f, "until"))
		web_form_error(data, "error", _("Please choose until when your offer stands."), f);
	else if (!strcmp(f, "title"))
		web_form_error(data, "error", _("Please give the activity a name."), f);
	else if (!strcmp(f, "planned_for"))
		web_form_error(data, "error", _("Please choose a day for the activity."), f);
	else
		web_input_error(r, data, "error");
}
