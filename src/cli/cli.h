/*
 * cli.h: kintsugi's subcommands (serve, backup, migrate, check, version)
 * and their help texts.
 *
 * main() is one call to cli_run(); everything it does lives behind it so
 * that tests can drive the command line with their own output streams.
 */
#ifndef KINTSUGI_CLI_H
#define KINTSUGI_CLI_H

#include <stdio.h>

/* Exit codes of the kintsugi command. */
enum cli_exit {
	CLI_EXIT_OK = 0,      /* done, or --help */
	CLI_EXIT_FAILURE = 1, /* something at run time failed: database, bind, files */
	CLI_EXIT_USAGE = 2,   /* bad subcommand, option, setting or config file content */
};

/*
 * cli_run() - run the command line argv[0..argc) (argv[0] is the program
 * name, argv[1] the subcommand) and return its exit code, one of enum
 * cli_exit.  Help and results go to out, diagnostics (each prefixed with
 * "kintsugi SUBCOMMAND: ") and the start-up line go to err.  Settings come
 * from the INI file, the process environment (getenv) and the flags; see
 * config.h.  `serve` returns only once the server stops.  argv may be
 * permuted.
 */
int cli_run(int argc, char **argv, FILE *out, FILE *err);

#endif
