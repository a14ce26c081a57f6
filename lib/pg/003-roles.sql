-- 003-roles.sql: prepay's roles as PostgreSQL group roles, with only the
-- rights each needs (issue 14, "Identity"; doc/design.md, "Privilege").
-- On SQLite the tools are the only way to the file and pp_operator_may()
-- decides; here the engine decides too: a login is a member of its group
-- role, and a cashier cannot UPDATE a ledger row even from psql.
--
-- The roles (NOLOGIN, made if missing: roles are the cluster's, so two
-- sites in one cluster share them; give each login CONNECT on its own
-- site's database only, or keep a cluster per site):
--
--   prepay_auditor     report, meter-ctl read
--   prepay_poller      meter-read, alarm-scan, meter-ctl trip (arrears)
--   prepay_cashier     sale, refund, acct-open, acct-close, acct-unbind,
--                      pay-order, pay-statement --apply
--   prepay_supervisor  reverse, meter-swap, meter-ctl; a cashier and a
--                      poller too (operator.c: NEED_POLLER allows it)
--   prepay_admin       site-load; a supervisor too
--   prepay_web         prepay-web's service user: a cashier's rights (a
--                      paid notification is a sale) and the residents'
--                      sessions, bindings and notices
--
-- Each is a member of the one above it in this list, as it is allowed
-- there: poller and cashier are members of auditor, supervisor of
-- cashier and poller, admin of supervisor, web of cashier.  A login:
--
--   CREATE ROLE zhang LOGIN IN ROLE prepay_cashier;
--
-- The grants (S select, I insert, U update, D delete; a column list is
-- what UPDATE may change; - nothing).  Every role may SELECT every table
-- and view.  Nobody, the owner's triggers aside, may UPDATE, DELETE or
-- TRUNCATE the ledger or the audit log, PUBLIC included.
--
--   table            auditor poller          cashier         admin    web
--   ---------------  ------- --------------- --------------- -------- ----
--   audit            S       I               I               (I)      (I)
--   ledger           S       I (adjust rows  I               (I)      (I)
--                              of a refused
--                              recharge)
--   serial_days      S       IU              IU              (IU)     (IU)
--   accounts         S       U(money,        I U(state,      (…)      (…)
--                              used_e7)        closed, money,
--                                              used_e7)
--   account_meters   S       -               I U(detached)   (…)      (…)
--   meters           S       U(relay, keep,  U(account_id,   IU (all) (…)
--                              mode,           buy_count,
--                              meter_balance,  relay, keep,
--                              meter_count,    mode,
--                              buy_count,      meter_balance,
--                              energy_wh,      meter_count)
--                              reading_time,
--                              state, fails,
--                              state_since,
--                              last_seen,
--                              power_w, error,
--                              newest_reading)
--   gateways         S       U(state,        -               IU (all) -
--                              state_since,
--                              fails)
--   commands         S       IU              IU              (IU)     (IU)
--   alarms           S       IU              -               (IU)     -
--   reading_rows     S       I               -               (I)      -
--   reading_recent   S       I D (the fold)  -               (ID)     -
--   reading_extras   S       I               -               (I)      -
--   daily            S       IU              -               (IU)     -
--   daily_parts      S       IU              -               (IU)     -
--   monthly          S       IU              -               (IU)     -
--   onsite_readings  S       I               -               (I)      -
--   polls            S       I               -               (I)      -
--   meter_classes    S       IU              IU              (IU)     (IU)
--   meter_blocks     S IU    (IU)            (IU)            (IU)     (IU)
--   orders           S       -               IU              (IU)     (IU)
--   pay_refusals     S       -               I               (I)      (I)
--   settings         S       -               IU, only the    IUD      (IU…)
--                                            row next_account
--                                            (row security)
--   meta             S       -               -               IU       -
--   operators        S       -               -               IUD      -
--   buildings        S       -               -               I        -
--   tariffs          S       -               -               IU       -
--   tariff_versions  S       -               -               I        -
--   tariff_windows   S       -               -               I        -
--   tariff_steps     S       -               -               I        -
--   holidays         S       -               -               ID       -
--   web_bindings     S       -               D (acct-unbind) (D)      IUD
--   web_sessions     S       -               -               -        IUD
--   bind_failures    S       -               -               -        I
--   bind_codes       S       -               -               -        IU
--   notice_settings  S       -               -               -        IUD
--   views, pp_schema S       -               -               -        -
--
-- (x) is had through membership.  The supervisor has the cashier's and
-- the poller's; admin the supervisor's and its own.  meter_blocks is the
-- auditor's to write because meter-ctl read, open to any operator,
-- remembers the data blocks a meter refused.  prepay_partitions() is the
-- poller's and the admin's to run; prepay_sync_identities() the owner's.
-- site-load's TEMP tables need TEMPORARY on the database, which PUBLIC
-- has unless revoked.
--
-- The engine runs this file in one transaction, after 002, as the
-- database's owner, who needs CREATEROLE to make missing roles (or a
-- superuser makes them first).

DO $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('prepay schema'));
	IF (SELECT version FROM public.pp_schema) <> 2 THEN
		RAISE EXCEPTION 'prepay: the schema is at version %; migration 3 needs 2',
		    (SELECT version FROM public.pp_schema);
	END IF;
END
$$;

-- The roles, made once for the cluster; the memberships where missing.
DO $$
DECLARE
	r text;
	m record;
