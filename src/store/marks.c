/*
 * marks.c: sessions' last-seen marks held in memory (marks.h).
 *
 * Two open-addressing tables of MARKS_SLOTS, keyed by the session id (32
 * random hex characters, so a short FNV-1a hash spreads them), probed
 * linearly.  Nothing is ever removed from a table alone: a flush takes the
 * whole held table aside and a later one empties it, so there are no
 * tombstones.  The held table refuses a mark (MARKS_FULL) at three quarters
 * full, which a flush under way can let it reach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/marks.h"

#define MARKS_REFUSE (MARKS_SLOTS / 4 * 3)

int marks_init(struct marks *m, int64_t age_ms)
{
	pthread_condattr_t attr;
	int r;

	memset(m, 0, sizeof(*m));
	m->age_ms = age_ms;
	if (pthread_mutex_init(&m->lock, NULL) != 0)
		return -ENOMEM;
	/* marks_wait() sleeps until a time of marks_now_ms()'s clock */
	r = pthread_condattr_init(&attr);
	if (r == 0) {
		r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (r == 0)
			r = pthread_cond_init(&m->due, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (r != 0) {
		pthread_mutex_destroy(&m->lock);
		return -ENOMEM;
	}
	return 0;
}

void marks_destroy(struct marks *m)
{
	pthread_cond_destroy(&m->due);
	pthread_mutex_destroy(&m->lock);
	free(m->held);
	free(m->flushing);
	free(m->spare);
	memset(m, 0, sizeof(*m));
}

int64_t marks_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t marks_hash(const char *id)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < STORE_ID_LEN && id[i]; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32)) & (MARKS_SLOTS - 1);
}

/* id's slot in t, or the free slot where it would go (t is never full). */
static struct mark *marks_slot(struct mark *t, const char *id)
{
	size_t i = marks_hash(id);

	while (t[i].id[0] && memcmp(t[i].id, id, STORE_ID_LEN) != 0)
		i = (i + 1) & (MARKS_SLOTS - 1);
	return &t[i];
}

enum marks_put marks_put(struct marks *m, const char *id, const char *couple_id, const char *at,
			 int64_t now_ms)
{
	enum marks_put r = MARKS_HELD;
	struct mark *s;

	if (strlen(id) != STORE_ID_LEN || strlen(couple_id) != STORE_ID_LEN ||
	    strlen(at) != STORE_TIME_LEN)
		return MARKS_FULL;
	pthread_mutex_lock(&m->lock);
	if (!m->held)
		m->held = calloc(MARKS_SLOTS, sizeof(*m->held));
	if (!m->held) {
		r = MARKS_FULL;
		goto out;
	}
	s = marks_slot(m->held, id);
	if (s->id[0]) {
		if (strcmp(s->at, at) < 0)
			memcpy(s->at, at, sizeof(s->at));
	} else if (m->n_held >= MARKS_REFUSE) {
		r = MARKS_FULL;
		goto out;
	} else {
		memcpy(s->id, id, sizeof(s->id));
		memcpy(s->couple_id, couple_id, sizeof(s->couple_id));
		memcpy(s->at, at, sizeof(s->at));
		if (m->n_held++ == 0) {
			m->first_ms = now_ms;
			pthread_cond_signal(&m->due); /* a writer's thread starts its clock */
		}
	}
	if (!m->flushing && (m->n_held >= MARKS_MAX || now_ms - m->first_ms >= m->age_ms)) {
		r = MARKS_DUE;
		pthread_cond_signal(&m->due);
	}
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

static void marks_raise_from(struct mark *t, const char *id, char *at)
{
	struct mark *s;

	if (!t)
		return;
	s = marks_slot(t, id);
	if (s->id[0] && strcmp(s->at, at) > 0)
		memcpy(at, s->at, sizeof(s->at));
}

void marks_raise(struct marks *m, const char *id, char *at)
{
	if (strlen(id) != STORE_ID_LEN)
		return;
	pthread_mutex_lock(&m->lock);
	marks_raise_from(m->held, id, at);
	marks_raise_from(m->flushing, id, at);
	pthread_mutex_unlock(&m->lock);
}

/* Append t's marks to out (room for them all); returns how many now. */
static size_t marks_gather(const struct mark *t, struct mark *out, size_t n)
{
	for (size_t i = 0; t && i < MARKS_SLOTS; i++)
		if (t[i].id[0])
			out[n++] = t[i];
	return n;
}

int marks_take(struct marks *m, struct mark **ret, size_t *ret_n)
{
	struct mark *copy;
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	pthread_mutex_lock(&m->lock);
	if (m->flushing || m->n_held == 0)
		goto out;
	if (!m->spare)
		m->spare = calloc(MARKS_SLOTS, sizeof(*m->spare));
	copy = malloc(m->n_held * sizeof(*copy));
	if (!m->spare || !copy) {
		free(copy);
		r = -ENOMEM;
		goto out;
	}
	*ret_n = marks_gather(m->held, copy, 0);
	*ret = copy;
	m->flushing = m->held;
	m->held = m->spare;
	m->spare = NULL;
	m->n_held = 0;
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

void marks_done(struct marks *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->flushing) {
		memset(m->flushing, 0, MARKS_SLOTS * sizeof(*m->flushing));
		free(m->spare);
		m->spare = m->flushing;
		m->flushing = NULL;
		pthread_cond_signal(&m->due); /* marks held meanwhile may be due */
	}
	pthread_mutex_unlock(&m->lock);
}

int marks_copy(struct marks *m, struct mark **ret, size_t *ret_n)
{
	struct mark *copy = NULL;
	size_t n = 0;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; m->flushing && i < MARKS_SLOTS; i++)
		n += m->flushing[i].id[0] != 0;
	n += m->n_held;
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (copy)
			n = marks_gather(m->flushing, copy, marks_gather(m->held, copy, 0));
		else
			r = -ENOMEM;
	}
	pthread_mutex_unlock(&m->lock);
	*ret = copy;
	*ret_n = copy ? n : 0;
	return r;
}

bool marks_wait(struct marks *m)
{
	struct timespec until;
	int64_t at;
	bool go_on;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		if (m->stopping)
			break;
		if (m->n_held == 0 || m->flushing) {
			pthread_cond_wait(&m->due, &m->lock);
			continue;
		}
		at = m->first_ms + m->age_ms;
		if (m->n_held >= MARKS_MAX || marks_now_ms() >= at)
			break;
		until.tv_sec = (time_t)(at / 1000);
		until.tv_nsec = (long)(at % 1000) * 1000000L;
		pthread_cond_timedwait(&m->due, &m->lock, &until);
	}
	go_on = !m->stopping;
	pthread_mutex_unlock(&m->lock);
	return go_on;
}

void marks_stop(struct marks *m)
{
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->due);
	pthread_mutex_unlock(&m->lock);
}
