#!/usr/bin/env python3
"""dlt645.py: a small DL/T 645-2007 master, for the tests.

Written from the standard, not from prepay's codec, so that meter-sim is
checked against a peer of its own.  Plain python3: socket, os, termios,
select.

    dlt645.py (--tcp HOST:PORT | --tty DEVICE) [--baud N] [--parity N|E|O]
              [--timeout S] [--pieces N] [--corrupt] [-v] [ADDRESS] COMMAND

    read DI [--format XXXXXX.XX [--signed]]
        0x11.  Prints the data after the DI as hex, the highest byte
        first (a status word 0010, 123456.78 kWh 12345678), or with
        --format as the decimal number the format says.
    write DI HEXDATA --password PPPPPPPP [--operator CCCCCCCC]
        0x14.  HEXDATA is the value the highest byte first, as printed by
        read; it goes on the wire lowest byte first.  Prints "ok".
    relay N1 --password PPPPPPPP [--operator C] [--valid S | --until T]
        0x1C, N1 in hex (1A trip, 1C close, 3A keep, 3B unkeep), valid for
        S seconds from now (600; negative: already past) or until
        T = YYMMDDhhmmss, local time.  Prints "ok".
    addr
        0x13 to AAAAAAAAAAAA.  Prints the address that answered.
    time [YYMMDDhhmmss]
        0x08 to 999999999999, now by default.  No meter answers: prints
        "sent" after the timeout, exit 0; a reply is an error.

ADDRESS is the meter's 12 digits (fewer are padded with 0 in front, AA
for a wildcard byte); addr and time need none.  A password is the level
then P2 P1 P0, "02123456", and goes on the wire as PA P0 P1 P2.

Replies may come after FE bytes, after line noise, and in pieces; each
frame's checksum is checked.  -v shows the bytes sent (a ">" line) and
received (a "<" line for each piece as it came) on stderr.  --pieces N
sends the request in N pieces 100 ms apart; --corrupt spoils its
checksum.  Exit status: 0 a good reply; 1 an error reply (its error byte
and meaning on stderr); 2 no reply; 3 only frames with a bad checksum or
shape; 4 the link failed; 5 a reply that does not fit the request; 64
usage.
"""

import os
import select
import socket
import sys
import termios
import time

FE = 0xFE
START = 0x68
END = 0x16

ERRORS = [
    "other error",
    "no data requested or data not found",
    "password error or no authority",
    "the communication rate cannot be changed",
    "annual time zone count exceeded",
    "daily time period count exceeded",
    "rate count exceeded",
    "reserved error bit 7",
]


class Usage(Exception):
    pass


def die(code, msg):
    sys.stderr.write("dlt645.py: %s\n" % msg)
    sys.exit(code)


def hexs(b):
    return " ".join("%02X" % x for x in b)


def addr_bytes(text):
    """A0..A5 from the meter number, most significant digit first."""
    t = text.upper()
    if len(t) > 12 or not all(c in "0123456789A" for c in t):
        raise Usage("address %s: use up to 12 digits, AA for a wildcard" % text)
    t = t.rjust(12, "0")
    out = []
    for i in range(6):
        pair = t[2 * i:2 * i + 2]
        out.append(0xAA if pair == "AA" else int(pair, 16))
    return bytes(reversed(out))


def hex_lowfirst(text, n=None):
    """Hex written highest byte first, as bytes lowest first."""
    if len(text) % 2 or (n is not None and len(text) != 2 * n):
        raise Usage("%s: use %s hex digits" % (text, 2 * n if n else "an even number of"))
    try:
        return bytes(reversed(bytes.fromhex(text)))
    except ValueError:
        raise Usage("%s: not hex" % text)


