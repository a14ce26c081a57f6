/*
 * schema-sqlite.c: the SQLite engine's schema history (doc/design.md,
 * "Engines"): the migrations db.c runs on a SQLite database, in order.
 */
#include <stddef.h>

#include "internal.h"

/*
 * Each entry moves the schema one version up.  Never edit an entry that
 * has shipped; add one.  The tables for meters, readings, commands and
 * alarms exist from the start so that the field tools fit without rework.
 */
/*
 * A daily row's meter's last good reading at or before the day's end, in
 * table t (migration 25).
 */
#define DAY_LAST(t) \
	"(SELECT time, seq, energy_wh FROM " t " r WHERE r.meter_id = " \
	"daily.meter_id AND r.status < 8 AND r.energy_wh IS NOT NULL AND " \
	"r.time <= unixepoch(daily.day, '+1 day', 'utc') ORDER BY r.time " \
	"DESC, r.seq DESC LIMIT 1)"

/* A table of the readings store (migrations 21 and 22), named t. */
#define READING_TABLE(t) \
	"CREATE TABLE " t "(" \
	" meter_id INTEGER NOT NULL REFERENCES meters(id)," \
	" time INTEGER NOT NULL," \
	" seq INTEGER NOT NULL CHECK (seq BETWEEN 0 AND 1023)," \
	" energy_wh INTEGER," \
	" power_w INTEGER," \
	" voltage_dv INTEGER," \
	" current_ma INTEGER," \
	" cost_e7 INTEGER NOT NULL," \
	" account_id INTEGER REFERENCES accounts(id)," \
	" status INTEGER NOT NULL," \
	" PRIMARY KEY(meter_id, time, seq)) WITHOUT ROWID;"

/*
 * The view readings' triggers' parts that migrations 21 and 22 share: an
 * UPDATE deletes the reading and inserts it again through the view; an
 * inserted reading's values after its place; and its extras, at its place
 * in table t, when it has any.
 */
#define READINGS_UPDATE \
	"CREATE TRIGGER readings_update INSTEAD OF UPDATE ON readings BEGIN " \
	"DELETE FROM readings WHERE meter_id = OLD.meter_id AND time = " \
	"OLD.time AND id = OLD.id;" \
	"INSERT INTO readings VALUES (CASE WHEN NEW.meter_id IS OLD.meter_id " \
	"AND NEW.time IS OLD.time THEN NEW.id END, NEW.meter_id, NEW.time, " \
	"NEW.source, NEW.energy_wh, NEW.power_w, NEW.voltage_dv, " \
	"NEW.current_ma, NEW.pf_milli, NEW.freq_chz, NEW.balance, " \
	"NEW.buy_count, NEW.relay, NEW.flag, NEW.cost_e7, NEW.energy_peak_wh," \
	" NEW.energy_valley_wh, NEW.account_id); END;"
#define NEW_VALUES \
	"NEW.time * 1024 END, NEW.energy_wh, NEW.power_w, NEW.voltage_dv, " \
	"NEW.current_ma, coalesce(NEW.cost_e7, 0), NEW.account_id, CASE " \
	"NEW.relay WHEN 'closed' THEN 1 WHEN 'tripped' THEN 2 ELSE 0 END | " \
	"CASE NEW.source WHEN 'manual' THEN 4 ELSE 0 END | CASE WHEN NEW.flag " \
	"IS NULL THEN 0 WHEN NEW.flag = 'backwards' THEN 8 WHEN NEW.flag = " \
	"'jump' THEN 16 ELSE 24 END);"
#define NEW_EXTRAS(t) \
	"NEW.pf_milli, NEW.freq_chz, NEW.balance, NEW.buy_count, " \
	"NEW.energy_peak_wh, NEW.energy_valley_wh FROM " t " WHERE " \
	"meter_id = NEW.meter_id AND time = NEW.time AND coalesce(NEW.pf_milli," \
	" NEW.freq_chz, NEW.balance, NEW.buy_count, NEW.energy_peak_wh, " \
	"NEW.energy_valley_wh) IS NOT NULL HAVING count(*) > 0; END;"

/*
 * The view readings' columns from one of the store's tables t (migration
 * 22): t's rows with their extras.
 */
#define READINGS_OF(t) "SELECT " t ".time * 1024 + " t ".seq AS id, " \
	t ".meter_id AS meter_id, " t ".time AS time, CASE WHEN " t ".status " \
	"& 4 THEN 'manual' ELSE 'poll' END AS source, " t ".energy_wh AS " \
	"energy_wh, " t ".power_w AS power_w, " t ".voltage_dv AS voltage_dv, " \
	t ".current_ma AS current_ma, x.pf_milli AS pf_milli, x.freq_chz AS " \
	"freq_chz, x.balance AS balance, x.buy_count AS buy_count, CASE " t \
	".status & 3 WHEN 1 THEN 'closed' WHEN 2 THEN 'tripped' END AS relay, " \
	PP__READING_FLAG(t ".status") " AS flag, " t ".cost_e7 AS cost_e7, " \
	"x.energy_peak_wh AS energy_peak_wh, x.energy_valley_wh AS " \
	"energy_valley_wh, " t ".account_id AS account_id FROM " t " LEFT " \
	"JOIN reading_extras x ON x.meter_id = " t ".meter_id AND x.time = " \
	t ".time AND x.seq = " t ".seq"

