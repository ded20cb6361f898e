/*
 * pages-patience.c: the home page's part for step 5, "be patient and kind":
 * where the couple stands (the pace, the rituals they keep) and the one
 * next action, the partner first: an "I'm triggered" that waits for an
 * answer comes before anything the reader could do alone.  Now and then an
 * older appreciation comes back ("remember when").
 *
 * Nothing here counts days in a row or what was not done: a ritual is
 * something the couple means to do, never a score (issue 15).
 */
#include <errno.h>

#include <jansson.h>

#include "core/checkin.h"
#include "core/kindness.h"
#include "core/listening.h"
#include "core/pace.h"
#include "core/rituals.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* What stands: the pace first (paused, or what both want), then the rituals. */
static void step5_status(json_t *data, const struct pace_summary *ps, size_t rituals)
{
	char line[256];

	if (ps->paused) {
		web_set(data, "step5_status",
			_("Your pace is paused. Nothing is asked of either of you until it is "
			  "lifted."));
		return;
	}
	if (ps->both_yes) {
		web_format_count(line, sizeof(line),
				 ngettext_("You both said yes to %d step of your pace.",
					   "You both said yes to %d steps of your pace.",
					   (unsigned long)ps->both_yes),
				 (long)ps->both_yes);
		web_set(data, "step5_status", line);
		return;
	}
	if (rituals) {
		web_format_count(line, sizeof(line),
				 ngettext_("You keep %d ritual of connection together.",
					   "You keep %d rituals of connection together.",
					   (unsigned long)rituals),
				 (long)rituals);
		web_set(data, "step5_status", line);
		return;
	}
	web_set(data, "step5_status",
		_("Go at the pace of the slower of you. There is no hurry here."));
}

/* The one next action: its sentence, where it leads, its button. */
static void step5_next(json_t *data, size_t alerts, const struct pace_summary *ps, int has_plan,
		       size_t rituals, size_t listening)
{
	const char *text, *url, *button;

	if (alerts) {
		text = _("Your partner said they are triggered. They may need you now.");
		url = "/triggered";
		button = _("Be there for them");
		set_flag(data, "step5_alert", 1);
	} else if (ps->unanswered && !ps->paused) {
		text = _("Say, privately, which kinds of closeness feel right to you now. Your "
			 "partner never sees your answers.");
		url = "/pace";
		button = _("Set your pace");
	} else if (!has_plan) {
		text = _("Write down what would help you when something triggers you, so your "
			 "partner knows.");
		url = "/triggered";
		button = _("Write your plan");
	} else if (!rituals) {
		text = _("Choose a small ritual of connection: how you say goodbye in the "
			 "morning, or a weekly date.");
		url = "/rituals";
		button = _("Add a ritual");
	} else if (!listening) {
		text = _("Try the listening exercise together: one of you speaks, the other "
			 "listens and says back what they heard.");
		url = "/listening";
		button = _("Start listening");
	} else {
		text = _("Thank your partner for something small today.");
		url = "/appreciations";
		button = _("Write an appreciation");
	}
	web_set(data, "step5_text", text);
	web_set(data, "step5_url", url);
	web_set(data, "step5_button", button);
}

/* "Remember when": an older appreciation, now and then. */
static int step5_remember(struct kreq *r, json_t *data)
{
	struct appreciation a;
	char today[CHECKIN_DATE_LEN + 1];
	json_t *o;
	int found = 0, rc;

	checkin_today(today, 0);
	rc = appreciation_remember(r->core, r->session, today, &a, &found);
	if (rc != 0 || !found)
		return rc < 0 ? rc : 0;
	o = json_object();
	set_text(o, "body", a.v.values[APPRECIATION_F_BODY], a.v.lens[APPRECIATION_F_BODY]);
	set_flag(o, "mine", a.v.mine);
	set_date(r, o, "date", a.v.created_at);
	appreciation_clear(&a);
	if (!o || json_object_set_new(data, "step5_remember", o) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * page_home_step5() - see pages.h.  A part that cannot be read (an outcome
 * that is not an error, such as a partner who left) leaves its sentence
 * out; an error is the page's error.
 */
int page_home_step5(struct kreq *r, json_t *data)
{
	struct pace_summary ps = {0};
	size_t alerts = 0, daily = 0, weekly = 0, listening = 0;
	int has_plan = 0, rc;

	rc = kindness_home(r->core, r->session, &alerts, &has_plan);
	if (rc == 0)
		rc = pace_summary(r->core, r->session, &ps);
	if (rc == 0)
		rc = rituals_count(r->core, r->session, &daily, &weekly);
	if (rc == 0)
		rc = listening_count(r->core, r->session, &listening);
	if (rc == 0)
		rc = step5_remember(r, data);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	step5_status(data, &ps, daily + weekly);
	step5_next(data, alerts, &ps, has_plan, daily + weekly, listening);
	return 0;
}
