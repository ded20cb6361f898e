/*
 * test-i18n.c: unit tests of the i18n layer.
 *
 * The test compiles small Spanish and Russian catalogs with msgfmt at run
 * time (in both byte orders) into a mkdtemp() directory, then checks what
 * a reader would notice: translated words, the right Russian plural form,
 * English when anything is missing, the language chosen for real browser
 * headers, translated templates, dates as people write them, and that a
 * truncated, mutated or forged .mo file is refused without a crash.  It
 * includes i18n.c to reach the .mo parser directly.  An optional argument
 * names the directory of the project's own compiled catalogs, which must
 * load too.
 */
#include "i18n/i18n.c"

/*
 * Not <limits.h>: with -Isrc that name is the project's src/limits.h.  Paths
 * here live under a short mkdtemp() directory.
 */
#define TEST_PATH_MAX 512

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

static char tmpdir[TEST_PATH_MAX];
static char dir_le[TEST_PATH_MAX + 16];
static char dir_be[TEST_PATH_MAX + 16];
static char dir_badplural[TEST_PATH_MAX + 16];
static char dir_noru[TEST_PATH_MAX + 16];
static const char *project_locale_dir;

#define PO_HEADER(lang, plural)                                                                    \
	"msgid \"\"\n"                                                                             \
	"msgstr \"\"\n"                                                                            \
	"\"Project-Id-Version: kintsugi-test\\n\"\n"                                               \
	"\"Language: " lang "\\n\"\n"                                                              \
	"\"MIME-Version: 1.0\\n\"\n"                                                               \
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"                                         \
	"\"Content-Transfer-Encoding: 8bit\\n\"\n"                                                 \
	"\"Plural-Forms: " plural "\\n\"\n\n"

#define PLURAL_2 "nplurals=2; plural=(n != 1);"
#define PLURAL_RU                                                                                  \
	"nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "       \
	"n%100>=20) ? 1 : 2);"

#define ES_BODY                                                                                    \
	"msgid \"Hello\"\nmsgstr \"Hola\"\n\n"                                                     \
	"msgid \"Sign in\"\nmsgstr \"Iniciar sesión\"\n\n"                                        \
	"msgid \"%d day\"\nmsgid_plural \"%d days\"\nmsgstr[0] \"%d día\"\n"                      \
	"msgstr[1] \"%d días\"\n\n"                                                               \
	"msgid \"Untranslated\"\nmsgstr \"\"\n\n"                                                  \
	"msgid \"\"\n\"\\n\"\n\"Welcome, {{name}}!\\n\"\n"                                         \
	"msgstr \"\"\n\"\\n\"\n\"¡Te damos la bienvenida, {{name}}!\\n\"\n\n"                     \
	"msgctxt \"menu\"\nmsgid \"Hello\"\nmsgstr \"Hola (menú)\"\n"

static const char es_po[] = PO_HEADER("es", PLURAL_2) ES_BODY;

static const char es_po_badplural[] =
	PO_HEADER("es", "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);") ES_BODY;

static const char ru_po[] =
	PO_HEADER("ru", PLURAL_RU) "msgid \"Hello\"\nmsgstr \"Привет\"\n\n"
				   "msgid \"%lu entry\"\nmsgid_plural \"%lu entries\"\n"
				   "msgstr[0] \"%lu запись\"\nmsgstr[1] \"%lu записи\"\nmsgstr[2] "
				   "\"%lu записей\"\n\n"
				   "msgid \"Partial\"\nmsgid_plural \"Partials\"\n"
				   "msgstr[0] \"Частичный\"\nmsgstr[1] \"\"\nmsgstr[2] \"\"\n";