BEGIN
	FOREACH r IN ARRAY ARRAY['prepay_auditor', 'prepay_poller',
	    'prepay_cashier', 'prepay_supervisor', 'prepay_admin',
	    'prepay_web'] LOOP
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
			BEGIN
				EXECUTE format('CREATE ROLE %I NOLOGIN', r);
			EXCEPTION WHEN insufficient_privilege THEN
				RAISE EXCEPTION 'prepay: role % is missing and % may not create it',
				    r, current_user
				    USING HINT = 'A superuser runs CREATE ROLE ' || r ||
				    ' NOLOGIN, or gives this login CREATEROLE.';
			END;
		END IF;
	END LOOP;
	FOR m IN SELECT * FROM (VALUES
	    ('prepay_auditor', 'prepay_poller'),
	    ('prepay_auditor', 'prepay_cashier'),
	    ('prepay_cashier', 'prepay_supervisor'),
	    ('prepay_poller', 'prepay_supervisor'),
	    ('prepay_supervisor', 'prepay_admin'),
	    ('prepay_cashier', 'prepay_web')) v(grp, member) LOOP
		IF NOT pg_has_role(m.member, m.grp, 'MEMBER') THEN
			EXECUTE format('GRANT %I TO %I', m.grp, m.member);
		END IF;
	END LOOP;
END
$$;

-- Nothing for PUBLIC: not the tables, not the definer's functions.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON FUNCTION prepay_partitions(bigint, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION prepay_sync_identities() FROM PUBLIC;
REVOKE ALL ON FUNCTION pp__identity_follow() FROM PUBLIC;
DO $$
BEGIN
	EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC',
	    current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO prepay_auditor, '
	    'prepay_poller, prepay_cashier, prepay_supervisor, prepay_admin, '
	    'prepay_web', current_database());
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'prepay: not the database''s owner: CONNECT left as it is';
END
$$;

-- Everyone reads everything (report is any operator's).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO prepay_auditor;
-- meter-ctl read remembers a meter's refused data blocks.
GRANT INSERT, UPDATE ON meter_blocks TO prepay_auditor;

-- The poller: meter-read, alarm-scan, meter-ctl trip for arrears, and the
-- command runs (a refused recharge's adjust row goes to the ledger).
GRANT INSERT ON audit, ledger, reading_rows, reading_extras, onsite_readings,
    polls TO prepay_poller;
GRANT INSERT, UPDATE ON serial_days, commands, alarms, daily, daily_parts,
    monthly, meter_classes TO prepay_poller;
GRANT INSERT, DELETE ON reading_recent TO prepay_poller;
GRANT UPDATE (money, used_e7) ON accounts TO prepay_poller;
GRANT UPDATE (relay, keep, mode, meter_balance, meter_count, buy_count,
    energy_wh, reading_time, state, fails, state_since, last_seen, power_w,
    error, newest_reading) ON meters TO prepay_poller;
GRANT UPDATE (state, state_since, fails) ON gateways TO prepay_poller;
GRANT EXECUTE ON FUNCTION prepay_partitions(bigint, int) TO prepay_poller;

-- The cashier: money through the ledger, accounts, the commands a sale
-- sends and what their run mirrors, orders, an account's web bindings.
GRANT INSERT ON audit, ledger, pay_refusals TO prepay_cashier;
GRANT INSERT, UPDATE ON serial_days, commands, meter_classes, orders,
    settings TO prepay_cashier;
GRANT INSERT ON accounts TO prepay_cashier;
GRANT UPDATE (state, closed, money, used_e7) ON accounts TO prepay_cashier;
GRANT INSERT ON account_meters TO prepay_cashier;
GRANT UPDATE (detached) ON account_meters TO prepay_cashier;
GRANT UPDATE (account_id, buy_count, relay, keep, mode, meter_balance,
    meter_count) ON meters TO prepay_cashier;
GRANT DELETE ON web_bindings TO prepay_cashier;

-- The supervisor: reverse, meter-swap and meter-ctl need nothing more
-- than a cashier's and a poller's.

-- The admin: the site.
GRANT INSERT, UPDATE ON meta, gateways, tariffs, meters TO prepay_admin;
GRANT INSERT, UPDATE, DELETE ON settings, operators TO prepay_admin;
GRANT INSERT ON buildings, tariff_versions, tariff_windows, tariff_steps
    TO prepay_admin;
GRANT INSERT, DELETE ON holidays TO prepay_admin;
GRANT EXECUTE ON FUNCTION prepay_partitions(bigint, int) TO prepay_admin;

-- prepay-web: the residents' side.
GRANT INSERT, UPDATE, DELETE ON web_sessions, web_bindings, notice_settings
    TO prepay_web;
GRANT INSERT ON bind_failures TO prepay_web;
GRANT INSERT, UPDATE ON bind_codes TO prepay_web;

-- The ledger and the audit log: no UPDATE, DELETE or TRUNCATE for anyone
-- (none was granted above; said again, for PUBLIC and each role).
REVOKE UPDATE, DELETE, TRUNCATE ON ledger, audit FROM PUBLIC, prepay_auditor,
    prepay_poller, prepay_cashier, prepay_supervisor, prepay_admin, prepay_web;

-- The settings hold the prices; a cashier writes only acct-open's
-- account counter there.  The owner (migrations) is not bound by this.
ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY settings_read ON settings FOR SELECT USING (true);
CREATE POLICY settings_site ON settings FOR ALL TO prepay_admin
    USING (true) WITH CHECK (true);
CREATE POLICY settings_account_counter ON settings FOR ALL TO prepay_cashier
    USING (key = 'next_account') WITH CHECK (key = 'next_account');

UPDATE pp_schema SET version = 3;
