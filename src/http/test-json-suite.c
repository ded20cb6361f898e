/*
 * test-json-suite.c: json_parse_body() against the JSONTestSuite corpus
 * (https://github.com/nst/JSONTestSuite, "Parsing JSON is a Minefield").
 *
 * Usage: test-json-suite DIR.  For every file in DIR:
 * - n_*: must be refused (RFC 8259 says it is not JSON);
 * - y_* whose top level is an object: must be accepted, except the few
 *   listed in policy_refusals[], which are valid JSON that kintsugi refuses
 *   on purpose (duplicate keys, "\u0000") and so must be refused;
 * - every file, i_* included: must not crash (the sanitizer build and
 *   valgrind make "crash" mean any memory error or leak too).
 * Prints one line per failure, the counts, and last "N passed, M failed";
 * exits non-zero on any failure or when DIR holds no test file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

/* Valid JSON objects that API.md makes us refuse. */
static const char *const policy_refusals[] = {
	"y_object_duplicated_key.json",		  /* duplicate keys are refused */
	"y_object_duplicated_key_and_value.json", /* even with equal values */
	"y_object_escaped_null_in_key.json",	  /* "\u0000" never reaches C strings */
};

static int is_policy_refusal(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(policy_refusals) / sizeof(policy_refusals[0]); i++)
		if (strcmp(name, policy_refusals[i]) == 0)
			return 1;
	return 0;
}

/* Read a whole file into a malloc'd buffer; 0 or negative errno. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f;
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;
	int r = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			grown = realloc(buf, cap);
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		r = -EIO;
		goto out;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return r;
}

/* Does the top level start with '{'?  (Leading JSON whitespace skipped.) */
static int top_is_object(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '{';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0, n_refused = 0, y_accepted = 0, y_policy = 0, y_other = 0,
		 i_ok = 0, i_refused = 0;
	char **names = NULL;
	size_t nnames = 0, k;
	struct dirent *de;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s JSON-TEST-SUITE-DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		char **grown;

		if ((de->d_name[0] != 'n' && de->d_name[0] != 'y' && de->d_name[0] != 'i') ||
		    de->d_name[1] != '_')
			continue;
		grown = realloc(names, (nnames + 1) * sizeof(*names));
		if (!grown || !(grown[nnames] = strdup(de->d_name))) {
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		names = grown;
		nnames++;
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), by_name);

	for (k = 0; k < nnames; k++) {
		const char *name = names[k];
		struct input_error err = {0};
		char path[4096], *buf = NULL;
		size_t len = 0;
		json_t *j = NULL;
		int r, ok = 1;

		snprintf(path, sizeof(path), "%s/%s", argv[1], name);
		r = read_file(path, &buf, &len);
		if (r < 0) {
			printf("FAIL %s: cannot read: %s\n", name, strerror(-r));
			failed++;
			continue;
		}
		r = json_parse_body(buf, len, LIMIT_JSON_DEPTH, &j, &err);
		if (r == 0 && !json_is_object(j)) {
			printf("FAIL %s: accepted a non-object\n", name);
			ok = 0;
		}
		if (r != 0 && r != -EINVAL) {
			printf("FAIL %s: unexpected return %d\n", name, r);
			ok = 0;
		}
		if (r == -EINVAL && (!err.code || strcmp(err.code, INPUT_INVALID_JSON) != 0 ||
				     err.field[0] != '\0')) {
			printf("FAIL %s: refused without invalid_json\n", name);
			ok = 0;
		}

		if (name[0] == 'n') {
			if (r == 0) {
				printf("FAIL %s: accepted invalid JSON\n", name);
				ok = 0;
			} else {
				n_refused++;
			}
		} else if (name[0] == 'y' && is_policy_refusal(name)) {
			if (r == 0) {
				printf("FAIL %s: accepted what policy refuses\n", name);
				ok = 0;
			} else {
				y_policy++;
			}
		} else if (name[0] == 'y' && top_is_object(buf, len)) {
			if (r != 0) {
				printf("FAIL %s: refused a valid object\n", name);
				ok = 0;
			} else {
				y_accepted++;
			}
		} else if (name[0] == 'y') {
			y_other++; /* valid JSON but not an object: either answer is fine */
		} else if (r == 0) {
			i_ok++;
		} else {
			i_refused++;
		}

		if (ok)
			passed++;
		else
			failed++;
		json_decref(j);
		free(buf);
	}

	for (k = 0; k < nnames; k++)
		free(names[k]);
	free(names);

	printf("n_: %u refused\n", n_refused);
	printf("y_: %u objects accepted, %u refused by policy, %u non-objects\n", y_accepted,
	       y_policy, y_other);
	printf("i_: %u accepted, %u refused\n", i_ok, i_refused);
	printf("%u passed, %u failed\n", passed, failed);
	return failed || passed == 0 ? 1 : 0;
}
