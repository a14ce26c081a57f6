-- 001-sqlite-compat.sql: the PostgreSQL schema's first step.  It creates the
-- schema's version table, pp_schema, and the SQL functions that let the
-- library's one set of queries, written in SQLite's dialect where it is also
-- standard, run unchanged on PostgreSQL: SQLite's date and time functions
-- (strftime, date, datetime, "time", julianday, unixepoch, with the
-- modifiers), printf, group_concat, instr, iif, ifnull, a SQLite substr,
-- the scalar min(a, b, ...) and max(a, b, ...), total, typeof, length of a
-- number, and sum over a comparison (SQLite's 0/1).
--
-- Where: schema public, like the tables, so the default search_path finds
-- them and nothing of PostgreSQL's own is shadowed.  Each function keeps
-- SQLite 3.40's semantics (the version Debian 12 ships and the library is
-- tested with), checked against sqlite3 itself by tests/pg/schema.t.  The
-- helpers are named pp__*; the library never calls them.
--
-- Why not override pg_catalog: a function in public never wins over
-- pg_catalog's own with the same argument types, so substr(text, int, int)
-- stays PostgreSQL's; SQLite's substr is chosen when an argument is a
-- bigint (instr() returns one), which covers the library's
-- substr(x, 1, instr(x, ':') - 1).  See lib/pg/PORTING.md for what stays
-- different.
--
-- 'localtime' and 'utc' use the session's TimeZone (the engine sets it to
-- the process's zone when it connects): these functions are STABLE.
--
-- The engine runs this file in one transaction.  It refuses to run on a
-- database that already has pp_schema (loading the files twice is refused,
-- with nothing changed).

DO $$
BEGIN
	-- one migrator at a time (the engine takes this lock too)
	PERFORM pg_advisory_xact_lock(hashtext('prepay schema'));
	IF to_regclass('public.pp_schema') IS NOT NULL THEN
		RAISE EXCEPTION 'prepay: the schema is already at version %; migration 1 is applied',
		    (SELECT version FROM public.pp_schema);
	END IF;
END
$$;

-- The schema's version, as PRAGMA user_version is on SQLite: one row, set
-- by each migration file at its end.
CREATE TABLE pp_schema(version int NOT NULL);
INSERT INTO pp_schema VALUES (0);
CREATE UNIQUE INDEX pp_schema_one ON pp_schema((true));

------------------------------------------------------------------------
-- Date and time: a port of SQLite 3.40's src/date.c.  A value is held as
-- SQLite's DateTime (the Julian day in ms and/or Y-M-D and h:m:s), each
-- modifier applied in turn, and the result formatted as SQLite does.
------------------------------------------------------------------------

CREATE TYPE pp__dt AS (
	ijd bigint,		-- Julian day times 86400000
	y int, mo int, d int,	-- year, month, day
	h int, mi int,		-- hour, minute
	s double precision,	-- seconds
	vjd boolean,		-- ijd is valid
	vymd boolean,		-- y, mo, d are valid
	vhms boolean,		-- h, mi, s are valid
	raws boolean,		-- a raw number is in s
	tz int,			-- a zone offset in minutes
	vtz boolean,		-- tz is valid
	tzset boolean,		-- the zone was given
	err boolean		-- an overflow happened
);

CREATE FUNCTION pp__dt_zero() RETURNS pp__dt
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ROW(0::bigint, 0, 0, 0, 0, 0, 0::float8, false, false, false,
	    false, 0, false, false, false)::public.pp__dt
$$;

CREATE FUNCTION pp__dt_error() RETURNS pp__dt
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ROW(0::bigint, 0, 0, 0, 0, 0, 0::float8, false, false, false,
	    false, 0, false, false, true)::public.pp__dt
$$;

