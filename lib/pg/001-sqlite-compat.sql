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
-- them and nothing of PostgreSQL's own is shadowed.  Each function gives
-- SQLite 3.40's results (the version Debian 12 ships and the library is
-- tested with) for what the library and its tests ask of it, checked
-- against sqlite3 itself by tests/pg/schema.t; the dates take fewer forms
-- than SQLite's (below).  Our own code on PostgreSQL's functions, not a
-- translation of SQLite's.  The helpers are named pp__*; the library
-- never calls them.
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
-- Date and time: SQLite's date and time functions, for the values and
-- modifiers prepay's SQL and its tests use, on PostgreSQL's own
-- timestamps.  A value is a timestamp without time zone: UTC, or the
-- session's local time once 'localtime' made it so.  What SQLite cannot
-- read gives NULL, as there; what SQLite reads but these do not (the
-- modifiers 'auto', 'julianday', 'start of week' or '+HH:MM', a fraction
-- of a month or a year) is an error saying so, never a guess.
-- tests/pg/schema.t checks every form against sqlite3 itself.
--
-- Values: 'YYYY-MM-DD', with ' HH:MM', ' HH:MM:SS' or ' HH:MM:SS.FFF'
-- (or 'T' for the space) and a zone 'Z' or '+HH:MM'; 'HH:MM[:SS]' alone,
-- on 2000-01-01; 'now'; a number, a Julian day, or Unix seconds with the
-- first modifier 'unixepoch'.  Modifiers: 'unixepoch', 'localtime',
-- 'utc', 'start of day', 'start of month', 'start of year', 'weekday N',
-- '+N days' (hours, minutes, seconds; months and years whole), each
-- unit singular or plural.
------------------------------------------------------------------------

-- Unix seconds as a UTC timestamp; NULL outside the years 1 to 9999.
CREATE FUNCTION pp__dt_unix(v double precision) RETURNS timestamp
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v >= -62135596800 AND v < 253402300800 THEN
	    to_timestamp(v) AT TIME ZONE 'UTC' END
$$;

-- Year, month and day, the day allowed past the month's end (31 February
-- is 3 March, as SQLite counts on from a month added), and the time of
-- day in seconds.
CREATE FUNCTION pp__dt_make(y int, mo int, d int, secs numeric)
RETURNS timestamp
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN y BETWEEN 1 AND 9999 AND mo BETWEEN 1 AND 12 THEN
	    make_date(y, mo, 1)::timestamp + make_interval(days => d - 1) +
	    make_interval(secs => secs::float8) END
$$;

-- A text value; NULL when it is none of the forms above.
CREATE FUNCTION pp__dt_parse(v text) RETURNS timestamp
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	p text[];
	t timestamp;
	secs numeric;
BEGIN
	IF lower(v) = 'now' THEN
		RETURN statement_timestamp() AT TIME ZONE 'UTC';
	END IF;
	p := regexp_match(v, '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?)? *(Z|[-+][0-9]{2}:[0-9]{2})?$');
	IF p IS NULL THEN
		p := regexp_match(v, '^()()()([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))? *(Z|[-+][0-9]{2}:[0-9]{2})?$');
		IF p IS NULL THEN
			RETURN NULL;
		END IF;
		p[1] := '2000';
		p[2] := '01';
		p[3] := '01';
	END IF;
	-- A day the month has not, or the hour 24, is no date: NULL (SQLite
	-- writes such a value back as it was given).
	IF p[2]::int NOT BETWEEN 1 AND 12 OR p[3]::int NOT BETWEEN 1 AND
	    extract(day FROM make_date(p[1]::int, p[2]::int, 1) +
	    interval '1 month - 1 day')::int OR coalesce(p[4], '0')::int > 23 OR
	    coalesce(p[5], '0')::int > 59 OR coalesce(p[6], '0')::numeric >= 60 THEN
		RETURN NULL;
	END IF;
	secs := coalesce(p[4], '0')::int * 3600 + coalesce(p[5], '0')::int * 60 +
	    trunc(coalesce(p[6], '0')::numeric, 3);
	t := public.pp__dt_make(p[1]::int, p[2]::int, p[3]::int, secs);
	IF p[7] IS NOT NULL AND p[7] <> 'Z' THEN
		-- The time is the zone's: UTC is that much behind or ahead.
		t := t - (substr(p[7], 1, 1) || '1')::int * make_interval(
		    hours => substr(p[7], 2, 2)::int, mins => substr(p[7], 5, 2)::int);
	END IF;
	RETURN t;
END
$$;

-- A local time t of zone as UTC.  A time the clocks go back over is the
-- earlier of its two, as the C library's mktime() gives it to SQLite.
CREATE FUNCTION pp__dt_utc(t timestamp, zone text) RETURNS timestamp
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	u timestamptz := t AT TIME ZONE zone;
BEGIN
	IF ((u - interval '1 hour') AT TIME ZONE zone) = t THEN
		u := u - interval '1 hour';
	END IF;
	RETURN u AT TIME ZONE 'UTC';
