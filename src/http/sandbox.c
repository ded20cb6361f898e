/*
 * sandbox.c: the server's seccomp filter, with libseccomp.
 *
 * An allow-list, found by running the HTTP test suite under `strace -f`
 * and keeping what the process does after start-up: libmicrohttpd's epoll
 * loop, SQLite's file I/O and locks (each worker thread opens its store
 * handle on its first request, so opening files stays allowed), libsodium's
 * guarded memory (mlock, mprotect, madvise) and randomness, glibc's locks
 * and time.  Not on the list, among others: execve, fork and clone, socket,
 * connect (unless the store is PostgreSQL: SANDBOX_DB_CLIENT), bind,
 * ptrace, mount, setuid and friends, chmod/chown of paths, kill of other
 * processes.
 *
 * AddressSanitizer's runtime makes calls of its own (reading
 * /proc/self/maps, sigaltstack, its report and exit paths) that would turn a
 * clean error report into a kill mid-report, so a sanitizer build runs
 * without the filter and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "build-config.h"
#include "http/sandbox.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_UNDER_ASAN 1
#endif
#endif

const char *sandbox_strerror(int outcome)
{
	switch (outcome) {
	case 0:
		return "seccomp filter in force";
	case SANDBOX_UNAVAILABLE:
		return "built without libseccomp: running without a seccomp filter";
	case SANDBOX_SKIPPED_SANITIZER:
		return "built with AddressSanitizer: running without a seccomp filter or Landlock";
	case SANDBOX_UNSUPPORTED:
		return "the kernel takes no seccomp filter: running without one";
	default:
		return "seccomp filter not installed";
	}
}

#if HAVE_SECCOMP && !defined(SANDBOX_UNDER_ASAN)
/*
 * What the server may call after start-up, by name (libseccomp resolves the
 * numbers for the build's architecture and skips names it does not have).
 */
static const char *const sandbox_allowed[] = {
	/* sockets: libmicrohttpd's epoll loop and its inter-thread wake-ups */
	"accept4",
	"accept",
	"recvfrom",
	"recvmsg",
	"sendto",
	"sendmsg",
	"sendfile",
	"shutdown",
	"setsockopt",
	"getsockopt",
	"getsockname",
	"getpeername",
	"epoll_wait",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_ctl",
	"poll",
	"ppoll",
	"select",
	"pselect6",
	"eventfd2",
	"pipe2",
	/* files: SQLite (database, -wal, -shm) and stdio */
	"read",
	"write",
	"readv",
	"writev",
	"pread64",
	"pwrite64",
	"preadv",
	"pwritev",
	"openat",
	"open",
	"close",
	"fstat",
	"newfstatat",
	"stat",
	"lstat",
	"statx",
	"lseek",
	"fcntl",
	"fsync",
	"fdatasync",
	"ftruncate",
	"unlink",
	"unlinkat",
	"access",
	"faccessat",
	"faccessat2",
	"readlink",
	"readlinkat",
	"getcwd",
	"fchown",
	/* memory: malloc, Argon2's buffers, libsodium's guarded pages (mmap and
	 * mprotect below, never with PROT_EXEC) */
	"munmap",
	"mremap",
	"madvise",
	"brk",
	"mlock",
	"munlock",
	"mlock2",
	/* threads, locks, time, randomness */
	"futex",
	"sched_yield",
	"nanosleep",
	"clock_nanosleep",
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"getrandom",
	"getpid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"set_robust_list",
	"rseq",
	"sysinfo",
	"uname",
	/* signals: the main thread's sigwait, abort() */
	"rt_sigprocmask",
	"rt_sigtimedwait",
	"rt_sigaction",
	"rt_sigreturn",
	"sigaltstack",
	"tgkill",
	/* leaving */
	"exit",
	"exit_group",
	"restart_syscall",
};

/*
 * SANDBOX_DB_CLIENT: a stream socket of the three families a database
 * address can have, and connect() on it.  Binding, listening and raw or
 * datagram sockets stay off the list.
 */
static int sandbox_allow_db_client(scmp_filter_ctx ctx)
{
	static const int families[] = {AF_UNIX, AF_INET, AF_INET6};
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < sizeof(families) / sizeof(families[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]),
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff, SOCK_STREAM));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0);
	return r;
}

