/*
 * test-sandbox.c: the seccomp filter does what sandbox.h says.  Each case
 * runs in a forked child, since a filter cannot be taken off again: in
 * force, a call off the list (socket, execve) ends the process with SIGSYS
 * while the calls serving needs still work; in permissive mode the same
 * call fails with EPERM; an executable mapping is refused too.  Landlock
 * confines files to two folders.  Skipped (exit 77) when the build has no filter
 * (no libseccomp, or AddressSanitizer) and under valgrind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/sandbox.h"

#define SKIP 77

/* Runs fn in a child under the filter; returns its wait status. */
static int in_child(enum sandbox_mode mode, unsigned flags, int (*fn)(void))
{
	char err[256];
	int status = 0;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		int r = sandbox_enter(mode, flags, err, sizeof(err));

		if (r > 0)
			_exit(SKIP);
		if (r < 0) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(2);
		}
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	return status;
}

/* What a worker thread does: memory, time, randomness, a file. */
static int allowed_calls(void)
{
	char buf[16] = "kintsugi";
	char *p = malloc(1 << 20);
	int fd;

	if (!p)
		return 3;
	memset(p, 1, 1 << 20);
	free(p);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || close(fd) < 0)
		return 4;
	return 0;
}

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0)
		return 5; /* got a socket: the filter let it through */
	return errno == EPERM ? 0 : 6;
}

static int run_shell(void)
{
	char *argv[] = {"/bin/sh", "-c", "exit 0", NULL};

	execv(argv[0], argv);
	return errno == EPERM ? 0 : 7;
}

/* Memory that could run code: never, after start-up (issue 11, part 12). */
static int exec_mapping(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		return 8;
	return errno == EPERM ? 0 : 9;
}

static int exec_protect(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 10;
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0)
		return 11;
	return errno == EPERM ? 0 : 12;
}

static int failures;

static void expect(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/*
 * SANDBOX_DB_CLIENT: a stream socket connects (here to a listener made
 * before the filter, as a PostgreSQL server is elsewhere); a datagram or
 * raw socket, bind and listen stay refused.
 */
static int db_port;

static int db_client(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)db_port)};
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 13;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return 14;
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 15;
	close(fd);
	return 0;
}

static int db_client_datagram(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	return fd >= 0 ? 16 : 0;
}

static int db_client_bind(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 17;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	return 18; /* still alive: bind was let through */
}

static void db_client_cases(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), st;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0) {
		expect(0, "a listener for the database-client cases");
		if (l >= 0)
			close(l);
		return;
	}
	db_port = ntohs(a.sin_port);
	st = in_child(SANDBOX_ENFORCE, SANDBOX_DB_CLIENT, db_client);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "PostgreSQL store: a stream socket connects to the database again");
	st = in_child(SANDBOX_ENFORCE, SANDBOX_DB_CLIENT, db_client_datagram);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "PostgreSQL store: a datagram socket still ends the process (SIGSYS)");
	st = in_child(SANDBOX_ENFORCE, SANDBOX_DB_CLIENT, db_client_bind);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "PostgreSQL store: bind still ends the process (SIGSYS)");
	st = in_child(SANDBOX_ENFORCE, 0, db_client);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "SQLite store: connecting out ends the process (SIGSYS)");
	close(l);
}

/*
 * Landlock (sandbox_files()): in a child confined to a data folder (read)
 * and a database folder (read, write, create, remove), a file elsewhere
 * does not open, whatever its permissions, and the folders work as the
 * server needs them.
 */
static char ll_data[64], ll_db[64];

static int confined_files(void)
{
	char err[256], path[128];
	int fd, r;

	r = sandbox_files(ll_data, ll_db, err, sizeof(err));
	if (r > 0)
		return SKIP;
	if (r < 0)
		return 20;
	/* the database's folder: a new file, written, truncated, removed */
	snprintf(path, sizeof(path), "%s/k.db-wal", ll_db);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || ftruncate(fd, 0) != 0 || close(fd) != 0)
		return 21;
	if (unlink(path) != 0)
		return 22;
	/* the data folder: read, not written */
	snprintf(path, sizeof(path), "%s/page.mustache", ll_data);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || close(fd) != 0)
		return 23;
	if (open(path, O_WRONLY | O_CLOEXEC) >= 0 || errno != EACCES)
		return 24;
	snprintf(path, sizeof(path), "%s/new", ll_data);
	if (open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 || errno != EACCES)
		return 25;
	/* anywhere else: nothing */
	if (open("/etc/passwd", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
		return 26;
	if (open("/tmp/kintsugi-landlock-escape", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 ||
	    errno != EACCES)
		return 27;
	return 0;
}

static void landlock_cases(void)
{
	char path[128];
	int status = 0, fd;
	pid_t pid;

	snprintf(ll_data, sizeof(ll_data), "/tmp/kintsugi-ll-data-XXXXXX");
	snprintf(ll_db, sizeof(ll_db), "/tmp/kintsugi-ll-db-XXXXXX");
	if (!mkdtemp(ll_data) || !mkdtemp(ll_db)) {
		expect(0, "Landlock: temporary folders");
		return;
	}
	snprintf(path, sizeof(path), "%s/page.mustache", ll_data);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	pid = fork();
	if (pid == 0)
		_exit(confined_files());
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP)
		printf("skipped: no Landlock in this kernel or build\n");
	else
		expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "Landlock: files only in the database's folder and the data folder");
	unlink(path);
	rmdir(ll_data);
	rmdir(ll_db);
}

/* Valgrind runs every call itself and knows no seccomp: nothing to test there. */
static int under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

int main(void)
{
	int st;

	if (under_valgrind()) {
		printf("skipped: valgrind has no seccomp\n");
		return SKIP;
	}
	setvbuf(stdout, NULL, _IONBF, 0); /* no buffered line is copied into the children */
	st = in_child(SANDBOX_ENFORCE, 0, allowed_calls);
	if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP) {
		printf("skipped: this build runs without a seccomp filter\n");
		return SKIP;
	}
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the calls serving needs still work");
	st = in_child(SANDBOX_ENFORCE, 0, new_socket);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "a new socket ends the process (SIGSYS)");
	st = in_child(SANDBOX_ENFORCE, 0, run_shell);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "execve ends the process (SIGSYS)");
	st = in_child(SANDBOX_PERMISSIVE, 0, new_socket);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "permissive: a new socket fails with EPERM");
	st = in_child(SANDBOX_PERMISSIVE, 0, allowed_calls);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "permissive: the calls serving needs work");
	st = in_child(SANDBOX_ENFORCE, 0, exec_mapping);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "an executable mapping ends the process (SIGSYS)");
	st = in_child(SANDBOX_ENFORCE, 0, exec_protect);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "making memory executable ends the process (SIGSYS)");
	st = in_child(SANDBOX_PERMISSIVE, 0, exec_mapping);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "permissive: an executable mapping fails");
	db_client_cases();
	landlock_cases();
	printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