/* Helpers ----------------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Compile po text into <dir>/<lang>.mo with msgfmt (flags may be ""). */
static void compile_po(const char *dir, const char *lang, const char *po, const char *flags)
{
	char src[TEST_PATH_MAX + 64], cmd[3 * TEST_PATH_MAX];
	int n;

	n = snprintf(src, sizeof(src), "%s/%s-src.po", tmpdir, lang);
	assert_true(n > 0 && (size_t)n < sizeof(src));
	write_file(src, po, strlen(po));
	n = snprintf(cmd, sizeof(cmd), "msgfmt %s -o '%s/%s.mo' '%s'", flags, dir, lang, src);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

static char *read_whole(const char *path, size_t *ret_len)
{
	char *data;
	size_t len;

	assert_int_equal(read_file(path, &data, &len), 0);
	*ret_len = len;
	return data;
}

static void load(const char *dir)
{
	char err[512];
	int r = i18n_init(dir, err, sizeof(err));

	if (r)
		fail_msg("i18n_init(%s) = %d: %s", dir, r, err);
}

static int group_setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test-i18n-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dir_le, sizeof(dir_le), "%s/le", tmpdir);
	snprintf(dir_be, sizeof(dir_be), "%s/be", tmpdir);
	snprintf(dir_badplural, sizeof(dir_badplural), "%s/badplural", tmpdir);
	snprintf(dir_noru, sizeof(dir_noru), "%s/noru", tmpdir);
	if (mkdir(dir_le, 0700) || mkdir(dir_be, 0700) || mkdir(dir_badplural, 0700) ||
	    mkdir(dir_noru, 0700))
		return -1;
	compile_po(dir_le, "es", es_po, "");
	compile_po(dir_le, "ru", ru_po, "");
	compile_po(dir_be, "es", es_po, "--endianness=big");
	compile_po(dir_be, "ru", ru_po, "--endianness=big");
	compile_po(dir_badplural, "es", es_po_badplural, "");
	compile_po(dir_badplural, "ru", ru_po, "");
	compile_po(dir_noru, "es", es_po, "");
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[TEST_PATH_MAX + 32];

	(void)state;
	i18n_fini();
	if (tmpdir[0] && !strncmp(tmpdir, "/tmp/test-i18n-", 15)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			return -1;
	}
	return 0;
}

/* A little-endian or big-endian .mo image built by hand. */
struct mo_pair {
	const char *k;
	size_t klen;
	const char *v;
	size_t vlen;
};

static void put32(unsigned char *p, uint32_t v, int be)
{
	if (be) {
		p[0] = (unsigned char)(v >> 24);
		p[1] = (unsigned char)(v >> 16);
		p[2] = (unsigned char)(v >> 8);
		p[3] = (unsigned char)v;
	} else {
		p[3] = (unsigned char)(v >> 24);
		p[2] = (unsigned char)(v >> 16);
		p[1] = (unsigned char)(v >> 8);
		p[0] = (unsigned char)v;
	}
}

static char *mo_build(const struct mo_pair *p, size_t n, int be, size_t *ret_len)
{
	size_t i, size = 28 + 16 * n, pos;
	unsigned char *buf;

	for (i = 0; i < n; i++)
		size += p[i].klen + 1 + p[i].vlen + 1;
	buf = calloc(1, size);
	assert_non_null(buf);
	put32(buf, MO_MAGIC, be);
	put32(buf + 4, 0, be);
	put32(buf + 8, (uint32_t)n, be);
	put32(buf + 12, 28, be);
	put32(buf + 16, (uint32_t)(28 + 8 * n), be);
	pos = 28 + 16 * n;
	for (i = 0; i < n; i++) {
		put32(buf + 28 + 8 * i, (uint32_t)p[i].klen, be);
		put32(buf + 28 + 8 * i + 4, (uint32_t)pos, be);
		memcpy(buf + pos, p[i].k, p[i].klen);
		pos += p[i].klen + 1;
		put32(buf + 28 + 8 * (n + i), (uint32_t)p[i].vlen, be);
		put32(buf + 28 + 8 * (n + i) + 4, (uint32_t)pos, be);
		memcpy(buf + pos, p[i].v, p[i].vlen);
		pos += p[i].vlen + 1;
	}
	*ret_len = size;
	return (char *)buf;
}

/* Parse a copy of data; on success look every entry up and walk its forms. */
static int parse_copy(const char *data, size_t len)
{
	struct catalog cat = {0};
	const char *why;
	char *copy = malloc(len ? len : 1);
	size_t i, sum = 0;
	int r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, data, len);
	r = catalog_parse(&cat, copy, len, &why);
	if (r == 0) {
		assert_null(why);
		for (i = 0; i < cat.n; i++) {
			const struct mo_entry *e = &cat.entries[i];
			const char *f;

			assert_ptr_equal(catalog_find(&cat, e->key), e);
			for (f = e->val; f < e->val + e->val_len; f += strlen(f) + 1)
				sum += strlen(f);
		}
		(void)header_nplurals(cat.header);
		(void)sum;
	} else {
		assert_int_equal(r, -EINVAL);
		assert_non_null(why);
		assert_null(cat.data);
	}
	catalog_clear(&cat);
	return r;
}

/* Catalogs ---------------------------------------------------------------- */

static void test_lookup(void **state)
{
	(void)state;
	load(dir_le);
	assert_string_equal(i18n_gettext("es", "Hello"), "Hola");
	assert_string_equal(i18n_gettext("es", "Sign in"), "Iniciar sesión");
	assert_string_equal(i18n_gettext("ru", "Hello"), "Привет");
	assert_string_equal(i18n_gettext("es", "\nWelcome, {{name}}!\n"),
			    "\n¡Te damos la bienvenida, {{name}}!\n");
	/* A plural entry read with gettext gives its first form. */
	assert_string_equal(i18n_gettext("es", "%d day"), "%d día");
	i18n_fini();
}

