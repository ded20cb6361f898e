/*
 * field.h: the declaration of one input field (its name, type, bounds and
 * choices).  Routes validate bodies with it (http/fields.c), and an item
 * kind of the registry (core/item.h) declares its fields with it, so the
 * rules a kind states are the ones its routes check.  Plain data: no
 * functions, below every layer.
 */
#ifndef KINTSUGI_FIELD_H
#define KINTSUGI_FIELD_H

/* The field types a route can declare. */
enum field_type {
	FIELD_STRING,	/* UTF-8 string, length counted in code points (min..max) */
	FIELD_SECRET,	/* string, length counted in bytes (min..max): passwords */
	FIELD_BOOL,	/* true/false; in forms "1"/"on"/"true" or "0"/"false" */
	FIELD_INT,	/* integer in min..max; in forms decimal digits */
	FIELD_ENUM,	/* string, one of choices (NULL-terminated list) */
	FIELD_ID,	/* 32 lowercase hex characters */
	FIELD_DATE,	/* YYYY-MM-DD, a real calendar date */
	FIELD_SHARED,	/* array, subset of ["partner","care"], no repeats */
	FIELD_INT_MAP,	/* object of integers in min..max with exactly the keys in choices */
	FIELD_ENUM_SET, /* array of min..max distinct strings, each one of choices */
	_FIELD_TYPE_MAX
};

/*
 * A name "group.member" (one dot) declares a member of the JSON object
 * `group`: {"checklist": {"fees": "..."}} gives "checklist.fees".  The
 * members of one group are declared one after the other; the group itself
 * is optional (absent, every member is absent), holds no other keys, and
 * an error inside it names "group.member".  A form sends the dotted name
 * as it is.
 */
struct field {
	const char *name;
	enum field_type type;
	int required;
	long long min, max;	    /* length or value bounds, by type */
	const char *const *choices; /* FIELD_ENUM, FIELD_ENUM_SET values; FIELD_INT_MAP keys */
};

#endif
