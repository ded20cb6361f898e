/*
 * cli.c: the kintsugi command: subcommand dispatch, help texts, and the
 * start-up work of each subcommand.
 *
 * Settings are read by config.c; this file turns them into actions and
 * turns failures into one-line messages and exit codes (0 ok, 1 run-time
 * failure, 2 usage error).  `serve` prepares everything that can fail in a
 * way an operator should hear about before the first request (crypto
 * library, translations, database directory, migrations, write access) and
 * then hands over to server_run(), which binds, drops privileges and serves.
 *
 * When serve runs as root with --user, the database is prepared in a child
 * that has already become that user: the files it creates then belong to
 * the user the server will run as, and root never follows a path inside a
 * directory that user can write (which a symlink could turn against it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "build-config.h" /* generated: KINTSUGI_VERSION */

#include "cli/cli.h"
#include "cli/config.h"
#include "core/item.h"
#include "http/routes.h"
#include "http/server.h"
#include "i18n/i18n.h"
#include "store/store-copy.h"
#include "store/store.h"
#include "vault/vault.h"

#define ERRBUF_LEN 512

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv, FILE *out, FILE *err);
	void (*usage)(FILE *f);
};

/* The user `serve --user` becomes, copied out of getpwnam()'s static buffer. */
struct cli_user {
	bool drop; /* running as root with --user: prepare the database as this user */
	char name[CONFIG_USER_MAX];
	uid_t uid;
	gid_t gid;
};

/* Help texts ------------------------------------------------------------- */

static void usage_options(FILE *f, unsigned int cmd)
{
	const struct config_key *k;
	struct kconfig defaults;
	char opt[64], def[CONFIG_PATH_MAX];

	config_defaults(&defaults);
	fprintf(f,
		"Options (each also an environment variable, or a key in section [server] of the\n"
		"config file; flags win over the environment, which wins over the file):\n");
	fprintf(f, "  %-26s $KINTSUGI_CONFIG\n  %-26s INI file to read first\n", "--config FILE",
		"");
	for (k = config_keys; k->name; k++) {
		if (!(k->cmds & cmd))
			continue;
		if (k->type == CONFIG_BOOL)
			snprintf(opt, sizeof(opt), "--[no-]%s", k->flag);
		else
			snprintf(opt, sizeof(opt), "--%s %s", k->flag, k->metavar);
		if (config_get(&defaults, k->name, def, sizeof(def)) < 0)
			def[0] = '\0';
		fprintf(f, "  %-26s $%s%s%s%s\n", opt, k->env, def[0] ? " (default " : "", def,
			def[0] ? ")" : "");
		fprintf(f, "  %-26s %s\n", "", k->help);
	}
	fprintf(f, "  %-26s show this text\n", "-h, --help");
}

static void usage_serve(FILE *f)
{
	fprintf(f, "Usage: kintsugi serve [OPTIONS]\n\n"
		   "Run the web server in the foreground until SIGINT or SIGTERM.  Creates the\n"
		   "database and applies its migrations when needed.\n\n");
	usage_options(f, CONFIG_CMD_SERVE);
}

static void usage_backup(FILE *f)
{
	fprintf(f, "Usage: kintsugi backup [--db PATH] [--config FILE] FILE\n\n"
		   "Copy the database to FILE with SQLite's online backup; safe while the server\n"
		   "runs.  FILE must not exist yet.  Its content stays encrypted as in the "
		   "database.\n\n");
	usage_options(f, CONFIG_CMD_DB);
}

static void usage_migrate(FILE *f)
{
	fprintf(f, "Usage: kintsugi migrate [--db PATH] [--config FILE]\n\n"
		   "Apply pending database migrations and print the schema version.\n\n");
	usage_options(f, CONFIG_CMD_DB);
}

static void usage_check(FILE *f)
{
	fprintf(f, "Usage: kintsugi check [--db PATH] [--config FILE]\n\n"
		   "Open the database and report whether it is usable.\n\n");
	usage_options(f, CONFIG_CMD_DB);
}

