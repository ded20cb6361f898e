/*
 * ledger.h: the latest version of each changed row, under the writer's key
 * (issue 11, part 8: rollback).
 *
 * A row's version is bound into the associated data of its ciphertext, so
 * a ciphertext does not open in another version's row; but an older
 * version put back whole, with its older ciphertext and version number,
 * opens.  So the latest version of each changed row (version 2 and up) is
 * kept in ledgers, each a sorted array of LEDGER_ENTRY bytes (16 bytes of
 * id, 4 of version, big endian) sealed as one blob:
 *
 *   - each member's own ledger (ledgers.couple_id ""), under a subkey of
 *     their master key: every row they change, theirs or the partner's
 *     (an agreement, the conflict plan, an activity either may change);
 *   - each author's ledger in their couple, under the couple key: the
 *     changes, by either partner, of that author's shared rows, which both
 *     partners read and write.
 *
 * A reader checks a row against their own ledger and, when it is shared,
 * its author's ledger in the couple: a row older than either's entry does
 * not open, and lists leave it out and count it for the operator's log.
 * A ledger is written after its row (a failure between the two leaves it
 * behind the row, never ahead of it), counted (ledgers.gen) so that two
 * writes racing each other do not lose an entry.
 */
#ifndef KINTSUGI_CORE_LEDGER_H
#define KINTSUGI_CORE_LEDGER_H

#include <stdint.h>

#include "core/session.h"

/* bytes of one entry: the row id's 16 bytes, then its version (32 bits, big endian) */
#define LEDGER_ENTRY 20
/* entries a ledger holds at most (1.25 MiB): rows changed past it go unrecorded */
#define LEDGER_MAX 65536

/*
 * The ledgers one request has read, so that a list opens each once: a
 * request's struct core points at one (core.ledgers; NULL: none kept),
 * zeroed at first and cleared with ledger_cache_clear() when the request
 * ends.  A write of a ledger empties it.
 */
#define LEDGER_CACHE_SLOTS 4
struct ledger_cache {
	struct ledger_slot {
		char member_id[VAULT_ID_HEX + 1];
		char couple_id[VAULT_ID_HEX + 1];
		int r;		  /* how the load went: 0, or -EBADMSG */
		unsigned char *e; /* its entries (n of them) */
		size_t n;
	} slot[LEDGER_CACHE_SLOTS];
	unsigned used; /* slots filled, the oldest first replaced */
	unsigned next;
};

void ledger_cache_clear(struct ledger_cache *lc);

/*
 * ledger_check() - may row id of author_id (of table, in couple_id; shared:
 * the partner reads it, under the couple key), at version, open for s?  An
 * entry newer than version is no refusal when the row in the store is now
 * at least that new: a change landed between the read of the row and the
 * read of the ledger (rows are written before their entries), and what
 * was read is only a moment old.  0 when it may (no entry
 * newer than version); -EBADMSG when an entry is newer (an older version
 * put back), or when a ledger that should say does not open (but an
 * author's ledger in the couple still under a couple key from before s
 * joined lets a version 1 through: the ledger is sealed again only at the
 * next change of one of that author's shared rows); < 0 on other errors.
 */
int ledger_check(const struct core *c, const struct session *s, enum store_table table,
		 const char *couple_id, const char *author_id, int shared, const char *id,
		 int64_t version);

/*
 * ledger_note() - after s wrote row id of author_id at version: s's own
 * ledger, and when shared the author's ledger in the couple, hold version
 * as the row's latest.  A row at version 1 needs no entry: nothing is
 * older.  0 or < 0.
 */
int ledger_note(const struct core *c, const struct session *s, const char *author_id, int shared,
		const char *id, int64_t version);

/*
 * ledger_rekey() - first in a master-key rotation (account.c): the member's
 * own ledger, sealed under from->mk, sealed again under to->mk, so that
 * the rows it vouches for keep opening.  None, or one that does not open
 * under from (it vouched for nothing before either), is left as it is.
 * 0 or < 0.
 */
int ledger_rekey(const struct core *c, const struct session *from, const struct session *to);

#endif
