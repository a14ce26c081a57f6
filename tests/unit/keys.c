/*
 * keys: the DL/T 645 key file: who wins (meter, gateway, gateway *), what
 * a line may say, the mode it must have, and every way a line is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static char dir[] = "/tmp/prepay-keys.XXXXXX";
static char path[256];

/* Write text as the key file, of the given mode, and load it. */
static int
load(const char *text, mode_t mode, struct pp_keys **k, char *err,
    size_t errlen)
{
	FILE *f;

	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return pp__keys_load(path, k, err, errlen);
}

static void
test_lookup(void)
{
	struct pp_keys *k = NULL;
	uint8_t pw[4], op[4];
	char err[PP_ERRMAX];

	is_int(load("# the campus\n\n"
	    "gateway *\t02111111\n"
	    "gateway gw2 04222222 00000022   # the west wing\n"
	    "meter 002241020208 02333333 12345678\n"
	    "meter M-ESAM 98000000\n", 0600, &k, err, sizeof(err)), PP_OK,
	    "a key file of comments, tabs and four kinds of line loads");
	if (k == NULL)
		return;
	is_int(pp__keys_find(k, "gw2", "002241020208", pw, op, err,
	    sizeof(err)), PP_OK, "a meter with a line of its own");
	ok(pw[0] == 0x02 && pw[1] == 0x33 && op[0] == 0x78 && op[3] == 0x12,
	    "takes its own password and operator code, lowest byte first");
	is_int(pp__keys_find(k, "gw2", "other", pw, op, err, sizeof(err)),
	    PP_OK,
	    "a meter of gw2 without a line");
	ok(pw[0] == 0x04 && pw[1] == 0x22 && op[0] == 0x22,
	    "takes its gateway's");
	is_int(pp__keys_find(k, "gw9", "other", pw, op, err, sizeof(err)),
	    PP_OK,
	    "a meter of another gateway");
	ok(pw[0] == 0x02 && pw[1] == 0x11 && op[0] == 0 && op[3] == 0,
	    "takes gateway *'s, operator code 00000000");
	is_int(pp__keys_find(k, "gw2", "M-ESAM", pw, op, err, sizeof(err)),
	    PP_ECONFIG, "an ESAM meter has no key prepay can use");
	ok(strstr(err, "M-ESAM") && strstr(err, "ESAM identity"),
	    "saying so: %s", err);
	pp__keys_free(k);

	is_int(load("gateway gw1 02111111\n", 0600, &k, err, sizeof(err)),
	    PP_OK, "a key file of one gateway loads");
	is_int(pp__keys_find(k, "gw2", "M1", pw, op, err, sizeof(err)),
	    PP_ECONFIG, "a meter of another gateway has no key");
	ok(strstr(err, "no password for meter M1 or gateway gw2") != NULL,
	    "saying whose: %s", err);
	pp__keys_free(k);

	is_int(load("", 0400, &k, err, sizeof(err)), PP_OK,
	    "an empty key file of mode 0400 loads");
	pp__keys_free(k);

	/* The tools read it through their setgid group (prepay(7)). */
	is_int(load("gateway * 02111111\n", 0640, &k, err, sizeof(err)),
	    PP_OK, "a key file of mode 0640, the group's to read, loads");
	pp__keys_free(k);
}

static void
test_refused(void)
{
	static const struct {
		const char *text, *why, *name;
		mode_t mode;
	} bad[] = {
		{ "gateway * 02111111\n", "mode 0644", "mode 0644", 0644 },
		{ "gateway * 02111111\n", "mode 0660", "mode 0660", 0660 },
		{ "gateway * 02111111\n", "mode 0602", "mode 0602", 0602 },
		{ "gateway * 02111111\n", "mode 0604", "mode 0604", 0604 },
		{ "gateway * 02111111\n", "mode 0620", "mode 0620: the group "
		    "writes", 0620 },
		{ "gateway *\n", ":1: use meter|gateway", "no password", 0600 },
		{ "gateway * 02111111 00000000 extra\n", ":1: use meter",
		    "a fifth word", 0600 },
		{ "gate * 02111111\n", ":1: the first word", "gate", 0600 },
		{ "meter * 02111111\n", ":1: no such meter", "meter *", 0600 },
		{ "\n# c\ngateway * 0211111\n", ":3: password: use 8 hex",
		    "7 digits, at its line", 0600 },
		{ "gateway * 0211111G\n", "password: use 8 hex", "a G", 0600 },
		{ "gateway * 03111111\n", "level 03", "level 03", 0600 },
		{ "gateway * 02111111 0000000\n", "operator code",
		    "an operator code of 7 digits", 0600 },
		{ "meter M 02111111\nmeter M 04111111\n", ":2: meter M is listed "
		    "twice", "a meter twice", 0600 },
		{ "gateway * 02111111\ngateway * 02111111\n", ":2: gateway * is "
		    "listed twice", "gateway * twice", 0600 },
	};
	struct pp_keys *k;
	char err[PP_ERRMAX], line[2000];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = NULL;
		rc = load(bad[i].text, bad[i].mode, &k, err, sizeof(err));
		ok(rc == PP_ECONFIG && k == NULL && strstr(err, bad[i].why),
		    "refused: %s", bad[i].name);
		if (rc != PP_ECONFIG || strstr(err, bad[i].why) == NULL)
			diag("rc %d: %s", rc, err);
		pp__keys_free(k);
	}
	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	k = NULL;
	ok(load(line, 0600, &k, err, sizeof(err)) == PP_ECONFIG &&
	    strstr(err, ":1: line too long"), "refused: a line of 2000 bytes");
	unlink(path);
	ok(pp__keys_load(path, &k, err, sizeof(err)) == PP_ECONFIG &&
	    strstr(err, "No such file"), "refused: no key file, naming it");
	ok(pp__keys_load(dir, &k, err, sizeof(err)) == PP_ECONFIG &&
	    strstr(err, "not a regular file"), "refused: a directory");
}

static void
test_path(void)
{
	char buf[300];

	unsetenv("PREPAY_KEYS");
	is_str(pp__keys_path("/var/lib/prepay/prepay.db", buf, sizeof(buf)),
	    "/var/lib/prepay/prepay.db.keys", "the key file is beside the "
	    "database");
	setenv("PREPAY_KEYS", "/etc/prepay/keys", 1);
	is_str(pp__keys_path("/var/lib/prepay/prepay.db", buf, sizeof(buf)),
	    "/etc/prepay/keys", "unless PREPAY_KEYS says where");
	unsetenv("PREPAY_KEYS");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(path, sizeof(path), "%s/prepay.db.keys", dir);
	test_lookup();
	test_refused();
	test_path();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
