/*
 * main.c: the kintsugi program.
 *
 * Everything happens in cli_run() (src/cli/cli.c) so that tests can drive
 * the command line; main() only sets what belongs to the whole process.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "http/parse.h"

int main(int argc, char **argv)
{
	/* The database, its -wal file and backups hold sealed data: whatever
	 * kintsugi creates is for its own user only (0600 files, 0700 dirs). */
	umask(077);
	/* decoded request bodies are wiped when jansson frees them */
	json_wipe_on_free();
	return cli_run(argc, argv, stdout, stderr);
}