-- SQLite's sqlite3Isspace: space, \t, \n, \v, \f, \r.
CREATE FUNCTION pp__isspace(c text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT c IN (' ', E'\t', E'\n', E'\013', E'\f', E'\r')
$$;

-- Is z a whole number as sqlite3AtoF reads one (sqlite3AtoF(z) > 0)?
CREATE FUNCTION pp__isnum(z text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT z ~ '^[ \t\n\013\f\r]*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?[ \t\n\013\f\r]*$'
$$;

-- The number in z (pp__isnum(z)), as a double; an overflow is infinity,
-- as sqlite3AtoF gives.
CREATE FUNCTION pp__atof(z text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	RETURN btrim(z, E' \t\n\013\f\r')::double precision;
EXCEPTION WHEN numeric_value_out_of_range THEN
	IF btrim(z, E' \t\n\013\f\r') ~ '[eE]-' THEN
		RETURN 0;
	END IF;
	RETURN CASE WHEN btrim(z, E' \t\n\013\f\r') LIKE '-%'
	    THEN '-Infinity'::float8 ELSE 'Infinity'::float8 END;
END
$$;

-- getDigits(): n digits at z's position i, between lo and hi; NULL if not.
CREATE FUNCTION pp__digits(z text, i int, n int, lo int, hi int)
RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN substr(z, i, n) ~ ('^[0-9]{' || n || '}$')
	    AND substr(z, i, n)::int BETWEEN lo AND hi
	    THEN substr(z, i, n)::int END
$$;

-- computeJD()
CREATE FUNCTION pp__dt_jd(p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	yy int; mm int; dd int; a int; b int; x1 int; x2 int;
BEGIN
	IF p.vjd THEN
		RETURN p;
	END IF;
	IF p.vymd THEN
		yy := p.y; mm := p.mo; dd := p.d;
	ELSE
		yy := 2000; mm := 1; dd := 1;
	END IF;
	IF yy < -4713 OR yy > 9999 OR p.raws THEN
		RETURN public.pp__dt_error();
	END IF;
	IF mm <= 2 THEN
		yy := yy - 1;
		mm := mm + 12;
	END IF;
	a := yy / 100;
	b := 2 - a + a / 4;
	x1 := 36525 * (yy + 4716) / 100;
	x2 := 306001 * (mm + 1) / 10000;
	p.ijd := trunc(((x1 + x2 + dd + b)::float8 - 1524.5::float8)
	    * 86400000::float8)::bigint;
	p.vjd := true;
	IF p.vhms THEN
		p.ijd := p.ijd + p.h * 3600000 + p.mi * 60000 +
		    trunc(p.s * 1000::float8 + 0.5::float8)::bigint;
		IF p.vtz THEN
			p.ijd := p.ijd - p.tz * 60000;
			p.vymd := false;
			p.vhms := false;
			p.vtz := false;
		END IF;
	END IF;
	RETURN p;
END
$$;

-- computeYMD()
CREATE FUNCTION pp__dt_ymd(p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	z int; a int; b int; c int; dd int; e int; x1 int;
BEGIN
	IF p.vymd THEN
		RETURN p;
	END IF;
	IF NOT p.vjd THEN
		p.y := 2000; p.mo := 1; p.d := 1;
	ELSIF p.ijd < 0 OR p.ijd > 464269060799999 THEN
		RETURN public.pp__dt_error();
	ELSE
		z := ((p.ijd + 43200000) / 86400000)::int;
		a := trunc((z::float8 - 1867216.25::float8) / 36524.25::float8)::int;
		a := z + 1 + a - a / 4;
		b := a + 1524;
		c := trunc((b::float8 - 122.1::float8) / 365.25::float8)::int;
		dd := (36525 * (c & 32767)) / 100;
		e := trunc((b - dd)::float8 / 30.6001::float8)::int;
		x1 := trunc(30.6001::float8 * e::float8)::int;
		p.d := b - dd - x1;
		p.mo := CASE WHEN e < 14 THEN e - 1 ELSE e - 13 END;
		p.y := CASE WHEN p.mo > 2 THEN c - 4716 ELSE c - 4715 END;
	END IF;
	p.vymd := true;
	RETURN p;
END
$$;

-- computeHMS()
CREATE FUNCTION pp__dt_hms(p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	si int;
BEGIN
	IF p.vhms THEN
		RETURN p;
	END IF;
	p := public.pp__dt_jd(p);
	si := ((p.ijd + 43200000) % 86400000)::int;
	p.s := si::float8 / 1000::float8;
	si := trunc(p.s)::int;
	p.s := p.s - si;
	p.h := si / 3600;
	si := si - p.h * 3600;
	p.mi := si / 60;
	p.s := p.s + (si - p.mi * 60);
	p.raws := false;
	p.vhms := true;
	RETURN p;
END
$$;

-- clearYMD_HMS_TZ()
CREATE FUNCTION pp__dt_clear(p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	p.vymd := false;
	p.vhms := false;
	p.vtz := false;
	RETURN p;
END
$$;

-- toLocaltime(): UTC to the session's zone, as the C library's
-- localtime_r; a time before 1970 or after 2038-01-18 is looked up in a
-- year of 2000-2003 with the same leap-year place, as SQLite does.
CREATE FUNCTION pp__dt_tolocal(p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	x public.pp__dt;
	yd int := 0;
	t bigint;
	lt timestamp;
BEGIN
	p := public.pp__dt_jd(p);
	IF p.ijd < 210866760000000 OR p.ijd > 213014145600000 THEN
		x := public.pp__dt_hms(public.pp__dt_ymd(p));
		yd := (2000 + x.y % 4) - x.y;
		x.y := x.y + yd;
		x.vjd := false;
		x := public.pp__dt_jd(x);
		t := x.ijd / 1000 - 210866760000;
	ELSE
		t := p.ijd / 1000 - 210866760000;
	END IF;
	lt := to_timestamp(t)::timestamp;
	p.y := extract(year FROM lt)::int - yd;
	p.mo := extract(month FROM lt)::int;
	p.d := extract(day FROM lt)::int;
	p.h := extract(hour FROM lt)::int;
	p.mi := extract(minute FROM lt)::int;
	p.s := floor(extract(second FROM lt))::float8 +
	    (p.ijd % 1000)::float8 * 0.001::float8;
	p.vymd := true;
	p.vhms := true;
	p.vjd := false;
	p.raws := false;
	p.vtz := false;
	p.err := false;
	RETURN p;
END
$$;

-- parseTimezone(): the rest of a time, z: nothing, Z or (+|-)HH:MM.
CREATE FUNCTION pp__dt_parse_tz(z text, p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	i int := 1;
	n int := length(z);
	c text;
	sgn int;
	hh int;
	mm int;
BEGIN
	WHILE i <= n AND public.pp__isspace(substr(z, i, 1)) LOOP
		i := i + 1;
	END LOOP;
	p.tz := 0;
	c := substr(z, i, 1);
	IF c = '-' THEN
		sgn := -1;
	ELSIF c = '+' THEN
		sgn := 1;
	ELSIF c IN ('Z', 'z') THEN
		i := i + 1;
	ELSIF c = '' THEN
		RETURN p;
	ELSE
		RETURN NULL;
	END IF;
	IF sgn IS NOT NULL THEN
		i := i + 1;
		hh := public.pp__digits(z, i, 2, 0, 14);
		mm := public.pp__digits(z, i + 3, 2, 0, 59);
		IF hh IS NULL OR substr(z, i + 2, 1) <> ':' OR mm IS NULL THEN
			RETURN NULL;
		END IF;
		i := i + 5;
		p.tz := sgn * (mm + hh * 60);
	END IF;
	WHILE i <= n AND public.pp__isspace(substr(z, i, 1)) LOOP
		i := i + 1;
	END LOOP;
	p.tzset := true;
	IF i <= n THEN
		RETURN NULL;
	END IF;
	RETURN p;
END
$$;

-- parseHhMmSs(): HH:MM[:SS[.FFF]] and a zone.
CREATE FUNCTION pp__dt_parse_hms(z text, p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	hh int; mm int; ss int;
	ms float8 := 0;
	scale float8;
	i int;
BEGIN
	hh := public.pp__digits(z, 1, 2, 0, 24);
	mm := public.pp__digits(z, 4, 2, 0, 59);
	IF hh IS NULL OR substr(z, 3, 1) <> ':' OR mm IS NULL THEN
		RETURN NULL;
	END IF;
	i := 6;
	IF substr(z, i, 1) = ':' THEN
		i := i + 1;
		ss := public.pp__digits(z, i, 2, 0, 59);
		IF ss IS NULL THEN
			RETURN NULL;
		END IF;
		i := i + 2;
		IF substr(z, i, 1) = '.' AND substr(z, i + 1, 1) ~ '^[0-9]$' THEN
			scale := 1;
			i := i + 1;
			WHILE substr(z, i, 1) ~ '^[0-9]$' LOOP
				ms := ms * 10::float8 + substr(z, i, 1)::int;
				scale := scale * 10::float8;
				i := i + 1;
			END LOOP;
			ms := ms / scale;
		END IF;
	ELSE
		ss := 0;
	END IF;
	p.vjd := false;
	p.raws := false;
	p.vhms := true;
	p.h := hh;
	p.mi := mm;
	p.s := ss + ms;
	p := public.pp__dt_parse_tz(substr(z, i), p);
	IF p IS NULL THEN
		RETURN NULL;
	END IF;
	p.vtz := p.tz <> 0;
	RETURN p;
END
$$;

-- parseYyyyMmDd(): [-]YYYY-MM-DD and an optional time.
CREATE FUNCTION pp__dt_parse_ymd(z text, p pp__dt) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	i int := 1;
	neg boolean := false;
	yy int; mm int; dd int;
	q public.pp__dt;
BEGIN
	IF substr(z, 1, 1) = '-' THEN
		i := 2;
		neg := true;
	END IF;
	yy := public.pp__digits(z, i, 4, 0, 9999);
	mm := public.pp__digits(z, i + 5, 2, 1, 12);
	dd := public.pp__digits(z, i + 8, 2, 1, 31);
	IF yy IS NULL OR substr(z, i + 4, 1) <> '-' OR mm IS NULL OR
	    substr(z, i + 7, 1) <> '-' OR dd IS NULL THEN
		RETURN NULL;
	END IF;
	i := i + 10;
	WHILE public.pp__isspace(substr(z, i, 1)) OR substr(z, i, 1) = 'T' LOOP
		i := i + 1;
	END LOOP;
	q := public.pp__dt_parse_hms(substr(z, i), p);
	IF q IS NOT NULL THEN
		p := q;
	ELSIF i > length(z) THEN
		p.vhms := false;
	ELSE
		RETURN NULL;
	END IF;
	p.vjd := false;
	p.vymd := true;
	p.y := CASE WHEN neg THEN -yy ELSE yy END;
	p.mo := mm;
	p.d := dd;
	IF p.vtz THEN
		p := public.pp__dt_jd(p);
	END IF;
	RETURN p;
END
$$;

-- setRawDateNumber()
CREATE FUNCTION pp__dt_raw(r double precision) RETURNS pp__dt
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	p public.pp__dt := public.pp__dt_zero();
BEGIN
	p.s := r;
	p.raws := true;
	IF r >= 0 AND r < 5373484.5::float8 THEN
		p.ijd := trunc(r * 86400000::float8 + 0.5::float8)::bigint;
		p.vjd := true;
	END IF;
	RETURN p;
END
$$;

-- parseDateOrTime(): a text value.
CREATE FUNCTION pp__dt_parse(z text) RETURNS pp__dt
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	p public.pp__dt := public.pp__dt_zero();
	q public.pp__dt;
BEGIN
	q := public.pp__dt_parse_ymd(z, p);
	IF q IS NOT NULL THEN
		RETURN q;
	END IF;
	q := public.pp__dt_parse_hms(z, p);
	IF q IS NOT NULL THEN
		RETURN q;
	END IF;
	IF lower(z) = 'now' THEN
		p.ijd := (extract(epoch FROM date_trunc('milliseconds',
		    statement_timestamp())) * 1000)::bigint + 210866760000000;
		p.vjd := true;
		RETURN p;
	END IF;
	IF public.pp__isnum(z) THEN
		RETURN public.pp__dt_raw(public.pp__atof(z));
	END IF;
	RETURN NULL;
END
$$;

-- parseModifier(): one modifier z, the idx-th argument; NULL on error.
CREATE FUNCTION pp__dt_mod(p pp__dt, z text, idx int) RETURNS pp__dt
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	lz text := lower(z);
	c text := lower(substr(z, 1, 1));
	r float8;
	k int;
	n int;
	x int;
	z2 text;
	rest text;
	unit text;
	rounder float8;
	lim float8;
	xf float8;
	tx public.pp__dt;
	nw public.pp__dt;
	day bigint;
	orig bigint;
	guess bigint;
	e bigint;
	cnt int;
BEGIN
	IF c = 'a' THEN
		IF lz <> 'auto' OR idx > 1 THEN
			RETURN NULL;
		END IF;
		IF NOT p.raws OR p.vjd THEN
			p.raws := false;
		ELSIF p.s >= -210866760000::float8 AND p.s <= 253402300799::float8 THEN
			p := public.pp__dt_clear(p);
			p.ijd := trunc(p.s * 1000::float8 + 210866760000000::float8 +
			    0.5::float8)::bigint;
			p.vjd := true;
			p.raws := false;
		END IF;
		RETURN p;
	ELSIF c = 'j' THEN
		IF lz = 'julianday' AND idx <= 1 AND p.vjd AND p.raws THEN
			p.raws := false;
			RETURN p;
		END IF;
		RETURN NULL;
	ELSIF c = 'l' THEN
		IF lz = 'localtime' THEN
			RETURN public.pp__dt_tolocal(p);
		END IF;
		RETURN NULL;
	ELSIF c = 'u' THEN
		IF lz = 'unixepoch' AND p.raws THEN
			IF idx > 1 THEN
				RETURN NULL;
			END IF;
			r := p.s * 1000::float8 + 210866760000000::float8;
			IF r >= 0 AND r < 464269060800000::float8 THEN
				p := public.pp__dt_clear(p);
				p.ijd := trunc(r + 0.5::float8)::bigint;
				p.vjd := true;
				p.raws := false;
				RETURN p;
			END IF;
			RETURN NULL;
		ELSIF lz = 'utc' THEN
			IF NOT p.tzset THEN
				p := public.pp__dt_jd(p);
				orig := p.ijd;
				guess := orig;
				e := 0;
				cnt := 0;
				LOOP
					guess := guess - e;
					nw := public.pp__dt_zero();
					nw.ijd := guess;
					nw.vjd := true;
					nw := public.pp__dt_jd(public.pp__dt_tolocal(nw));
					-- SQLite 3.40 keeps the error in an int
					e := nw.ijd - orig;
					e := ((e + 2147483648) % 4294967296 + 4294967296)
					    % 4294967296 - 2147483648;
					EXIT WHEN e = 0 OR cnt >= 3;
					cnt := cnt + 1;
				END LOOP;
				p := public.pp__dt_zero();
				p.ijd := guess;
				p.vjd := true;
				p.tzset := true;
			END IF;
			RETURN p;
		END IF;
		RETURN NULL;
	ELSIF c = 'w' THEN
		IF substr(lz, 1, 8) <> 'weekday ' OR NOT public.pp__isnum(substr(z, 9)) THEN
			RETURN NULL;
		END IF;
		r := public.pp__atof(substr(z, 9));
		IF r <> trunc(r) OR r < 0 OR r >= 7 THEN
			RETURN NULL;
		END IF;
		n := r::int;
		p := public.pp__dt_hms(public.pp__dt_ymd(p));
		p.vtz := false;
		p.vjd := false;
		p := public.pp__dt_jd(p);
		day := ((p.ijd + 129600000) / 86400000) % 7;
		IF day > n THEN
			day := day - 7;
		END IF;
		p.ijd := p.ijd + (n - day) * 86400000;
		RETURN public.pp__dt_clear(p);
	ELSIF c = 's' THEN
		IF substr(lz, 1, 9) <> 'start of ' OR
		    (NOT p.vjd AND NOT p.vymd AND NOT p.vhms) THEN
			RETURN NULL;
		END IF;
		rest := substr(lz, 10);
		p := public.pp__dt_ymd(p);
		p.vhms := true;
		p.h := 0;
		p.mi := 0;
		p.s := 0;
		p.raws := false;
		p.vtz := false;
		p.vjd := false;
		IF rest = 'month' THEN
			p.d := 1;
		ELSIF rest = 'year' THEN
			p.mo := 1;
			p.d := 1;
		ELSIF rest <> 'day' THEN
			RETURN NULL;
		END IF;
		RETURN p;
	ELSIF c IN ('+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN
		k := 2;
		WHILE k <= length(z) AND substr(z, k, 1) <> ':' AND
		    NOT public.pp__isspace(substr(z, k, 1)) LOOP
			k := k + 1;
		END LOOP;
		IF NOT public.pp__isnum(substr(z, 1, k - 1)) THEN
			RETURN NULL;
		END IF;
		r := public.pp__atof(substr(z, 1, k - 1));
		IF substr(z, k, 1) = ':' THEN
			-- (+|-)HH:MM[:SS[.FFF]]
			z2 := z;
			IF substr(z2, 1, 1) !~ '^[0-9]$' THEN
				z2 := substr(z2, 2);
			END IF;
			tx := public.pp__dt_parse_hms(z2, public.pp__dt_zero());
			IF tx IS NULL THEN
				RETURN NULL;
			END IF;
			tx := public.pp__dt_jd(tx);
			tx.ijd := tx.ijd - 43200000;
			day := tx.ijd / 86400000;
			tx.ijd := tx.ijd - day * 86400000;
			IF substr(z, 1, 1) = '-' THEN
				tx.ijd := -tx.ijd;
			END IF;
			p := public.pp__dt_clear(public.pp__dt_jd(p));
			p.ijd := p.ijd + tx.ijd;
			RETURN p;
		END IF;
		rest := substr(z, k);
		WHILE public.pp__isspace(substr(rest, 1, 1)) LOOP
			rest := substr(rest, 2);
		END LOOP;
		n := octet_length(rest);
		IF n > 10 OR n < 3 THEN
			RETURN NULL;
		END IF;
		IF lower(right(rest, 1)) = 's' THEN
			n := n - 1;
		END IF;
		unit := lower(left(rest, n));
		p := public.pp__dt_jd(p);
		rounder := CASE WHEN r < 0 THEN -0.5 ELSE 0.5 END;
		-- SQLite's table of float limits and factors
		SELECT v.lim::real::float8, v.xf INTO lim, xf FROM (VALUES
		    ('second', 4.6427e+14, 1::float8),
		    ('minute', 7.7379e+12, 60),
		    ('hour', 1.2897e+11, 3600),
		    ('day', 5373485.0, 86400),
		    ('month', 176546.0, 2592000),
		    ('year', 14713.0, 31536000)) v(name, lim, xf)
		    WHERE v.name = unit;
		IF lim IS NULL OR NOT (r > -lim AND r < lim) THEN
			RETURN NULL;
		END IF;
		IF unit = 'month' THEN
			p := public.pp__dt_hms(public.pp__dt_ymd(p));
			p.mo := p.mo + trunc(r)::int;
			x := CASE WHEN p.mo > 0 THEN (p.mo - 1) / 12
			    ELSE (p.mo - 12) / 12 END;
			p.y := p.y + x;
			p.mo := p.mo - x * 12;
			p.vjd := false;
			r := r - trunc(r);
		ELSIF unit = 'year' THEN
			p := public.pp__dt_hms(public.pp__dt_ymd(p));
			p.y := p.y + trunc(r)::int;
			p.vjd := false;
			r := r - trunc(r);
		END IF;
		p := public.pp__dt_jd(p);
		p.ijd := p.ijd + trunc(r * 1000::float8 * xf + rounder)::bigint;
		RETURN public.pp__dt_clear(p);
	END IF;
	RETURN NULL;
END
$$;

-- isDate(): the value (text vt, or the number vn) with its modifiers, to
-- a DateTime with its Y-M-D and h:m:s; NULL where SQLite gives NULL.
-- A DateTime with everything valid, at ijd (whole seconds, 1970-2038).
CREATE FUNCTION pp__dt_at(ijd bigint) RETURNS pp__dt
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ROW(ijd, extract(year FROM u)::int, extract(month FROM u)::int,
	    extract(day FROM u)::int, extract(hour FROM u)::int,
	    extract(minute FROM u)::int, floor(extract(second FROM u))::float8,
	    true, true, true, false, 0, false, false, false)::public.pp__dt
	FROM (SELECT to_timestamp(ijd / 1000 - 210866760000) AT TIME ZONE 'UTC'
	    AS u) x
$$;

CREATE FUNCTION pp__dt_eval(vt text, vn double precision, mods text[])
RETURNS pp__dt LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	p public.pp__dt;
	i int;
	yy int;
	mm int;
	dd int;
	a int;
	orig bigint;
	guess bigint;
	e bigint;
	cnt int;
BEGIN
	-- The library's own forms, the short way, within 1970-2038 (SQLite
	-- asks the C library there): a time with 'unixepoch' and 'localtime',
	-- and a day's start in UTC.  The same results as the general way
	-- below, which tests/pg/schema.t checks across the zones' changes.
	IF vn IS NOT NULL AND mods[1] = 'unixepoch' AND vn >= 0 AND
	    vn <= 2147385600 AND vn = trunc(vn) THEN
		IF mods = '{unixepoch}' THEN
			RETURN public.pp__dt_at(vn::bigint * 1000 + 210866760000000);
		ELSIF mods = '{unixepoch,localtime}' THEN
			RETURN public.pp__dt_at((extract(epoch FROM
			    to_timestamp(vn)::timestamp)::bigint + 210866760000) * 1000);
		END IF;
	END IF;
	IF vt IS NOT NULL AND (mods = '{utc}' OR mods = '{"+1 day",utc}') AND
	    vt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		yy := substr(vt, 1, 4)::int;
		mm := substr(vt, 6, 2)::int;
		dd := substr(vt, 9, 2)::int;
		IF mm BETWEEN 1 AND 12 AND dd BETWEEN 1 AND 31 THEN
			-- computeJD() of the day, and the iterative 'utc'
			IF mm <= 2 THEN
				yy := yy - 1;
				mm := mm + 12;
			END IF;
			a := yy / 100;
			orig := (36525 * (yy + 4716) / 100 + 306001 * (mm + 1) / 10000 +
			    dd + 2 - a + a / 4) * 86400000::bigint - 131716800000 +
			    CASE WHEN mods[1] = '+1 day' THEN 86400000 ELSE 0 END;
			guess := orig;
			e := 0;
			cnt := 0;
			LOOP
				guess := guess - e;
				EXIT WHEN guess < 210866760000000 OR guess > 213014145600000
				    OR guess % 1000 <> 0;
				e := (extract(epoch FROM to_timestamp(guess / 1000 -
				    210866760000)::timestamp)::bigint + 210866760000) * 1000 -
				    orig;
				EXIT WHEN abs(e) >= 2147483648;
				IF e = 0 OR cnt >= 3 THEN
					RETURN public.pp__dt_at(guess);
				END IF;
				cnt := cnt + 1;
			END LOOP;
		END IF;
	END IF;
	IF vn IS NOT NULL THEN
		p := public.pp__dt_raw(vn);
	ELSIF vt IS NOT NULL THEN
		p := public.pp__dt_parse(vt);
	ELSE
		RETURN NULL;
	END IF;
	IF p IS NULL THEN
		RETURN NULL;
	END IF;
	FOR i IN 1 .. coalesce(array_length(mods, 1), 0) LOOP
		IF mods[i] IS NULL THEN
			RETURN NULL;
		END IF;
		p := public.pp__dt_mod(p, mods[i], i);
		IF p IS NULL THEN
			RETURN NULL;
		END IF;
	END LOOP;
	p := public.pp__dt_jd(p);
	IF p.err OR p.ijd < 0 OR p.ijd > 464269060799999 THEN
		RETURN NULL;
	END IF;
	RETURN public.pp__dt_hms(public.pp__dt_ymd(p));
END
$$;

-- A year as datetime() writes it: four digits, a minus before.
CREATE FUNCTION pp__dt_year(y int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN y < 0 THEN '-' ELSE '' END ||
	    lpad((abs(y) % 10000)::text, 4, '0')
$$;

CREATE FUNCTION pp__dt_date(p pp__dt) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT public.pp__dt_year(p.y) || '-' || lpad(p.mo::text, 2, '0') || '-' ||
	    lpad(p.d::text, 2, '0')
$$;

CREATE FUNCTION pp__dt_time(p pp__dt) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT lpad(p.h::text, 2, '0') || ':' || lpad(p.mi::text, 2, '0') || ':' ||
	    lpad(trunc(p.s)::int::text, 2, '0')
$$;

-- "%0Nd" of an integer, as C's printf pads it: the sign inside the width.
CREATE FUNCTION pp__pad0(v bigint, w int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v < 0 THEN '-' || lpad(abs(v)::text,
	    greatest(w - 1, length(abs(v)::text)), '0')
	    ELSE lpad(v::text, greatest(w, length(v::text)), '0') END
$$;

-- The exact value of a double, as a numeric.
CREATE FUNCTION pp__f8exact(v double precision) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
	bits bigint := ('x' || encode(float8send(v), 'hex'))::bit(64)::bigint;
	e int := ((bits >> 52) & 2047)::int;
	m bigint := bits & 4503599627370495;
	r numeric;
BEGIN
	IF e = 2047 THEN
		RETURN NULL;		-- infinity or NaN
	END IF;
	IF e = 0 THEN
		e := 1;
	ELSE
		m := m + 4503599627370496;
	END IF;
	e := e - 1075;
	IF e >= 0 THEN
		r := m * power(2::numeric, e);
	ELSE
		r := (m * power(5::numeric, -e)) * ('1e' || e)::numeric;
	END IF;
	RETURN CASE WHEN bits < 0 THEN -r ELSE r END;
END
$$;

-- A double as SQLite 3.40's printf writes it: xtype f, e, E, g or G, the
-- precision (-1: 6), the sign to put before a positive number ('', '+' or
-- ' '), the flags '#' (alt) and '!' (alt2).  SQLite rounds by adding half
-- a unit of the last digit (and, for f, 3e-16 of the value) and writes at
-- most 16 significant digits (26 with '!'), the rest as '0'; here in exact
-- decimal arithmetic where SQLite uses long double.
CREATE FUNCTION pp__fmt_float(v double precision, xtype text, prec int,
    prefix text, alt boolean, alt2 boolean)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	pfx text := prefix;
	rounder float8;
	idx int;
	ex int;
	rv numeric;
	expo int := 0;
	rtz boolean;
	e2 int;
	nsd int;
	dp boolean;
	dig text;
	di int := 0;
	out text;
	upper_e boolean := xtype IN ('E', 'G');
BEGIN
	IF prec IS NULL OR prec < 0 THEN
		prec := 6;
	END IF;
	IF v IS NULL THEN
		v := 0;
	END IF;
	IF v < 0 THEN
		v := -v;
		pfx := '-';
	END IF;
	IF v <> v THEN
		RETURN 'NaN';
	END IF;
	IF v = 'Infinity'::float8 THEN
		RETURN pfx || 'Inf';
	END IF;
	xtype := lower(xtype);
	IF xtype = 'g' AND prec > 0 THEN
		prec := prec - 1;
	END IF;
	idx := prec & 4095;
	rounder := (ARRAY[5.0e-1, 5.0e-2, 5.0e-3, 5.0e-4, 5.0e-5, 5.0e-6, 5.0e-7,
	    5.0e-8, 5.0e-9, 5.0e-10]::float8[])[idx % 10 + 1];
	WHILE idx >= 10 LOOP
		IF rounder < 1e-290::float8 THEN
			rounder := 0;
		ELSE
			rounder := rounder * 1.0e-10::float8;
		END IF;
		idx := idx - 10;
	END LOOP;
	rv := public.pp__f8exact(v);
	IF xtype = 'f' THEN
		ex := ((('x' || encode(float8send(v), 'hex'))::bit(64)::bigint
		    >> 52) & 2047)::int - 1023;
		IF prec + ex / 3 < 15 THEN
			rounder := (public.pp__f8exact(rounder) +
			    rv * public.pp__f8exact(3e-16::float8))::float8;
		END IF;
		rv := rv + public.pp__f8exact(rounder);
	END IF;
	IF rv > 0 THEN
		expo := floor(log(10::numeric, rv))::int;
		WHILE rv >= ('1e' || (expo + 1))::numeric LOOP
			expo := expo + 1;
		END LOOP;
		WHILE rv < ('1e' || expo)::numeric LOOP
			expo := expo - 1;
		END LOOP;
		rv := rv * ('1e' || (-expo))::numeric;
	END IF;
	IF xtype <> 'f' THEN
		rv := rv + public.pp__f8exact(rounder);
		IF rv >= 10 THEN
			rv := rv * 0.1;
			expo := expo + 1;
		END IF;
	END IF;
	IF xtype = 'g' THEN
		rtz := NOT alt;
		IF expo < -4 OR expo > prec THEN
			xtype := 'e';
		ELSE
			prec := prec - expo;
			xtype := 'f';
		END IF;
	ELSE
		rtz := alt2;
	END IF;
	e2 := CASE WHEN xtype = 'e' THEN 0 ELSE expo END;
	nsd := CASE WHEN alt2 THEN 26 ELSE 16 END;
	dp := prec > 0 OR alt OR alt2;
	-- the digits of rv, in [1, 10) or 0, as the long double gives them
	dig := replace(trunc(rv, nsd + 2)::text, '.', '');
	out := pfx;
	IF e2 < 0 THEN
		out := out || '0';
	ELSE
		WHILE e2 >= 0 LOOP
			di := di + 1;
			out := out || CASE WHEN di <= nsd THEN
			    coalesce(nullif(substr(dig, di, 1), ''), '0') ELSE '0' END;
			e2 := e2 - 1;
		END LOOP;
	END IF;
	IF dp THEN
		out := out || '.';
	END IF;
	e2 := e2 + 1;
	WHILE e2 < 0 LOOP
		out := out || '0';
		prec := prec - 1;
		e2 := e2 + 1;
	END LOOP;
	WHILE prec > 0 LOOP
		di := di + 1;
		out := out || CASE WHEN di <= nsd THEN
		    coalesce(nullif(substr(dig, di, 1), ''), '0') ELSE '0' END;
		prec := prec - 1;
	END LOOP;
	IF rtz AND dp THEN
		out := rtrim(out, '0');
		IF right(out, 1) = '.' THEN
			out := CASE WHEN alt2 THEN out || '0' ELSE left(out, -1) END;
		END IF;
	END IF;
	IF xtype = 'e' THEN
		out := out || CASE WHEN upper_e THEN 'E' ELSE 'e' END ||
		    CASE WHEN expo < 0 THEN '-' ELSE '+' END ||
		    CASE WHEN abs(expo) < 10 THEN '0' ELSE '' END || abs(expo)::text;
	END IF;
	RETURN out;
END
$$;

-- strftime()'s formatting of a DateTime p.
CREATE FUNCTION pp__dt_strftime(fmt text, p pp__dt) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	out text := '';
	i int := 1;
	n int := length(fmt);
	c text;
	q public.pp__dt;
	nday int;
	wd int;
	s float8;
BEGIN
	IF fmt IS NULL OR p IS NULL THEN
		RETURN NULL;
	END IF;
	WHILE i <= n LOOP
		c := substr(fmt, i, 1);
		IF c <> '%' THEN
			out := out || c;
			i := i + 1;
			CONTINUE;
		END IF;
		c := substr(fmt, i + 1, 1);
		i := i + 2;
		CASE c
		WHEN 'd' THEN out := out || lpad(p.d::text, 2, '0');
		WHEN 'f' THEN
			s := p.s;
			IF s > 59.999::float8 THEN
				s := 59.999;
			END IF;
			out := out || public.pp__fmt_float(s, 'f', 3, '', false, false);
			IF s < 10 THEN
				out := left(out, -6) || '0' || right(out, 6);
			END IF;
		WHEN 'H' THEN out := out || lpad(p.h::text, 2, '0');
		WHEN 'W', 'j' THEN
			q := p;
			q.vjd := false;
			q.mo := 1;
			q.d := 1;
			q := public.pp__dt_jd(q);
			nday := ((p.ijd - q.ijd + 43200000) / 86400000)::int;
			IF c = 'W' THEN
				wd := (((p.ijd + 43200000) / 86400000) % 7)::int;
				out := out || lpad(((nday + 7 - wd) / 7)::text, 2, '0');
			ELSE
				out := out || lpad((nday + 1)::text, 3, '0');
			END IF;
		WHEN 'J' THEN
			out := out || public.pp__fmt_float(p.ijd::float8 /
			    86400000::float8, 'g', 16, '', false, false);
		WHEN 'm' THEN out := out || lpad(p.mo::text, 2, '0');
		WHEN 'M' THEN out := out || lpad(p.mi::text, 2, '0');
		WHEN 's' THEN out := out || (p.ijd / 1000 - 210866760000)::text;
		WHEN 'S' THEN out := out || lpad(trunc(p.s)::int::text, 2, '0');
		WHEN 'w' THEN out := out || (((p.ijd + 129600000) / 86400000) % 7)::text;
		WHEN 'Y' THEN
			out := out || public.pp__pad0(p.y, 4);
		WHEN '%' THEN out := out || '%';
		ELSE RETURN NULL;	-- a conversion SQLite does not know
		END CASE;
	END LOOP;
	RETURN out;
END
$$;

-- The library's own forms the short way, in plain SQL that PostgreSQL
-- inlines: a Unix time of 1970 to 2038-01-18 in whole seconds with
-- 'unixepoch' and 'localtime' (1) or 'unixepoch' alone (2), where SQLite
-- asks the C library and to_char() of the time in the session's zone
-- writes what it writes; 0 otherwise.  tests/pg/schema.t checks them
-- against sqlite3 across the zones' changes.
CREATE FUNCTION pp__dt_quick(v double precision, m text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v >= 0 AND v <= 2147385600 AND v = trunc(v) THEN
	    CASE WHEN m = '{unixepoch,localtime}' THEN 1
	    WHEN m = '{unixepoch}' THEN 2 ELSE 0 END ELSE 0 END
$$;

-- The to_char() pattern of the strftime() formats the reports use.
CREATE FUNCTION pp__dt_tochar(f text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE f WHEN '%Y-%m-%d' THEN 'YYYY-MM-DD' WHEN '%Y-%m' THEN 'YYYY-MM'
	    WHEN '%Y' THEN 'YYYY' WHEN '%Y-%m-%d %H:%M:%S' THEN
	    'YYYY-MM-DD HH24:MI:SS' WHEN '%H:%M:%S' THEN 'HH24:MI:SS'
	    WHEN '%H' THEN 'HH24' END
$$;

-- The public functions.  The value is text (an ISO date or time, 'now' or
-- a number in text), or a number: bigint, double precision or numeric
-- (an integer argument takes the double's).  A number is a Julian day
-- unless a modifier ('unixepoch', 'auto') says otherwise, as in SQLite.

CREATE FUNCTION date(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_date(public.pp__dt_eval(v, NULL, m)) $$;
CREATE FUNCTION date(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_date(public.pp__dt_eval(v, NULL, '{}')) $$;
CREATE FUNCTION date(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN public.pp__dt_quick(v, m) = 1 THEN
    to_char(to_timestamp(v), 'YYYY-MM-DD')
    WHEN public.pp__dt_quick(v, m) = 2 THEN
    to_char(to_timestamp(v) AT TIME ZONE 'UTC', 'YYYY-MM-DD')
    ELSE public.pp__dt_date(public.pp__dt_eval(NULL, v, m)) END $$;
CREATE FUNCTION date(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_date(public.pp__dt_eval(NULL, v, '{}')) $$;

CREATE FUNCTION "time"(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_time(public.pp__dt_eval(v, NULL, m)) $$;
CREATE FUNCTION "time"(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_time(public.pp__dt_eval(v, NULL, '{}')) $$;
CREATE FUNCTION "time"(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_time(public.pp__dt_eval(NULL, v, m)) $$;
CREATE FUNCTION "time"(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_time(public.pp__dt_eval(NULL, v, '{}')) $$;

CREATE FUNCTION datetime(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (SELECT public.pp__dt_date(p) || ' ' || public.pp__dt_time(p)
    FROM (SELECT public.pp__dt_eval(v, NULL, m) AS p) x) $$;
CREATE FUNCTION datetime(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.datetime(v, VARIADIC '{}'::text[]) $$;
CREATE FUNCTION datetime(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN public.pp__dt_quick(v, m) = 1 THEN
    to_char(to_timestamp(v), 'YYYY-MM-DD HH24:MI:SS')
    WHEN public.pp__dt_quick(v, m) = 2 THEN
    to_char(to_timestamp(v) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
    ELSE (SELECT public.pp__dt_date(p) || ' ' || public.pp__dt_time(p)
    FROM (SELECT public.pp__dt_eval(NULL, v, m) AS p) x) END $$;
CREATE FUNCTION datetime(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.datetime(v, VARIADIC '{}'::text[]) $$;

CREATE FUNCTION julianday(v text, VARIADIC m text[]) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(v, NULL, m)).ijd::float8 / 86400000::float8 $$;
CREATE FUNCTION julianday(v text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(v, NULL, '{}')).ijd::float8 / 86400000::float8 $$;
CREATE FUNCTION julianday(v double precision, VARIADIC m text[]) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(NULL, v, m)).ijd::float8 / 86400000::float8 $$;
CREATE FUNCTION julianday(v double precision) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(NULL, v, '{}')).ijd::float8 / 86400000::float8 $$;

CREATE FUNCTION unixepoch(v text, VARIADIC m text[]) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(v, NULL, m)).ijd / 1000 - 210866760000 $$;
CREATE FUNCTION unixepoch(v text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(v, NULL, '{}')).ijd / 1000 - 210866760000 $$;
CREATE FUNCTION unixepoch(v double precision, VARIADIC m text[]) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(NULL, v, m)).ijd / 1000 - 210866760000 $$;
CREATE FUNCTION unixepoch(v double precision) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (public.pp__dt_eval(NULL, v, '{}')).ijd / 1000 - 210866760000 $$;
CREATE FUNCTION unixepoch() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.unixepoch('now') $$;

CREATE FUNCTION strftime(f text, v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_strftime(f, public.pp__dt_eval(v, NULL, m)) $$;
CREATE FUNCTION strftime(f text, v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_strftime(f, public.pp__dt_eval(v, NULL, '{}')) $$;
CREATE FUNCTION strftime(f text, v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN public.pp__dt_quick(v, m) = 1 AND
    public.pp__dt_tochar(f) IS NOT NULL THEN
    to_char(to_timestamp(v), public.pp__dt_tochar(f))
    WHEN public.pp__dt_quick(v, m) = 2 AND
    public.pp__dt_tochar(f) IS NOT NULL THEN
    to_char(to_timestamp(v) AT TIME ZONE 'UTC', public.pp__dt_tochar(f))
    ELSE public.pp__dt_strftime(f, public.pp__dt_eval(NULL, v, m)) END $$;
CREATE FUNCTION strftime(f text, v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_strftime(f, public.pp__dt_eval(NULL, v, '{}')) $$;
CREATE FUNCTION strftime(f text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime(f, 'now') $$;

------------------------------------------------------------------------
-- SQLite's values: a printf or group_concat argument of any type is
-- turned into a pp__value (an implicit cast from each type the library
-- passes), which remembers whether SQLite would see an integer, a real
-- or a text.  A comparison is SQLite's integer 0 or 1.  A numeric without
-- a point (sum() of integers) is an integer.  PostgreSQL cannot take an
-- untyped string literal as a pp__value when other arguments are not
-- text: write CAST('x' AS TEXT) there (the library has none).
------------------------------------------------------------------------

CREATE TYPE pp__value AS (v text, t "char");

CREATE FUNCTION pp__value(bigint) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1::text, 'i')::public.pp__value $$;
CREATE FUNCTION pp__value(integer) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1::text, 'i')::public.pp__value $$;
CREATE FUNCTION pp__value(smallint) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1::text, 'i')::public.pp__value $$;
CREATE FUNCTION pp__value(boolean) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW(CASE WHEN $1 THEN '1' ELSE '0' END, 'i')::public.pp__value $$;
CREATE FUNCTION pp__value(double precision) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1::text, 'r')::public.pp__value $$;
CREATE FUNCTION pp__value(real) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1::float8::text, 'r')::public.pp__value $$;
CREATE FUNCTION pp__value(numeric) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT CASE WHEN $1::text ~ '^-?[0-9]+$' AND
    $1 BETWEEN -9223372036854775808 AND 9223372036854775807
    THEN ROW($1::text, 'i')::public.pp__value
    ELSE ROW($1::float8::text, 'r')::public.pp__value END $$;
CREATE FUNCTION pp__value(text) RETURNS pp__value
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT ROW($1, 't')::public.pp__value $$;

CREATE CAST (bigint AS pp__value) WITH FUNCTION pp__value(bigint) AS IMPLICIT;
CREATE CAST (integer AS pp__value) WITH FUNCTION pp__value(integer) AS IMPLICIT;
CREATE CAST (smallint AS pp__value) WITH FUNCTION pp__value(smallint) AS IMPLICIT;
CREATE CAST (boolean AS pp__value) WITH FUNCTION pp__value(boolean) AS IMPLICIT;
CREATE CAST (double precision AS pp__value)
    WITH FUNCTION pp__value(double precision) AS IMPLICIT;
CREATE CAST (real AS pp__value) WITH FUNCTION pp__value(real) AS IMPLICIT;
CREATE CAST (numeric AS pp__value) WITH FUNCTION pp__value(numeric) AS IMPLICIT;
CREATE CAST (text AS pp__value) WITH FUNCTION pp__value(text) AS IMPLICIT;

-- sqlite3_value_text(): a real as "%!.15g".
CREATE FUNCTION pp__value_text(x pp__value) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN x.t = 'r' THEN public.pp__fmt_float(x.v::float8, 'g',
	    15, '', false, true) ELSE x.v END
$$;

-- sqlite3_value_int64(): a text's leading integer, a real truncated.
CREATE FUNCTION pp__value_int(x pp__value) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	m text;
	r float8;
BEGIN
	IF x IS NULL OR x.v IS NULL THEN
		RETURN 0;
	ELSIF x.t = 'i' THEN
		RETURN x.v::bigint;
	ELSIF x.t = 'r' THEN
		r := x.v::float8;
	ELSE
		m := substring(x.v FROM '^[ \t\n\013\f\r]*([-+]?[0-9]+)');
		IF m IS NULL THEN
			RETURN 0;
		END IF;
		BEGIN
			RETURN m::bigint;
		EXCEPTION WHEN numeric_value_out_of_range THEN
			RETURN CASE WHEN m LIKE '-%' THEN -9223372036854775808
			    ELSE 9223372036854775807 END;
		END;
	END IF;
	IF r <> r THEN
		RETURN 0;
	ELSIF r <= -9223372036854775808::float8 THEN
		RETURN -9223372036854775808;
	ELSIF r >= 9223372036854775807::float8 THEN
		RETURN 9223372036854775807;
	END IF;
	RETURN trunc(r)::bigint;
END
$$;

-- sqlite3_value_double(): a text's leading number.
CREATE FUNCTION pp__value_double(x pp__value) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	m text;
BEGIN
	IF x IS NULL OR x.v IS NULL THEN
		RETURN 0;
	ELSIF x.t IN ('i', 'r') THEN
		RETURN x.v::float8;
	END IF;
	m := substring(x.v FROM
	    '^[ \t\n\013\f\r]*([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)');
	IF m IS NULL THEN
		RETURN 0;
	END IF;
	RETURN public.pp__atof(m);
END
$$;

-- Text cut to at most n bytes (SQLite's printf counts bytes), on a
-- character's boundary.
CREATE FUNCTION pp__bytes_left(s text, n int) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	k int := 0;
BEGIN
	IF octet_length(s) <= n THEN
		RETURN s;
	END IF;
	WHILE octet_length(left(s, k + 1)) <= n LOOP
		k := k + 1;
	END LOOP;
	RETURN left(s, k);
END
$$;

-- SQLite 3.40's printf(FORMAT, ...): %d %i %u %x %X %o %p %f %e %E %g %G
-- %c %s %z %q %Q %w %n %% with the flags - + space # ! 0 , a width and a
-- precision (or *), and l/ll.  A missing argument is 0 or ''; an unknown
-- conversion ends the output there, as in SQLite.
CREATE FUNCTION pp__printf(fmt text, args pp__value[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	out text := '';
	i int := 1;
	n int := length(fmt);
	na int := coalesce(array_length(args, 1), 0);
	ai int := 0;
	c text;
	fl_left boolean; fl_prefix text; fl_alt boolean; fl_alt2 boolean;
	fl_zero boolean; fl_comma boolean;
	width int; prec int;
	done boolean;
	buf text;
	len int;
	iv bigint;
	uv numeric;
	base int;
	digs text;
	pfx text;
	a public.pp__value;
	q text;
	k int;
	ix int;
	tmp text;
BEGIN
	IF fmt IS NULL THEN
		RETURN NULL;
	END IF;
	WHILE i <= n LOOP
		c := substr(fmt, i, 1);
		IF c <> '%' THEN
			k := strpos(substr(fmt, i), '%');
			IF k = 0 THEN
				out := out || substr(fmt, i);
				EXIT;
			END IF;
			out := out || substr(fmt, i, k - 1);
			i := i + k - 1;
			CONTINUE;
		END IF;
		i := i + 1;
		IF i > n THEN
			out := out || '%';
			EXIT;
		END IF;
		c := substr(fmt, i, 1);
		fl_left := false; fl_prefix := ''; fl_alt := false;
		fl_alt2 := false; fl_zero := false; fl_comma := false;
		width := 0; prec := -1; done := false;
		LOOP
			IF c = '-' THEN fl_left := true;
			ELSIF c = '+' THEN fl_prefix := '+';
			ELSIF c = ' ' THEN fl_prefix := ' ';
			ELSIF c = '#' THEN fl_alt := true;
			ELSIF c = '!' THEN fl_alt2 := true;
			ELSIF c = '0' THEN fl_zero := true;
			ELSIF c = ',' THEN fl_comma := true;
			ELSIF c = 'l' THEN
				i := i + 1;
				c := substr(fmt, i, 1);
				IF c = 'l' THEN
					i := i + 1;
					c := substr(fmt, i, 1);
				END IF;
				done := true;
			ELSIF c ~ '^[1-9]$' THEN
				width := 0;
				WHILE c ~ '^[0-9]$' LOOP
					width := (least(width::bigint * 10 + c::int,
					    2147483647))::int;
					i := i + 1;
					c := substr(fmt, i, 1);
				END LOOP;
				IF c <> '.' AND c <> 'l' THEN
					done := true;
				ELSE
					i := i - 1;
				END IF;
			ELSIF c = '*' THEN
				ai := ai + 1;
				width := greatest(least(public.pp__value_int(
				    CASE WHEN ai <= na THEN args[ai] END),
				    2147483647), -2147483648)::int;
				IF width < 0 THEN
					fl_left := true;
					width := CASE WHEN width >= -2147483647
					    THEN -width ELSE 0 END;
				END IF;
				IF substr(fmt, i + 1, 1) NOT IN ('.', 'l') THEN
					i := i + 1;
					c := substr(fmt, i, 1);
					done := true;
				END IF;
			ELSIF c = '.' THEN
				i := i + 1;
				c := substr(fmt, i, 1);
				IF c = '*' THEN
					ai := ai + 1;
					prec := greatest(least(public.pp__value_int(
					    CASE WHEN ai <= na THEN args[ai] END),
					    2147483647), -2147483648)::int;
					IF prec < 0 THEN
						prec := CASE WHEN prec >= -2147483647
						    THEN -prec ELSE -1 END;
					END IF;
					i := i + 1;
					c := substr(fmt, i, 1);
				ELSE
					prec := 0;
					WHILE c ~ '^[0-9]$' LOOP
						prec := (least(prec::bigint * 10 + c::int,
						    2147483647))::int;
						i := i + 1;
						c := substr(fmt, i, 1);
					END LOOP;
				END IF;
				IF c = 'l' THEN
					i := i - 1;
				ELSE
					done := true;
				END IF;
			ELSE
				done := true;
			END IF;
			EXIT WHEN done;
			i := i + 1;
			c := substr(fmt, i, 1);
			EXIT WHEN c = '';
		END LOOP;
		-- c is the conversion, at i
		i := i + 1;
		IF width > 1000000 OR prec > 1000000 THEN
			RAISE EXCEPTION 'printf: a width or precision over a million';
		END IF;
		IF c IN ('d', 'i', 'u', 'x', 'X', 'o', 'p') THEN
			ai := ai + 1;
			iv := public.pp__value_int(CASE WHEN ai <= na THEN args[ai] END);
			IF c IN ('d', 'i') THEN
				IF iv < 0 THEN
					uv := -(iv::numeric);
					pfx := '-';
				ELSE
					uv := iv;
					pfx := fl_prefix;
				END IF;
			ELSE
				uv := CASE WHEN iv < 0
				    THEN iv::numeric + 18446744073709551616 ELSE iv END;
				pfx := '';
			END IF;
			IF uv = 0 THEN
				fl_alt := false;
			END IF;
			IF fl_zero AND prec < width - (CASE WHEN pfx <> '' THEN 1 ELSE 0 END)
			    THEN
				prec := width - (CASE WHEN pfx <> '' THEN 1 ELSE 0 END);
			END IF;
			base := CASE WHEN c IN ('x', 'X', 'p') THEN 16
			    WHEN c = 'o' THEN 8 ELSE 10 END;
			digs := '';
			LOOP
				digs := substr(CASE WHEN c IN ('X', 'p')
				    THEN '0123456789ABCDEF' ELSE '0123456789abcdef' END,
				    (uv % base)::int + 1, 1) || digs;
				uv := div(uv, base::numeric);
				EXIT WHEN uv = 0;
			END LOOP;
			IF prec > length(digs) THEN
				digs := repeat('0', prec - length(digs)) || digs;
			END IF;
			IF fl_comma AND c IN ('d', 'i', 'u') THEN
				len := length(digs);
				ix := (len - 1) % 3 + 1;
				tmp := left(digs, ix);
				k := ix + 1;
				WHILE k <= len LOOP
					tmp := tmp || ',' || substr(digs, k, 3);
					k := k + 3;
				END LOOP;
				digs := tmp;
			END IF;
			buf := pfx || digs;
			IF fl_alt THEN
				buf := CASE c WHEN 'o' THEN '0' WHEN 'x' THEN '0x'
				    WHEN 'X' THEN '0X' ELSE '' END || buf;
			END IF;
		ELSIF c IN ('f', 'e', 'E', 'g', 'G') THEN
			ai := ai + 1;
			buf := public.pp__fmt_float(public.pp__value_double(
			    CASE WHEN ai <= na THEN args[ai] END), c, prec, fl_prefix,
			    fl_alt, fl_alt2);
			IF fl_zero AND NOT fl_left AND octet_length(buf) < width AND
			    buf !~ '(Inf|NaN)$' THEN
				k := CASE WHEN left(buf, 1) IN ('-', '+', ' ') THEN 1 ELSE 0 END;
				buf := left(buf, k) || repeat('0', width - octet_length(buf)) ||
				    substr(buf, k + 1);
			END IF;
		ELSIF c = '%' THEN
			buf := '%';
		ELSIF c = 'n' THEN
			buf := '';
		ELSIF c = 'c' THEN
			ai := ai + 1;
			a := CASE WHEN ai <= na THEN args[ai] END;
			buf := left(coalesce(public.pp__value_text(a), ''), 1);
			IF prec > 1 THEN
				width := width - (prec - 1);
				IF width > 1 AND NOT fl_left THEN
					out := out || repeat(' ', width - 1);
					width := 0;
				END IF;
				out := out || repeat(buf, prec - 1);
			END IF;
			-- the width counts characters here
			width := width + octet_length(buf) - length(buf);
		ELSIF c IN ('s', 'z') THEN
			ai := ai + 1;
			a := CASE WHEN ai <= na THEN args[ai] END;
			buf := coalesce(public.pp__value_text(a), '');
			IF prec >= 0 THEN
				buf := CASE WHEN fl_alt2 THEN left(buf, prec)
				    ELSE public.pp__bytes_left(buf, prec) END;
			END IF;
			IF fl_alt2 AND width > 0 THEN
				width := width + octet_length(buf) - length(buf);
			END IF;
		ELSIF c IN ('q', 'Q', 'w') THEN
			ai := ai + 1;
			a := CASE WHEN ai <= na THEN args[ai] END;
			buf := public.pp__value_text(a);
			q := CASE WHEN c = 'w' THEN '"' ELSE chr(39) END;
			IF buf IS NULL THEN
				buf := CASE WHEN c = 'Q' THEN 'NULL' ELSE '(NULL)' END;
				IF prec >= 0 THEN
					buf := left(buf, prec);
				END IF;
			ELSE
				IF prec >= 0 THEN
					buf := CASE WHEN fl_alt2 THEN left(buf, prec)
					    ELSE public.pp__bytes_left(buf, prec) END;
				END IF;
				buf := replace(buf, q, q || q);
				IF c = 'Q' THEN
					buf := chr(39) || buf || chr(39);
				END IF;
			END IF;
		ELSE
			-- an unknown conversion: SQLite stops here
			EXIT;
		END IF;
		len := octet_length(buf);
		IF width > len THEN
			IF fl_left THEN
				buf := buf || repeat(' ', width - len);
			ELSE
				buf := repeat(' ', width - len) || buf;
			END IF;
		END IF;
		out := out || buf;
	END LOOP;
	RETURN out;
END
$$;

CREATE FUNCTION printf(fmt text, VARIADIC args pp__value[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT public.pp__printf(fmt, args) $$;
-- all-text arguments, and untyped literals, take this one
CREATE FUNCTION printf(fmt text, VARIADIC args text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT public.pp__printf(fmt, args::public.pp__value[]) $$;
CREATE FUNCTION printf(fmt text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT public.pp__printf(fmt, '{}') $$;

------------------------------------------------------------------------
-- Aggregates: group_concat(x) and group_concat(x, sep) (NULLs skipped,
-- the separator of each row put before its value, NULL when no value);
-- total(x) (a double, 0.0 over no rows); sum(comparison) (SQLite counts
-- a true comparison as 1).
------------------------------------------------------------------------

CREATE FUNCTION pp__concat_step(st text, x text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN x IS NULL THEN st WHEN st IS NULL THEN x
	    ELSE st || coalesce(sep, '') || x END
$$;
CREATE FUNCTION pp__concat_step(st text, x text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT public.pp__concat_step(st, x, ',')
$$;
CREATE FUNCTION pp__concat_step(st text, x pp__value, sep text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT public.pp__concat_step(st, public.pp__value_text(x), sep)
$$;
CREATE FUNCTION pp__concat_step(st text, x pp__value) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT public.pp__concat_step(st, public.pp__value_text(x), ',')
$$;

CREATE AGGREGATE group_concat(text) (SFUNC = pp__concat_step, STYPE = text);
CREATE AGGREGATE group_concat(text, text) (SFUNC = pp__concat_step,
    STYPE = text);
CREATE AGGREGATE group_concat(pp__value) (SFUNC = pp__concat_step,
    STYPE = text);
CREATE AGGREGATE group_concat(pp__value, text) (SFUNC = pp__concat_step,
    STYPE = text);

CREATE AGGREGATE total(double precision) (SFUNC = float8pl, STYPE = float8,
    INITCOND = '0', COMBINEFUNC = float8pl, PARALLEL = SAFE);

CREATE FUNCTION pp__sum_step(st bigint, x boolean) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN x IS NULL THEN st
	    ELSE coalesce(st, 0) + CASE WHEN x THEN 1 ELSE 0 END END
$$;
CREATE AGGREGATE sum(boolean) (SFUNC = pp__sum_step, STYPE = bigint,
    COMBINEFUNC = int8pl, PARALLEL = SAFE);

------------------------------------------------------------------------
-- Scalars.
------------------------------------------------------------------------

-- instr(x, y): where y first is in x, from 1; 0 if not.  A bigint, so
-- that substr(x, 1, instr(...) - 1) takes SQLite's substr below.
CREATE FUNCTION instr(x text, y text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT position(y IN x)::bigint $$;

-- SQLite's substr(x, start[, length]), in characters: a start of 0 or
-- below counts from before the first, a negative start from the end, a
-- negative length takes the characters before the start.  PostgreSQL's
-- own substr(text, int, int) stays chosen for int arguments (literals);
-- it differs for a negative start or length (an error for the latter).
CREATE FUNCTION substr(x text, p1 bigint, p2 bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	len bigint;
	neg boolean := false;
BEGIN
	IF x IS NULL OR p1 IS NULL OR p2 IS NULL THEN
		RETURN NULL;
	END IF;
	-- sqlite3_value_int(): the low 32 bits
	p1 := ((p1 + 2147483648) % 4294967296 + 4294967296) % 4294967296
	    - 2147483648;
	p2 := ((p2 + 2147483648) % 4294967296 + 4294967296) % 4294967296
	    - 2147483648;
	len := length(x);
	IF p2 < 0 THEN
		p2 := -p2;
		neg := true;
	END IF;
	IF p1 < 0 THEN
		p1 := p1 + len;
		IF p1 < 0 THEN
			p2 := p2 + p1;
			IF p2 < 0 THEN
				p2 := 0;
			END IF;
			p1 := 0;
		END IF;
	ELSIF p1 > 0 THEN
		p1 := p1 - 1;
	ELSIF p2 > 0 THEN
		p2 := p2 - 1;
	END IF;
	IF neg THEN
		p1 := p1 - p2;
		IF p1 < 0 THEN
			p2 := p2 + p1;
			p1 := 0;
		END IF;
	END IF;
	IF p1 >= len THEN
		RETURN '';
	END IF;
	RETURN pg_catalog.substr(x, (p1 + 1)::int, least(p2, len)::int);
END
$$;
CREATE FUNCTION substr(x text, p1 bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	IF x IS NULL OR p1 IS NULL THEN
		RETURN NULL;
	END IF;
	-- SQLite's length is "as long as the longest string"
	RETURN public.substr(x, p1, 1000000000::bigint);
END
$$;

-- iif(c, a, b) and ifnull(a, b).  A number is true when not 0, as in
-- SQLite.  Unlike SQLite's, both of a and b are evaluated.
CREATE FUNCTION iif(c boolean, a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN c THEN a ELSE b END $$;
CREATE FUNCTION iif(c bigint, a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN c <> 0 THEN a ELSE b END $$;
CREATE FUNCTION iif(c double precision, a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN c <> 0 THEN a ELSE b END $$;
-- a text condition, or an untyped NULL: true when its leading number is
-- not 0, as in SQLite
CREATE FUNCTION iif(c text, a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN public.pp__value_double(ROW(c, 't')::public.pp__value) <> 0
    THEN a ELSE b END $$;
CREATE FUNCTION ifnull(a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(a, b) $$;

-- The scalar min(a, b, ...) and max(a, b, ...): NULL when any argument
-- is NULL.  The aggregates min(x) and max(x) stay PostgreSQL's.
CREATE FUNCTION min(a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE FUNCTION max(a anycompatible, b anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE FUNCTION min(a anycompatible, b anycompatible,
    VARIADIC c anycompatiblearray)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN a IS NULL OR b IS NULL OR
	    array_position(c, NULL) IS NOT NULL THEN NULL
	    ELSE least(a, b, (SELECT pg_catalog.min(x) FROM unnest(c) x)) END
$$;
CREATE FUNCTION max(a anycompatible, b anycompatible,
    VARIADIC c anycompatiblearray)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN a IS NULL OR b IS NULL OR
	    array_position(c, NULL) IS NOT NULL THEN NULL
	    ELSE greatest(a, b, (SELECT pg_catalog.max(x) FROM unnest(c) x)) END
$$;

-- typeof(x): 'integer', 'real', 'text', 'blob' or 'null'.
CREATE FUNCTION typeof(x anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN x IS NULL THEN 'null'
	    WHEN pg_typeof(x) IN ('bigint'::regtype, 'integer'::regtype,
	        'smallint'::regtype, 'boolean'::regtype) THEN 'integer'
	    WHEN pg_typeof(x) IN ('double precision'::regtype, 'real'::regtype)
	        THEN 'real'
	    WHEN pg_typeof(x) = 'numeric'::regtype THEN
	        CASE WHEN x::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
	    WHEN pg_typeof(x) = 'bytea'::regtype THEN 'blob'
	    ELSE 'text' END
$$;

-- a text, or an untyped literal
CREATE FUNCTION typeof(x text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN x IS NULL THEN 'null' ELSE 'text' END $$;

-- length() of an integer: of its text, as SQLite.
CREATE FUNCTION length(x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT pg_catalog.length(x::text)::bigint $$;

UPDATE pp_schema SET version = 1;
