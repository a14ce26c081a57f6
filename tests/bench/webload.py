#!/usr/bin/python3
"""bench/webload.py: the load that tests/bench/web puts on prepay-web.

usage: webload.py URL BINDS HISTORY DAY NOTES ORDERS

Threads and http.client, one TCP connection per request (Connection:
close, keep-alive off), timed with time.monotonic in the client.  It
binds accounts A000000 .. A{BINDS-1}, one new session each; reads the
balance and the pages of the accounts with readings (the first HISTORY);
POSTs the WeChat notifications NOTES/n1 .. n{ORDERS/2} one at a time,
the next ORDERS at concurrency 8, then 50 copies of the last one,
NOTES/n{ORDERS/2+ORDERS+1}, at once.  It prints a
line per measure: what, requests per second, median and p99 in ms.
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
binds, hist = int(sys.argv[2]), int(sys.argv[3])
day, notes, orders = sys.argv[4], sys.argv[5], int(sys.argv[6])


def request(method, path, headers=None, body=None):
    """One request on a connection of its own: status, body, headers."""
    c = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    h = {"Connection": "close"}
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, r


def load(n, call, conc):
    """call(0) .. call(N - 1), each returning a status, CONC threads taking
    the next one: the wall time, the latencies and the statuses."""
    lat = [0.0] * n
    status = [0] * n
    nxt = iter(range(n))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            t = time.monotonic()
            status[i] = call(i)
            lat[i] = time.monotonic() - t

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, lat, status


def show(what, wall, lat, status, want):
    lat = sorted(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    bad = sorted(set(s for s in status if s != want))
    print("%-46s %9.1f %7.2f ms %6.2f ms%s" % (
        what, len(lat) / wall, statistics.median(lat) * 1000, p99 * 1000,
        "  (%d answered %s)" % (len([s for s in status if s != want]),
                                ", ".join(map(str, bad))) if bad else ""),
        flush=True)


def measure(what, reqs, conc, want=200):
    show(what, *load(len(reqs), lambda i: request(*reqs[i])[0], conc), want)


# Binding: each resident a new session; the cookie kept for what follows.
cookies = {}


def bind(i):
    acct = "A%06d" % i
    st, _, r = request("POST", "/api/bind", {"Content-Type": "application/json"},
                       json.dumps({"account": acct, "check": "%04d" % (i % 10000)}))
    if st == 200:
        cookies[acct] = r.getheader("Set-Cookie").split(";")[0]
    return st


for conc in (1, 8):
    cookies.clear()
    show("POST /api/bind, %d residents, c=%d" % (binds, conc),
         *load(binds, bind, conc), 200)


def get(acct, path):
    return ("GET", path, {"Cookie": cookies[acct]})


accts = ["A%06d" % i for i in range(hist)]
for conc in (1, 8):
    measure("GET /api/accounts/X, c=%d" % conc,
            [get(a, "/api/accounts/" + a) for a in accts * 5], conc)
for conc in (1, 8):
    measure("GET /a/X (30 days), c=%d" % conc,
            [get(a, "/a/" + a) for a in accts], conc)
for conc in (1, 8):
    measure("GET /a/X/day/%s, c=%d" % (day, conc),
            [get(a, "/a/%s/day/%s" % (a, day)) for a in accts], conc)


def notice(n):
    with open("%s/n%d.headers" % (notes, n)) as f:
        lines = f.read().splitlines()[1:]
    h = dict(l.split(": ", 1) for l in lines if l)
    with open("%s/n%d.body" % (notes, n), "rb") as f:
        return ("POST", "/pay/wechat/notify", h, f.read())


# ORDERS / 2 orders one at a time, for the time of one sale alone, then
# ORDERS at concurrency 8.
half = orders // 2
measure("POST /pay/wechat/notify, %d orders, c=1" % half,
        [notice(n) for n in range(1, half + 1)], 1, 204)
measure("POST /pay/wechat/notify, %d orders, c=8" % orders,
        [notice(n) for n in range(half + 1, half + orders + 1)], 8, 204)

# 50 copies of one notification at once: the wall time to the one sale.
copy = notice(half + orders + 1)
gate = threading.Barrier(51)
status50 = []


def copier():
    gate.wait()
    st = request(*copy)[0]
    with lock:
        status50.append(st)


lock = threading.Lock()
th = [threading.Thread(target=copier) for _ in range(50)]
for t in th:
    t.start()
gate.wait()
t0 = time.monotonic()
for t in th:
    t.join()
wall = time.monotonic() - t0
print("%-46s %9s %7.2f ms %9s  (%d of 50 answered 204)" % (
    "50 copies of one notification, wall time", "", wall * 1000, "",
    status50.count(204)))