static void test_lookup_big_endian(void **state)
{
	(void)state;
	load(dir_be);
	assert_string_equal(i18n_gettext("es", "Hello"), "Hola");
	assert_string_equal(i18n_gettext("ru", "Hello"), "Привет");
	assert_string_equal(i18n_ngettext("ru", "%lu entry", "%lu entries", 22), "%lu записи");
	i18n_fini();
}

static void test_fallback(void **state)
{
	static const char missing[] = "Not in any catalog";
	static const char untranslated[] = "Untranslated";
	static const char hello[] = "Hello";

	(void)state;
	load(dir_le);
	assert_ptr_equal(i18n_gettext("es", missing), missing);
	assert_ptr_equal(i18n_gettext("es", untranslated), untranslated);
	/* English has no catalog here: msgids are English. */
	assert_ptr_equal(i18n_gettext("en", hello), hello);
	assert_ptr_equal(i18n_gettext("fr", hello), hello);
	assert_ptr_equal(i18n_gettext("es-MX", hello), hello);
	assert_ptr_equal(i18n_gettext(NULL, hello), hello);
	assert_null(i18n_gettext("es", NULL));
	assert_string_equal(i18n_gettext("es", ""), "");
	/* msgctxt entries are not reachable without their context. */
	assert_null(catalog_find(&catalogs[LANG_ES], "menu\004Hello"));
	assert_string_equal(i18n_ngettext("es", "%d thing", "%d things", 1), "%d thing");
	assert_string_equal(i18n_ngettext("es", "%d thing", "%d things", 0), "%d things");
	assert_string_equal(i18n_ngettext("fr", "%d day", "%d days", 1), "%d day");
	/* An empty plural form falls back to the English pair. */
	assert_string_equal(i18n_ngettext("ru", "Partial", "Partials", 1), "Частичный");
	assert_string_equal(i18n_ngettext("ru", "Partial", "Partials", 2), "Partials");
	assert_string_equal(i18n_ngettext("ru", "Partial", "Partials", 21), "Частичный");
	i18n_fini();
	/* After fini every lookup is the msgid again. */
	assert_ptr_equal(i18n_gettext("es", hello), hello);
}

static void test_plural_es_en(void **state)
{
	(void)state;
	load(dir_le);
	assert_string_equal(i18n_ngettext("es", "%d day", "%d days", 0), "%d días");
	assert_string_equal(i18n_ngettext("es", "%d day", "%d days", 1), "%d día");
	assert_string_equal(i18n_ngettext("es", "%d day", "%d days", 2), "%d días");
	assert_string_equal(i18n_ngettext("en", "%d day", "%d days", 1), "%d day");
	assert_string_equal(i18n_ngettext("en", "%d day", "%d days", 0), "%d days");
	assert_string_equal(i18n_ngettext("en", "%d day", "%d days", 7), "%d days");
	i18n_fini();
}

static void test_plural_ru(void **state)
{
	static const struct {
		unsigned long n;
		const char *form;
	} cases[] = {
		{0, "%lu записей"},   {1, "%lu запись"},       {2, "%lu записи"},
		{5, "%lu записей"},   {11, "%lu записей"},     {12, "%lu записей"},
		{21, "%lu запись"},   {22, "%lu записи"},      {25, "%lu записей"},
		{101, "%lu запись"},  {111, "%lu записей"},    {104, "%lu записи"},
		{114, "%lu записей"}, {1000001, "%lu запись"}, {(unsigned long)-1, "%lu записей"},
	};
	size_t i;

	(void)state;
	load(dir_le);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = i18n_ngettext("ru", "%lu entry", "%lu entries", cases[i].n);

		if (strcmp(got, cases[i].form))
			fail_msg("n=%lu: got \"%s\", want \"%s\"", cases[i].n, got, cases[i].form);
	}
	i18n_fini();
}

