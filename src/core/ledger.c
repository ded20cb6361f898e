/*
 * ledger.c: the latest version of each changed row (see ledger.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/couplekey.h"
#include "core/ledger.h"

#define LEDGER_CTX	"ledger__"
#define LEDGER_KEY_ID	1
#define LEDGER_AD_MAX	96
#define LEDGER_ID_BYTES 16
/* a lost race means another writer's note landed: each try but one is someone's progress */
#define LEDGER_TRIES 32

/* One ledger as read: its entries (n of them) and write count (0: none yet). */
struct ledger {
	unsigned char *e;
	size_t n;
	int64_t gen;
};

static void ledger_free(struct ledger *l)
{
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

/* The AD of member_id's ledger in couple_id ("": their own). */
static void ledger_ad(const char *member_id, const char *couple_id, char ad[LEDGER_AD_MAX])
{
	snprintf(ad, LEDGER_AD_MAX, "ledgers|%s|%s", member_id, couple_id);
}

/*
 * member_id's ledger in couple_id ("": their own, under s's master key;
 * else under the couple key) into *l: none is an empty one (gen 0).  0,
 * -EBADMSG when it does not open or is not whole, or < 0.
 */
static int ledger_load(const struct core *c, const struct session *s, const char *member_id,
		       const char *couple_id, struct ledger *l)
{
	struct blob sealed = {NULL, 0};
	unsigned char *plain = NULL;
	size_t len = 0;
	char ad[LEDGER_AD_MAX];
	int r;

	memset(l, 0, sizeof(*l));
	r = STORE_CALL(c->st, ledger_get, member_id, couple_id, &sealed, &l->gen);
	if (r == STORE_NOTFOUND)
		return 0;
	if (r != 0)
		return r > 0 ? -EIO : r;
	ledger_ad(member_id, couple_id, ad);
	r = couplekey_open(s, couple_id[0] != '\0', LEDGER_KEY_ID, LEDGER_CTX, sealed.data,
			   sealed.len, ad, NULL, &plain, &len);
	store_blob_free(&sealed);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	if (len % LEDGER_ENTRY != 0 || len / LEDGER_ENTRY > LEDGER_MAX) {
		free(plain);
		return -EBADMSG;
	}
	l->e = plain;
	l->n = len / LEDGER_ENTRY;
	return 0;
}

/* Where the entry of id is in l, or would go (*found 0). */
static size_t ledger_find(const struct ledger *l, const unsigned char id[LEDGER_ID_BYTES],
			  int *found)
{
	size_t lo = 0, hi = l->n, mid;
	int cmp;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = memcmp(l->e + mid * LEDGER_ENTRY, id, LEDGER_ID_BYTES);
		if (cmp == 0) {
			*found = 1;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t ledger_version_at(const struct ledger *l, size_t i)
{
	const unsigned char *p = l->e + i * LEDGER_ENTRY + LEDGER_ID_BYTES;

	return ((int64_t)p[0] << 24) | ((int64_t)p[1] << 16) | ((int64_t)p[2] << 8) | p[3];
}

static void ledger_version_set(struct ledger *l, size_t i, int64_t v)
{
	unsigned char *p = l->e + i * LEDGER_ENTRY + LEDGER_ID_BYTES;

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void ledger_cache_clear(struct ledger_cache *lc)
{
	if (!lc)
		return;
	for (unsigned i = 0; i < lc->used; i++)
		free(lc->slot[i].e);
	memset(lc, 0, sizeof(*lc));
}

/*
 * member_id's ledger in couple_id as ledger_load() reads it, from the
 * request's cache when it has it there (then *l is a copy of the slot's,
 * which the caller must not free; *cached 1).  0, -EBADMSG, or < 0.
 */
static int ledger_lookup(const struct core *c, const struct session *s, const char *member_id,
			 const char *couple_id, struct ledger *l, int *cached)
{
	struct ledger_cache *lc = c->ledgers;
	struct ledger_slot *slot;
	int r;

	*cached = 0;
	for (unsigned i = 0; lc && i < lc->used; i++) {
		slot = &lc->slot[i];
		if (strcmp(slot->member_id, member_id) == 0 &&
		    strcmp(slot->couple_id, couple_id) == 0) {
			*l = (struct ledger){slot->e, slot->n, 0};
			*cached = 1;
			return slot->r;
		}
	}
	r = ledger_load(c, s, member_id, couple_id, l);
	if (!lc || (r != 0 && r != -EBADMSG))
		return r;
	if (lc->used < LEDGER_CACHE_SLOTS) {
		slot = &lc->slot[lc->used++];
	} else {
		slot = &lc->slot[lc->next];
		lc->next = (lc->next + 1) % LEDGER_CACHE_SLOTS;
		free(slot->e);
	}
	snprintf(slot->member_id, sizeof(slot->member_id), "%s", member_id);
	snprintf(slot->couple_id, sizeof(slot->couple_id), "%s", couple_id);
	slot->r = r;
	slot->e = l->e;
	slot->n = l->n;
	*cached = 1;
	return r;
}

/* The version member_id's ledger in couple_id has for raw (0: none) into *need, the larger kept. */
static int ledger_need(const struct core *c, const struct session *s, const char *member_id,
		       const char *couple_id, const unsigned char raw[LEDGER_ID_BYTES],
		       int64_t *need)
{
	struct ledger l;
	size_t i;
	int found, cached, r;

	r = ledger_lookup(c, s, member_id, couple_id, &l, &cached);
	if (r == 0) {
		i = ledger_find(&l, raw, &found);
		if (found && ledger_version_at(&l, i) > *need)
			*need = ledger_version_at(&l, i);
	}
	if (!cached)
		ledger_free(&l);
	return r;
}

int ledger_check(const struct core *c, const struct session *s, enum store_table table,
		 const char *couple_id, const char *author_id, int shared, const char *id,
		 int64_t version)
{
	unsigned char raw[LEDGER_ID_BYTES];
	int64_t need = 0, now = 0;
	int r;

	if (vault_unhex(raw, sizeof(raw), id, strlen(id)) != 0)
		return 0; /* not an id the server makes: its AD decides */
	/* what the reader changed themselves, whoever wrote it first */
	r = ledger_need(c, s, s->member_id, "", raw, &need);
	/* what either partner changed of a shared one */
	if (r == 0 && shared) {
		r = ledger_need(c, s, author_id, s->couple_id, raw, &need);
		if (r == -EBADMSG && strcmp(author_id, s->member_id) != 0 && version == 1)
			r = 0; /* a partner's ledger under a key from before s joined (ledger.h) */
	}
	if (r == 0 && need > version) {
		/* put back older, or changed since it was read (then it is newer now) */
		r = STORE_CALL(c->st, row_version, table, couple_id, id, &now);
		r = r == 0 && now >= need ? 0 : r < 0 ? r : -EBADMSG;
	}
	return r;
}

/*
 * One try at noting id at version in member_id's ledger in couple_id (s's
 * own, or an author's in s's couple); STORE_CONFLICT: a race lost.
 */
static int ledger_note_in(const struct core *c, const struct session *s, const char *member_id,
			  const char *couple_id, const unsigned char raw[LEDGER_ID_BYTES],
			  int64_t version)
{
	struct ledger l;
	struct blob sealed = {NULL, 0};
	unsigned char *grown;
	char ad[LEDGER_AD_MAX];
	size_t i;
	int found, r;
	int64_t gen;

	r = ledger_load(c, s, member_id, couple_id, &l);
	if (r == -EBADMSG && couple_id[0] && l.gen > 0) {
		/*
		 * Under a couple key s does not hold (one from before s joined,
		 * or older than the session keeps): begin again, from s's own
		 * ledger when it is theirs, which has all they changed.
		 */
		gen = l.gen;
		r = strcmp(member_id, s->member_id) == 0 ? ledger_load(c, s, s->member_id, "", &l)
							 : 0;
		l.gen = gen;
	}
	if (r != 0)
		return r;
	i = ledger_find(&l, raw, &found);
	if (found && ledger_version_at(&l, i) >= version) {
		ledger_free(&l);
		return 0;
	}
	if (!found) {
		if (l.n >= LEDGER_MAX) {
			ledger_free(&l);
			return 0; /* full: this row goes unrecorded (ledger.h) */
		}
		grown = realloc(l.e, (l.n + 1) * LEDGER_ENTRY);
		if (!grown) {
			ledger_free(&l);
			return -ENOMEM;
		}
		l.e = grown;
		memmove(l.e + (i + 1) * LEDGER_ENTRY, l.e + i * LEDGER_ENTRY,
			(l.n - i) * LEDGER_ENTRY);
		memcpy(l.e + i * LEDGER_ENTRY, raw, LEDGER_ID_BYTES);
		l.n++;
	}
	ledger_version_set(&l, i, version);
	ledger_ad(member_id, couple_id, ad);
	r = couplekey_seal(s, couple_id[0] != '\0', LEDGER_KEY_ID, LEDGER_CTX, l.e,
			   l.n * LEDGER_ENTRY, ad, &sealed.data, &sealed.len);
	ledger_free(&l);
	if (r == 0) {
		r = STORE_CALL(c->st, ledger_put, member_id, couple_id, &sealed, l.gen);
		if (r > 0 && r != STORE_CONFLICT)
			r = -EIO;
	}
	store_blob_free(&sealed);
	return r;
}

/* Notes id at version in member_id's ledger in couple_id, again while a race is lost. */
static int ledger_note_one(const struct core *c, const struct session *s, const char *member_id,
			   const char *couple_id, const unsigned char raw[LEDGER_ID_BYTES],
			   int64_t version)
{
	int r = STORE_CONFLICT;

	for (int tries = 0; tries < LEDGER_TRIES && r == STORE_CONFLICT; tries++)
		r = ledger_note_in(c, s, member_id, couple_id, raw, version);
	return r == STORE_CONFLICT ? -EIO : r; /* lost LEDGER_TRIES races in a row */
}

int ledger_note(const struct core *c, const struct session *s, const char *author_id, int shared,
		const char *id, int64_t version)
{
	unsigned char raw[LEDGER_ID_BYTES];
	int r;

	if (version < 2 || version > UINT32_MAX ||
	    vault_unhex(raw, sizeof(raw), id, strlen(id)) != 0)
		return 0;
	ledger_cache_clear(c->ledgers); /* what it read is no longer the latest */
	r = ledger_note_one(c, s, s->member_id, "", raw, version);
	if (r == 0 && shared)
		r = ledger_note_one(c, s, author_id, s->couple_id, raw, version);
	return r;
}

int ledger_rekey(const struct core *c, const struct session *from, const struct session *to)
{
	struct blob sealed = {NULL, 0};
	char ad[LEDGER_AD_MAX];
	struct ledger l;
	int r;

	ledger_cache_clear(c->ledgers);
	r = ledger_load(c, from, from->member_id, "", &l);
	if (r == -EBADMSG || (r == 0 && l.gen == 0))
		return 0; /* none, or one that opened under no key of the member's */
	if (r != 0)
		return r;
	ledger_ad(from->member_id, "", ad);
	r = couplekey_seal(to, 0, LEDGER_KEY_ID, LEDGER_CTX, l.e, l.n * LEDGER_ENTRY, ad,
			   &sealed.data, &sealed.len);
	ledger_free(&l);
	if (r == 0) {
		r = STORE_CALL(c->st, ledger_put, from->member_id, "", &sealed, l.gen);
		if (r > 0)
			r = -EIO; /* a race lost inside the rotation's transaction: none can be */
	}
	store_blob_free(&sealed);
	return r;
}
