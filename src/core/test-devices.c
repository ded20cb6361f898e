/*
 * test-devices.c: the short name of a browser made from its User-Agent
 * (only names of the fixed lists, never the header), and how a stored one
 * reads, untranslated here (no catalogs: the msgids).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/devices.h"

static const struct {
	const char *ua;
	const char *stored;
	const char *label;
} cases[] = {
	{"Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", "Firefox/Android",
	 "Firefox on Android"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	 "Chrome/126.0.0.0 Safari/537.36",
	 "Chrome/Windows", "Chrome on Windows"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
	 "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
	 "Safari/iPhone", "Safari on iPhone"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
	 "Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
	 "Chrome/iPhone", "Chrome on iPhone"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
	 "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
	 "Edge/macOS", "Edge on macOS"},
	{"Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
	 "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
	 "Samsung Internet/Android", "Samsung Internet on Android"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	 "HeadlessChrome/126.0.0.0 Safari/537.36",
	 "Chrome/Linux", "Chrome on Linux"},
	{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
	 "Chrome/126.0.0.0 Safari/537.36",
	 "Chrome/ChromeOS", "Chrome on ChromeOS"},
	{"curl/8.5.0", "", "Unknown browser"},
	{"node", "", "Unknown browser"},
	{"SomethingNew/1.0 (Windows NT 10.0)", "/Windows", "A browser on Windows"},
	{"Firefox/128.0", "Firefox/", "Firefox"},
};

static void test_from_ua(void **state)
{
	char out[STORE_BROWSER_LEN + 1], label[DEVICES_LABEL_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		devices_browser_from_ua(cases[i].ua, strlen(cases[i].ua), out);
		assert_string_equal(out, cases[i].stored);
		devices_browser_label(out, label, sizeof(label));
		assert_string_equal(label, cases[i].label);
	}
	devices_browser_from_ua(NULL, 0, out);
	assert_string_equal(out, "");
	/* only the given bytes are read: "Firefox/" past len is not there */
	devices_browser_from_ua("Opera Firefox/1", 6, out);
	assert_string_equal(out, "");
}

/* Whatever the file holds, only names of the lists are shown as such. */
static void test_label_of_anything(void **state)
{
	static const char *const odd[] = {
		NULL, "", "/", "Firefox", "<script>/Android", "Firefox/Plan9", "Firefox/Android/x",
	};
	static const char *const want[] = {
		"Unknown browser",	"Unknown browser", "Unknown browser", "Unknown browser",
		"A browser on Android", "Firefox",	   "Firefox",
	};
	char label[DEVICES_LABEL_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		devices_browser_label(odd[i], label, sizeof(label));
		assert_string_equal(label, want[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_ua),
		cmocka_unit_test(test_label_of_anything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
