-- 005-archive.sql: months of readings archived, as SQLite's migration 27
-- (doc/design.md, "Engines").  prepay_archive(month) detaches a month's
-- partitions of reading_rows and reading_extras, the oldest attached
-- month first and never this month or a later one, and keeps in
-- reading_archive what report verify needs of them once they are gone:
-- for each meter and the account its readings named, how many there
-- were, their cost, and the counter's first and last good values.  The
-- daily and monthly roll-ups stay, and verify goes on passing.  The
-- detached tables stay, named as they were: dump them and drop them.

DO $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('prepay schema'));
	IF (SELECT version FROM public.pp_schema) <> 4 THEN
		RAISE EXCEPTION 'prepay: the schema is at version %; migration 5 needs 4',
		    (SELECT version FROM public.pp_schema);
	END IF;
END
$$;

CREATE TABLE reading_archive(
	month text COLLATE "C" NOT NULL,
	meter_id bigint NOT NULL REFERENCES meters(id),
	account_id bigint REFERENCES accounts(id),
	readings bigint NOT NULL,
	cost_e7 bigint NOT NULL,
	first_wh bigint,
	last_wh bigint);
CREATE INDEX reading_archive_meter ON reading_archive(meter_id);

-- prepay_archive('YYYY-MM'): the month (UTC, as the partitions are)
-- archived; returns the tables detached.  Refused, with nothing done, for
-- a month that is not the oldest attached one, or is this month or
-- later, or has readings not yet folded out of reading_recent or still
-- in the DEFAULT partition.  Definer's rights, for the admin role.
CREATE FUNCTION prepay_archive(month text) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
	m0 timestamp;
	lo bigint;
	hi bigint;
	rows_part text := 'reading_rows_' || replace(month, '-', '_');
	extras_part text := 'reading_extras_' || replace(month, '-', '_');
BEGIN
	IF month IS NULL OR month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
		RAISE EXCEPTION 'prepay_archive: a month as YYYY-MM, not %', month;
	END IF;
	m0 := to_timestamp(month || '-01', 'YYYY-MM-DD')::date::timestamp;
	lo := extract(epoch FROM m0 AT TIME ZONE 'UTC')::bigint;
	hi := extract(epoch FROM (m0 + interval '1 month') AT TIME ZONE 'UTC')::bigint;
	IF hi > extract(epoch FROM date_trunc('month', now() AT TIME ZONE 'UTC')
	    AT TIME ZONE 'UTC') THEN
		RAISE EXCEPTION 'prepay_archive: % is not over yet', month;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid =
	    i.inhrelid WHERE i.inhparent = 'public.reading_rows'::regclass AND
	    c.relname = rows_part) THEN
		RAISE EXCEPTION 'prepay_archive: % has no partition attached (archived already, or never made)', month;
	END IF;
	IF EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid =
	    i.inhrelid WHERE i.inhparent = 'public.reading_rows'::regclass AND
	    c.relname ~ '^reading_rows_[0-9]{4}_[0-9]{2}$' AND c.relname <
	    rows_part AND EXISTS (SELECT FROM public.reading_rows r WHERE
	    r.tableoid = c.oid)) THEN
		RAISE EXCEPTION 'prepay_archive: an older month is still attached: archive the oldest first';
	END IF;
	IF EXISTS (SELECT FROM public.reading_rows_default WHERE time < hi) OR
	    EXISTS (SELECT FROM public.reading_extras_default WHERE time < hi) THEN
		RAISE EXCEPTION 'prepay_archive: readings of % or before are in the DEFAULT partition: run prepay_partitions() for their months first', month;
	END IF;
	IF EXISTS (SELECT FROM public.reading_recent WHERE time < hi) THEN
		RAISE EXCEPTION 'prepay_archive: readings of % are not folded yet (reading_recent): poll on, and archive later', month;
	END IF;
	-- The month's good counters are those the readings view shows
	-- unflagged, as verify's counter check reads them.
	INSERT INTO public.reading_archive
	SELECT month, r.meter_id, r.account_id, count(*), sum(r.cost_e7),
	    min(v.energy_wh) FILTER (WHERE v.flag IS NULL),
	    max(v.energy_wh) FILTER (WHERE v.flag IS NULL)
	FROM public.reading_rows r JOIN public.readings v ON v.meter_id =
	    r.meter_id AND v.id = r.time * 1024 + r.seq
	WHERE r.time >= lo AND r.time < hi
	GROUP BY r.meter_id, r.account_id;
	EXECUTE format('ALTER TABLE public.reading_rows DETACH PARTITION public.%I',
	    rows_part);
	RETURN NEXT rows_part;
	IF to_regclass(format('public.%I', extras_part)) IS NOT NULL THEN
		EXECUTE format('ALTER TABLE public.reading_extras DETACH PARTITION public.%I',
		    extras_part);
		RETURN NEXT extras_part;
	END IF;
END
$$;

GRANT SELECT ON reading_archive TO prepay_auditor;
REVOKE ALL ON FUNCTION prepay_archive(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prepay_archive(text) TO prepay_admin;

UPDATE pp_schema SET version = 5;
