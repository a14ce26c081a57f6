"""benchsite: what tests/bench/report and tests/bench/pg-scale share: the
bench site's shape (its YAML, its load curve, its price), running a tool
timed, the CSV and money helpers, and the list of reports an office runs.

The site: METERS meters in 10 buildings, 100 to a gateway, meter i named
M%06d with account 100000 + its id; each meter uses 1 to 5 times the load
curve SLOT (Wh in each half hour of the day), priced flat at PRICE.
"""
import csv
import io
import os
import resource
import subprocess
import time

PRICE = 5380            # 0.5380 yuan/kWh
BUILDINGS = 10
PER_GATEWAY = 100
# Wh in each half hour of the day: standby at night, more by day, the
# evening peak; a meter uses 1 to 5 times this.
SLOT = [30] * 12 + [100] * 24 + [400] * 10 + [100] * 2
DAY_WH = sum(SLOT)
PRE = [sum(SLOT[:j]) for j in range(48)]


def tool_env(top, bindir):
    """The environment the tools of BINDIR run in: first on PATH, the tree's
    profiles, the zone the bench's days are in (set for this process too)."""
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    return dict(os.environ, PATH=bindir + ":" + os.environ["PATH"],
                PREPAY_PROFILES=os.environ.get("PREPAY_PROFILES",
                                               os.path.join(top, "lib", "profiles")))


class Failed(Exception):
    """A command that exited non-zero, or ran past its time."""


def run(env, *args, cpu=False, fails=False, timeout=None):
    """ARGS run in ENV: (its wall time, or with cpu its user + system time,
    and its stdout).  A non-zero exit raises Failed, unless fails is set;
    with fails, the exit code and stderr are in run.last."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        p = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failed("%s: still running after %d s" % (" ".join(args), timeout))
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.last = (p.returncode, p.stderr.strip())
    if p.returncode != 0 and not fails:
        raise Failed("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    if cpu:
        return r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, p.stdout
    return dt, p.stdout


run.last = (0, "")


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def kwh(wh):
    tens = (wh + 5) // 10 if wh >= 0 else -((-wh + 5) // 10)
    return "%s%d.%02d" % ("-" if tens < 0 else "", abs(tens) // 100, abs(tens) % 100)


def fen(e7):
    return (e7 + 50000) // 100000


def money(f):
    return "%s%d.%02d" % ("-" if f < 0 else "", abs(f) // 100, abs(f) % 100)


def midnight(t):
    tm = time.localtime(t)
    return int(time.mktime((tm.tm_year, tm.tm_mon, tm.tm_mday, 0, 0, 0, 0, 0, -1)))


def counter_wh(meter_id, k):
    """The counter of the meter with this id at half hour k after t0 (the
    first reading, at t0, is 1000 kWh)."""
    return 1000000 + (1 + meter_id % 5) * ((k // 48) * DAY_WH + PRE[k % 48])


def site(work, meters, name):
    """The site file of METERS meters, written in WORK; its path."""
    lines = ["site: %s" % name,
             "defaults: {price: 0.5380, alarm1: 20.00, alarm2: 5.00, overload_w: 100000}",
             "tariffs:", "  flat: {price: 0.5380}", "buildings:"]
    per_b = -(-meters // BUILDINGS)
    i = 0
    for b in range(BUILDINGS):
        if i >= meters:
            break
        lines += ["  - name: B%d" % (b + 1), "    gateways:"]
        k = 0
        while k < per_b and i < meters:
            lines += ["      - name: b%dg%d" % (b + 1, k // PER_GATEWAY),
                      "        address: tcp://127.0.0.1:%d" % (18000 + i // PER_GATEWAY),
                      "        meters:"]
            for u in range(PER_GATEWAY):
                if k >= per_b or i >= meters:
                    break
                floor = k // 40 + 1
                lines.append('          - {meter: "M%06d", unit: %d, profile: dds238-2, tariff: flat, '
                             'floor: %d, room: "%d%02d"}' % (i, u + 1, floor, floor, k % 40 + 1))
                i += 1
                k += 1
    path = os.path.join(work, "site.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def report_runs(t0, end, meters):
    """Each report with the options an office uses, as report's arguments:
    each one that takes a period over a month (the one in the middle of
    t0 .. end) and over the whole range, then the others; verify last."""
    mid = time.localtime(t0 + (end - t0) // 2)
    month = ["--from", "%04d-%02d" % (mid.tm_year, mid.tm_mon),
             "--to", "%04d-%02d" % (mid.tm_year + mid.tm_mon // 12, mid.tm_mon % 12 + 1)]
    year = ["--from", time.strftime("%Y-%m-%d", time.localtime(t0)),
            "--to", time.strftime("%Y-%m-%d %H:%M", time.localtime(end))]
    last = time.strftime("%Y-%m-%d %H:%M", time.localtime(end))
    day = time.strftime("%Y-%m-%d", time.localtime(end - 86400))
    meter = "M%06d" % (meters // 2)
    account = "%06d" % (100000 + meters // 2)
    ranged = [["sales", "--by", "day"], ["sales", "--by", "month", "--by-method"], ["txns"],
              ["accounts"], ["audit"], ["orders"], ["energy", "--building", "B1"],
              ["energy", "--by", "month", "--building", "B1"], ["energy", "--per", "building"],
              ["energy", "--per", "room", "--building", "B1"], ["counters"], ["readings", meter],
              ["usage", meter, "--by", "day"], ["alarms"], ["onsite"]]
    runs = [r + p for r in ranged for p in (month, year)]
    runs += [["balances"], ["operators"], ["status"],
             ["usage", meter, "--from", day, "--to", last, "--by", "hour"],
             ["lost"], ["reconcile"], ["bill", account, "--month", month[1]],
             ["bindings"], ["plans"], ["verify"]]
    return runs