static void test_init_errors(void **state)
{
	char err[512], path[TEST_PATH_MAX + 32], *longdir;
	static const char hello[] = "Hello";
	int fd;

	(void)state;
	/* A missing catalog names the file and leaves nothing loaded. */
	load(dir_le);
	assert_int_equal(i18n_init(dir_noru, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "ru.mo"));
	assert_ptr_equal(i18n_gettext("es", hello), hello);

	assert_int_equal(i18n_init("/nonexistent-kintsugi-dir", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "es.mo"));
	assert_int_equal(i18n_init(NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(i18n_init("/nonexistent-kintsugi-dir", NULL, 0), -ENOENT);

	/* Plural-Forms that disagrees with the compiled-in rule. */
	assert_int_equal(i18n_init(dir_badplural, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "es.mo"));
	assert_non_null(strstr(err, "Plural-Forms"));

	/* A garbage en.mo is refused even though en.mo is optional. */
	snprintf(path, sizeof(path), "%s/en.mo", dir_le);
	write_file(path, "garbage, not a catalog", 22);
	assert_int_equal(i18n_init(dir_le, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "en.mo"));
	/* A tiny errbuf is still NUL-terminated. */
	assert_int_equal(i18n_init(dir_le, err, 4), -EINVAL);
	assert_int_equal(strlen(err), 3);
	/* A directory where a file should be. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(i18n_init(dir_le, err, sizeof(err)), -EINVAL);
	assert_int_equal(rmdir(path), 0);
	assert_ptr_equal(i18n_gettext("es", hello), hello);

	/* A catalog too large to be a real one (a sparse file). */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, I18N_MO_MAX_BYTES + 1), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(i18n_init(dir_le, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(unlink(path), 0);

	/* A directory name too long for a path. */
	longdir = malloc(8192);
	assert_non_null(longdir);
	memset(longdir, 'd', 8191);
	longdir[8191] = '\0';
	assert_int_equal(i18n_init(longdir, err, sizeof(err)), -ENAMETOOLONG);
	free(longdir);

	load(dir_le);
	assert_string_equal(i18n_gettext("es", hello), "Hola");
	i18n_fini();
}

static void test_mo_forged(void **state)
{
	const struct mo_pair good[] = {
		{"", 0, "Plural-Forms: nplurals=2; plural=(n != 1);\n", 43},
		{"b", 1, "B", 1},
		{"a\0as", 4, "A\0As", 4},
		{"c", 1, "", 0},
	};
	const struct mo_pair dup[] = {{"a", 1, "x", 1}, {"b", 1, "y", 1}, {"a", 1, "z", 1}};
	const struct mo_pair dup_plural[] = {{"a", 1, "x", 1}, {"a\0as", 4, "y\0ys", 4}};
	const struct mo_pair two_headers[] = {{"", 0, "h1", 2}, {"", 0, "h2", 2}};
	struct catalog cat = {0};
	const char *why;
	char *mo;
	size_t len;
	int be;

	(void)state;
	for (be = 0; be <= 1; be++) {
		mo = mo_build(good, 4, be, &len);
		assert_int_equal(catalog_parse(&cat, mo, len, &why), 0);
		assert_int_equal(cat.n, 2); /* header and the empty "c" are not entries */
		assert_string_equal(catalog_find(&cat, "a")->val, "A");
		assert_string_equal(catalog_find(&cat, "b")->val, "B");
		assert_null(catalog_find(&cat, "c"));
		assert_int_equal(header_nplurals(cat.header), 2);
		catalog_clear(&cat);

		/* Every truncation is refused. */
		mo = mo_build(good, 4, be, &len);
		while (len-- > 0)
			assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);

		mo = mo_build(good, 4, be, &len);
		/* Revision 1 (system-dependent strings) is accepted, 2 is not. */
		put32((unsigned char *)mo + 4, 0x00010000, be);
		assert_int_equal(parse_copy(mo, len), 0);
		put32((unsigned char *)mo + 4, 0x00020000, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 4, 0, be);
		/* Counts and table offsets past the end. */
		put32((unsigned char *)mo + 8, 0xffffffffu, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 8, (uint32_t)(len / 8), be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 8, 4, be);
		put32((unsigned char *)mo + 12, (uint32_t)len - 4, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 12, 0xfffffff8u, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 12, 28, be);
		put32((unsigned char *)mo + 16, 0xffffffffu, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 16, 28 + 32, be);
		assert_int_equal(parse_copy(mo, len), 0);
		/* A string length or offset past the end, or a missing NUL. */
		put32((unsigned char *)mo + 28 + 8, 0xffffffffu, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 28 + 8, (uint32_t)len, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 28 + 8, 1, be);
		put32((unsigned char *)mo + 28 + 12, 0xfffffffeu, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 28 + 12, (uint32_t)len, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		put32((unsigned char *)mo + 28 + 12, (uint32_t)len - 1, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		mo[len - 1] = 'x'; /* the last string loses its NUL */
		put32((unsigned char *)mo + 28 + 12, (uint32_t)len - 2, be);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);

		mo = mo_build(dup, 3, be, &len);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);
		mo = mo_build(dup_plural, 2, be, &len);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);
		mo = mo_build(two_headers, 2, be, &len);
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);
		mo = mo_build(NULL, 0, be, &len);
		assert_int_equal(parse_copy(mo, len), 0);
		/* Bad magic. */
		mo[0] ^= 1;
		assert_int_equal(parse_copy(mo, len), -EINVAL);
		free(mo);
	}
	assert_int_equal(parse_copy("", 0), -EINVAL);
	assert_int_equal(parse_copy("\xde\x12\x04\x95", 4), -EINVAL);
}