def bcd(v):
    return (v // 10) << 4 | (v % 10)


def time_bytes(t):
    """ssmmhhDDMMYY of local time t, lowest byte first."""
    tm = time.localtime(t)
    return bytes([bcd(tm.tm_sec), bcd(tm.tm_min), bcd(tm.tm_hour),
                  bcd(tm.tm_mday), bcd(tm.tm_mon), bcd(tm.tm_year % 100)])


def time_text(text):
    """YYMMDDhhmmss as ssmmhhDDMMYY."""
    if len(text) != 12 or not text.isdigit():
        raise Usage("%s: use YYMMDDhhmmss" % text)
    return hex_lowfirst(text, 6)


def encode(addr, control, data, corrupt=False):
    """A frame with 4 FE in front; every data byte +0x33."""
    body = bytes([START]) + addr + bytes([START, control, len(data)])
    body += bytes((b + 0x33) & 0xFF for b in data)
    cs = sum(body) & 0xFF
    if corrupt:
        cs ^= 0x5A
    return bytes([FE] * 4) + body + bytes([cs, END])


def decode(buf):
    """The first frame in buf: (frame, rest, bad).

    frame is (addr, control, data) or None while more bytes are needed;
    bad counts the frames dropped for a bad checksum or shape.  Bytes
    before a 68 are preamble or noise.
    """
    bad = 0
    while True:
        i = buf.find(bytes([START]))
        if i < 0:
            return None, b"", bad
        buf = buf[i:]
        if len(buf) < 10:
            return None, buf, bad
        ln = buf[9]
        if buf[7] != START or ln > 200:
            buf = buf[1:]
            bad += 1
            continue
        if len(buf) < 12 + ln:
            return None, buf, bad
        if sum(buf[:10 + ln]) & 0xFF != buf[10 + ln] or buf[11 + ln] != END:
            buf = buf[1:]
            bad += 1
            continue
        data = bytes((b - 0x33) & 0xFF for b in buf[10:10 + ln])
        return (buf[1:7], buf[8], data), buf[12 + ln:], bad


class Link:
    def __init__(self, opts):
        self.sock = None
        self.fd = None
        if opts["tcp"]:
            host, _, port = opts["tcp"].rpartition(":")
            try:
                self.sock = socket.create_connection((host, int(port)), timeout=2)
            except (OSError, ValueError) as e:
                die(4, "%s: %s" % (opts["tcp"], e))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.setblocking(False)
        else:
            self.fd = self.open_tty(opts["tty"], opts["baud"], opts["parity"])

    @staticmethod
    def open_tty(dev, baud, parity):
        speed = getattr(termios, "B%d" % baud, None)
        if speed is None:
            raise Usage("--baud %d: not a standard rate" % baud)
        try:
            fd = os.open(dev, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            a = termios.tcgetattr(fd)
        except OSError as e:
            die(4, "%s: %s" % (dev, e))
        # Raw: 8 data bits, the parity asked, no echo, no line editing.
        a[0] = 0
        a[1] = 0
        a[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
        if parity in "EO":
            a[2] |= termios.PARENB
        if parity == "O":
            a[2] |= termios.PARODD
        a[3] = 0
        a[4] = a[5] = speed
        a[6][termios.VMIN] = 0
        a[6][termios.VTIME] = 0
        try:
            termios.tcsetattr(fd, termios.TCSANOW, a)
        except termios.error:
            # A pty keeps no parity: when that was all to change, the C
            # library says EINVAL, and the line is as asked otherwise.
            got = termios.tcgetattr(fd)
            par = termios.PARENB | termios.PARODD | termios.CBAUD
            if got[:2] + [got[2] & ~par] + got[3:6] != \
                    a[:2] + [a[2] & ~par] + a[3:6]:
                raise
        termios.tcflush(fd, termios.TCIOFLUSH)
        return fd

    def fileno(self):
        return self.sock.fileno() if self.sock else self.fd

    def write(self, b):
        while b:
            select.select([], [self.fileno()], [], 1)
            try:
                n = self.sock.send(b) if self.sock else os.write(self.fd, b)
            except BlockingIOError:
                continue
            except OSError as e:
                die(4, "write: %s" % e)
            b = b[n:]

    def read(self, deadline):
        """What came before deadline; b"" for nothing."""
        left = deadline - time.monotonic()
        if left <= 0:
            return b""
        r, _, _ = select.select([self.fileno()], [], [], left)
        if not r:
            return b""
        try:
            b = self.sock.recv(512) if self.sock else os.read(self.fd, 512)
        except BlockingIOError:
            return b""
        except OSError as e:
            die(4, "read: %s" % e)
        if not b and self.sock:
            die(4, "the converter closed the connection")
        return b


def exchange(link, opts, frame, want_reply=True):
    """Send frame; the first good reply (addr, control, data) or exit."""
    if opts["verbose"]:
        sys.stderr.write("> %s\n" % hexs(frame))
    pieces = max(1, min(opts["pieces"], len(frame)))
    step = (len(frame) + pieces - 1) // pieces
    for k in range(0, len(frame), step):
        link.write(frame[k:k + step])
        if k + step < len(frame):
            time.sleep(0.1)
    deadline = time.monotonic() + opts["timeout"]
    buf = b""
    bad = 0
    while True:
        got = link.read(deadline)
        if not got:
            break
        # Each piece as it came: a reply may come in several.
        if opts["verbose"]:
            sys.stderr.write("< %s\n" % hexs(got))
        buf += got
        f, buf, n = decode(buf)
        bad += n
        if f is None:
            continue
        addr, control, data = f
        if not control & 0x80:
            continue                # a request, heard back: not ours
        if not want_reply:
            die(1, "a reply (control %02X) to a broadcast" % control)
        return addr, control, data
    if not want_reply:
        return None
    if bad:
        die(3, "reply rejected: bad checksum or frame (%d dropped)" % bad)
    die(2, "no reply within %g s" % opts["timeout"])


def check(req_addr, req_control, reply):
    addr, control, data = reply
    if control & 0x1F != req_control:
        die(5, "a reply with control %02X to control %02X" % (control, req_control))
    for a, g in zip(req_addr, addr):
        if a != 0xAA and a != g:
            die(5, "a reply from %s" % hexs(reversed(addr)))
    if control & 0x40:
        e = data[0] if data else 0
        text = "; ".join(ERRORS[i] for i in range(8) if e >> i & 1)
        die(1, "error reply %02X, error %02X: %s" % (control, e, text))
    return data


def password(opts):
    if opts["password"] is None:
        raise Usage("this command needs --password")
    p = opts["password"]
    b = hex_lowfirst(p, 4)          # P0 P1 P2 PA
    return bytes([b[3], b[0], b[1], b[2]])


def show(data, opts):
    if opts["format"] is None:
        return "".join("%02X" % b for b in reversed(data))
    fmt = opts["format"]
    digits = sum(c in "XN" for c in fmt)
    decimals = len(fmt) - fmt.index(".") - 1 if "." in fmt else 0
    raw = bytearray(data[:digits // 2])
    neg = False
    if opts["signed"] and raw and raw[-1] & 0x80:
        neg = True
        raw[-1] &= 0x7F
    text = "".join("%02X" % b for b in reversed(raw))
    if not text.isdigit():
        die(5, "%s is no BCD" % text)
    if decimals:
        text = text[:-decimals] + "." + text[-decimals:]
    text = text.lstrip("0") or "0"
    if text.startswith("."):
        text = "0" + text
    return ("-" if neg else "") + text


def parse(argv):
    opts = {"tcp": None, "tty": None, "baud": 2400, "parity": "E",
            "timeout": 2.0, "verbose": False, "password": None,
            "operator": "00000000", "valid": 600, "until": None,
            "format": None, "signed": False, "pieces": 1, "corrupt": False}
    args = []
    i = 0
    valued = {"--tcp": str, "--tty": str, "--baud": int, "--parity": str,
              "--timeout": float, "--password": str, "--operator": str,
              "--valid": int, "--until": str, "--format": str,
              "--pieces": int}
    while i < len(argv):
        a = argv[i]
        if a in valued:
            if i + 1 >= len(argv):
                raise Usage("%s needs a value" % a)
            try:
                opts[a[2:]] = valued[a](argv[i + 1])
            except ValueError:
                raise Usage("%s %s: bad value" % (a, argv[i + 1]))
            i += 2
        elif a == "-v":
            opts["verbose"] = True
            i += 1
        elif a == "--signed":
            opts["signed"] = True
            i += 1
        elif a == "--corrupt":
            opts["corrupt"] = True
            i += 1
        elif a.startswith("-") and not a.lstrip("-").isdigit():
            raise Usage("unknown option %s" % a)
        else:
            args.append(a)
            i += 1
    if (opts["tcp"] is None) == (opts["tty"] is None):
        raise Usage("give one of --tcp HOST:PORT and --tty DEVICE")
    if opts["parity"] not in ("N", "E", "O"):
        raise Usage("--parity: N, E or O")
    return opts, args


def main(argv):
    try:
        opts, args = parse(argv)
        if args and args[0] in ("addr", "time"):
            args.insert(0, "999999999999" if args[0] == "time" else "AAAAAAAAAAAA")
        if len(args) < 2:
            raise Usage("give ADDRESS COMMAND")
        addr = addr_bytes(args[0])
        cmd, rest = args[1], args[2:]
        di = b""
        if cmd == "read" and len(rest) == 1:
            di = hex_lowfirst(rest[0], 4)
            control, data = 0x11, di
        elif cmd == "write" and len(rest) == 2:
            di = hex_lowfirst(rest[0], 4)
            control = 0x14
            data = di + password(opts) + hex_lowfirst(opts["operator"], 4) + \
                hex_lowfirst(rest[1])
        elif cmd == "relay" and len(rest) == 1:
            n1 = int(rest[0], 16)
            until = time_text(opts["until"]) if opts["until"] else \
                time_bytes(time.time() + opts["valid"])
            control = 0x1C
            data = password(opts) + hex_lowfirst(opts["operator"], 4) + \
                bytes([n1, 0]) + until
        elif cmd == "addr" and not rest:
            control, data = 0x13, b""
        elif cmd == "time" and len(rest) <= 1:
            control = 0x08
            data = time_text(rest[0]) if rest else time_bytes(time.time())
        else:
            raise Usage("unknown command or wrong arguments: %s" % " ".join(args[1:]))
    except Usage as e:
        die(64, str(e))
    except ValueError as e:
        die(64, str(e))
    link = Link(opts)
    frame = encode(addr, control, data, opts["corrupt"])
    if control == 0x08 or addr == bytes([0x99] * 6):
        exchange(link, opts, frame, want_reply=False)
        print("sent")
        return 0
    data = check(addr, control, exchange(link, opts, frame))
    if control == 0x11:
        if data[:4] != di:
            die(5, "a reply for another DI")
        print(show(data[4:], opts))
    elif control == 0x13:
        print("".join("%02X" % b for b in reversed(data[:6])))
    else:
        print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
