/*
 * faultfs.c: an LD_PRELOAD library that makes the server's storage fail on
 * demand, for tests/http/faults.test.mjs.
 *
 * It wraps the calls through which SQLite's unix VFS writes and syncs (on
 * Debian, libsqlite3 imports write, pwrite64, ftruncate64 and fdatasync;
 * the other names are wrapped too, so that another build of SQLite or the
 * server's own writes are caught as well) and calls the real ones, found
 * with dlsym(RTLD_NEXT).  A call fails instead when all of these hold:
 *
 *   - the file named by FAULTFS_CTL holds a fault (read again on every
 *     call, so a test switches faults on and off while the server runs):
 *       "fsync"  fsync and fdatasync fail with EIO, after doing nothing;
 *       "erofs"  the writing calls (write, pwrite, pwrite64, writev,
 *                pwritev, ftruncate, ftruncate64, fallocate,
 *                posix_fallocate) fail with EROFS;
 *       "eio"    the same calls fail with EIO;
 *     (empty, missing or anything else: no fault);
 *   - the descriptor is a regular file (so stderr, sockets and pipes work);
 *   - its path (/proc/self/fd/N) is under the directory FAULTFS_DIR.
 *
 * Only what is named here is wrapped; reads, opens and unlinks work.  The
 * shim opens no file but FAULTFS_CTL (the path of a descriptor comes from
 * readlink), so it never drops SQLite's POSIX locks, which any close() of a
 * database file would.
 */
/* pwrite and pwrite64 (and the other pairs) are separate names here: with
 * _FILE_OFFSET_BITS=64 (meson's default) the headers would rename the first
 * of each pair to the second. */
#undef _FILE_OFFSET_BITS
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum fault { FAULT_NONE, FAULT_FSYNC, FAULT_EROFS, FAULT_EIO };

/* The fault the control file names now (FAULT_NONE when it names none). */
static enum fault fault_now(void)
{
	const char *ctl = getenv("FAULTFS_CTL");
	char buf[16];
	ssize_t n;
	int fd;

	if (!ctl || !*ctl)
		return FAULT_NONE;
	fd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FAULT_NONE;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return FAULT_NONE;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (strcmp(buf, "fsync") == 0)
		return FAULT_FSYNC;
	if (strcmp(buf, "erofs") == 0)
		return FAULT_EROFS;
	if (strcmp(buf, "eio") == 0)
		return FAULT_EIO;
	return FAULT_NONE;
}

/* Whether fd is a regular file under FAULTFS_DIR. */
static int fd_in_scope(int fd)
{
	const char *dir = getenv("FAULTFS_DIR");
	char link[64], target[4096];
	struct stat sb;
	size_t len;
	ssize_t n;

	if (!dir || !*dir || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	return strncmp(target, dir, len) == 0 && target[len] == '/';
}

/*
 * The errno that a call of this class on fd fails with now, or 0 to call
 * the real function.  errno is left as it was when the answer is 0.
 */
static int injected(int fd, int is_sync)
{
	int saved = errno, err = 0;

	switch (fault_now()) {
	case FAULT_FSYNC:
		err = is_sync ? EIO : 0;
		break;
	case FAULT_EROFS:
		err = is_sync ? 0 : EROFS;
		break;
	case FAULT_EIO:
		err = is_sync ? 0 : EIO;
		break;
	case FAULT_NONE:
		break;
	}
	if (err && !fd_in_scope(fd))
		err = 0;
	errno = saved;
	return err;
}

/*
 * The real function called name, looked up once (a race between threads
 * looks up the same pointer twice, which is harmless).
 */
static void *real(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		if (!p) {
			static const char msg[] = "faultfs: a real function is missing\n";

			(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
			_exit(127);
		}
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	}
	return p;
}

/*
 * WRAP(ret, fail, name, is_sync, params, args): defines name(params), which
 * fails with the injected errno (returning fail) or calls the real name(args).
 */
#define WRAP(ret, fail, name, is_sync, params, args)                                               \
	ret name params;                                                                           \
	ret name params                                                                            \
	{                                                                                          \
		static void *slot;                                                                 \
		ret(*fn) params;                                                                   \
		int err = injected(fd, is_sync);                                                   \
                                                                                                   \
		if (err) {                                                                         \
			errno = err;                                                               \
			return fail;                                                               \
		}                                                                                  \
		*(void **)&fn = real(&slot, #name);                                                \
		return fn args;                                                                    \
	}

WRAP(int, -1, fsync, 1, (int fd), (fd))
WRAP(int, -1, fdatasync, 1, (int fd), (fd))
WRAP(ssize_t, -1, write, 0, (int fd, const void *buf, size_t n), (fd, buf, n))
WRAP(ssize_t, -1, pwrite, 0, (int fd, const void *buf, size_t n, off_t off), (fd, buf, n, off))
WRAP(ssize_t, -1, pwrite64, 0, (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))
WRAP(ssize_t, -1, writev, 0, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))
WRAP(ssize_t, -1, pwritev, 0, (int fd, const struct iovec *iov, int cnt, off_t off),
     (fd, iov, cnt, off))
WRAP(int, -1, ftruncate, 0, (int fd, off_t len), (fd, len))
WRAP(int, -1, ftruncate64, 0, (int fd, off64_t len), (fd, len))
WRAP(int, -1, fallocate, 0, (int fd, int mode, off_t off, off_t len), (fd, mode, off, len))
/* posix_fallocate reports its error as the result, not in errno */
WRAP(int, errno, posix_fallocate, 0, (int fd, off_t off, off_t len), (fd, off, len))
