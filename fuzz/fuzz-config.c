/*
 * fuzz-config.c: libFuzzer target for the configuration parser.
 *
 * The input is the text of an INI file, parsed by config_parse_ini(): the
 * same inih handler and line reader that read --config files, over a
 * (buf, len) buffer that need not end in NUL.  Its first line is also
 * given to config_set() as raw "key=value", to reach the value parsers with
 * bytes inih would have trimmed.  Whatever the input, the parser must not
 * crash or leak, a message must be one printable line, and a configuration
 * that parsed must survive config_get() -> config_set() unchanged.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Isrc -I<builddir> \
 *   fuzz/fuzz-config.c src/cli/config.c src/vault/vault.c -linih -lsodium
 * Run:   ./fuzz-config -dict=fuzz/config.dict fuzz/out/config fuzz/corpus/config
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *msg)
{
	for (; *msg; msg++)
		if (*msg < 0x20 || *msg >= 0x7f)
			__builtin_trap();
}

static void check_round_trip(const struct kconfig *cfg)
{
	const struct config_key *k;
	struct kconfig again;
	char buf[CONFIG_PATH_MAX], err[512];

	config_defaults(&again);
	for (k = config_keys; k->name; k++) {
		if (config_get(cfg, k->name, buf, sizeof(buf)) < 0)
			__builtin_trap();
		if (k->type == CONFIG_STRING && !buf[0])
			continue; /* locale_dir before config_finish() */
		if (config_set(&again, k->name, buf, NULL, err, sizeof(err)) < 0)
			__builtin_trap();
	}
	if (memcmp(&again, cfg, sizeof(again)) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kconfig cfg;
	char err[512] = "";
	char *line, *eq, *nl;

	config_defaults(&cfg);
	if (config_parse_ini(&cfg, (const char *)data, size, "fuzz", err, sizeof(err)) == 0) {
		check_round_trip(&cfg);
		err[0] = '\0';
		if (config_finish(&cfg, err, sizeof(err)) == 0)
			check_round_trip(&cfg);
	}
	check_message(err);

	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	eq = strchr(line, '=');
	if (eq) {
		*eq = '\0';
		config_defaults(&cfg);
		err[0] = '\0';
		if (config_set(&cfg, line, eq + 1, NULL, err, sizeof(err)) == 0)
			check_round_trip(&cfg);
		check_message(err);
	}
	free(line);
	return 0;
}
