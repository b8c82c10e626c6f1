/* Output files: how every command writes standard output and -o FILE.
 *
 * As cp and git do: a regular file (or a new one) is replaced atomically
 * through a temporary beside it; a symlink is followed and its final
 * target replaced, the link itself left alone; a device node, FIFO or
 * socket is written in place and never unlinked or replaced.  On any
 * error only our own temporary is removed.
 *
 * The stream is a stdio FILE over our own write function, which keeps the
 * errno of the first failed write: stdio forgets it (after a failed
 * flush glibc drops the buffer, and a later fflush() succeeds), and the
 * message must say why ("No space left on device").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

/* Symlinks followed before giving up, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

/* Returns the bytes written, fewer on error (stdio then sets the error
 * flag); never negative, as fopencookie(3) requires: glibc's stdio would
 * take -1 for a huge count and read past the caller's buffer. */
static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct outfile *o = cookie;
	size_t done = 0;

	if (o->error) {
		errno = o->error;
		return 0;
	}
	while (done < n) {
		ssize_t k = write(o->fd, buf + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			o->error = k < 0 ? errno : EIO;
			errno = o->error;
			break;
		}
		done += (size_t)k;
	}
	return (ssize_t)done;
}

/* The descriptor is closed by outfile_close(), which checks the result. */
static int sink_close(void *cookie)
{
	(void)cookie;
	return 0;
}

/* A stdio stream writing to o->fd through sink_write(); NULL if no memory. */
static FILE *sink_open(struct outfile *o)
{
	cookie_io_functions_t io = {.write = sink_write, .close = sink_close};
	FILE *fp = fopencookie(o, "w", io);

	if (fp)
		setvbuf(fp, NULL, isatty(o->fd) ? _IOLBF : _IOFBF, 1 << 16);
	return fp;
}

static int fail(struct outfile *o, int e)
{
	say("cannot write '%s': %s", o->name, strerror(e));
	return EXIT_FAILURE_;
}

/* dir of path (up to its last '/') followed by name, malloc'd. */
static char *beside(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t nlen = strlen(name);
	char *s = malloc(dlen + nlen + 1);

	if (s) {
		memcpy(s, path, dlen);
		memcpy(s + dlen, name, nlen + 1);
	}
	return s;
}

/* Follow *path while it is a symlink: on return *path (malloc'd, replaced
 * as links are followed) names no symlink, and *st describes it, or
 * *exists is false when nothing is there yet (a dangling link's target is
 * created, as the shell's > does).  0, or an errno value. */
static int resolve(char **path, struct stat *st, bool *exists)
{
	for (int hops = 0;; hops++) {
		if (lstat(*path, st)) {
			if (errno != ENOENT)
				return errno;
			*exists = false;
			return 0;
		}
		*exists = true;
		if (!S_ISLNK(st->st_mode))
			return 0;
		if (hops == MAX_LINKS)
			return ELOOP;
		size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
		char *link;
		ssize_t n;
		for (;;) {
			if (!(link = malloc(cap)))
				return ENOMEM;
			n = readlink(*path, link, cap);
			if (n < 0) {
				int e = errno;
				free(link);
				return e;
			}
			if ((size_t)n < cap)
				break;
			free(link);
			cap *= 2;
		}
		link[n] = '\0';
		char *next = link[0] == '/' ? strdup(link) : beside(*path, link);
		free(link);
		if (!next)
			return ENOMEM;
		free(*path);
		*path = next;
	}
}

/* Create our temporary beside o->target with O_EXCL: the file mode is
 * 0666 less the umask, as for any new file.  0, or an errno value. */
static int make_temp(struct outfile *o)
{
	const char *slash = strrchr(o->target, '/');
	const char *base = slash ? slash + 1 : o->target;
	static unsigned counter;
	char name[96];

	for (int tries = 0; tries < 100; tries++) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		snprintf(name, sizeof(name), ".%.48s.%ld.%x%lx.tmp", base, (long)getpid(),
			 counter++, (unsigned long)t.tv_nsec);
		free(o->tmp);
		if (!(o->tmp = beside(o->target, name)))
			return ENOMEM;
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	int e = errno;
	free(o->tmp);
	o->tmp = NULL;
	return e;
}

int outfile_open(struct outfile *o, const char *path)
{
	struct stat st;
	bool exists = false;
	int e;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!path || !strcmp(path, "-")) {
		o->name = "standard output";
		o->fp = stdout;
		return 0;
	}
	o->name = path;
	if (!(o->target = strdup(path)))
		return fail(o, ENOMEM);
	/* Through whatever links lead to it, a device, FIFO or socket is
	 * opened as named: /dev/stdout's link in /proc names a pipe that no
	 * path reaches. */
	bool in_place = !stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	if (!in_place) {
		if ((e = resolve(&o->target, &st, &exists)))
			goto fail;
		if (exists && S_ISDIR(st.st_mode)) {
			e = EISDIR;
			goto fail;
		}
		in_place = exists && !S_ISREG(st.st_mode);
	}
	if (in_place) {
		/* A device, FIFO or socket: written in place (opening a FIFO
		 * waits for a reader, as the shell's > does). */
		o->fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (o->fd < 0) {
			e = errno;
			goto fail;
		}
	} else {
		/* A file we may not write stays as it is, as with cp. */
		if (exists && faccessat(AT_FDCWD, o->target, W_OK, AT_EACCESS)) {
			e = errno;
			goto fail;
		}
		if ((e = make_temp(o)))
			goto fail;
		if (exists) {
			/* The replacement keeps the file's owner (when we may
			 * give it) and mode. */
			if (st.st_uid != geteuid() || st.st_gid != getegid())
				(void)!fchown(o->fd, st.st_uid, st.st_gid);
			if (fchmod(o->fd, st.st_mode & 07777)) {
				e = errno;
				goto fail;
			}
		}
	}
	if (!(o->fp = sink_open(o))) {
		e = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	o->fd = -1;
	o->fp = NULL;
	return fail(o, e);
}

int outfile_close(struct outfile *o, int status)
{
	bool keep = status == EXIT_OK || status == EXIT_CONDITION;
	int e = 0;

	if (!o->fp || o->fp == stdout) {
		o->fp = NULL;
		return status;
	}
	if (fflush(o->fp) || ferror(o->fp))
		e = o->error ? o->error : EIO;
	fclose(o->fp);
	o->fp = NULL;
	if (!e && keep && o->tmp && fsync(o->fd))
		e = errno;
	if (close(o->fd) && !e && errno != EINTR)
		e = errno;
	if (!e && keep && o->tmp && rename(o->tmp, o->target))
		e = errno;
	if (o->tmp && (e || !keep))
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	if (e && keep)
		return fail(o, e);
	return status;
}

/* Standard output, as main() sets it up. */
static struct outfile std_out = {.name = "standard output", .fd = STDOUT_FILENO};

void stdout_open(void)
{
	FILE *fp = sink_open(&std_out);

	if (fp)
		stdout = fp;  /* glibc: stdout is an ordinary variable */
}

int stdout_close(int status)
{
	int e = 0;

	if (fflush(stdout) || ferror(stdout))
		e = std_out.error ? std_out.error : EIO;
	/* The stream stays open (its close does nothing): libstdc++, loaded
	 * with graphviz's sfdp plugin, keeps a pointer to it and flushes it
	 * from an exit handler; fclose() would leave that pointer dangling. */
	if (close(STDOUT_FILENO) && !e && errno != EINTR && errno != EBADF)
		e = errno;
	if (e) {
		say("cannot write standard output: %s", strerror(e));
		return EXIT_FAILURE_;
	}
	return status;
}
