/*
 * fields.c: JSON request bodies and the field declarations that validate
 * them.
 *
 * Every route names its fields in a table of struct field; a body reaches a
 * handler only after json_parse_body() (syntax) and fields_check()
 * (semantics) have accepted it, so handlers read values without checking
 * them again.  HTML forms take the same road: fields_from_form() turns the
 * urlencoded fields into the JSON object the API would have received and
 * runs fields_check() on it, so the pages and the API share one set of
 * rules and one set of error codes.
 *
 * Errors name the first problem only, in a fixed order (unknown keys, then
 * the declarations in order), so that the same bad input always gets the
 * same answer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"
#include "vault/vault.h"

/* The two audiences of FIELD_SHARED, in the order they are reported. */
static const char *const shared_values[] = {"partner", "care"};
#define SHARED_VALUES (sizeof(shared_values) / sizeof(shared_values[0]))

/*
 * Fill err (when not NULL) and return -EINVAL.  The field name is
 * `field` or "field.sub"; it is cut to fit err->field, never inside a UTF-8
 * sequence, because the edge may echo it in a JSON answer.
 */
static int input_fail(struct input_error *err, const char *code, const char *field, size_t flen,
		      const char *sub)
{
	char buf[sizeof(err->field) * 2];
	size_t n;

	if (!err)
		return -EINVAL;
	if (flen > sizeof(err->field))
		flen = sizeof(err->field);
	if (sub)
		snprintf(buf, sizeof(buf), "%.*s.%s", (int)flen, field, sub);
	else
		snprintf(buf, sizeof(buf), "%.*s", (int)flen, field);
	n = strlen(buf);
	if (n >= sizeof(err->field)) {
		n = sizeof(err->field) - 1;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
			n--;
	}
	err->code = code;
	memcpy(err->field, buf, n);
	err->field[n] = '\0';
	return -EINVAL;
}

static int fail(struct input_error *err, const char *code, const char *field)
{
	return input_fail(err, code, field, field ? strlen(field) : 0, NULL);
}

/* Is the key k[0..klen) exactly the NUL-terminated s?  Keys may hold NUL. */
static int key_is(const char *k, size_t klen, const char *s)
{
	return strlen(s) == klen && memcmp(k, s, klen) == 0;
}

/*
 * The depth pre-scan: jansson's own limit (2048) is far above what our flat
 * bodies need, and refusing "[[[[..." before building anything keeps a
 * hostile body cheap.  Brackets inside strings do not count; escapes are
 * followed only far enough to know where a string ends.
 */
static int json_depth_ok(const char *buf, size_t len, size_t max_depth)
{
	size_t i, depth = 0;
	int in_string = 0, escaped = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return 0;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return 1;
}

/*
 * json_parse_body() - see parse.h.  The raw bytes are checked before jansson
 * sees them: valid UTF-8 without NUL anywhere (even between tokens, where
 * jansson would not look), nesting at most max_depth containers deep (the
 * top-level object counts as 1).  jansson then refuses bad syntax, trailing
 * data, duplicate keys (JSON_REJECT_DUPLICATES) and "\u0000" escapes (no
 * JSON_ALLOW_NUL).  Every refusal is INPUT_INVALID_JSON with an empty field;
 * -ENOMEM (err untouched) when jansson ran out of memory.  *ret is written
 * only on success.  err may be NULL.
 */
/*
 * jansson's memory, wiped when freed.  A request body decoded into a tree is
 * copied into many small allocations (strings, the parser's growing
 * buffers, object nodes), each freed at its own time; a header in front of
 * every block keeps its size so that free can wipe it whole.  16 bytes keep
 * malloc's alignment.
 */
#define WIPE_HEADER 16

static void *wipe_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - WIPE_HEADER)
		return NULL;
	p = malloc(n + WIPE_HEADER);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + WIPE_HEADER;
}