/* Every truncation and many byte changes of a real msgfmt file. */
static void test_mo_mutated(void **state)
{
	static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
	char path[TEST_PATH_MAX + 32], *orig, *mo;
	size_t len, i, j, ok = 0;
	uint32_t x = 2463534242u;
	int be;

	(void)state;
	for (be = 0; be <= 1; be++) {
		snprintf(path, sizeof(path), "%s/ru.mo", be ? dir_be : dir_le);
		orig = read_whole(path, &len);
		assert_int_equal(parse_copy(orig, len), 0);
		for (i = 0; i < len; i++)
			assert_int_equal(parse_copy(orig, i), -EINVAL);

		mo = malloc(len);
		assert_non_null(mo);
		for (i = 0; i < len; i++) {
			for (j = 0; j < sizeof(values); j++) {
				memcpy(mo, orig, len);
				mo[i] = (char)values[j];
				ok += parse_copy(mo, len) == 0;
			}
		}
		/* Random multi-byte damage (xorshift32, fixed seed). */
		for (i = 0; i < 20000; i++) {
			memcpy(mo, orig, len);
			for (j = 0; j < 4; j++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				mo[x % len] = (char)(x >> 24);
			}
			ok += parse_copy(mo, len) == 0;
		}
		free(mo);
		free(orig);
	}
	/* Damage inside string bytes leaves a valid file: some must parse. */
	assert_true(ok > 0);
}

static void test_project_catalogs(void **state)
{
	(void)state;
	if (!project_locale_dir)
		skip();
	load(project_locale_dir);
	i18n_fini();
}

/* Thread language --------------------------------------------------------- */

static void *thread_lang_of_new_thread(void *arg)
{
	(void)arg;
	return (void *)i18n_thread_lang();
}

static void test_thread_lang(void **state)
{
	pthread_t t;
	void *other;

	(void)state;
	assert_string_equal(i18n_thread_lang(), "en");
	load(dir_le);
	i18n_set_thread_lang("ru");
	assert_string_equal(i18n_thread_lang(), "ru");
	assert_string_equal(_("Hello"), "Привет");
	assert_string_equal(ngettext_("%lu entry", "%lu entries", 3), "%lu записи");
	assert_string_equal(N_("Hello"), "Hello");
	/* Another thread has its own language. */
	assert_int_equal(pthread_create(&t, NULL, thread_lang_of_new_thread, NULL), 0);
	assert_int_equal(pthread_join(t, &other), 0);
	assert_string_equal((const char *)other, "en");
	i18n_set_thread_lang("es");
	assert_string_equal(_("Hello"), "Hola");
	i18n_set_thread_lang("fr");
	assert_string_equal(i18n_thread_lang(), "en");
	i18n_set_thread_lang("ru");
	i18n_set_thread_lang(NULL);
	assert_string_equal(i18n_thread_lang(), "en");
	assert_string_equal(_("Hello"), "Hello");
	i18n_fini();
}

static void test_lang_valid(void **state)
{
	(void)state;
	assert_true(i18n_lang_valid("en"));
	assert_true(i18n_lang_valid("es"));
	assert_true(i18n_lang_valid("ru"));
	assert_false(i18n_lang_valid("EN"));
	assert_false(i18n_lang_valid("es-MX"));
	assert_false(i18n_lang_valid(""));
	assert_false(i18n_lang_valid(NULL));
	assert_string_equal(i18n_languages[0], "en");
	assert_null(i18n_languages[I18N_LANG_MAX]);
}

/* Accept-Language --------------------------------------------------------- */

/*
 * The country of an Accept-Language header, for the safety check's help:
 * the most wanted range that names one, whatever its language.
 */
