-- 004-pollers.sql: pollers on several hosts, as SQLite's migration 26
-- (doc/design.md, "Engines"): the host that polls a gateway (NULL: any
-- host's poller), and the poller that started each recorded poll of all
-- its meters (NULL: one from before pollers were recorded).  The grants
-- of 003 cover both: the admin writes gateways whole, a poller inserts
-- polls.

DO $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('prepay schema'));
	IF (SELECT version FROM public.pp_schema) <> 3 THEN
		RAISE EXCEPTION 'prepay: the schema is at version %; migration 4 needs 3',
		    (SELECT version FROM public.pp_schema);
	END IF;
END
$$;

ALTER TABLE gateways ADD COLUMN poller text COLLATE "C";
ALTER TABLE polls ADD COLUMN poller text COLLATE "C";

UPDATE pp_schema SET version = 4;