static void wipe_free(void *q)
{
	unsigned char *p;
	size_t n;

	if (!q)
		return;
	p = (unsigned char *)q - WIPE_HEADER;
	memcpy(&n, p, sizeof(n));
	explicit_bzero(p, n + WIPE_HEADER);
	free(p);
}

void json_wipe_on_free(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}

int json_parse_body(const char *buf, size_t len, size_t max_depth, json_t **ret,
		    struct input_error *err)
{
	json_error_t jerr;
	json_t *root;

	if (!ret || (!buf && len))
		return fail(err, INPUT_INVALID_JSON, "");
	if (!utf8_valid(buf, len) || !json_depth_ok(buf, len, max_depth))
		return fail(err, INPUT_INVALID_JSON, "");

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return -ENOMEM;
		return fail(err, INPUT_INVALID_JSON, "");
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(err, INPUT_INVALID_JSON, "");
	}
	*ret = root;
	return 0;
}

/*
 * Text a member typed may hold line breaks and tabs, nothing else from the
 * control ranges: C0 (U+0000..U+001F), DEL (U+007F) and C1 (U+0080..U+009F,
 * encoded C2 80..C2 9F) would reach logs, e-mail headers and terminals.
 */
static int has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return 1;
		if (c == 0x7F)
			return 1;
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9F)
			return 1; /* C2 is always followed by 80..BF in valid UTF-8 */
	}
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* YYYY-MM-DD, year 0001..9999, a day that exists (29 February only in leap
 * years, Gregorian rules). */
static int date_valid(const char *s, size_t len)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, dim;
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < len; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	dim = mdays[m - 1] + (m == 2 && is_leap(y));
	return d <= dim;
}

static int count_below(size_t n, long long min)
{
	return min > 0 && (unsigned long long)n < (unsigned long long)min;
}

static int count_above(size_t n, long long max)
{
	return max < 0 || (unsigned long long)n > (unsigned long long)max;
}

/* FIELD_STRING and FIELD_SECRET: UTF-8 without NUL (a json_t built in code
 * may hold either), no control characters, then the length bounds. */
static int check_text(const json_t *v, const struct field *f, struct input_error *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), count;

	if (!utf8_valid(s, len) || has_control(s, len))
		return fail(err, INPUT_INVALID_VALUE, f->name);
	count = f->type == FIELD_STRING ? utf8_chars(s, len) : len;
	if (count_below(count, f->min))
		return fail(err, INPUT_TOO_SHORT, f->name);
	if (count_above(count, f->max))
		return fail(err, INPUT_TOO_LONG, f->name);
	return 0;
}

static int check_enum(const json_t *v, const struct field *f, struct input_error *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), i;

	for (i = 0; f->choices && f->choices[i]; i++)
		if (key_is(s, len, f->choices[i]))
			return 0;
	return fail(err, INPUT_INVALID_VALUE, f->name);
}

static int check_shared(const json_t *v, const struct field *f, struct input_error *err)
{
	unsigned seen = 0;
	size_t i, k;

	for (i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);

		if (!json_is_string(e))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		for (k = 0; k < SHARED_VALUES; k++)
			if (key_is(json_string_value(e), json_string_length(e), shared_values[k]))
				break;
		if (k == SHARED_VALUES || (seen & (1u << k)))
			return fail(err, INPUT_INVALID_VALUE, f->name);
		seen |= 1u << k;
	}
	/* the care team reads with the partner, never instead (DESIGN.md: {}, {partner},
	 * {partner, care}): "care" alone would be kept from the partner by nothing but a rule */
	if (seen == 1u << 1)
		return fail(err, INPUT_INVALID_VALUE, f->name);
	return 0;
}

/*
 * FIELD_ENUM_SET: strings among the choices, none of them twice, min..max
 * of them (fewer is INPUT_TOO_SHORT, more INPUT_TOO_LONG).
 */