static void test_region(void **state)
{
	static const struct {
		const char *header;
		const char *region; /* NULL: none */
	} cases[] = {
		{"en-GB", "GB"},
		{"en-gb,en;q=0.9", "GB"},
		{"es-MX, es;q=0.8, en-US;q=0.5", "MX"},
		{"es;q=0.9, en-US;q=0.5", "US"},    /* the only range that names one */
		{"de-DE;q=0.3, ru-UA;q=0.8", "UA"}, /* the higher weight, not the first */
		{"fr-CA, fr-FR", "CA"},		    /* equal weights keep header order */
		{"ru_RU", "RU"},		    /* a POSIX locale name */
		{"sr-Latn-RS", "RS"},		    /* after a script */
		{"zh-Hant", NULL},		    /* a script is no country */
		{"es-419", NULL},		    /* a region of the world is no country */
		{"en-US;q=0, es", NULL},	    /* not wanted */
		{"en-US;q=0.5;x=y", "US"},	    /* parameters after the weight */
		{"en-u-ca-gregory", NULL},	    /* an extension, not a region */
		{"en-AB-CD", "AB"},		    /* the first two-letter subtag */
		{"*", NULL},
		{"", NULL},
		{"en-U$", NULL}, /* malformed */
	};
	char out[3];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		memcpy(out, "??", 3);
		r = i18n_region(cases[i].header, strlen(cases[i].header), out);
		if (cases[i].region) {
			if (r != 0 || strcmp(out, cases[i].region) != 0)
				fail_msg("\"%s\": %d \"%s\", not %s", cases[i].header, r, out,
					 cases[i].region);
		} else if (r != -ENOENT || strcmp(out, "??") != 0) {
			fail_msg("\"%s\": %d \"%s\", not none", cases[i].header, r, out);
		}
	}
	assert_int_equal(i18n_region(NULL, 5, out), -ENOENT);
	assert_int_equal(i18n_region("en-GB,es-MX", 5, out), 0); /* len bounds the header */
	assert_string_equal(out, "GB");
}

static void test_negotiate(void **state)
{
	static const struct {
		const char *header;
		const char *want;
	} cases[] = {
		{"", "en"},
		{"es", "es"},
		{"ru", "ru"},
		{"ES", "es"},
		{"Ru-rU", "ru"},
		{"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"},
		{"es-419,es;q=0.9", "es"},
		{"es-ES,es;q=0.9,en;q=0.8", "es"},
		{"en-GB;q=0.8, es;q=0.9", "es"},
		{"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "en"},
		{"de-DE,de;q=0.9,ru;q=0.8", "ru"},
		{"de, *;q=0.5", "en"},
		{"en;q=0, *", "es"},
		{"en;q=0, es;q=0, *", "ru"},
		{"en;q=0, es;q=0, ru;q=0", "en"},
		{"es;q=0", "en"},
		{"es;q=0, es-MX", "en"},
		{"es-MX;q=0, es;q=0.5", "es"},
		{"  es ; q = 0.8 ,  ru ; Q=0.9 ", "ru"},
		{"\tes\t;\tq=0.2\t,\tru;q=0.1", "es"},
		{"ru;q=0.5, es;q=0.5", "ru"},
		{"es;q=0.5, ru;q=0.5", "es"},
		{"ru;q=0.500, es;q=0.5", "ru"},
		{"ru;q=0.501, es;q=0.5", "ru"},
		{"es;q=0.5, ru;q=0.501", "ru"},
		{"@@@, es;q=0.5, ru;q=abc", "es"},
		{"ru;q=1.5, es;q=0.2", "es"},
		{"ru;q=1.001, es;q=0.2", "es"},
		{"ru;q=1.000, es", "ru"},
		{"ru;q=0.0001, es;q=0.001", "es"},
		{"ru;q=-1, es;q=0.1", "es"},
		{"ru;q=, es;q=0.1", "es"},
		{"ru;q=.5, es;q=0.1", "es"},
		{"ru;foo=bar", "ru"},
		{"ru;", "ru"},
		{"ru;q=0.3;q=0.9, es;q=0.5", "ru"},
		{"ru_RU", "ru"},
		{"eng, rus", "en"},
		{"e, r", "en"},
		{"q=0.5", "en"},
		{",,,;;;===", "en"},
		{"*", "en"},
		{"ru;q=0.4,*;q=0.5", "en"},
		{"en;q=0.1, es;q=0.2, ru;q=0.3, *;q=0.9", "ru"},
		{"ru-, es", "es"},
		{"ru--RU, es", "es"},
		{"ru-RUSSIANFED, es", "es"},
		{"abcdefghi, es", "es"},
		{"ru es, es;q=0.1", "es"},
		{"zh-Hant-TW, ru-Cyrl-RU;q=0.2", "ru"},
		{"\xd1\x80\xd1\x83, es", "es"},
	};
	char *big;
	size_t i, n;
	static const char with_nul[] = "xx\0, ru";

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = i18n_negotiate(cases[i].header, strlen(cases[i].header));

		if (strcmp(got, cases[i].want))
			fail_msg("\"%s\": got %s, want %s", cases[i].header, got, cases[i].want);
		/* The result is one of the static codes. */
		assert_int_equal(lang_index(got) >= 0, 1);
	}
	assert_string_equal(i18n_negotiate(NULL, 0), "en");
	assert_string_equal(i18n_negotiate(NULL, 99), "en");
	/* The length, not a NUL, ends the header. */
	assert_string_equal(i18n_negotiate(with_nul, sizeof(with_nul) - 1), "ru");
	assert_string_equal(i18n_negotiate("es,ru", 2), "es");
	assert_string_equal(i18n_negotiate("ru, es", 1), "en");
	assert_string_equal(i18n_negotiate("ru;q=0.5", 5), "en"); /* "ru;q=" */

	/* A long header of noise still ends with the right answer. */
	n = 100000;
	big = malloc(n + 16);
	assert_non_null(big);
	for (i = 0; i + 12 <= n; i += 12)
		memcpy(big + i, "xx-yy;q=0.1,", 12);
	memcpy(big + i, "ru;q=0.2", 8);
	assert_string_equal(i18n_negotiate(big, i + 8), "ru");
	free(big);
}

