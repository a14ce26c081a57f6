/*
 * site: the site file (prepay.yaml(5)) loaded into a fresh database in
 * memory, as site-load does.  Making a database takes long, so one is
 * made and kept as bytes, and each input starts from a copy of them.  A
 * bad file is exit 78 with a message and leaves those bytes as they
 * were; a good one loaded again changes nothing, as loading is
 * an idempotent upsert.  The meters' profiles come from $PREPAY_PROFILES,
 * else lib/profiles under the current directory.  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);

static pp_db		*db;
static unsigned char	*fresh;
static sqlite3_int64	 fresh_size;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PREPAY_PROFILES", "lib/profiles", 0);
	setenv("TZ", "Asia/Shanghai", 0);
	check(pp_db_open(&db, ":memory:", PP_DB_CREATE) == PP_OK);
	check((fresh = sqlite3_serialize(db->sql, "main", &fresh_size, 0)) !=
	    NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_load_stats st;
	const char *path;
	unsigned char *copy, *after;
	sqlite3_int64 n;
	int rc;

	path = fuzz_file("site.yaml", data, size, 0600);
	if ((copy = sqlite3_malloc64((sqlite3_uint64)fresh_size)) == NULL)
		abort();
	memcpy(copy, fresh, (size_t)fresh_size);
	check(sqlite3_deserialize(db->sql, "main", copy, fresh_size,
	    fresh_size, SQLITE_DESERIALIZE_FREEONCLOSE |
	    SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK);
	rc = pp_site_load(db, path, &st);
	check(rc == PP_OK || rc == PP_ECONFIG);
	check(pp_errmsg(db)[0] != '\0' || rc == PP_OK);
	if (rc != PP_OK) {
		after = sqlite3_serialize(db->sql, "main", &n, 0);
		check(after != NULL && n == fresh_size &&
		    memcmp(after, fresh, (size_t)n) == 0);
		sqlite3_free(after);
	}
	if (rc == PP_OK) {
		check(pp_site_load(db, path, &st) == PP_OK);
		check(st.changed == 0);
	}
	return 0;
}