static void usage_copy(FILE *f)
{
	fprintf(f, "Usage: kintsugi copy --from sqlite:PATH --to postgresql://USER@HOST/DB\n"
		   "       kintsugi copy --from postgresql://USER@HOST/DB --to sqlite:PATH\n\n"
		   "Copy every row of a SQLite database into an empty PostgreSQL database, or\n"
		   "back into a new SQLite file, in one transaction.  Sealed fields are copied\n"
		   "as they are stored: no key is loaded and nothing is decrypted.  The source\n"
		   "must be at this kintsugi's schema version (run 'kintsugi migrate' on it\n"
		   "first); the PostgreSQL target gets its schema when it has none and must\n"
		   "hold no data; a SQLite target must not exist yet.  The source is read in\n"
		   "one snapshot, so a running server does no harm, but what it writes after\n"
		   "the copy began is not copied: stop it to move for good.\n\n"
		   "  --from NAME                the database to read: sqlite:PATH (a plain PATH\n"
		   "                             too) or postgresql://...\n"
		   "  --to NAME                  the database to fill: the other kind\n"
		   "  -h, --help                 show this text\n"
		   "Give a PostgreSQL password through ~/.pgpass or PGPASSWORD.\n");
}

static void usage_routes(FILE *f)
{
	fprintf(f, "Usage: kintsugi routes --api | --pages | --kinds | --registry\n\n"
		   "Print the table of docs/api.md for the API routes (--api) or the pages\n"
		   "(--pages) made from the registry of item kinds, or those kinds and their\n"
		   "fields as JSON (--kinds), or every kind of the registry, those with code\n"
		   "of their own too, as JSON [{name, parent, plural}] (--registry).\n");
}

static void usage_version(FILE *f)
{
	fprintf(f, "Usage: kintsugi version\n\nPrint the version.\n");
}

/* Shared steps ----------------------------------------------------------- */

/*
 * Read the settings for subcommand name; returns -1 to go on, else the exit
 * code to return now (help printed, or a message written).
 */
static int load(struct kconfig *cfg, unsigned int cmd, int argc, char **argv, int *first,
		const struct cli_command *self, FILE *out, FILE *err)
{
	char errbuf[ERRBUF_LEN] = "";
	int r;

	r = config_load(cfg, cmd, argc, argv, getenv, first, errbuf, sizeof(errbuf));
	if (r == CONFIG_HELP) {
		self->usage(out);
		return CLI_EXIT_OK;
	}
	if (r == -EINVAL) {
		fprintf(err, "kintsugi %s: %s\nRun 'kintsugi %s --help' for its options.\n",
			self->name, errbuf, self->name);
		return CLI_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(err, "kintsugi %s: %s\n", self->name, errbuf[0] ? errbuf : strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	return -1;
}

static int want_positionals(int argc, char **argv, int first, int want,
			    const struct cli_command *self, FILE *err)
{
	if (argc - first == want)
		return -1;
	if (argc - first > want)
		fprintf(err, "kintsugi %s: unexpected argument '%s'\n", self->name,
			argv[first + want]);
	else
		fprintf(err, "kintsugi %s: missing argument\n", self->name);
	fprintf(err, "Run 'kintsugi %s --help' for its usage.\n", self->name);
	return CLI_EXIT_USAGE;
}

static bool db_is_url(const char *db)
{
	return strstr(db, "://") != NULL;
}

/* The database as messages show it: a PostgreSQL URL without its password. */
static const char *db_shown(const char *db)
{
	static char buf[4096];

	return store_url_shown(db, buf, sizeof(buf));
}

/*
 * Create every missing directory above the file path, mode 0700 (the
 * database holds sealed data, and nobody else needs to list it).  A new
 * directory is handed to user when user is not NULL.
 */
static int make_parents(const char *path, const struct cli_user *user, const char *name, FILE *err)
{
	char dir[CONFIG_PATH_MAX];
	size_t n = strlen(path), i;

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (i = 1; i < n; i++) {
		int fd;

		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) < 0) {
			int e = errno;

			if (e != EEXIST) {
				fprintf(err, "kintsugi %s: cannot create directory %s: %s\n", name,
					dir, strerror(e));
				return -e;
			}
		} else if (user) {
			/* fchown on what we just made, never a path a symlink could redirect */
			/* raw-fd: a parent directory of the database, never the file */
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 || fchown(fd, user->uid, user->gid) < 0) {
				fprintf(err, "kintsugi %s: cannot give directory %s to %s: %s\n",
					name, dir, user->name, strerror(errno));
				if (fd >= 0)
					close(fd); /* raw-fd: the same file */
				return -EPERM;
			}
			close(fd); /* raw-fd: the same file */
		}
		dir[i] = '/';
	}
	return 0;
}