END
$$;

-- The value (text vt, or the number vn) with its modifiers; NULL where
-- SQLite gives NULL.
CREATE FUNCTION pp__dt_eval(vt text, vn double precision, mods text[])
RETURNS timestamp
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	t timestamp;
	k int := 1;
	n int := coalesce(array_length(mods, 1), 0);
	z text;
	p text[];
	made_utc boolean := false;
	months int;
	zone text := current_setting('TimeZone');
BEGIN
	IF array_position(mods, NULL) IS NOT NULL THEN
		RETURN NULL;
	END IF;
	FOR k IN 1 .. n LOOP
		IF lower(btrim(mods[k])) ~ '^(auto|julianday|subsec|subsecond|start of week|[-+]?[0-9]{2}:[0-9]{2}.*|[-+]?[0-9]*\.[0-9]* +(month|year)s?)$' THEN
			RAISE EXCEPTION 'prepay: the date modifier "%" is not one prepay uses on PostgreSQL (lib/pg/001)', mods[k];
		END IF;
	END LOOP;
	k := 1;
	IF vn IS NULL AND vt ~ '^ *[-+]?[0-9]+(\.[0-9]*)? *$' THEN
		vn := vt::float8;
	END IF;
	IF vn IS NOT NULL THEN
		IF n >= 1 AND lower(mods[1]) = 'unixepoch' THEN
			t := public.pp__dt_unix(vn);
			k := 2;
		ELSE
			t := public.pp__dt_unix((vn - 2440587.5) * 86400);
		END IF;
	ELSIF vt IS NOT NULL THEN
		t := public.pp__dt_parse(vt);
		-- A time with its zone is UTC once read: 'utc' leaves it.
		made_utc := vt ~ '(Z|[-+][0-9]{2}:[0-9]{2})$';
	END IF;
	WHILE t IS NOT NULL AND k <= n LOOP
		z := lower(btrim(mods[k]));
		k := k + 1;
		IF z = 'localtime' THEN
			t := (t AT TIME ZONE 'UTC') AT TIME ZONE zone;
			made_utc := false;
		ELSIF z = 'utc' THEN
			-- A second 'utc' finds the value UTC already.
			IF NOT made_utc THEN
				t := public.pp__dt_utc(t, zone);
				made_utc := true;
			END IF;
		ELSIF z IN ('start of day', 'start of month', 'start of year') THEN
			t := date_trunc(substr(z, 10), t);
		ELSIF z ~ '^weekday [0-9]+$' THEN
			IF substr(z, 9)::int > 6 THEN
				RETURN NULL;
			END IF;
			t := t + make_interval(days => (substr(z, 9)::int -
			    extract(dow FROM t)::int + 7) % 7);
		ELSIF z = 'unixepoch' THEN
			RETURN NULL;	-- not first, or not of a number
		ELSE
			p := regexp_match(z, '^([-+]?[0-9]+(?:\.[0-9]*)?) +(day|hour|minute|second|month|year)s?$');
			IF p IS NULL THEN
				RETURN NULL;
			END IF;
			IF p[2] IN ('month', 'year') THEN
				-- The day stays, and runs on past a shorter month's
				-- end, as in SQLite: 31 January + 1 month is 2 March.
				months := extract(year FROM t)::int * 12 +
				    extract(month FROM t)::int - 1 + p[1]::int *
				    CASE p[2] WHEN 'year' THEN 12 ELSE 1 END;
				t := public.pp__dt_make(months / 12, months % 12 + 1,
				    extract(day FROM t)::int, extract(epoch FROM
				    t - date_trunc('day', t))::numeric);
			ELSE
				t := t + p[1]::float8 * ('1 ' || p[2])::interval;
			END IF;
		END IF;
		IF t < '0001-01-01' OR t >= '10000-01-01' THEN
			RETURN NULL;
		END IF;
	END LOOP;
	RETURN t;
END
$$;

-- The Julian day of t, in 16 significant digits as SQLite writes it.
CREATE FUNCTION pp__dt_julian(t timestamp) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN j::text LIKE '%.%' THEN rtrim(rtrim(j::text, '0'), '.')
	    ELSE j::text END
	FROM (SELECT round(v, 16 - length(trunc(v)::text)) AS j
	    FROM (SELECT extract(epoch FROM t) / 86400 + 2440587.5 AS v) AS a) AS b
$$;

-- strftime()'s conversions of a timestamp: %d %f %H %j %J %m %M %s %S %w
-- %W %Y %%; NULL for another, as SQLite.
CREATE FUNCTION pp__dt_strftime(fmt text, t timestamp) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	out text := '';
	i int := 1;
	c text;