static int check_enum_set(const json_t *v, const struct field *f, struct input_error *err)
{
	size_t n = json_array_size(v), i, j;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);

		if (!json_is_string(e))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		if (check_enum(e, f, err) < 0)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			const json_t *d = json_array_get(v, j);

			if (key_is(json_string_value(e), json_string_length(e),
				   json_string_value(d)))
				return fail(err, INPUT_INVALID_VALUE, f->name);
		}
	}
	if (count_below(n, f->min))
		return fail(err, INPUT_TOO_SHORT, f->name);
	if (count_above(n, f->max))
		return fail(err, INPUT_TOO_LONG, f->name);
	return 0;
}

static int check_int_map(const json_t *v, const struct field *f, struct input_error *err)
{
	size_t flen = strlen(f->name), i;
	void *it;

	/* jansson's iterator API takes a non-const object; nothing is changed. */
	for (it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		for (i = 0; f->choices && f->choices[i]; i++)
			if (key_is(key, klen, f->choices[i]))
				break;
		if (!f->choices || !f->choices[i])
			return input_fail(err, INPUT_UNKNOWN_FIELD, f->name, flen, key);
	}
	for (i = 0; f->choices && f->choices[i]; i++) {
		const json_t *e = json_object_get(v, f->choices[i]);
		json_int_t x;

		if (!e || json_is_null(e))
			return input_fail(err, INPUT_MISSING_FIELD, f->name, flen, f->choices[i]);
		if (!json_is_integer(e))
			return input_fail(err, INPUT_WRONG_TYPE, f->name, flen, f->choices[i]);
		x = json_integer_value(e);
		if (x < f->min || x > f->max)
			return input_fail(err, INPUT_OUT_OF_RANGE, f->name, flen, f->choices[i]);
	}
	return 0;
}

/*
 * Groups (field.h): a declared name "group.member" is the member of the
 * JSON object `group`.  group_len() is the length of a name's group, 0 for
 * a name without one.
 */
#define GROUP_NAME_MAX 64

static size_t group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

/* Is the key k[0..klen) the group of one of the n declarations? */
static int key_is_group(const char *k, size_t klen, const struct field *fields, size_t n)
{
	size_t i;

	for (i = 0; klen && i < n; i++)
		if (group_len(fields[i].name) == klen && memcmp(fields[i].name, k, klen) == 0)
			return 1;
	return 0;
}

const json_t *fields_value(const json_t *obj, const char *name)
{
	size_t g = group_len(name);
	const json_t *group;
	char key[GROUP_NAME_MAX];

	if (!g)
		return json_object_get(obj, name);
	if (g >= sizeof(key))
		return NULL;
	memcpy(key, name, g);
	key[g] = '\0';
	group = json_object_get(obj, key);
	return json_is_object(group) ? json_object_get(group, name + g + 1) : NULL;
}

/* Set the value of the declared name into obj (steals v), making its group. */
static int fields_set(json_t *obj, const char *name, json_t *v)
{
	size_t g = group_len(name);
	json_t *group;
	char key[GROUP_NAME_MAX];

	if (!g)
		return json_object_set_new(obj, name, v) < 0 ? -ENOMEM : 0;
	if (g >= sizeof(key)) {
		json_decref(v);
		return -EINVAL;
	}
	memcpy(key, name, g);
	key[g] = '\0';
	group = json_object_get(obj, key);
	if (!group) {
		group = json_object();
		if (!group || json_object_set_new(obj, key, group) < 0) {
			json_decref(v);
			return -ENOMEM;
		}
	}
	return json_object_set_new(group, name + g + 1, v) < 0 ? -ENOMEM : 0;
}

/*
 * The keys of the group object v (named key[0..klen)) against the members
 * declared: an object, and no key that is not one of them.
 */