/* Open the store at db, with "cannot open database PATH: reason" on failure. */
static int open_store(const char *db, bool must_exist, const char *name, struct store **ret,
		      FILE *err)
{
	char errbuf[ERRBUF_LEN] = "";
	struct stat sb;
	int r;

	if (must_exist && !db_is_url(db) && stat(db, &sb) < 0) {
		fprintf(err, "kintsugi %s: cannot open database %s: %s\n", name, db_shown(db),
			strerror(errno));
		return -ENOENT;
	}
	r = store_open(db, ret, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(err, "kintsugi %s: cannot open database %s: %s\n", name, db_shown(db),
			errbuf[0] ? errbuf : strerror(-r));
		return r;
	}
	return 0;
}

/* Open once: migrations applied, and a write transaction can start. */
static int check_store(const char *db, FILE *err)
{
	struct store *st = NULL;
	int r;

	r = open_store(db, false, "serve", &st, err);
	if (r < 0)
		goto out;
	r = store_migrate(st);
	if (r < 0) {
		fprintf(err,
			"kintsugi serve: cannot open database %s: cannot apply migrations (%s)\n",
			db, strerror(-r));
		goto out;
	}
	r = st->ops->begin(st);
	if (r < 0) {
		fprintf(err, "kintsugi serve: cannot open database %s: it is not writable\n", db);
		goto out;
	}
	r = st->ops->rollback(st);
out:
	store_close(st);
	return r < 0 ? r : 0;
}