const char *const pp__sqlite_migrations[] = {
	/* 1: the whole first schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE operators("
	" login TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN"
	"  ('admin','supervisor','cashier','poller','auditor')),"
	" source TEXT NOT NULL CHECK (source IN ('creator','site')),"
	" created INTEGER NOT NULL);"
	"CREATE TABLE buildings(id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE gateways("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" building_id INTEGER REFERENCES buildings(id),"
	" address TEXT NOT NULL,"
	" timeout_ms INTEGER NOT NULL,"
	" retries INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'unknown',"
	" state_since INTEGER);"
	"CREATE TABLE tariffs(id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE tariff_versions("
	" id INTEGER PRIMARY KEY,"
	" tariff_id INTEGER NOT NULL REFERENCES tariffs(id),"
	" effective INTEGER NOT NULL,"
	" price INTEGER,"
	" tier_period TEXT CHECK (tier_period IN ('year','month')),"
	" spec TEXT NOT NULL,"
	" UNIQUE(tariff_id, effective));"
	"CREATE TABLE tariff_windows("
	" version_id INTEGER NOT NULL REFERENCES tariff_versions(id),"
	" seq INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" start_min INTEGER NOT NULL,"
	" end_min INTEGER NOT NULL,"
	" price INTEGER NOT NULL,"
	" PRIMARY KEY(version_id, seq));"
	"CREATE TABLE tariff_steps("
	" version_id INTEGER NOT NULL REFERENCES tariff_versions(id),"
	" seq INTEGER NOT NULL,"
	" upto_wh INTEGER,"
	" add_price INTEGER NOT NULL,"
	" PRIMARY KEY(version_id, seq));"
	"CREATE TABLE accounts("
	" id INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" phone TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK (state IN ('open','closed')),"
	" opened INTEGER NOT NULL,"
	" closed INTEGER,"
	" money INTEGER NOT NULL DEFAULT 0,"	/* sum of its ledger rows, fen */
	" used_e7 INTEGER NOT NULL DEFAULT 0);"	/* priced energy, 1e-7 yuan */
	"CREATE TABLE meters("
	" id INTEGER PRIMARY KEY,"
	" meter TEXT NOT NULL UNIQUE,"
	" gateway_id INTEGER REFERENCES gateways(id),"
	" unit INTEGER,"
	" profile TEXT NOT NULL,"
	" building_id INTEGER REFERENCES buildings(id),"
	" floor TEXT NOT NULL DEFAULT '',"
	" room TEXT NOT NULL DEFAULT '',"
	" tariff_id INTEGER REFERENCES tariffs(id),"
	" price INTEGER,"
	" billing TEXT NOT NULL CHECK (billing IN ('account','meter')),"
	" alarm1 INTEGER,"
	" alarm2 INTEGER,"
	" overload_w INTEGER,"
	" account_id INTEGER REFERENCES accounts(id),"
	" buy_count INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'unknown',"
	" state_since INTEGER,"
	" fails INTEGER NOT NULL DEFAULT 0,"
	" last_seen INTEGER,"
	" UNIQUE(gateway_id, unit));"
	"CREATE INDEX meters_room ON meters(room);"
	"CREATE INDEX meters_account ON meters(account_id);"
	"CREATE TABLE account_meters("
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" attached INTEGER NOT NULL,"
	" detached INTEGER);"
	"CREATE INDEX account_meters_meter ON account_meters(meter_id);"
	"CREATE TABLE serial_days(day TEXT PRIMARY KEY,"
	" last INTEGER NOT NULL);"
	"CREATE TABLE ledger("
	" id INTEGER PRIMARY KEY,"
	" serial TEXT NOT NULL UNIQUE,"
	" time INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN"
	"  ('open','sale','refund','reverse','close','transfer','adjust')),"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" meter_id INTEGER REFERENCES meters(id),"
	" amount INTEGER NOT NULL,"
	" method TEXT NOT NULL,"
	" ref TEXT UNIQUE,"
	" reverses INTEGER UNIQUE REFERENCES ledger(id),"
	" operator TEXT NOT NULL,"
	" remark TEXT NOT NULL DEFAULT '',"
	" buy_count INTEGER,"
	" balance INTEGER NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX ledger_account ON ledger(account_id);"
	"CREATE INDEX ledger_time ON ledger(time);"
	"CREATE INDEX ledger_meter ON ledger(meter_id);"
	"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
	" BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
	"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
	" BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" login TEXT NOT NULL,"
	" tool TEXT NOT NULL,"
	" args TEXT NOT NULL,"
	" exit INTEGER NOT NULL,"
	" summary TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX audit_time ON audit(time);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TABLE commands("
	" id INTEGER PRIMARY KEY,"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" action TEXT NOT NULL CHECK (action IN ('trip','close','keep',"
	"  'unkeep','prepay','manual','price','settings','recharge','time')),"
	" amount INTEGER,"
	" buy_count INTEGER,"
	" value TEXT,"
	" ledger_id INTEGER REFERENCES ledger(id),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('pending','sent','done','failed')),"
	" reason TEXT NOT NULL DEFAULT '',"
	" operator TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" not_before INTEGER,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT);"
	"CREATE INDEX commands_open ON commands(state, meter_id);"
	/* A purchase count is never sent twice with different amounts. */
	"CREATE UNIQUE INDEX commands_purchase ON commands(meter_id, buy_count)"
	" WHERE action = 'recharge';"
	"CREATE TABLE readings("
	" id INTEGER PRIMARY KEY,"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" time INTEGER NOT NULL,"
	" source TEXT NOT NULL CHECK (source IN ('poll','manual')),"
	" energy_wh INTEGER,"
	" power_w INTEGER,"
	" voltage_dv INTEGER,"
	" current_ma INTEGER,"
	" pf_milli INTEGER,"
	" freq_chz INTEGER,"
	" balance INTEGER,"
	" buy_count INTEGER,"
	" relay TEXT,"
	" flag TEXT,"
	" cost_e7 INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX readings_meter_time ON readings(meter_id, time);"
	"CREATE TABLE daily("
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" day TEXT NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" PRIMARY KEY(meter_id, day));"
	"CREATE TABLE alarms("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" meter_id INTEGER REFERENCES meters(id),"
	" account_id INTEGER REFERENCES accounts(id),"
	" gateway_id INTEGER REFERENCES gateways(id),"
	" raised INTEGER NOT NULL,"
	" notified INTEGER,"
	" cleared INTEGER,"
	" value TEXT,"
	" message TEXT);"
	"CREATE INDEX alarms_open ON alarms(kind, cleared);",
	/*
	 * 2: each audit entry records the ledger's last row as it saw it, so
	 * that a row deleted from the end of the ledger is still found.
	 */
	"ALTER TABLE audit ADD COLUMN ledger_head TEXT NOT NULL DEFAULT '';",
	/*
	 * 3: what the field side learns of a meter: its switches, its own
	 * wallet's balance and purchase count, its last counter; and the
	 * per-rate counters of a reading.
	 */
	"ALTER TABLE meters ADD COLUMN relay TEXT;"
	"ALTER TABLE meters ADD COLUMN keep TEXT NOT NULL DEFAULT 'off';"
	"ALTER TABLE meters ADD COLUMN mode TEXT;"
	"ALTER TABLE meters ADD COLUMN meter_balance INTEGER;"
	"ALTER TABLE meters ADD COLUMN meter_count INTEGER;"
	"ALTER TABLE meters ADD COLUMN energy_wh INTEGER;"
	"ALTER TABLE meters ADD COLUMN reading_time INTEGER;"
	"ALTER TABLE meters ADD COLUMN power_w INTEGER;"
	"ALTER TABLE meters ADD COLUMN error TEXT;"
	"ALTER TABLE gateways ADD COLUMN fails INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE readings ADD COLUMN energy_peak_wh INTEGER;"
	"ALTER TABLE readings ADD COLUMN energy_valley_wh INTEGER;",
	/* 4: each day's energy and cost by time-of-use window and tier. */
	"CREATE TABLE daily_parts("
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" day TEXT NOT NULL,"
	" window TEXT NOT NULL,"
	" tier INTEGER NOT NULL,"
	" price INTEGER NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" PRIMARY KEY(meter_id, day, window, tier, price));",
	/*
	 * 5: alarms have a level, and a notice for the resident and a copy
	 * for the manager, each tried until it succeeds.
	 */
	"ALTER TABLE alarms ADD COLUMN level INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE alarms ADD COLUMN resident_sent INTEGER;"
	"ALTER TABLE alarms ADD COLUMN manager_sent INTEGER;"
	"ALTER TABLE alarms ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE alarms ADD COLUMN last_error TEXT;"
	"CREATE INDEX alarms_meter ON alarms(meter_id, cleared);"
	"CREATE INDEX alarms_account ON alarms(account_id, cleared);",
	/* 6: holidays are friendly all day: no arrears trips. */
	"CREATE TABLE holidays(day TEXT PRIMARY KEY);",
	/*
	 * 7: a DL/T 645 meter answers on its 12-digit address instead of a
	 * Modbus unit.
	 */
	"ALTER TABLE meters ADD COLUMN address TEXT;"
	"CREATE UNIQUE INDEX meters_address ON meters(gateway_id, address);",
	/*
	 * 8: a charged reading names the account it charged, so that which
	 * account pays never depends on the clock running forward (a close
	 * stamped a second before the last poll).  Older readings get the
	 * account that held the meter at their time, as verify used to ask.
	 */
	"ALTER TABLE readings ADD COLUMN account_id INTEGER "
	"REFERENCES accounts(id);"
	"UPDATE readings SET account_id = (SELECT am.account_id FROM "
	"account_meters am WHERE am.meter_id = readings.meter_id AND "
	"readings.time >= am.attached AND (am.detached IS NULL OR "
	"readings.time <= am.detached) ORDER BY am.rowid DESC LIMIT 1) "
	"WHERE cost_e7 <> 0;"
	"CREATE INDEX readings_account ON readings(account_id);",
	/*
	 * 9: a recharge the meter refused for good ends with a verdict,
	 * "cancelled": its money stays on the account, its purchase count
	 * goes to the next purchase, so the later ones do not wait for it.
	 */
	"ALTER TABLE commands ADD COLUMN verdict TEXT CHECK (verdict IN "
	" ('cancelled'));"
	"DROP INDEX commands_purchase;"
	"CREATE UNIQUE INDEX commands_purchase ON commands(meter_id, buy_count)"
	" WHERE action = 'recharge' AND verdict IS NULL;",
	/*
	 * 10: what the SQL and the C both derive, defined once as views
	 * (doc/design.md, "The database"): an account's balance in fen, its priced
	 * usage rounded once; a meter's overload limit, its own or else the
	 * site's; and an own-wallet meter's facts against the ledger.  A
	 * recharge is pending until the meter's own count has reached it.
	 */
	"CREATE VIEW account_balances AS SELECT id AS account_id, "
	" money - (used_e7 + 50000) / 100000 AS balance FROM accounts;"
	"CREATE VIEW meter_overloads AS SELECT id AS meter_id, "
	" coalesce(overload_w, (SELECT CAST(value AS INTEGER) FROM settings "
	" WHERE key = 'overload_w'), 0) AS overload_w FROM meters;"
	"CREATE VIEW meter_wallets AS SELECT m.id AS meter_id,"
	" m.meter_balance AS balance, m.meter_count AS count,"
	" (SELECT coalesce(sum(l.amount), 0) FROM ledger l"
	"  WHERE l.meter_id = m.id) AS sold,"
	" m.buy_count AS allocated,"
	" (SELECT count(*) FROM commands c WHERE c.meter_id = m.id AND"
	"  c.action = 'recharge' AND c.state IN ('pending', 'sent') AND"
	"  c.buy_count > coalesce(m.meter_count, 0)) AS pending,"
	" (SELECT coalesce(sum(c.amount), 0) FROM commands c WHERE"
	"  c.meter_id = m.id AND c.action = 'recharge' AND c.state IN"
	"  ('pending', 'sent') AND c.buy_count > coalesce(m.meter_count, 0))"
	"  AS pending_amount,"
	" (SELECT coalesce(max(c.buy_count), 0) FROM commands c WHERE"
	"  c.meter_id = m.id AND c.action = 'recharge' AND c.state = 'done')"
	"  AS confirmed,"
	" (SELECT coalesce(sum(c.amount), 0) FROM commands c WHERE"
	"  c.meter_id = m.id AND c.verdict = 'cancelled' AND NOT EXISTS"
	"  (SELECT 1 FROM ledger r WHERE r.reverses = c.ledger_id))"
	"  AS cancelled_amount,"
	" (SELECT coalesce(max(l.serial), '') FROM commands c JOIN ledger l"
	"  ON l.id = c.ledger_id WHERE c.meter_id = m.id AND"
	"  c.verdict = 'cancelled' AND NOT EXISTS (SELECT 1 FROM ledger r"
	"  WHERE r.reverses = c.ledger_id)) AS cancelled_serial"
	" FROM meters m;",
	/*
	 * 11: an operator's display name, from the site file: receipts show it
	 * instead of the login, which the ledger and the audit keep.
	 */
	"ALTER TABLE operators ADD COLUMN name TEXT;",
	/*
	 * 12: on-site readings (机电不符): what a handheld reader saw on a
	 * meter's display, kept apart from the readings that count, for
	 * report onsite to compare with the poll's record.
	 */
	"CREATE TABLE onsite_readings("
	" id INTEGER PRIMARY KEY,"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" time INTEGER NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" balance INTEGER,"
	" operator TEXT NOT NULL,"
	" imported INTEGER NOT NULL,"
	" UNIQUE(meter_id, time));"
	"CREATE INDEX onsite_time ON onsite_readings(time);",
	/*
	 * 13: the start of every poll of every meter, for meter-read
	 * --due's schedule on poll_minutes.
	 */
	"CREATE TABLE polls(id INTEGER PRIMARY KEY, started INTEGER NOT NULL);"
	"CREATE INDEX polls_started ON polls(started);",
	/*
	 * 14: an online payment's order: made when a resident asks to pay, paid
	 * only by the platform's verified notification (doc/design.md, "Money").
	 */
	"CREATE TABLE orders(id INTEGER PRIMARY KEY,"
	" out_trade_no TEXT NOT NULL UNIQUE,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" channel TEXT NOT NULL CHECK (channel IN ('wechat', 'alipay')),"
	" amount INTEGER NOT NULL CHECK (amount > 0),"
	" state TEXT NOT NULL DEFAULT 'created' CHECK (state IN"
	"  ('created', 'paid', 'refund_due', 'closed')),"
	" created INTEGER NOT NULL, paid INTEGER,"
	" transaction_id TEXT UNIQUE,"
	" ledger_id INTEGER REFERENCES ledger(id));",
	/*
	 * 15: a platform's notification refused, with nothing written to the
	 * ledger: its channel, the typed code and the one-line reason, for
	 * report payments and the payment alarm.  No secret and no body.
	 */
	"CREATE TABLE pay_refusals(id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" channel TEXT NOT NULL CHECK (channel IN ('wechat', 'alipay')),"
	" code TEXT NOT NULL,"
	" out_trade_no TEXT,"
	" reason TEXT NOT NULL);"
	"CREATE INDEX pay_refusals_time ON pay_refusals(time);",
	/*
	 * 16: prepay-web's residents (doc/design.md, "Residents"): sessions,
	 * kept by the SHA-256 of their cookie's token; the accounts each has
	 * bound; the failed binds, for the limits and the bind alarm; the
	 * one-time codes, hashed; and a resident's own low-balance threshold.
	 */
	"CREATE TABLE web_sessions(id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" seen INTEGER NOT NULL,"
	" expires INTEGER NOT NULL);"
	"CREATE TABLE web_bindings(id INTEGER PRIMARY KEY,"
	" session_id INTEGER NOT NULL REFERENCES web_sessions(id),"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" created INTEGER NOT NULL,"
	" client TEXT NOT NULL,"
	" seen INTEGER NOT NULL,"
	" UNIQUE(session_id, account_id));"
	"CREATE INDEX web_bindings_account ON web_bindings(account_id);"
	"CREATE TABLE bind_failures(id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" account TEXT NOT NULL,"
	" client TEXT NOT NULL);"
	"CREATE INDEX bind_failures_time ON bind_failures(time);"
	"CREATE TABLE bind_codes(id INTEGER PRIMARY KEY,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" hash TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" used INTEGER);"
	"CREATE INDEX bind_codes_account ON bind_codes(account_id);"
	"CREATE TABLE notice_settings(account_id INTEGER PRIMARY KEY"
	"  REFERENCES accounts(id),"
	" below INTEGER NOT NULL CHECK (below > 0),"
	" binding_id INTEGER NOT NULL,"
	" time INTEGER NOT NULL);",
	/*
	 * 17: what the platform answered when the order was asked of it
	 * (payrequest.c): the address the resident opens to pay, and when,
	 * so that it can be given again.
	 */
	"ALTER TABLE orders ADD COLUMN requested INTEGER;"
	"ALTER TABLE orders ADD COLUMN pay_url TEXT;",
	/*
	 * 18: an order paid for a closed account is refunded through its
	 * platform (pay-order --refund): a terminal state, "refunded", with
	 * the platform's refund id, when and by whom.  SQLite cannot alter
	 * a CHECK, so the table is built again, as SQLite's ALTER TABLE
	 * page says: a new one, the rows copied, the old one dropped, the
	 * new one renamed; no index, trigger or view names orders.
	 */
	"CREATE TABLE orders_18(id INTEGER PRIMARY KEY,"
	" out_trade_no TEXT NOT NULL UNIQUE,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" channel TEXT NOT NULL CHECK (channel IN ('wechat', 'alipay')),"
	" amount INTEGER NOT NULL CHECK (amount > 0),"
	" state TEXT NOT NULL DEFAULT 'created' CHECK (state IN"
	"  ('created', 'paid', 'refund_due', 'refunded', 'closed')),"
	" created INTEGER NOT NULL, paid INTEGER,"
	" transaction_id TEXT UNIQUE,"
	" ledger_id INTEGER REFERENCES ledger(id),"
	" requested INTEGER,"
	" pay_url TEXT,"
	" refund_id TEXT UNIQUE,"
	" refunded INTEGER,"
	" refunded_by TEXT,"
	" CHECK (state <> 'refunded' OR (refund_id IS NOT NULL AND"
	"  refunded IS NOT NULL AND refunded_by IS NOT NULL"
	"  AND ledger_id IS NULL)));"
	"INSERT INTO orders_18(id, out_trade_no, account_id, channel, amount,"
	" state, created, paid, transaction_id, ledger_id, requested, pay_url)"
	" SELECT id, out_trade_no, account_id, channel, amount, state,"
	" created, paid, transaction_id, ledger_id, requested, pay_url"
	" FROM orders;"
	"DROP TABLE orders;"
	"ALTER TABLE orders_18 RENAME TO orders;",
	/*
	 * 19: a gateway's bus timing for the request plans (plan.c): the
	 * RTU side's baud behind a TCP gateway (0: the protocol's default)
	 * and the meters' turnaround.
	 */
	"ALTER TABLE gateways ADD COLUMN baud INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE gateways ADD COLUMN turnaround_ms INTEGER NOT NULL"
	" DEFAULT 1;",
	/*
	 * 20: value classes and DL/T 645 data blocks (readclass.c): the
	 * blocks a meter answered with an error reply, under the profile it
	 * had then, and since when (forgotten after 30 days, or when the
	 * meter's profile changes); each meter's polls that read only the
	 * fast class since the last that read everything.
	 */
	"CREATE TABLE meter_blocks("
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" di TEXT NOT NULL,"
	" profile TEXT NOT NULL,"
	" since INTEGER NOT NULL,"
	" PRIMARY KEY (meter_id, di)) WITHOUT ROWID;"
	"CREATE TABLE meter_classes("
	" meter_id INTEGER PRIMARY KEY REFERENCES meters(id),"
	" fast_polls INTEGER NOT NULL CHECK (fast_polls >= 0));",
	/*
	 * 21: the readings store (doc/design.md, "The store"): a reading is
	 * a row of integers keyed by its meter and time, without a rowid or
	 * another index; what few meters give (pf, frequency, the wallet,
	 * the rate counters) is in reading_extras, only when given; relay,
	 * source and flag are packed in status.  The view readings keeps the
	 * old columns, its id the time * 1024 + the reading's place among
	 * the meter's readings of that second, and its triggers write
	 * through it.  The daily roll-up loses its rowid too and is keyed by
	 * day first, so that a poll's upserts share a few pages, with an
	 * index by meter that changes only with a meter's first reading of
	 * a day; and accounts find their meters by an index.
	 */
	READING_TABLE("reading_rows")
	"CREATE TABLE reading_extras("
	" meter_id INTEGER NOT NULL,"
	" time INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" pf_milli INTEGER,"
	" freq_chz INTEGER,"
	" balance INTEGER,"
	" buy_count INTEGER,"
	" energy_peak_wh INTEGER,"
	" energy_valley_wh INTEGER,"
	" PRIMARY KEY(meter_id, time, seq)) WITHOUT ROWID;"
	"INSERT INTO reading_rows SELECT meter_id, time, row_number() OVER "
	"(PARTITION BY meter_id, time ORDER BY id) - 1, energy_wh, power_w, "
	"voltage_dv, current_ma, cost_e7, account_id, CASE relay WHEN "
	"'closed' THEN 1 WHEN 'tripped' THEN 2 ELSE 0 END | CASE source WHEN "
	"'manual' THEN 4 ELSE 0 END | CASE WHEN flag IS NULL THEN 0 WHEN flag "
	"= 'backwards' THEN 8 WHEN flag = 'jump' THEN 16 ELSE 24 END FROM "
	"readings ORDER BY meter_id, time, id;"
	"INSERT INTO reading_extras SELECT meter_id, time, row_number() OVER "
	"(PARTITION BY meter_id, time ORDER BY id) - 1 AS seq, pf_milli, "
	"freq_chz, balance, buy_count, energy_peak_wh, energy_valley_wh FROM "
	"readings WHERE true ORDER BY meter_id, time, id;"
	"DELETE FROM reading_extras WHERE coalesce(pf_milli, freq_chz, "
	"balance, buy_count, energy_peak_wh, energy_valley_wh) IS NULL;"
	"PRAGMA secure_delete = FAST;"
	"DROP TABLE readings;"
	"CREATE VIEW readings AS SELECT reading_rows.time * 1024 + "
	"reading_rows.seq AS id, reading_rows.meter_id AS meter_id, "
	"reading_rows.time AS time, CASE WHEN reading_rows.status & 4 THEN "
	"'manual' ELSE 'poll' END AS source, reading_rows.energy_wh AS "
	"energy_wh, reading_rows.power_w AS power_w, reading_rows.voltage_dv "
	"AS voltage_dv, reading_rows.current_ma AS current_ma, "
	"reading_extras.pf_milli AS pf_milli, reading_extras.freq_chz AS "
	"freq_chz, reading_extras.balance AS balance, "
	"reading_extras.buy_count AS buy_count, CASE reading_rows.status & 3 "
	"WHEN 1 THEN 'closed' WHEN 2 THEN 'tripped' END AS relay, CASE "
	"reading_rows.status >> 3 WHEN 0 THEN NULL WHEN 1 THEN 'backwards' "
	"WHEN 2 THEN 'jump' ELSE 'other' END AS flag, reading_rows.cost_e7 "
	"AS cost_e7, reading_extras.energy_peak_wh AS energy_peak_wh, "
	"reading_extras.energy_valley_wh AS energy_valley_wh, "
	"reading_rows.account_id AS account_id FROM reading_rows LEFT JOIN "
	"reading_extras ON reading_extras.meter_id = reading_rows.meter_id "
	"AND reading_extras.time = reading_rows.time AND reading_extras.seq "
	"= reading_rows.seq;"
	"CREATE TRIGGER readings_insert INSTEAD OF INSERT ON readings BEGIN "
	"INSERT INTO reading_rows VALUES (NEW.meter_id, NEW.time, CASE WHEN "
	"NEW.id IS NULL THEN coalesce((SELECT max(seq) + 1 FROM reading_rows "
	"WHERE meter_id = NEW.meter_id AND time = NEW.time), 0) ELSE NEW.id - "
	NEW_VALUES
	"INSERT INTO reading_extras SELECT NEW.meter_id, NEW.time, max(seq), "
	NEW_EXTRAS("reading_rows")
	READINGS_UPDATE
	"CREATE TRIGGER readings_delete INSTEAD OF DELETE ON readings BEGIN "
	"DELETE FROM reading_rows WHERE meter_id = OLD.meter_id AND time = "
	"OLD.time AND seq = OLD.id - OLD.time * 1024;"
	"DELETE FROM reading_extras WHERE meter_id = OLD.meter_id AND time = "
	"OLD.time AND seq = OLD.id - OLD.time * 1024; END;"
	"CREATE TABLE daily_new("
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" day TEXT NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" PRIMARY KEY(day, meter_id)) WITHOUT ROWID;"
	"INSERT INTO daily_new SELECT meter_id, day, energy_wh, cost_e7 FROM "
	"daily ORDER BY day, meter_id;"
	"DROP TABLE daily;"
	"ALTER TABLE daily_new RENAME TO daily;"
	"CREATE INDEX daily_meter ON daily(meter_id, day);"
	"CREATE TABLE daily_parts_new("
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" day TEXT NOT NULL,"
	" window TEXT NOT NULL,"
	" tier INTEGER NOT NULL,"
	" price INTEGER NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" PRIMARY KEY(day, meter_id, window, tier, price)) WITHOUT ROWID;"
	"INSERT INTO daily_parts_new SELECT meter_id, day, window, tier, "
	"price, energy_wh, cost_e7 FROM daily_parts ORDER BY day, meter_id, "
	"window, tier, price;"
	"DROP TABLE daily_parts;"
	"ALTER TABLE daily_parts_new RENAME TO daily_parts;"
	"CREATE INDEX daily_parts_meter ON daily_parts(meter_id, day);"
	"CREATE INDEX account_meters_account ON account_meters(account_id);"
	/* The flagged readings, which are few, for the reports that count them. */
	"CREATE INDEX reading_rows_flagged ON reading_rows(meter_id, time) "
	"WHERE status >= 8;",
	/*
	 * 22: the newest readings (doc/design.md, "The store"): a poll writes
	 * its readings into reading_recent, a small table laid out as
	 * reading_rows, which the store folds into reading_rows in key order
	 * once it holds a few readings a meter, so that a meter's page of
	 * reading_rows is written once for several readings.  The view
	 * readings is both, and its triggers write the new rows into the
	 * small table and delete from either.  Nothing moves now.
	 */
	READING_TABLE("reading_recent")
	"DROP VIEW readings;"
	"CREATE VIEW readings AS " READINGS_OF("reading_rows") " UNION ALL "
	READINGS_OF("reading_recent") ";"
	"CREATE TRIGGER readings_insert INSTEAD OF INSERT ON readings BEGIN "
	"INSERT INTO reading_recent VALUES (NEW.meter_id, NEW.time, CASE WHEN "
	"NEW.id IS NULL THEN coalesce((SELECT max(s) + 1 FROM (SELECT "
	"max(seq) AS s FROM reading_recent WHERE meter_id = NEW.meter_id AND "
	"time = NEW.time UNION ALL SELECT max(seq) FROM reading_rows WHERE "
	"meter_id = NEW.meter_id AND time = NEW.time)), 0) ELSE NEW.id - "
	NEW_VALUES
	"INSERT INTO reading_extras SELECT NEW.meter_id, NEW.time, CASE WHEN "
	"NEW.id IS NULL THEN max(seq) ELSE NEW.id - NEW.time * 1024 END, "
	NEW_EXTRAS("reading_recent")
	READINGS_UPDATE
	"CREATE TRIGGER readings_delete INSTEAD OF DELETE ON readings BEGIN "
	"DELETE FROM reading_rows WHERE meter_id = OLD.meter_id AND time = "
	"OLD.time AND seq = OLD.id - OLD.time * 1024;"
	"DELETE FROM reading_recent WHERE meter_id = OLD.meter_id AND time = "
	"OLD.time AND seq = OLD.id - OLD.time * 1024;"
	"DELETE FROM reading_extras WHERE meter_id = OLD.meter_id AND time = "
	"OLD.time AND seq = OLD.id - OLD.time * 1024; END;",
	/*
	 * 23: the monthly roll-up (doc/design.md, "The store"): each
	 * meter's month is the sum of its days in daily, and how many they
	 * are, kept by the store with the days; keyed by month first, as
	 * daily is by day.  A report over months reads a row a meter a
	 * month instead of thirty.
	 */
	"CREATE TABLE monthly("
	" month TEXT NOT NULL,"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" days INTEGER NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" PRIMARY KEY(month, meter_id)) WITHOUT ROWID;"
	"INSERT INTO monthly SELECT substr(day, 1, 7) AS month, meter_id, "
	"count(*), sum(energy_wh), sum(cost_e7) FROM daily GROUP BY month, "
	"meter_id ORDER BY month, meter_id;",
	/*
	 * 24: each meter's newest reading's time, of any kind, kept by a
	 * trigger on every new row of reading_recent, the store's and the
	 * view's alike (doc/design.md, "The store").  A reading later than
	 * it is the first of its second (seq 0): the store knows so without
	 * looking in reading_rows, where that look-up touched a page a meter
	 * of the whole history in each poll.  NULL: not known, look.
	 */
	"ALTER TABLE meters ADD COLUMN newest_reading INTEGER;"
	"UPDATE meters SET newest_reading = (SELECT max(t) FROM (SELECT "
	"max(time) AS t FROM reading_rows WHERE meter_id = meters.id UNION "
	"ALL SELECT max(time) FROM reading_recent WHERE meter_id = "
	"meters.id));"
	"CREATE TRIGGER reading_recent_newest AFTER INSERT ON reading_recent "
	"BEGIN UPDATE meters SET newest_reading = max(coalesce(newest_reading, "
	"NEW.time), NEW.time) WHERE id = NEW.meter_id; END;",
	/*
	 * 25: each day's counter at its end (doc/design.md, "The store"):
	 * the meter's last good reading in the day, its end included (the
	 * next midnight's reading ends the day's last interval), kept by the
	 * store on the day's row of the daily roll-up.  report counters
	 * reads a period's ends at midnights from one day's rows, a few
	 * pages, instead of searching a page of each meter's history.  NULL:
	 * not kept (no reading in the day, or none since the row was made);
	 * the report searches the readings then.
	 */
	"ALTER TABLE daily ADD COLUMN last_time INTEGER;"
	"ALTER TABLE daily ADD COLUMN last_wh INTEGER;"
	"UPDATE daily SET (last_time, last_wh) = (SELECT time, energy_wh FROM "
	"(SELECT * FROM " DAY_LAST("reading_rows") " UNION ALL SELECT * FROM "
	DAY_LAST("reading_recent") ") WHERE time > unixepoch(daily.day, "
	"'utc') ORDER BY time DESC, seq DESC LIMIT 1);",
	/*
	 * 26: pollers on several hosts (doc/design.md, "Engines"): the
	 * host that polls a gateway (NULL: any), and the poller that
	 * started each recorded poll of all its meters (NULL: one from
	 * before, which was every meter's).
	 */
	"ALTER TABLE gateways ADD COLUMN poller TEXT;"
	"ALTER TABLE polls ADD COLUMN poller TEXT;",
	/*
	 * 27: months of readings archived (doc/design.md, "Engines"): what
	 * report verify needs of a month's readings once they are gone, for
	 * each meter and the account they named: how many, their cost, the
	 * counter's first and last good values.  PostgreSQL's
	 * prepay_archive() writes it as it detaches a month; on SQLite it
	 * stays empty, and verify reads it the same on both.
	 */
	"CREATE TABLE reading_archive("
	" month TEXT NOT NULL,"
	" meter_id INTEGER NOT NULL REFERENCES meters(id),"
	" account_id INTEGER REFERENCES accounts(id),"
	" readings INTEGER NOT NULL,"
	" cost_e7 INTEGER NOT NULL,"
	" first_wh INTEGER,"
	" last_wh INTEGER);"
	"CREATE INDEX reading_archive_meter ON reading_archive(meter_id);",
};

const int pp__sqlite_nmigrations = (int)(sizeof(pp__sqlite_migrations) /
    sizeof(pp__sqlite_migrations[0]));
