/*
 * audit: the arguments of a tool joined into the audit entry, quoted as
 * sh(1) needs them (pp__audit_join).  The input, split at its NUL bytes,
 * is the argv.  The entry must fit the buffer the join sized, and read by
 * a shell it must give back the arguments, each newline or tab inside one
 * a space as the entry is one line, and a database URI's password ***
 * (pp__uri_masked).  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

/*
 * Split s as sh -c would into words, without expansions: what the entry
 * must not need.  A character that would make the shell do more than
 * split words and remove quotes (a glob, a subshell, a comment, a tilde)
 * outside quotes, or bash's braces, is a broken promise.  The words go
 * into w[], NULs apart.
 */
static size_t
unquote(const char *s, char *w, char **words, size_t max)
{
	size_t n = 0;
	int inword = 0;

	for (; *s; s++) {
		if (*s == ' ') {
			if (inword)
				*w++ = '\0';
			inword = 0;
			continue;
		}
		if (!inword) {
			check(n < max);
			words[n++] = w;
			inword = 1;
			/* A word's first # or ~ is a comment or a home. */
			check(*s != '#' && *s != '~');
		}
		if (*s == '\'') {
			for (s++; *s != '\''; s++) {
				check(*s != '\0');
				*w++ = *s;
			}
		} else if (*s == '\\') {
			check(*++s != '\0');
			*w++ = *s;
		} else {
			check(strchr("\t\n\"$`;&|<>*?[(){}", *s) == NULL);
			*w++ = *s;
		}
	}
	if (inword)
		*w++ = '\0';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **argv, **words, *joined, *w, *copy, *p;
	size_t argc = 1, bound = 1, i, n;

	for (i = 0; i < size; i++)
		argc += data[i] == '\0';
	if ((copy = malloc(size + 1)) == NULL ||
	    (argv = calloc(argc, sizeof(*argv))) == NULL ||
	    (words = calloc(argc, sizeof(*words))) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy, i = 0; i < argc; p += strlen(p) + 1, i++)
		argv[i] = p;
	/* What the entry keeps of each argument. */
	for (i = 0; i < argc; i++) {
		if ((argv[i] = pp__uri_masked(argv[i])) == NULL)
			abort();
		bound += 4 * strlen(argv[i]) + 3;
	}
	check(pp__audit_join((int)argc, argv, &joined) == PP_OK);
	check(strlen(joined) < bound);
	check(strchr(joined, '\n') == NULL);
	if ((w = malloc(strlen(joined) + 1)) == NULL)
		abort();
	n = unquote(joined, w, words, argc);
	check(n == argc);
	for (i = 0; i < argc; i++) {
		for (p = argv[i]; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		check(strcmp(words[i], argv[i]) == 0);
	}
	free(w);
	free(joined);
	free(words);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(copy);
	return 0;
}
