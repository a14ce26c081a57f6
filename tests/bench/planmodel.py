"""planmodel: the bus time of Modbus read plans, computed apart from the
library (lib/plan.c), for tests/bench/plan and tests/bench/poll.

The frame arithmetic is meter-sim's (sim/simmodbus.c, bus_time): a read of
n registers is a request of 8 characters and a reply of 5 + 2n, at 11 bits
a character, a 3.5-character silence before each frame, and the meter's
turnaround.  The optimum is found by brute force: every choice of breaks
between the values sorted by (fc, address), 2^(n-1) of them, each run kept
to one function code, 125 registers, the profile's unreadable ranges and
its max_gap when it has one.
"""
import os

import yaml

WORDS = {"u16": 1, "s16": 1, "u32": 2, "s32": 2, "f32": 2, "bcd": 1}


def load(profiles_dir, name):
    """A profile's YAML as a dict."""
    with open(os.path.join(profiles_dir, name + ".yaml")) as f:
        return yaml.safe_load(f)


def values(p):
    """(fc, first register, end register) of each value, sorted."""
    return sorted((v["fc"], v["address"], v["address"] + v.get("words", WORDS[v["type"]]))
                  for v in p["values"].values())


def exchange_seconds(count, baud, turnaround_ms=1):
    """One read of count registers on the wire."""
    request, reply, gaps = 8, 5 + 2 * count, 2 * 3.5
    return (request + reply + gaps) * 11 / baud + turnaround_ms / 1000


def run_ok(p, vs):
    """The register count of a run of values read as one request, or None
    when the run breaks a limit."""
    fc, start = vs[0][0], vs[0][1]
    end = vs[0][2]
    cap = p.get("max_gap")
    for v in vs[1:]:
        if v[0] != fc or (cap is not None and v[1] - end > cap):
            return None
        end = max(end, v[2])
    if end - start > 125:
        return None
    for u in p.get("unreadable", []):
        if u["fc"] == fc and u["from"] < end and start <= u["to"]:
            return None
    return end - start


def brute_force(p, baud, turnaround_ms=1):
    """The least bus time of a meter's reads and the counts of its runs,
    over every partition of the sorted values into contiguous runs."""
    vs = values(p)
    n = len(vs)
    # Each run's cost once; then every set of breaks is summed from them.
    cost = {}
    for i in range(n):
        for j in range(i + 1, n + 1):
            c = run_ok(p, vs[i:j])
            cost[i, j] = None if c is None else (exchange_seconds(c, baud, turnaround_ms), c)
    best = None
    for breaks in range(1 << (n - 1)):
        total, counts, i = 0.0, [], 0
        for j in range(1, n + 1):
            if j == n or breaks >> (j - 1) & 1:
                c = cost[i, j]
                if c is None:
                    break
                total += c[0]
                counts.append(c[1])
                i = j
        else:
            if best is None or total < best[0]:
                best = (total, counts)
    return best


def old_merge(p, max_gap):
    """The counts of the reads the old planner made: each value joins the
    request before it when it starts at most max_gap registers after it."""
    reqs = []
    for fc, addr, end in values(p):
        if reqs and reqs[-1][0] == fc and addr <= reqs[-1][1] + reqs[-1][2] + max_gap \
                and end - reqs[-1][1] <= 125:
            reqs[-1][2] = max(reqs[-1][2], end - reqs[-1][1])
        else:
            reqs.append([fc, addr, end - addr])
    return [r[2] for r in reqs]


# The max_gap of each shipped profile before the cost model.
OLD_MAX_GAP = {"sdm120": 80, "prepay-1p": 16, "dds238-2": 12}