/* check_store() in a child that has become user; 0 when it succeeded. */
static int check_store_as(const char *db, const struct cli_user *user, FILE *out, FILE *err)
{
	int status;
	pid_t pid;

	fflush(out);
	fflush(err);
	pid = fork();
	if (pid < 0) {
		fprintf(err, "kintsugi serve: cannot fork: %s\n", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		int r = 1;

		if (initgroups(user->name, user->gid) < 0 || setgid(user->gid) < 0 ||
		    setuid(user->uid) < 0) {
			fprintf(err, "kintsugi serve: cannot become user %s: %s\n", user->name,
				strerror(errno));
			goto child_out;
		}
		if (setuid(0) == 0) { /* a drop that can be undone is no drop */
			fprintf(err, "kintsugi serve: could get root back after becoming %s\n",
				user->name);
			goto child_out;
		}
		r = check_store(db, err) < 0 ? 1 : 0;
	child_out:
		fflush(err);
		_exit(r);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* Subcommands ------------------------------------------------------------ */

static int cmd_serve(int argc, char **argv, FILE *out, FILE *err);
static int cmd_backup(int argc, char **argv, FILE *out, FILE *err);
static int cmd_migrate(int argc, char **argv, FILE *out, FILE *err);
static int cmd_check(int argc, char **argv, FILE *out, FILE *err);
static int cmd_version(int argc, char **argv, FILE *out, FILE *err);
static int cmd_copy(int argc, char **argv, FILE *out, FILE *err);
/* Every kind of the registry as JSON: what a test that must know them all compares with. */
static void print_registry(FILE *out)
{
	size_t i;

	fprintf(out, "[");
	for (i = 0; item_kinds[i]; i++) {
		const struct item_kind *k = item_kinds[i];

		fprintf(out, "%s\n{\"name\":\"%s\",\"parent\":%s%s%s,\"plural\":%s%s%s}",
			i ? "," : "", k->name, k->parent ? "\"" : "",
			k->parent ? k->parent : "null", k->parent ? "\"" : "",
			k->plural ? "\"" : "", k->plural ? k->plural : "null",
			k->plural ? "\"" : "");
	}
	fprintf(out, "\n]\n");
}

static int cmd_routes(int argc, char **argv, FILE *out, FILE *err);

static const struct cli_command commands[] = {
	{"serve", "run the web server in the foreground", cmd_serve, usage_serve},
	{"backup", "copy the database to a new file, safely while serving", cmd_backup,
	 usage_backup},
	{"migrate", "apply pending database migrations", cmd_migrate, usage_migrate},
	{"check", "open the database and report whether it is usable", cmd_check, usage_check},
	{"copy", "copy a SQLite database into an empty PostgreSQL one, or back", cmd_copy,
	 usage_copy},
	{"routes", "print the routes made from the registry of item kinds", cmd_routes,
	 usage_routes},
	{"version", "print the version", cmd_version, usage_version},
	{NULL, NULL, NULL, NULL},
};

static void usage_top(FILE *f)
{
	const struct cli_command *c;

	fprintf(f, "Usage: kintsugi COMMAND [OPTIONS]\n\nCommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'kintsugi COMMAND --help' for the options of a command.\n");
}

static const struct cli_command *command_find(const char *name)
{
	const struct cli_command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* listen_is_loopback() - true for 127.0.0.0/8 and ::1, the host's own addresses. */
static bool listen_is_loopback(const struct kconfig *cfg)
{
	unsigned char a[16];

	if (cfg->listen_family == AF_INET6)
		return inet_pton(AF_INET6, cfg->listen_addr, a) == 1 &&
		       memcmp(a, &in6addr_loopback, sizeof(a)) == 0;
	return inet_pton(AF_INET, cfg->listen_addr, a) == 1 && a[0] == 127;
}

static int cmd_serve(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *self = command_find("serve");
	char errbuf[ERRBUF_LEN] = "";
	struct cli_user user = {.drop = false};
	struct kconfig *cfg;
	bool i18n_loaded = false;
	struct stat sb;
	int first, rc, r;

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(err, "kintsugi serve: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	rc = load(cfg, CONFIG_CMD_SERVE, argc, argv, &first, self, out, err);
	if (rc >= 0)
		goto out;
	rc = want_positionals(argc, argv, first, 0, self, err);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_FAILURE;

	/* kintsugi-test derives keys at Argon2id's lowest cost (vault.c): it
	 * serves the tests on this host, never a member over a network. */
	if (vault_kdf_lowest() && !listen_is_loopback(cfg)) {
		fprintf(err,
			"kintsugi serve: this build is for tests (Argon2id at its lowest cost) "
			"and listens on loopback addresses only, not %s\n",
			cfg->listen_addr);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (cfg->user[0]) {
		const struct passwd *pw = getpwnam(cfg->user);

		if (!pw) {
			fprintf(err, "kintsugi serve: no such user '%s'\n", cfg->user);
			goto out;
		}
		memcpy(user.name, cfg->user, sizeof(user.name));
		user.uid = pw->pw_uid;
		user.gid = pw->pw_gid;
		user.drop = geteuid() == 0 && pw->pw_uid != 0;
	}
	if (stat(cfg->data_dir, &sb) < 0) {
		fprintf(err, "kintsugi serve: data directory %s: %s\n", cfg->data_dir,
			strerror(errno));
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		fprintf(err, "kintsugi serve: data directory %s: not a directory\n", cfg->data_dir);
		goto out;
	}
	if (vault_init() < 0) {
		fprintf(err, "kintsugi serve: cannot initialise the crypto library\n");
		goto out;
	}
	r = i18n_init(cfg->locale_dir, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(err, "kintsugi serve: cannot load translations from %s: %s\n",
			cfg->locale_dir, errbuf[0] ? errbuf : strerror(-r));
		goto out;
	}
	i18n_loaded = true;

	if (!db_is_url(cfg->db) &&
	    make_parents(cfg->db, user.drop ? &user : NULL, "serve", err) < 0)
		goto out;
	r = user.drop ? check_store_as(cfg->db, &user, out, err) : check_store(cfg->db, err);
	if (r < 0)
		goto out;

	/* The start-up line, "kintsugi VERSION listening on http://ADDR:PORT"
	 * (config_listen_url()), is printed by server_run() once the bind has
	 * succeeded, so that it never announces an address that failed. */
	fflush(err);

	errbuf[0] = '\0';
	r = server_run(cfg, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(err, "kintsugi serve: %s\n", errbuf[0] ? errbuf : strerror(-r));
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	if (i18n_loaded)
		i18n_fini();
	free(cfg);
	return rc;
}

static int cmd_backup(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *self = command_find("backup");
	struct store *st = NULL;
	struct kconfig *cfg;
	const char *dest;
	struct stat sb;
	int first, rc, r;

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(err, "kintsugi backup: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	rc = load(cfg, CONFIG_CMD_DB, argc, argv, &first, self, out, err);
	if (rc >= 0)
		goto out;
	rc = want_positionals(argc, argv, first, 1, self, err);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_FAILURE;
	dest = argv[first];

	/* The backup op creates dest; the name is checked here so that an
	 * existing file (perhaps the previous good backup) is never replaced. */
	if (lstat(dest, &sb) == 0) {
		fprintf(err, "kintsugi backup: %s already exists; refusing to overwrite it\n",
			dest);
		goto out;
	}
	if (errno != ENOENT) {
		fprintf(err, "kintsugi backup: cannot write %s: %s\n", dest, strerror(errno));
		goto out;
	}
	if (open_store(cfg->db, true, "backup", &st, err) < 0)
		goto out;
	r = st->ops->backup(st, dest);
	if (r == -EOPNOTSUPP) {
		/* a PostgreSQL database: its own tool copies it, consistent and online */
		fprintf(err,
			"kintsugi backup: %s is a PostgreSQL database: back it up with pg_dump "
			"(pg_dump --format=custom --file=%s '%s'; add the password through "
			"~/.pgpass or PGPASSWORD), and restore it with pg_restore\n",
			db_shown(cfg->db), dest, db_shown(cfg->db));
		goto out;
	}
	if (r < 0) {
		fprintf(err, "kintsugi backup: cannot write %s: %s\n", dest, strerror(-r));
		if (lstat(dest, &sb) == 0)
			unlink(dest);
		goto out;
	}
	fprintf(out, "backed up %s to %s\n", db_shown(cfg->db), dest);
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	free(cfg);
	return rc;
}

static int cmd_migrate(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *self = command_find("migrate");
	struct store *st = NULL;
	struct kconfig *cfg;
	int first, rc, r;

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(err, "kintsugi migrate: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	rc = load(cfg, CONFIG_CMD_DB, argc, argv, &first, self, out, err);
	if (rc >= 0)
		goto out;
	rc = want_positionals(argc, argv, first, 0, self, err);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_FAILURE;

	if (!db_is_url(cfg->db) && make_parents(cfg->db, NULL, "migrate", err) < 0)
		goto out;
	if (open_store(cfg->db, false, "migrate", &st, err) < 0)
		goto out;
	r = store_migrate(st);
	if (r < 0) {
		fprintf(err, "kintsugi migrate: cannot migrate %s: %s\n", db_shown(cfg->db),
			strerror(-r));
		goto out;
	}
	fprintf(out, "schema version %d\n", r);
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	free(cfg);
	return rc;
}

/* Opens the database (applying migrations) and checks every page of it. */
static int cmd_check(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *self = command_find("check");
	struct store *st = NULL;
	struct kconfig *cfg;
	int first, rc;

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(err, "kintsugi check: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	rc = load(cfg, CONFIG_CMD_DB, argc, argv, &first, self, out, err);
	if (rc >= 0)
		goto out;
	rc = want_positionals(argc, argv, first, 0, self, err);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_FAILURE;

	if (open_store(cfg->db, true, "check", &st, err) < 0)
		goto out;
	rc = st->ops->check(st);
	if (rc != 0) {
		fprintf(err, "kintsugi check: database %s is damaged%s\n", db_shown(cfg->db),
			rc < 0 ? " or unreadable" : "");
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	fprintf(out, "database %s: ok\n", db_shown(cfg->db));
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	free(cfg);
	return rc;
}

/*
 * --NAME VALUE or --NAME=VALUE at argv[*i] into *ret (moving *i past it):
 * 1 when taken, 0 when argv[*i] is another option, -1 when VALUE is missing.
 */
static int take_option(int argc, char **argv, int *i, const char *name, const char **ret)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*ret = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*ret = argv[++*i];
	return 1;
}

/* One line on stderr per table copied: its name and row count, never content. */
static void copy_progress(void *ctx, const char *table, int64_t rows)
{
	fprintf((FILE *)ctx, "kintsugi copy: %s: %lld row%s\n", table, (long long)rows,
		rows == 1 ? "" : "s");
}

/* Copies between SQLite and PostgreSQL, either way (store-copy.c does it all). */
static int cmd_copy(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *self = command_find("copy");
	const char *from = NULL, *to = NULL;
	struct store_copy_stats stats = {0};
	char errbuf[ERRBUF_LEN] = "", from_shown[CONFIG_PATH_MAX], to_shown[CONFIG_PATH_MAX];
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			self->usage(out);
			return CLI_EXIT_OK;
		}
		r = take_option(argc, argv, &i, "--from", &from);
		if (r == 0)
			r = take_option(argc, argv, &i, "--to", &to);
		if (r < 0) {
			fprintf(err, "kintsugi copy: %s needs a value\n", argv[i]);
			fprintf(err, "Run 'kintsugi copy --help' for its usage.\n");
			return CLI_EXIT_USAGE;
		}
		if (r == 0) {
			fprintf(err, "kintsugi copy: unexpected argument '%s'\n", argv[i]);
			fprintf(err, "Run 'kintsugi copy --help' for its usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (!from || !*from || !to || !*to) {
		fprintf(err,
			"kintsugi copy: give both --from and --to (sqlite:PATH, postgresql://...)\n"
			"Run 'kintsugi copy --help' for its usage.\n");
		return CLI_EXIT_USAGE;
	}
	store_url_shown(from, from_shown, sizeof(from_shown));
	store_url_shown(to, to_shown, sizeof(to_shown));
	r = store_copy(from, to, copy_progress, err, &stats, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(err, "kintsugi copy: cannot copy %s to %s: %s\n", from_shown, to_shown,
			errbuf[0] ? errbuf : strerror(-r));
		return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
	}
	fprintf(out, "copied %lld rows of %zu tables from %s to %s\n", (long long)stats.rows,
		stats.tables, from_shown, to_shown);
	return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage_version(out);
		return CLI_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(err, "kintsugi version: unexpected argument '%s'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	fprintf(out, "kintsugi %s%s\n", KINTSUGI_VERSION,
		vault_kdf_lowest() ? " (for tests only: Argon2id at its lowest cost)" : "");
	return CLI_EXIT_OK;
}

/*
 * The kinds that are all data as JSON: what the registry-driven tests make
 * items of.  Names and choices are [a-z_] words: nothing to escape.
 */
static void print_kinds(FILE *out)
{
	static const char *const types[] = {"string", "secret", "bool",	  "int",     "enum",
					    "id",     "date",	"shared", "int_map", "enum_set"};
	_Static_assert(sizeof(types) / sizeof(types[0]) == _FIELD_TYPE_MAX,
		       "a name for every field type");
	const char *sep = "";
	size_t i, j, c;

	fprintf(out, "[");
	for (i = 0; item_kinds[i]; i++) {
		const struct item_kind *k = item_kinds[i];

		if (!k->plural)
			continue;
		fprintf(out,
			"%s\n{\"name\":\"%s\",\"plural\":\"%s\",\"who\":\"%s\","
			"\"writer\":\"%s\",\"shared_default\":%u,\"shared_allowed\":%u,"
			"\"fields\":[",
			sep, k->name, k->plural, k->partners_only ? "partner" : "member",
			k->partners_only || !k->care_may_create ? "partner" : "member",
			k->shared_default, k->shared_allowed);
		for (j = 0; j < k->nfields; j++) {
			const struct field *f = &k->fields[j];

			fprintf(out,
				"%s{\"name\":\"%s\",\"type\":\"%s\",\"required\":%s,"
				"\"min\":%lld,\"max\":%lld,\"sealed\":%s,\"choices\":[",
				j ? "," : "", f->name, types[f->type],
				f->required ? "true" : "false", f->min, f->max,
				item_field_sealed(k, j) ? "true" : "false");
			for (c = 0; f->choices && f->choices[c]; c++)
				fprintf(out, "%s\"%s\"", c ? "," : "", f->choices[c]);
			fprintf(out, "]}");
		}
		fprintf(out, "]}");
		sep = ",";
	}
	fprintf(out, "\n]\n");
}

static int cmd_routes(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage_routes(out);
		return CLI_EXIT_OK;
	}
	if (argc != 2 || (strcmp(argv[1], "--kinds") != 0 && strcmp(argv[1], "--api") != 0 &&
			  strcmp(argv[1], "--pages") != 0 && strcmp(argv[1], "--registry") != 0)) {
		usage_routes(err);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--kinds") == 0)
		print_kinds(out);
	else if (strcmp(argv[1], "--registry") == 0)
		print_registry(out);
	else if (routes_kinds_markdown(out,
				       strcmp(argv[1], "--api") == 0 ? ROUTE_API : ROUTE_PAGE) < 0)
		return CLI_EXIT_FAILURE;
	return fflush(out) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

int cli_run(int argc, char **argv, FILE *out, FILE *err)
{
	const struct cli_command *c;
	const char *name;

	if (argc < 2) {
		usage_top(err);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		usage_top(out);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		c = argc > 2 ? command_find(argv[2]) : NULL;
		if (c)
			c->usage(out);
		else
			usage_top(out);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0)
		name = "version";
	c = command_find(name);
	if (!c) {
		fprintf(err, "kintsugi: unknown command '%s'\n\n", name);
		usage_top(err);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1, out, err);
}
