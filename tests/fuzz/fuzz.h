/*
 * fuzz.h: what the libFuzzer targets share.  Each target is one
 * tests/fuzz/NAME.c, built by `make fuzz` into build-fuzz/tests/fuzz/NAME
 * and run by tests/cli/fuzz.t with tests/fuzz/corpus/NAME as seeds:
 *
 *	make fuzz
 *	build-fuzz/tests/fuzz/NAME -max_total_time=60 -jobs=1 -workers=1 \
 *	    tests/fuzz/corpus/NAME
 *
 * A parser that a tool reaches through a path is fed the input as that
 * file, written afresh for each input in a directory of the process's own
 * under $TMPDIR (else /tmp) and removed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise is a crash that libFuzzer keeps. */
static inline void
check(int cond)
{
	if (!cond)
		abort();
}

/* The input as a C string: what it holds up to its first NUL byte. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char fuzz_dir_path[512];
static char fuzz_file_path[1024];

static inline void
fuzz_cleanup(void)
{
	if (fuzz_file_path[0])
		unlink(fuzz_file_path);
	if (fuzz_dir_path[0])
		rmdir(fuzz_dir_path);
}

/* The process's own directory, made on the first call. */
static inline const char *
fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/prepay-fuzz.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir_path) == NULL) {
		perror(fuzz_dir_path);
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_dir_path;
}

/*
 * Write the input as the file name in that directory, of the given mode,
 * and return its path.  A target uses one name.
 */
static inline const char *
fuzz_file(const char *name, const uint8_t *data, size_t size, mode_t mode)
{
	int fd;

	snprintf(fuzz_file_path, sizeof(fuzz_file_path), "%s/%s", fuzz_dir(),
	    name);
	unlink(fuzz_file_path);
	if ((fd = open(fuzz_file_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1 || (size > 0 && write(fd, data, size) !=
	    (ssize_t)size) || fchmod(fd, mode) == -1 || close(fd) == -1) {
		perror(fuzz_file_path);
		abort();
	}
	return fuzz_file_path;
}
