/*
 * fuzz-i18n-template.c: libFuzzer target for i18n_translate_template().
 *
 * LLVMFuzzerInitialize() writes two tiny catalogs (es, ru; no en) built by
 * hand into a temporary directory, loads them with i18n_init() and removes
 * the files, so the input is translated for real in Spanish and Russian
 * while English, which has no catalog, only loses its markers.  Checks that
 * a syntax error does not depend on the language, that the output is
 * NUL-terminated at its length, that English output is never longer than
 * the input (and equal to it without any "{{"), and nothing leaks.  Links
 * with the i18n library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n/i18n.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pair {
	const char *k, *v;
};

/* Entries must be sorted by msgid, as msgfmt writes them (not required). */
static const struct pair es_entries[] = {
	{"",
	 "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"},
	{"Hello", "Hola"},
	{"\nWelcome, {{name}}!\n", "\n¡Te damos la bienvenida, {{name}}!\n"},
	{"a", "{{#_}}"},
	{"x", ""},
};
static const struct pair ru_entries[] = {
	{"", "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3; plural=(n%10==1 "
	     "&& n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"},
	{"Hello", "Привет"},
	{"a", ""},
};

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A little-endian GNU .mo file holding n pairs, written to path. */
static int write_mo(const char *path, const struct pair *e, size_t n)
{
	unsigned char buf[4096] = {0};
	size_t i, pos = 28 + 16 * n, kl, vl;
	FILE *f;
	int ok;

	put32(buf, 0x950412deu);
	put32(buf + 8, (uint32_t)n);
	put32(buf + 12, 28);
	put32(buf + 16, (uint32_t)(28 + 8 * n));
	for (i = 0; i < n; i++) {
		kl = strlen(e[i].k);
		vl = strlen(e[i].v);
		if (pos + kl + vl + 2 > sizeof(buf))
			return -ENOSPC;
		put32(buf + 28 + 8 * i, (uint32_t)kl);
		put32(buf + 32 + 8 * i, (uint32_t)pos);
		memcpy(buf + pos, e[i].k, kl);
		pos += kl + 1;
		put32(buf + 28 + 8 * (n + i), (uint32_t)vl);
		put32(buf + 32 + 8 * (n + i), (uint32_t)pos);
		memcpy(buf + pos, e[i].v, vl);
		pos += vl + 1;
	}
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	ok = fwrite(buf, 1, pos, f) == pos;
	ok &= fclose(f) == 0;
	return ok ? 0 : -EIO;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz-i18n-XXXXXX", es[64], ru[64], err[256];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(es, sizeof(es), "%s/es.mo", dir);
	snprintf(ru, sizeof(ru), "%s/ru.mo", dir);
	if (write_mo(es, es_entries, sizeof(es_entries) / sizeof(es_entries[0])) ||
	    write_mo(ru, ru_entries, sizeof(ru_entries) / sizeof(ru_entries[0])))
		abort();
	if (i18n_init(dir, err, sizeof(err))) {
		fprintf(stderr, "fuzz-i18n-template: %s\n", err);
		abort();
	}
	unlink(es);
	unlink(ru);
	rmdir(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = {"en", "es", "ru"};
	const char *src = (const char *)data;
	char *out;
	size_t out_len, i;
	int r, first = 0;

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		out = NULL;
		out_len = 0;
		r = i18n_translate_template(langs[i], src, size, &out, &out_len);
		if (i == 0)
			first = r;
		if (r != first || (r != 0 && r != -EINVAL))
			abort();
		if (r)
			continue;
		if (!out || out[out_len] != '\0')
			abort();
		/* English has no catalog: markers go, text stays, nothing is added. */
		if (i == 0 && out_len > size)
			abort();
		if (i == 0 && !memmem(src, size, "{{", 2) &&
		    (out_len != size || (size && memcmp(out, src, size))))
			abort();
		free(out);
	}
	return 0;
}
