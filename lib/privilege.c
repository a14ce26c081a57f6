/*
 * privilege.c: the tools run setgid to the service group (prepay(7)).
 * The database, its -wal and -shm, the bus locks and the key file are the
 * group's, and operators are not in it, so the tools are the only way in.
 * A setgid program is run by whoever may run it, with their environment
 * and their file names: everything here keeps the group's privilege to
 * the database's own directory and away from what the caller controls.
 *
 * Root and the group's members are trusted: they could open the database
 * directly anyway, so their variables and their -d are taken as given.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static struct {
	int	elevated;		/* the effective group is not the real */
	int	trusted;		/* root, or a member of the group */
	gid_t	group;			/* the service group, when elevated */
} priv;

/*
 * Variables a setgid tool keeps for everyone; the rest are dropped.  The
 * PREPAY_* ones the library does not read are a notice command's own
 * (notify-http's PREPAY_SMS_URL), which runs without the group.
 */
static const char *const keep[] = { "PATH", "HOME", "TERM", "TZ", "LANG",
	"LANGUAGE", "LC_*", "USER", "LOGNAME", "NO_COLOR", "COLUMNS",
	"PREPAY_*", NULL };
/* But these only for a trusted caller: they choose what is trusted. */
static const char *const trusted_only[] = { "PREPAY_PROFILES",
	"PREPAY_KEYS", "PREPAY_NOW", NULL };

static int
member(gid_t g)
{
	gid_t *v;
	int i, n, found = 0;

	if (getgid() == g)
		return 1;
	if ((n = getgroups(0, NULL)) <= 0 ||
	    (v = calloc((size_t)n, sizeof(*v))) == NULL)
		return 0;
	n = getgroups(n, v);
	for (i = 0; i < n && !found; i++)
		found = v[i] == g;
	free(v);
	return found;
}

static void
learn_once(void)
{
	priv.elevated = getegid() != getgid();
	priv.group = getegid();
	priv.trusted = !priv.elevated || getuid() == 0 || member(priv.group);
}

/* Once per process: a poll's workers ask too (poll.c). */
static void
learn(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, learn_once);
}

int
pp__priv_elevated(void)
{
	learn();
	return priv.elevated;
}

int
pp__priv_trusted(void)
{
	learn();
	return priv.trusted;
}

const char *
pp__priv_getenv(const char *name)
{
	learn();
	return priv.trusted ? getenv(name) : NULL;
}

static int
listed(const char *const *list, const char *entry)
{
	size_t n;

	for (; *list; list++) {
		n = strlen(*list);
		if ((*list)[n - 1] == '*' ? strncmp(entry, *list, n - 1) == 0 :
		    strncmp(entry, *list, n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

int
pp_privilege_init(char *err, size_t errlen)
{
	extern char **environ;
	char **saved;
	size_t n, i, k;

	learn();
	if (!priv.elevated)
		return PP_OK;
	/*
	 * Keep a short list of harmless variables: the loader, the shell
	 * and the libraries read many others (LD_*, IFS, ...), and a notice
	 * command inherits what is left.
	 */
	for (n = 0; environ && environ[n]; n++)
		;
	if ((saved = calloc(n + 1, sizeof(*saved))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	for (i = k = 0; i < n; i++)
		if (listed(trusted_only, environ[i]) ? priv.trusted :
		    listed(keep, environ[i]))
			if ((saved[k++] = strdup(environ[i])) == NULL)
				break;
	clearenv();
	for (i = 0; i < k; i++) {
		if (saved[i] == NULL || putenv(saved[i]) != 0) {
			snprintf(err, errlen, "out of memory");
			return PP_EINTERNAL;
		}
	}
	/* putenv keeps the strings: they live as long as the process. */
	free(saved);
	return PP_OK;
}

void
pp__priv_caller(void)
{
	learn();
	if (priv.elevated)
		(void)setegid(getgid());
}

void
pp__priv_service(void)
{
	learn();
	if (priv.elevated)
		(void)setegid(priv.group);
}

int
pp__priv_drop(void)
{
	gid_t g = getgid();

	learn();
	if (!priv.elevated)
		return 0;
	/* Real, effective and saved: the child can never take it back. */
	if (setresgid(g, g, g) == -1 || getegid() != g)
		return -1;
	return 0;
}

FILE *
pp_fopen_caller(const char *path, const char *mode)
{
	FILE *fp;
	int saved;

	pp__priv_caller();
	fp = path ? fopen(path, mode) : tmpfile();
	saved = errno;
	pp__priv_service();
	errno = saved;
	return fp;
}

/* The group's name, for messages; _r, as a poll's workers open at once. */
static const char *
group_name(gid_t g, char *buf, size_t len)
{
	struct group grp, *gr;
	char grbuf[4096];

	if (getgrgid_r(g, &grp, grbuf, sizeof(grbuf), &gr) == 0 && gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%ld", (long)g);
	return buf;
}

int
pp__priv_check_db(const char *path, int exists, char *err, size_t errlen)
{
	struct stat sb;
	char dir[1024], name[64];

	learn();
	if (priv.trusted)
		return PP_OK;
	group_name(priv.group, name, sizeof(name));
	if (!exists) {
		snprintf(err, errlen, "%s: no such database; only root or a "
		    "member of group %s creates one", path, name);
		return PP_EPERM;
	}
	/* Its -wal, -shm and locks are made beside it, with the group. */
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &sb) == -1 || sb.st_gid != priv.group ||
	    stat(dirname(dir), &sb) == -1 || sb.st_gid != priv.group) {
		snprintf(err, errlen, "%s: not a database of group %s in a "
		    "directory of the group: refused, as the caller is not "
		    "in the group", path, name);
		return PP_EPERM;
	}
	return PP_OK;
}

int
pp__priv_check_secret(const char *path, const struct stat *sb, char *err,
    size_t errlen)
{
	char name[64];

	learn();
	if (sb->st_mode & 027) {
		snprintf(err, errlen, "%s is mode %04o: refused, as others "
		    "could read or change its secrets; chmod 640 %s",
		    path, (unsigned)(sb->st_mode & 07777), path);
		return PP_ECONFIG;
	}
	if (priv.elevated && sb->st_gid != priv.group) {
		snprintf(err, errlen, "%s is not of group %s: refused; chgrp "
		    "%s %s", path, group_name(priv.group, name, sizeof(name)),
		    name, path);
		return PP_ECONFIG;
	}
	return PP_OK;
}

int
pp__priv_create(const char *path, char *err, size_t errlen)
{
	int fd;

	/*
	 * SQLite would make the file 0644 less the umask; the group must
	 * read and write it, and SQLite gives the -wal and -shm the mode of
	 * the database.
	 */
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660)) ==
	    -1) {
		if (errno == EEXIST)
			return PP_OK;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	if (fchmod(fd, 0660) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return PP_ENOINPUT;
	}
	close(fd);
	return PP_OK;
}

int
pp__priv_lockfile(const char *path)
{
	struct stat sb;
	int fd;

	/*
	 * Any login of the group takes the lock: flock needs only an open
	 * descriptor, and a lock file another login made may be read-only
	 * to us.
	 */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1 &&
	    errno == EACCES)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & 0777) != 0660)
		(void)fchmod(fd, 0660);
	return fd;
}