/* Templates --------------------------------------------------------------- */

static void expect_template(const char *lang, const char *src, const char *want)
{
	char *out = NULL;
	size_t out_len = 0;
	int r;

	r = i18n_translate_template(lang, src, strlen(src), &out, &out_len);
	if (r)
		fail_msg("\"%s\": returned %d", src, r);
	assert_string_equal(out, want);
	assert_int_equal(out_len, strlen(want));
	free(out);
}

static void expect_template_einval(const char *src)
{
	char *out = (char *)0x1;
	size_t out_len = 12345;

	assert_int_equal(i18n_translate_template("es", src, strlen(src), &out, &out_len), -EINVAL);
	/* Nothing is written on failure. */
	assert_ptr_equal(out, (char *)0x1);
	assert_int_equal(out_len, 12345);
}

static void test_translate_template(void **state)
{
	static const char with_nul[] = "a{{#_}}He\0llo{{/_}}b";
	char *out;
	size_t out_len;

	(void)state;
	load(dir_le);
	expect_template("es", "", "");
	expect_template("es", "no markers {{name}} {{#list}}x{{/list}}",
			"no markers {{name}} {{#list}}x{{/list}}");
	expect_template("es", "<p>{{#_}}Hello{{/_}}</p>", "<p>Hola</p>");
	expect_template("ru", "<p>{{#_}}Hello{{/_}}</p>", "<p>Привет</p>");
	expect_template("en", "<p>{{#_}}Hello{{/_}}</p>", "<p>Hello</p>");
	expect_template(NULL, "<p>{{#_}}Hello{{/_}}</p>", "<p>Hello</p>");
	expect_template("es", "{{#_}}Hello{{/_}}, {{#_}}Sign in{{/_}}{{#_}}Hello{{/_}}",
			"Hola, Iniciar sesiónHola");
	/* A msgid spanning lines, holding a tag, kept as written. */
	expect_template("es", "<h1>{{#_}}\nWelcome, {{name}}!\n{{/_}}</h1>",
			"<h1>\n¡Te damos la bienvenida, {{name}}!\n</h1>");
	/* Whitespace is part of the msgid: this one has no translation. */
	expect_template("es", "{{#_}} Hello {{/_}}", " Hello ");
	expect_template("es", "{{#_}}Not translated{{/_}}", "Not translated");
	expect_template("es", "{{#_}}{{/_}}", "");
	/* Blanks inside the markers, as mustache allows in tags. */
	expect_template("es", "{{ #_ }}Hello{{\t/ _ }}", "Hola");
	expect_template("es", "{{{#_}}Hello{{/_}}}", "{Hola}");
	expect_template("es", "{{#__}}Hello{{/__}}", "{{#__}}Hello{{/__}}");
	expect_template("es", "{{# _x}}", "{{# _x}}");
	expect_template("es", "trailing {", "trailing {");
	expect_template("es", "trailing {{", "trailing {{");
	expect_template("es", "{{#_}}Hello{{/_}}{{", "Hola{{");

	expect_template_einval("{{#_}}Hello");
	expect_template_einval("{{#_}}Hello{{/_");
	expect_template_einval("{{#_}}\nmulti\nline, never closed\n");
	expect_template_einval("{{#_}}a{{#_}}b{{/_}}{{/_}}");
	expect_template_einval("stray {{/_}} close");
	expect_template_einval("{{#_}}a{{/_}} then {{ #_ }}");

	/* A msgid holding a NUL byte is kept as written. */
	assert_int_equal(
		i18n_translate_template("es", with_nul, sizeof(with_nul) - 1, &out, &out_len), 0);
	assert_int_equal(out_len, 8);
	assert_memory_equal(out, "aHe\0llob", 9);
	free(out);
	/* Only len bytes are read; ret_len may be NULL. */
	assert_int_equal(i18n_translate_template("es", "{{#_}}Hello{{/_}}XYZ", 17, &out, NULL), 0);
	assert_string_equal(out, "Hola");
	free(out);
	assert_int_equal(i18n_translate_template("es", NULL, 0, &out, &out_len), 0);
	assert_string_equal(out, "");
	assert_int_equal(out_len, 0);
	free(out);
	assert_int_equal(i18n_translate_template("es", NULL, 3, &out, &out_len), -EINVAL);
	assert_int_equal(i18n_translate_template("es", "x", 1, NULL, &out_len), -EINVAL);
	i18n_fini();
}