int sandbox_enter(enum sandbox_mode mode, unsigned flags, char *errbuf, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	if ((unsigned)mode >= _SANDBOX_MODE_MAX)
		return -EINVAL;
	ctx = seccomp_init(mode == SANDBOX_ENFORCE ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		/* libseccomp probes the kernel first: no context means no seccomp */
		if (mode == SANDBOX_PERMISSIVE)
			return SANDBOX_UNSUPPORTED;
		snprintf(errbuf, errlen,
			 "cannot set up the seccomp filter (--no-seccomp runs without one)");
		return -EOPNOTSUPP;
	}
	/* every thread of the pool, not only this one */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r < 0)
		goto fail;
	for (i = 0; i < sizeof(sandbox_allowed) / sizeof(sandbox_allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(sandbox_allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			goto fail;
	}
	/*
	 * Memory that could run code: every library is mapped before the
	 * filter, so a mapping made executable now could only be someone's
	 * injected code.  mmap and mprotect are allowed without PROT_EXEC
	 * alone.
	 */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r < 0)
		goto fail;
	if (flags & SANDBOX_DB_CLIENT) {
		r = sandbox_allow_db_client(ctx);
		if (r < 0)
			goto fail;
	}
	/* libmicrohttpd's threads name themselves as they start, which may be
	 * just after this filter; prctl is allowed for that alone */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)PR_SET_NAME));
	if (r < 0)
		goto fail;
	r = seccomp_load(ctx);
	if (r < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	/* no seccomp() here (an old kernel, or valgrind, which runs every call
	 * itself): libseccomp says so as early as the TSYNC attribute */
	if (mode == SANDBOX_PERMISSIVE && (r == -EOPNOTSUPP || r == -ENOSYS)) {
		seccomp_release(ctx);
		return SANDBOX_UNSUPPORTED;
	}
	snprintf(errbuf, errlen,
		 "cannot install the seccomp filter: %s (--no-seccomp runs without one)",
		 strerror(-r));
	seccomp_release(ctx);
	return r;
}

#else

int sandbox_enter(enum sandbox_mode mode, unsigned flags, char *errbuf, size_t errlen)
{
	(void)flags;
	(void)errbuf;
	(void)errlen;
	if ((unsigned)mode >= _SANDBOX_MODE_MAX)
		return -EINVAL;
#ifdef SANDBOX_UNDER_ASAN
	return SANDBOX_SKIPPED_SANITIZER;
#else
	return SANDBOX_UNAVAILABLE;
#endif
}

#endif

/* ---- Landlock ------------------------------------------------------------ */

#ifdef SANDBOX_UNDER_ASAN
/* The runtime reads /proc/self/maps and writes its reports where it likes. */
int sandbox_files(const char *read_dir, const char *write_dir, char *errbuf, size_t errlen)
{
	(void)read_dir;
	(void)write_dir;
	(void)errbuf;
	(void)errlen;
	return SANDBOX_SKIPPED_SANITIZER;
}
#else
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 (Linux 6.2) */
#endif
#define SANDBOX_FS_V1 ((1ULL << 13) - 1) /* every right of ABI 1 */

/* One rule: path and what beneath it may be done. */
static int landlock_allow(int ruleset, const char *path, uint64_t access, char *errbuf,
			  size_t errlen)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access};
	int r = 0;

	/* raw-fd: a folder held open only while its rule is added */
	pb.parent_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pb.parent_fd < 0) {
		r = -errno;
		snprintf(errbuf, errlen, "cannot confine files to %s: %s", path, strerror(-r));
		return r;
	}
	if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
		r = -errno;
		snprintf(errbuf, errlen, "cannot confine files to %s: %s", path, strerror(-r));
	}
	/* raw-fd: the folder's O_PATH descriptor, never the database file */
	close(pb.parent_fd);
	return r;
}

int sandbox_files(const char *read_dir, const char *write_dir, char *errbuf, size_t errlen)
{
	struct landlock_ruleset_attr attr = {0};
	uint64_t readable = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	uint64_t writable = readable | LANDLOCK_ACCESS_FS_WRITE_FILE |
			    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG;
	long abi;
	int ruleset, r;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return SANDBOX_UNSUPPORTED; /* an older kernel, Landlock off, or valgrind */
	attr.handled_access_fs = SANDBOX_FS_V1;
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3) {
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
		writable |= LANDLOCK_ACCESS_FS_TRUNCATE;
	}
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		r = -errno;
		snprintf(errbuf, errlen, "cannot set up Landlock: %s", strerror(-r));
		return r;
	}
	r = write_dir ? landlock_allow(ruleset, write_dir, writable, errbuf, errlen) : 0;
	if (r == 0 && read_dir)
		r = landlock_allow(ruleset, read_dir, readable, errbuf, errlen);
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		r = -errno;
		snprintf(errbuf, errlen, "cannot set no_new_privs: %s", strerror(-r));
	}
	if (r == 0 && syscall(__NR_landlock_restrict_self, ruleset, 0) != 0) {
		r = -errno;
		snprintf(errbuf, errlen, "cannot enter Landlock: %s", strerror(-r));
	}
	/* raw-fd: the Landlock ruleset, not a file */
	close(ruleset);
	return r;
}
#endif
