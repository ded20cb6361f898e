/*
 * test-sandbox.c: the seccomp filter does what sandbox.h says.  Each case
 * runs in a forked child, since a filter cannot be taken off again: in
 * force, a call off the list (socket, execve) ends the process with SIGSYS
 * while the calls serving needs still work; in permissive mode the same
 * call fails with EPERM.  Skipped (exit 77) when the build has no filter
 * (no libseccomp, or AddressSanitizer) and under valgrind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/sandbox.h"

#define SKIP 77

/* Runs fn in a child under the filter; returns its wait status. */
static int in_child(enum sandbox_mode mode, int (*fn)(void))
{
	char err[256];
	int status = 0;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		int r = sandbox_enter(mode, err, sizeof(err));

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

static int failures;

static void expect(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
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
	st = in_child(SANDBOX_ENFORCE, allowed_calls);
	if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP) {
		printf("skipped: this build runs without a seccomp filter\n");
		return SKIP;
	}
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the calls serving needs still work");
	st = in_child(SANDBOX_ENFORCE, new_socket);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "a new socket ends the process (SIGSYS)");
	st = in_child(SANDBOX_ENFORCE, run_shell);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "execve ends the process (SIGSYS)");
	st = in_child(SANDBOX_PERMISSIVE, new_socket);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "permissive: a new socket fails with EPERM");
	st = in_child(SANDBOX_PERMISSIVE, allowed_calls);
	expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "permissive: the calls serving needs work");
	printf("%d passed, %d failed\n", 5 - failures, failures);
	return failures ? 1 : 0;
}