static int check_group(const json_t *v, const char *key, size_t klen, const struct field *fields,
		       size_t n, struct input_error *err)
{
	size_t i;
	void *it;

	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return input_fail(err, INPUT_WRONG_TYPE, key, klen, NULL);
	for (it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
		const char *m = json_object_iter_key(it);
		size_t mlen = json_object_iter_key_len(it);

		for (i = 0; i < n; i++)
			if (group_len(fields[i].name) == klen &&
			    memcmp(fields[i].name, key, klen) == 0 &&
			    key_is(m, mlen, fields[i].name + klen + 1))
				break;
		if (i == n)
			return input_fail(err, INPUT_UNKNOWN_FIELD, key, klen,
					  memchr(m, '\0', mlen) ? "" : m);
	}
	return 0;
}

/* One present, non-null value against its declaration. */
static int check_value(const json_t *v, const struct field *f, struct input_error *err)
{
	json_int_t x;

	switch (f->type) {
	case FIELD_STRING:
	case FIELD_SECRET:
		if (!json_is_string(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return check_text(v, f, err);
	case FIELD_BOOL:
		if (!json_is_boolean(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return 0;
	case FIELD_INT:
		if (!json_is_integer(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		x = json_integer_value(v);
		if (x < f->min || x > f->max)
			return fail(err, INPUT_OUT_OF_RANGE, f->name);
		return 0;
	case FIELD_ENUM:
		if (!json_is_string(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return check_enum(v, f, err);
	case FIELD_ID:
		if (!json_is_string(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		if (!vault_id_valid(json_string_value(v), json_string_length(v)))
			return fail(err, INPUT_INVALID_VALUE, f->name);
		return 0;
	case FIELD_DATE:
		if (!json_is_string(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		if (!date_valid(json_string_value(v), json_string_length(v)))
			return fail(err, INPUT_INVALID_VALUE, f->name);
		return 0;
	case FIELD_SHARED:
		if (!json_is_array(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return check_shared(v, f, err);
	case FIELD_INT_MAP:
		if (!json_is_object(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return check_int_map(v, f, err);
	case FIELD_ENUM_SET:
		if (!json_is_array(v))
			return fail(err, INPUT_WRONG_TYPE, f->name);
		return check_enum_set(v, f, err);
	case _FIELD_TYPE_MAX:
		break;
	}
	/* A declaration with a type we do not know accepts nothing. */
	return fail(err, INPUT_INVALID_VALUE, f->name);
}

/*
 * fields_check() - see parse.h.  Bounds by type: FIELD_STRING min..max code
 * points, FIELD_SECRET min..max bytes, FIELD_INT and the values of
 * FIELD_INT_MAP min..max inclusive, FIELD_ENUM_SET min..max choices; the
 * other types ignore min and max.
 * Strings (STRING, SECRET) must hold no control character but \t, \n, \r.
 * Errors inside a FIELD_INT_MAP name "field.key" ("scores.sexual"): an
 * unknown key is INPUT_UNKNOWN_FIELD, a missing or null one
 * INPUT_MISSING_FIELD.  A JSON null for a required field is
 * INPUT_MISSING_FIELD.  obj not an object is INPUT_INVALID_JSON.
 * Keys are compared with their full length, so a key with an embedded NUL
 * never passes for a declared name.  A group (field.h) is an object or
 * null, with only its declared members: an unknown member is
 * INPUT_UNKNOWN_FIELD "group.member".  err may be NULL.
 */
int fields_check(const json_t *obj, const struct field *fields, size_t n, struct input_error *err)
{
	size_t i;
	void *it;
	int r;

	if (!json_is_object(obj) || (!fields && n))
		return fail(err, INPUT_INVALID_JSON, "");

	for (it = json_object_iter((json_t *)obj); it;
	     it = json_object_iter_next((json_t *)obj, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		for (i = 0; i < n; i++)
			if (!group_len(fields[i].name) && key_is(key, klen, fields[i].name))
				break;
		if (i < n)
			continue;
		if (!key_is_group(key, klen, fields, n))
			return input_fail(err, INPUT_UNKNOWN_FIELD, key, klen, NULL);
		r = check_group(json_object_iter_value(it), key, klen, fields, n, err);
		if (r < 0)
			return r;
	}

	for (i = 0; i < n; i++) {
		const json_t *v = fields_value(obj, fields[i].name);

		if (!v || json_is_null(v)) {
			if (fields[i].required)
				return fail(err, INPUT_MISSING_FIELD, fields[i].name);
			continue;
		}
		r = check_value(v, &fields[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Forms ---------------------------------------------------------------- */

/*
 * Where a form field goes: the declaration it feeds and, for FIELD_SHARED,
 * FIELD_INT_MAP and FIELD_ENUM_SET, which member ("partner", the map key,
 * the choice).
 */
struct form_target {
	const struct field *f;
	const char *sub;
};

static const struct field *find_decl(const struct field *fields, size_t n, const char *name,
				     size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (key_is(name, len, fields[i].name))
			return &fields[i];
	return NULL;
}

/*
 * Map a form field name to its declaration: a plain field by its own name
 * (not FIELD_SHARED, FIELD_INT_MAP or FIELD_ENUM_SET, which have no single
 * form control), "share_partner"/"share_care" to the first FIELD_SHARED
 * declaration, "name.key" to FIELD_INT_MAP or FIELD_ENUM_SET `name` when
 * key is one of its choices.  Returns 1 and fills t, or 0 for an unknown
 * name.
 */
static int form_target(const struct field *fields, size_t n, const char *name,
		       struct form_target *t)
{
	const struct field *f;
	const char *dot;
	size_t i;

	f = find_decl(fields, n, name, strlen(name));
	if (f && f->type != FIELD_SHARED && f->type != FIELD_INT_MAP && f->type != FIELD_ENUM_SET) {
		t->f = f;
		t->sub = NULL;
		return 1;
	}
	if (strncmp(name, "share_", 6) == 0) {
		for (i = 0; i < SHARED_VALUES; i++)
			if (strcmp(name + 6, shared_values[i]) == 0)
				break;
		if (i < SHARED_VALUES) {
			for (f = fields; f < fields + n; f++) {
				if (f->type == FIELD_SHARED) {
					t->f = f;
					t->sub = shared_values[i];
					return 1;
				}
			}
		}
	}
	dot = strchr(name, '.');
	if (dot) {
		f = find_decl(fields, n, name, (size_t)(dot - name));
		if (f && (f->type == FIELD_INT_MAP || f->type == FIELD_ENUM_SET)) {
			for (i = 0; f->choices && f->choices[i]; i++) {
				if (strcmp(dot + 1, f->choices[i]) == 0) {
					t->f = f;
					t->sub = f->choices[i];
					return 1;
				}
			}
		}
	}
	return 0;
}

/* The form field that feeds (f, sub), or NULL.  Names are unique by now. */
static const struct kfield *form_find(const struct kfield *form, size_t nform,
				      const struct field *fields, size_t n, const struct field *f,
				      const char *sub)
{
	struct form_target t;
	size_t i;

	for (i = 0; i < nform; i++) {
		if (strcmp(form[i].name, "csrf") == 0)
			continue;
		if (form_target(fields, n, form[i].name, &t) && t.f == f &&
		    (t.sub == sub || (t.sub && sub && strcmp(t.sub, sub) == 0)))
			return &form[i];
	}
	return NULL;
}

static int value_is(const struct kfield *kf, const char *s)
{
	return key_is(kf->value ? kf->value : "", kf->value ? kf->value_len : 0, s);
}

/*
 * Decimal integer from a form: an optional '-' and 1..n digits.  Returns 0
 * with *ret, -EINVAL when it is not a number, -ERANGE past 18 significant
 * digits: every bound we declare is far smaller, and 10^18 - 1 fits a
 * json_int_t (64 bits) with no overflow arithmetic to get wrong.
 */
static int form_int(const struct kfield *kf, json_int_t *ret)
{
	const char *s = kf->value;
	size_t len = kf->value_len, i = 0, digits = 0;
	json_int_t x = 0;
	int neg = 0;

	if (!s || len == 0)
		return -EINVAL;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (x == 0 && s[i] == '0')
			continue; /* leading zeros are not significant */
		if (++digits <= 18)
			x = x * 10 + (s[i] - '0');
	}
	if (digits > 18)
		return -ERANGE;
	*ret = neg ? -x : x;
	return 0;
}

/* Convert the form field kf for the scalar declaration f into a new json_t
 * in *ret (NULL when it is to be treated as absent). */
static int form_scalar(const struct kfield *kf, const struct field *f, json_t **ret,
		       struct input_error *err)
{
	const char *s = kf->value ? kf->value : "";
	size_t len = kf->value ? kf->value_len : 0;
	json_int_t x;
	int r;

	*ret = NULL;
	if (len == 0 && !f->required)
		return 0;

	switch (f->type) {
	case FIELD_BOOL:
		if (value_is(kf, "1") || value_is(kf, "on") || value_is(kf, "true"))
			*ret = json_true();
		else if (value_is(kf, "0") || value_is(kf, "false"))
			*ret = json_false();
		else
			return fail(err, INPUT_WRONG_TYPE, f->name);
		break;
	case FIELD_INT:
		r = form_int(kf, &x);
		if (r == -ERANGE)
			return fail(err, INPUT_OUT_OF_RANGE, f->name);
		if (r < 0)
			return fail(err, INPUT_WRONG_TYPE, f->name);
		*ret = json_integer(x);
		break;
	default:
		/* jansson refuses invalid UTF-8 here, so check first to tell it
		 * apart from running out of memory. */
		if (!utf8_valid(s, len))
			return fail(err, INPUT_INVALID_VALUE, f->name);
		*ret = json_stringn(s, len);
		break;
	}
	return *ret ? 0 : -ENOMEM;
}

/*
 * Checkboxes, one per value of values[0..nvalues): FIELD_SHARED ("share_"
 * names) and FIELD_ENUM_SET ("<field>.<choice>").  A box is on with "1"
 * or "on", off with "0" or empty (an unchecked box is simply not sent);
 * anything else is INPUT_INVALID_VALUE.  The array holds the values that
 * are on, in the order of values.  always: the array is set even when no
 * box is on (FIELD_SHARED: [] is "private"); else it is left out, so that
 * fields_check() finds a required one missing.
 */
static int form_checks(const struct kfield *form, size_t nform, const struct field *fields,
		       size_t n, const struct field *f, const char *const *values, size_t nvalues,
		       int always, json_t *obj, struct input_error *err)
{
	json_t *arr;
	size_t i;

	arr = json_array();
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < nvalues; i++) {
		const struct kfield *kf = form_find(form, nform, fields, n, f, values[i]);

		if (!kf || value_is(kf, "0") || value_is(kf, ""))
			continue;
		if (!value_is(kf, "1") && !value_is(kf, "on")) {
			json_decref(arr);
			return fail(err, INPUT_INVALID_VALUE, f->name);
		}
		if (json_array_append_new(arr, json_string(values[i])) < 0) {
			json_decref(arr);
			return -ENOMEM;
		}
	}
	if (!always && json_array_size(arr) == 0) {
		json_decref(arr);
		return 0;
	}
	return json_object_set_new(obj, f->name, arr) < 0 ? -ENOMEM : 0;
}

/* The number of choices of f (its NULL-terminated list). */
static size_t choices_count(const struct field *f)
{
	size_t i = 0;

	while (f->choices && f->choices[i])
		i++;
	return i;
}

/* FIELD_INT_MAP from "name.key" fields; empty values are left out so that
 * fields_check() reports the key as missing.  No key at all: no object. */
static int form_int_map(const struct kfield *form, size_t nform, const struct field *fields,
			size_t n, const struct field *f, json_t *obj, struct input_error *err)
{
	size_t flen = strlen(f->name), i;
	json_t *map;
	int r = 0;

	map = json_object();
	if (!map)
		return -ENOMEM;
	for (i = 0; f->choices && f->choices[i]; i++) {
		const struct kfield *kf = form_find(form, nform, fields, n, f, f->choices[i]);
		json_int_t x;

		if (!kf || kf->value_len == 0)
			continue;
		r = form_int(kf, &x);
		if (r == -ERANGE) {
			r = input_fail(err, INPUT_OUT_OF_RANGE, f->name, flen, f->choices[i]);
			goto out;
		}
		if (r < 0) {
			r = input_fail(err, INPUT_WRONG_TYPE, f->name, flen, f->choices[i]);
			goto out;
		}
		if (json_object_set_new(map, f->choices[i], json_integer(x)) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (json_object_size(map) > 0) {
		r = json_object_set(obj, f->name, map) < 0 ? -ENOMEM : 0;
	}
out:
	json_decref(map);
	return r;
}

/*
 * fields_from_form() - see parse.h.  Beyond it:
 * - the form field "csrf" is skipped (the HTTP layer checks it);
 * - FIELD_BOOL: "1", "on", "true" / "0", "false", else INPUT_WRONG_TYPE;
 * - FIELD_INT: an optional '-' and decimal digits, else INPUT_WRONG_TYPE
 *   (INPUT_OUT_OF_RANGE when it overflows);
 * - FIELD_SHARED: checkboxes "share_partner" and "share_care" with value
 *   "1" or "on" ("0" or empty: not shared); the array is always present;
 * - FIELD_INT_MAP: one field per key, named "<field>.<key>";
 * - FIELD_ENUM_SET: one checkbox per choice, named "<field>.<choice>",
 *   "1" or "on" when chosen; none chosen leaves the field out;
 * - a name given twice is INPUT_INVALID_VALUE (form_parse() already refuses
 *   that; this guards callers that build kfields themselves).
 * The built object then goes through fields_check(), so on success it is
 * valid for the declarations.  Unknown names are found first, before any
 * conversion.  Returns 0 with *ret a new reference, -EINVAL with err filled
 * (err may be NULL), or -ENOMEM.  *ret is written only on success.
 */
int fields_from_form(const struct kfield *form, size_t nform, const struct field *fields, size_t n,
		     json_t **ret, struct input_error *err)
{
	struct form_target t;
	json_t *obj = NULL;
	size_t i, j;
	int r;

	if (!ret || (!form && nform) || (!fields && n))
		return fail(err, INPUT_INVALID_JSON, "");

	for (i = 0; i < nform; i++) {
		if (!form[i].name)
			return fail(err, INPUT_INVALID_JSON, "");
		if (strcmp(form[i].name, "csrf") == 0)
			continue;
		if (!form_target(fields, n, form[i].name, &t))
			return fail(err, INPUT_UNKNOWN_FIELD, form[i].name);
		for (j = 0; j < i; j++)
			if (strcmp(form[j].name, form[i].name) == 0)
				return fail(err, INPUT_INVALID_VALUE, form[i].name);
	}

	obj = json_object();
	if (!obj)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		const struct kfield *kf;
		json_t *v;

		if (f->type == FIELD_SHARED) {
			r = form_checks(form, nform, fields, n, f, shared_values, SHARED_VALUES, 1,
					obj, err);
		} else if (f->type == FIELD_ENUM_SET) {
			r = form_checks(form, nform, fields, n, f, f->choices, choices_count(f), 0,
					obj, err);
		} else if (f->type == FIELD_INT_MAP) {
			r = form_int_map(form, nform, fields, n, f, obj, err);
		} else {
			kf = form_find(form, nform, fields, n, f, NULL);
			if (!kf)
				continue;
			r = form_scalar(kf, f, &v, err);
			if (r == 0 && v)
				r = fields_set(obj, f->name, v);
		}
		if (r < 0)
			goto out;
	}

	r = fields_check(obj, fields, n, err);
	if (r < 0)
		goto out;
	*ret = obj;
	obj = NULL;
out:
	json_decref(obj);
	return r;
}