/* Dates ------------------------------------------------------------------- */

static void expect_date(const char *lang, const char *in, const char *want)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	assert_int_equal(i18n_format_date(lang, in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_format_date(void **state)
{
	static const char *const invalid[] = {
		"",	      "2026",	      "2026-11",	"2026-11-2",   "2026-1-01",
		"26-11-2026", "2026/11/26",   "2026-11-26x",	"2026-11-26Z", "2026-13-01",
		"2026-00-10", "2026-01-00",   "2026-01-32",	"2026-04-31",  "2023-02-29",
		"1900-02-29", "0000-01-01",   " 2026-11-26",	"+2026-11-26", "2026-11-+6",
		"2026-1a-26", "2026-11-26\n", "２０２６-11-26",
	};
	static const char *const en_months[] = {"January",   "February", "March",    "April",
						"May",	     "June",	 "July",     "August",
						"September", "October",	 "November", "December"};
	char out[64], in[16], want[64];
	size_t i;

	(void)state;
	expect_date("en", "2026-11-26", "26 November 2026");
	expect_date("es", "2026-11-26", "26 de noviembre de 2026");
	expect_date("ru", "2026-11-26", "26 ноября 2026");
	expect_date("en", "2026-01-01T10:00:00Z", "1 January 2026");
	expect_date("es", "2026-01-01T10:00:00+03:00", "1 de enero de 2026");
	expect_date("ru", "2026-01-01t23:59:60Z", "1 января 2026");
	expect_date("ru", "2026-05-09 12:00:00Z", "9 мая 2026");
	expect_date("es", "2026-09-30", "30 de septiembre de 2026");
	expect_date("ru", "2026-03-08", "8 марта 2026");
	expect_date("en", "2024-02-29", "29 February 2024");
	expect_date("en", "2000-02-29", "29 February 2000");
	expect_date("en", "0001-01-01", "1 January 1");
	expect_date("es", "9999-12-31", "31 de diciembre de 9999");
	for (i = 0; i < 12; i++) {
		snprintf(in, sizeof(in), "2026-%02zu-15", i + 1);
		snprintf(want, sizeof(want), "15 %s 2026", en_months[i]);
		expect_date("en", in, want);
	}

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (i18n_format_date("en", invalid[i], out, sizeof(out)) != -EINVAL)
			fail_msg("\"%s\" was accepted", invalid[i]);
	}
	assert_int_equal(i18n_format_date("en", NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(i18n_format_date("fr", "2026-11-26", out, sizeof(out)), -EINVAL);
	assert_int_equal(i18n_format_date(NULL, "2026-11-26", out, sizeof(out)), -EINVAL);
	assert_int_equal(i18n_format_date("en", "2026-11-26", NULL, 10), -EINVAL);

	/* Too small: nothing written; exactly enough: written. */
	memset(out, 'X', sizeof(out));
	assert_int_equal(i18n_format_date("ru", "2026-11-26", out, strlen("26 ноября 2026")),
			 -ENOSPC);
	assert_int_equal(out[0], 'X');
	assert_int_equal(i18n_format_date("en", "2026-11-26", out, 0), -ENOSPC);
	assert_int_equal(i18n_format_date("ru", "2026-11-26", out, strlen("26 ноября 2026") + 1),
			 0);
	assert_string_equal(out, "26 ноября 2026");
	/* The longest date of each language fits in 32 bytes. */
	assert_int_equal(i18n_format_date("es", "9999-09-30", out, 32), 0);
	assert_int_equal(i18n_format_date("ru", "9999-09-30", out, 32), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_valid),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_big_endian),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_plural_es_en),
		cmocka_unit_test(test_plural_ru),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_mo_forged),
		cmocka_unit_test(test_mo_mutated),
		cmocka_unit_test(test_project_catalogs),
		cmocka_unit_test(test_thread_lang),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_region),
		cmocka_unit_test(test_translate_template),
		cmocka_unit_test(test_format_date),
	};

	if (argc > 1)
		project_locale_dir = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