BEGIN
	IF fmt IS NULL OR t IS NULL THEN
		RETURN NULL;
	END IF;
	WHILE i <= length(fmt) LOOP
		c := substr(fmt, i, 1);
		IF c <> '%' THEN
			out := out || c;
			i := i + 1;
			CONTINUE;
		END IF;
		c := substr(fmt, i + 1, 1);
		i := i + 2;
		out := out || CASE c
		    WHEN 'd' THEN to_char(t, 'DD')
		    WHEN 'f' THEN to_char(t, 'SS') || '.' || to_char(t, 'MS')
		    WHEN 'H' THEN to_char(t, 'HH24')
		    WHEN 'j' THEN to_char(t, 'DDD')
		    WHEN 'J' THEN public.pp__dt_julian(t)
		    WHEN 'm' THEN to_char(t, 'MM')
		    WHEN 'M' THEN to_char(t, 'MI')
		    WHEN 's' THEN floor(extract(epoch FROM t))::bigint::text
		    WHEN 'S' THEN to_char(t, 'SS')
		    WHEN 'w' THEN extract(dow FROM t)::int::text
		    -- Weeks from the year's first Monday; days before it, 00.
		    WHEN 'W' THEN lpad(((extract(doy FROM t)::int + 6 -
			(extract(dow FROM t)::int + 6) % 7) / 7)::text, 2, '0')
		    WHEN 'Y' THEN to_char(t, 'YYYY')
		    WHEN '%' THEN '%'
		    END;
		IF out IS NULL THEN
			RETURN NULL;
		END IF;
	END LOOP;
	RETURN out;
END
$$;

-- The public functions.  The value is text (a date or time, 'now' or a
-- number in text), or a number (an integer argument takes the double's).
-- The library's own forms, a Unix time with 'unixepoch' and 'localtime'
-- or 'unixepoch' alone, go the short way, in plain SQL that PostgreSQL
-- inlines into the reports' queries.

-- Which short way for the number v and the modifiers m: 1 local, 2 UTC,
-- 0 none.
CREATE FUNCTION pp__dt_quick(v double precision, m text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v >= 0 AND v < 253402300800 THEN
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

CREATE FUNCTION date(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d', v, VARIADIC m) $$;
CREATE FUNCTION date(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d', v) $$;
CREATE FUNCTION date(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d', v, VARIADIC m) $$;
CREATE FUNCTION date(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d', v) $$;

CREATE FUNCTION "time"(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%H:%M:%S', v, VARIADIC m) $$;
CREATE FUNCTION "time"(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%H:%M:%S', v) $$;
CREATE FUNCTION "time"(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%H:%M:%S', v, VARIADIC m) $$;
CREATE FUNCTION "time"(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%H:%M:%S', v) $$;

CREATE FUNCTION datetime(v text, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d %H:%M:%S', v, VARIADIC m) $$;
CREATE FUNCTION datetime(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d %H:%M:%S', v) $$;
CREATE FUNCTION datetime(v double precision, VARIADIC m text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d %H:%M:%S', v, VARIADIC m) $$;
CREATE FUNCTION datetime(v double precision) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.strftime('%Y-%m-%d %H:%M:%S', v) $$;

-- Seconds as SQLite counts them: whole, towards the past.
CREATE FUNCTION pp__dt_seconds(t timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT floor(extract(epoch FROM t))::bigint $$;

CREATE FUNCTION julianday(v text, VARIADIC m text[]) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (extract(epoch FROM public.pp__dt_eval(v, NULL, m)) / 86400 +
    2440587.5)::float8 $$;
CREATE FUNCTION julianday(v text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.julianday(v, VARIADIC '{}'::text[]) $$;
CREATE FUNCTION julianday(v double precision, VARIADIC m text[]) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (extract(epoch FROM public.pp__dt_eval(NULL, v, m)) / 86400 +
    2440587.5)::float8 $$;
CREATE FUNCTION julianday(v double precision) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.julianday(v, VARIADIC '{}'::text[]) $$;

CREATE FUNCTION unixepoch(v text, VARIADIC m text[]) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_seconds(public.pp__dt_eval(v, NULL, m)) $$;
CREATE FUNCTION unixepoch(v text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_seconds(public.pp__dt_eval(v, NULL, '{}')) $$;
CREATE FUNCTION unixepoch(v double precision, VARIADIC m text[]) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_seconds(public.pp__dt_eval(NULL, v, m)) $$;
CREATE FUNCTION unixepoch(v double precision) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.pp__dt_seconds(public.pp__dt_eval(NULL, v, '{}')) $$;
CREATE FUNCTION unixepoch() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT public.unixepoch('now') $$;

-- Numbers in text, as SQLite reads them (printf's arguments).
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
