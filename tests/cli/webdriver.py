#!/usr/bin/env python3
"""webdriver.py: drive a browser through a W3C WebDriver server
(chromedriver) with nothing but the standard library, for the tests.

    webdriver.py URL new FILE          start headless Chromium as a 390x844 phone,
                                       the session's id written to FILE
    webdriver.py URL SESSION go PAGE   open PAGE and wait for it to load
    webdriver.py URL SESSION url       print the current URL
    webdriver.py URL SESSION text CSS  print the element's text
    webdriver.py URL SESSION count CSS print how many elements match
    webdriver.py URL SESSION prop CSS NAME   print a DOM property
    webdriver.py URL SESSION fill CSS VALUE  clear and type into an input
    webdriver.py URL SESSION click CSS       click the element
    webdriver.py URL SESSION wait CSS        wait until CSS matches
    webdriver.py URL SESSION waittext CSS    wait until its text is not empty
    webdriver.py URL SESSION shot FILE [CSS] a PNG of the window or element
    webdriver.py URL SESSION quit            end the session

Waiting is the driver's or the page's own: an implicit wait on finding
an element, an asynchronous script that the page answers; never a sleep.
A failure prints one line on stderr and exits 1.
"""
import base64
import json
import sys
import urllib.error
import urllib.request

WAIT_MS = 15000
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            answer = json.load(r)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
        v = answer.get("value", {})
        raise SystemExit("webdriver: %s %s: %s: %s" % (
            method, path, v.get("error"), v.get("message", "")[:300]))
    return answer.get("value")


def new_session(base, idfile):
    caps = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--lang=zh-CN", "--no-first-run",
                     "--disable-extensions"],
            # A phone's screen: headless windows are no narrower than 500.
            "mobileEmulation": {"deviceMetrics": {
                "width": 390, "height": 844, "pixelRatio": 1.0,
                "touch": True}},
        },
        "timeouts": {"implicit": WAIT_MS, "pageLoad": 30000,
                     "script": WAIT_MS},
    }}}
    v = call(base, "POST", "/session", caps)
    with open(idfile, "w") as f:
        f.write(v["sessionId"] + "\n")


def find(base, s, css, many=False):
    v = call(base, "POST", "/session/%s/element%s" % (s, "s" if many else ""),
             {"using": "css selector", "value": css})
    return [e[ELEMENT] for e in v] if many else v[ELEMENT]


def without_wait(base, s, fn):
    """Counting must not wait for elements that are not there."""
    call(base, "POST", "/session/%s/timeouts" % s, {"implicit": 0})
    try:
        return fn()
    finally:
        call(base, "POST", "/session/%s/timeouts" % s, {"implicit": WAIT_MS})


# An asynchronous script: the page calls back once the text is there.
WAIT_TEXT = """
var css = arguments[0], done = arguments[arguments.length - 1];
function look() {
    var el = document.querySelector(css);
    if (el && el.textContent.trim() !== "") { done(el.textContent); return; }
    new MutationObserver(function (list, obs) {
        var e = document.querySelector(css);
        if (e && e.textContent.trim() !== "") { obs.disconnect(); done(e.textContent); }
    }).observe(document.documentElement, {subtree: true, childList: true,
                                          characterData: true});
}
look();
"""


def main(argv):
    base = argv[1].rstrip("/")
    if argv[2] == "new":
        new_session(base, argv[3])
        return
    s, cmd, args = argv[2], argv[3], argv[4:]
    if cmd == "go":
        call(base, "POST", "/session/%s/url" % s, {"url": args[0]})
    elif cmd == "url":
        print(call(base, "GET", "/session/%s/url" % s))
    elif cmd == "text":
        print(call(base, "GET", "/session/%s/element/%s/text" %
                   (s, find(base, s, args[0]))))
    elif cmd == "count":
        print(len(without_wait(base, s, lambda: find(base, s, args[0], True))))
    elif cmd == "prop":
        print(call(base, "GET", "/session/%s/element/%s/property/%s" %
                   (s, find(base, s, args[0]), args[1])) or "")
    elif cmd == "fill":
        e = find(base, s, args[0])
        call(base, "POST", "/session/%s/element/%s/clear" % (s, e), {})
        call(base, "POST", "/session/%s/element/%s/value" % (s, e),
             {"text": args[1]})
    elif cmd == "click":
        call(base, "POST", "/session/%s/element/%s/click" %
             (s, find(base, s, args[0])), {})
    elif cmd == "wait":
        find(base, s, args[0])
    elif cmd == "waittext":
        print(call(base, "POST", "/session/%s/execute/async" % s,
                   {"script": WAIT_TEXT, "args": [args[0]]}).strip())
    elif cmd == "shot":
        if len(args) > 1:
            png = call(base, "GET", "/session/%s/element/%s/screenshot" %
                       (s, find(base, s, args[1])))
        else:
            png = call(base, "GET", "/session/%s/screenshot" % s)
        with open(args[0], "wb") as f:
            f.write(base64.b64decode(png))
    elif cmd == "quit":
        call(base, "DELETE", "/session/%s" % s)
    else:
        raise SystemExit("webdriver: %s: unknown command" % cmd)


if __name__ == "__main__":
    main(sys.argv)
