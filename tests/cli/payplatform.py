#!/usr/bin/env python3
"""payplatform.py: a fake payment platform for the tests.  It writes the
notifications that WeChat Pay API v3 and Alipay send, signed with the
platform's private key and (WeChat) sealed with the APIv3 key, made by
openssl at test time.

  payplatform.py wechat OUT --sign KEY --apiv3 KEYFILE --order NO
      --txn ID --total FEN --time UNIX [--mchid M] [--appid A]
      [--state S] [--serial S] [--tamper]
  payplatform.py alipay OUT --sign KEY --order NO --trade-no ID
      --amount YUAN [--app-id A] [--status S] [--tamper]

WeChat: OUT.headers ("Name: value" lines) and OUT.body, the raw body.
Alipay: OUT.body, the form.  --tamper changes the body after signing.

  payplatform.py serve --port P --ready FILE --wechat-sign KEY
      --apiv3 FILE --merchant-pub PEM [--serial S] --alipay-sign KEY
      --alipay-app-pub PEM [--retries N] [--retry-wait SECONDS]
      [--log FILE] [--unsigned] [--mchid M] [--appid A] [--app-id A]
      [--refund-status S]

The platforms as an HTTP server on 127.0.0.1:P (0: any free port), for
the tests and the demo.  It writes "PID PORT" to FILE once it listens.
POST /v3/pay/transactions/h5 (WeChat Pay v3 H5) and POST /gateway.do
(Alipay's alipay.trade.precreate) check the merchant's signature (401
SIGN_ERROR, or Alipay's 40002 isv.invalid-signature, when wrong),
remember the order and answer its checkout address, signed by the
platform's key.  GET /checkout/CHANNEL/NO is the cashier's page; POST
there pays: the notification, as the platform sends it, goes to the
order's notify_url, again up to --retries times while it is refused;
?copies=N sends N copies at once.  GET /log: the requests and the
deliveries (order, copy, attempt, HTTP status, answer), as JSON.
GET /bill?date=YYYY-MM-DD&channel=wechat|alipay: the day's statement of
the payments made at the checkout, as pay-statement(1) reads it: WeChat
Pay's trade bill, Alipay's business detail statement in GBK.  The
clock is PREPAY_NOW's when it is set, as the library's is.  --unsigned
answers without the platform's signature, as a forger would.

Refunds: POST /v3/refund/domestic/refunds (WeChat Pay v3) and
alipay.trade.refund at /gateway.do check the merchant's signature, that
the order was paid at the checkout and that the refund is its whole
amount, and answer signed.  The same refund number again is the same
refund (WeChat: its refund_id and status; Alipay: fund_change N), another
number for a refunded order is refused.  --refund-status S: a new WeChat
refund's status, SUCCESS by default; PROCESSING answers SUCCESS when
asked again, as the platform has finished it by then; ABNORMAL stays so.
/log has each refund asked, "again": true when it was one already made.
/bill lists the refunds of the day too, as each platform's statement does.
"""
import argparse
import base64
import html
import http.server
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.exceptions import InvalidSignature

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SERIAL = "PUB_KEY_ID_0114232134912410000000000000"


def sign(keyfile, data):
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(sig).decode()


def now():
    """The platforms' clock: PREPAY_NOW, as the library reads it, when
    the tests fix it, else the real time."""
    v = os.environ.get("PREPAY_NOW", "")
    if v.isdigit():
        return int(v)
    if v:
        return int(time.mktime(time.strptime(v, "%Y-%m-%d %H:%M:%S")))
    return int(time.time())


def beijing(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 8 * 3600))


def wechat_signed(key, body, ts, serial):
    """WeChat Pay's headers over body: the platform's signature."""
    hnonce = base64.b16encode(os.urandom(16)).decode()
    sig = sign(key, ts.encode() + b"\n" + hnonce.encode() + b"\n" +
               body + b"\n")
    return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": hnonce,
            "Wechatpay-Signature": sig, "Wechatpay-Serial": serial}


def wechat_notice(key, apiv3, order, txn, total, ts, mchid, appid,
                  state="SUCCESS", serial=SERIAL, tamper=False):
    """A WeChat Pay notification: its headers and its raw body."""
    paid = time.strftime("%Y-%m-%dT%H:%M:%S+08:00",
                         time.gmtime(int(ts) + 8 * 3600))
    tx = {"mchid": mchid, "appid": appid, "out_trade_no": order,
          "transaction_id": txn, "trade_type": "MWEB",
          "trade_state": state, "trade_state_desc": "支付成功",
          "bank_type": "CMC", "success_time": paid,
          "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
          "amount": {"total": total, "payer_total": total,
                     "currency": "CNY", "payer_currency": "CNY"}}
    with open(apiv3, "rb") as f:
        k = f.read()
    nonce = base64.b16encode(os.urandom(6)).decode().lower()
    sealed = AESGCM(k).encrypt(nonce.encode(),
                               json.dumps(tx, ensure_ascii=False).encode(),
                               b"transaction")
    body = json.dumps({
        "id": "EV-" + txn, "create_time": paid,
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
        "resource": {"original_type": "transaction",
                     "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(),
                     "associated_data": "transaction", "nonce": nonce}},
        ensure_ascii=False, separators=(",", ":")).encode()
    headers = wechat_signed(key, body, str(ts), serial)
    if tamper:
        body = body.replace(b'"summary"', b'"Summary"')
    return headers, body


def alipay_notice(key, order, trade_no, amount, app_id, ts,
                  status="TRADE_SUCCESS", tamper=False):
    """An Alipay notification: its form, encoded."""
    form = {"notify_time": beijing(ts), "notify_type": "trade_status_sync",
            "notify_id": "ac05099524730693a8b330c5ecf72da9786",
            "charset": "utf-8", "version": "1.0", "app_id": app_id,
            "trade_no": trade_no, "out_trade_no": order,
            "trade_status": status, "total_amount": amount,
            "receipt_amount": amount, "buyer_id": "2088102122524333",
            "subject": "电费充值", "gmt_payment": beijing(ts)}
    content = "&".join("%s=%s" % (k, form[k]) for k in sorted(form))
    form["sign"] = sign(key, content.encode())
    form["sign_type"] = "RSA2"
    if tamper:
        form["buyer_id"] = "2088102122524334"
    return urllib.parse.urlencode(form)


def wechat(a):
    headers, body = wechat_notice(a.sign, a.apiv3, a.order, a.txn, a.total,
                                  a.time, a.mchid, a.appid, a.state,
                                  a.serial, a.tamper)
    with open(a.out + ".body", "wb") as f:
        f.write(body)
    with open(a.out + ".headers", "w") as f:
        f.write("HTTP/1.1 POST /pay/wechat/notify\r\n"
                "Content-Type: application/json\r\n" +
                "".join("%s: %s\r\n" % kv for kv in headers.items()))


def alipay(a):
    body = alipay_notice(a.sign, a.order, a.trade_no, a.amount, a.app_id,
                         1773115200, a.status, a.tamper)
    with open(a.out + ".body", "w") as f:
        f.write(body)


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title></head>
<body><h1>%(title)s</h1>%(body)s</body></html>
"""
CHANNELS = {"wechat": "微信支付", "alipay": "支付宝"}


class Platform:
    """What the fake platform knows: its keys, the orders asked of it,
    the notifications it delivered."""

    def __init__(self, a):
        self.a = a
        self.port = 0
        self.orders = {}
        self.paid = []
        self.refunds = {}
        self.log = []
        self.lock = threading.Lock()
        self.seq = 0

    def note(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.a.log:
                with open(self.a.log, "a") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def txn(self, channel):
        with self.lock:
            self.seq += 1
            n = self.seq
        day = beijing(now())[:10].replace("-", "")
        return ("4200" if channel == "wechat" else "") + day + \
            "%012d" % (n * 7919 + os.getpid())

    def deliver(self, order, txn, copy):
        """One notification of a paid order, retried on refusal."""
        a = self.a
        for attempt in range(1, a.retries + 2):
            ts = now()
            if order["channel"] == "wechat":
                headers, body = wechat_notice(
                    a.wechat_sign, a.apiv3, order["no"], txn,
                    order["amount"], ts, a.mchid, a.appid, serial=a.serial)
                headers["Content-Type"] = "application/json"
            else:
                body = alipay_notice(a.alipay_sign, order["no"], txn,
                                     "%d.%02d" % divmod(order["amount"], 100),
                                     a.app_id, ts).encode()
                headers = {"Content-Type":
                           "application/x-www-form-urlencoded"}
            req = urllib.request.Request(order["notify_url"], data=body,
                                         headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=15) as r:
                    status, answer = r.status, r.read().decode("utf-8",
                                                               "replace")
            except urllib.error.HTTPError as e:
                status, answer = e.code, e.read().decode("utf-8", "replace")
            except OSError as e:
                status, answer = 0, str(e)
            good = 200 <= status < 300 and (
                order["channel"] == "wechat" or answer.strip() == "success")
            self.note({"order": order["no"], "channel": order["channel"],
                       "copy": copy, "attempt": attempt, "status": status,
                       "answer": answer, "accepted": good})
            if good:
                return True
            if attempt <= a.retries:
                time.sleep(a.retry_wait)
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def page(self, status, title, body):
        self.send(status, PAGE % {"title": title, "body": body},
                  "text/html; charset=utf-8")

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self):
        P = self.server.platform
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if url.path == "/log":
            with P.lock:
                self.send(200, json.dumps(P.log, ensure_ascii=False))
            return
        if url.path == "/bill":
            q = urllib.parse.parse_qs(url.query)
            day, channel = q.get("date", [""])[0], q.get("channel", [""])[0]
            with P.lock:
                rows = [t for t in P.paid if t["channel"] == channel and
                        beijing(t["time"])[:10] == day]
                back = [r for r in P.refunds.values() if
                        r["channel"] == channel and r["status"] == "SUCCESS"
                        and beijing(r["time"])[:10] == day]
            if channel not in CHANNELS or \
                    not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                self.send(400, '{"code":"PARAM_ERROR"}')
            elif channel == "wechat":
                self.send(200, wechat_bill(P.a, rows, back), "text/csv")
            else:
                self.send(200, alipay_bill(day, rows, back),
                          "text/csv; charset=GBK")
            return
        order = P.orders.get(parts[2]) if len(parts) == 3 and \
            parts[0] == "checkout" else None
        if order is None or order["channel"] != parts[1]:
            self.page(404, "没有这笔订单", "<p>订单不存在。</p>")
            return
        q = urllib.parse.parse_qs(url.query)
        ret = q.get("return_url", [""])[0]
        self.page(200, CHANNELS[order["channel"]] + " 收银台", (
            "<p>商品：%s</p><p>订单号：%s</p>"
            "<p>金额：<strong id=\"amount\">¥%d.%02d</strong></p>"
            "<form method=\"post\"><input type=\"hidden\" "
            "name=\"return_url\" value=\"%s\">"
            "<button type=\"submit\" id=\"pay\">确认支付</button></form>") % (
                html.escape(order["subject"]), html.escape(order["no"]),
                order["amount"] // 100, order["amount"] % 100,
                html.escape(ret, quote=True)))

    def do_POST(self):
        P = self.server.platform
        url = urllib.parse.urlsplit(self.path)
        body = self.body()
        if url.path == "/v3/pay/transactions/h5":
            self.wechat_h5(P, url.path, body)
        elif url.path == "/v3/refund/domestic/refunds":
            self.wechat_refund(P, url.path, body)
        elif url.path == "/gateway.do":
            self.alipay_gateway(P, body)
        elif url.path.startswith("/checkout/"):
            self.pay(P, url, body)
        else:
            self.send(404, '{"code":"NOT_FOUND"}')

    def wechat_error(self, status, code, message):
        self.send(status, json.dumps({"code": code, "message": message},
                                     ensure_ascii=False))

    def wechat_merchant(self, P, path, body):
        """Is the request signed by the merchant, now?"""
        a = P.a
        auth = self.headers.get("Authorization", "")
        scheme, _, rest = auth.partition(" ")
        f = dict((k, v.strip('"')) for k, _, v in
                 (x.partition("=") for x in rest.split(",")))
        msg = ("POST\n%s\n%s\n%s\n" % (path, f.get("timestamp", ""),
                                      f.get("nonce_str", ""))).encode() + \
            body + b"\n"
        if scheme != "WECHATPAY2-SHA256-RSA2048" or \
                f.get("mchid") != a.mchid or \
                not f.get("serial_no") or \
                not f.get("timestamp", "").isdigit() or \
                abs(int(f["timestamp"]) - now()) > 300 or \
                not verify(a.merchant_pub, msg, f.get("signature", "")):
            self.wechat_error(401, "SIGN_ERROR", "签名错误")
            return False
        return True

    def wechat_signed(self, P, j):
        answer = json.dumps(j, ensure_ascii=False).encode()
        self.send(200, answer, headers={} if P.a.unsigned else
                  wechat_signed(P.a.wechat_sign, answer, str(now()),
                                P.a.serial))

    def wechat_h5(self, P, path, body):
        a = P.a
        if not self.wechat_merchant(P, path, body):
            P.note({"request": "wechat", "refused": "SIGN_ERROR"})
            return
        try:
            j = json.loads(body)
            ok = j["appid"] == a.appid and j["mchid"] == a.mchid and \
                isinstance(j["amount"]["total"], int) and \
                j["amount"]["total"] > 0 and \
                j["amount"].get("currency", "CNY") == "CNY" and \
                j["out_trade_no"] and j["notify_url"] and j["description"] \
                and j["scene_info"]["payer_client_ip"] and \
                j["scene_info"]["h5_info"]["type"]
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            P.note({"request": "wechat", "refused": "PARAM_ERROR"})
            self.wechat_error(400, "PARAM_ERROR", "参数错误")
            return
        no = j["out_trade_no"]
        P.orders[no] = {"no": no, "channel": "wechat",
                        "amount": j["amount"]["total"],
                        "notify_url": j["notify_url"],
                        "subject": j["description"]}
        P.note({"request": "wechat", "order": no,
                "amount": j["amount"]["total"],
                "notify_url": j["notify_url"],
                "client": j["scene_info"]["payer_client_ip"]})
        self.wechat_signed(P, {"h5_url": "http://127.0.0.1:%d/checkout/"
                               "wechat/%s" % (P.port, no)})

    def refund_of(self, P, channel, no, refund_no, amount):
        """The refund of a paid order: (refund, again), or (None, why)."""
        with P.lock:
            paid = [t for t in P.paid if t["channel"] == channel and
                    t["no"] == no]
            old = P.refunds.get((channel, refund_no))
            if old is not None and old["no"] == no:
                return old, True
            if not paid or old is not None:
                return None, "order"
            if amount != paid[0]["amount"]:
                return None, "amount"
            if any(r["no"] == no for r in P.refunds.values()):
                return None, "refunded"
            P.seq += 1
            r = {"no": no, "channel": channel, "refund_no": refund_no,
                 "txn": paid[0]["txn"], "amount": amount, "time": now(),
                 "status": P.a.refund_status if channel == "wechat"
                 else "SUCCESS",
                 "refund_id": "50300%014d" % (P.seq * 7919 + os.getpid())}
            P.refunds[(channel, refund_no)] = r
            return r, False

    def wechat_refund(self, P, path, body):
        if not self.wechat_merchant(P, path, body):
            P.note({"refund": "wechat", "refused": "SIGN_ERROR"})
            return
        try:
            j = json.loads(body)
            no, rno = j["out_trade_no"], j["out_refund_no"]
            amount = j["amount"]
            ok = isinstance(amount["refund"], int) and \
                amount["refund"] == amount["total"] and \
                amount["currency"] == "CNY" and no and rno and \
                ("notify_url" not in j or j["notify_url"])
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            P.note({"refund": "wechat", "refused": "PARAM_ERROR"})
            self.wechat_error(400, "PARAM_ERROR", "参数错误")
            return
        r, again = self.refund_of(P, "wechat", no, rno, amount["refund"])
        if r is None:
            code, status, msg = {
                "order": ("RESOURCE_NOT_EXISTS", 404, "订单不存在"),
                "amount": ("PARAM_ERROR", 400, "退款金额与支付金额不符"),
                "refunded": ("INVALID_REQUEST", 400, "订单已全额退款"),
            }[again]
            P.note({"refund": "wechat", "order": no, "refused": code})
            self.wechat_error(status, code, msg)
            return
        if again and r["status"] == "PROCESSING":
            r["status"] = "SUCCESS"
        P.note({"refund": "wechat", "order": no, "refund_no": rno,
                "refund_id": r["refund_id"], "amount": r["amount"],
                "reason": j.get("reason", ""), "status": r["status"],
                "again": again})
        self.wechat_signed(P, {
            "refund_id": r["refund_id"], "out_refund_no": rno,
            "transaction_id": r["txn"], "out_trade_no": no,
            "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
            "create_time": beijing(r["time"]).replace(" ", "T") + "+08:00",
            "status": r["status"], "funds_account": "AVAILABLE",
            "amount": {"total": r["amount"], "refund": r["amount"],
                       "payer_total": r["amount"],
                       "payer_refund": r["amount"], "currency": "CNY"}})

    def alipay_answer(self, P, member, method="precreate"):
        text = json.dumps(member, ensure_ascii=False, separators=(",", ":"))
        signed = "" if P.a.unsigned else ',"sign":"%s"' % sign(
            P.a.alipay_sign, text.encode())
        self.send(200, '{"alipay_trade_%s_response":%s%s}'
                  % (method, text, signed), "application/json; charset=utf-8")

    def alipay_refuse(self, P, sub_code, sub_msg, method="precreate",
                      code="40002", msg="Invalid Arguments"):
        P.note({"request" if method == "precreate" else "refund": "alipay",
                "refused": sub_code})
        self.alipay_answer(P, {"code": code, "msg": msg,
                               "sub_code": sub_code, "sub_msg": sub_msg},
                           method)

    def alipay_refund(self, P, form):
        m = "refund"
        try:
            biz = json.loads(form["biz_content"])
            no, rno = biz["out_trade_no"], biz["out_request_no"]
            ok = form["app_id"] == P.a.app_id and no and rno and \
                re.fullmatch(r"[0-9]+\.[0-9]{2}", biz["refund_amount"])
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            self.alipay_refuse(P, "isv.invalid-parameter", "参数无效", m)
            return
        yuan, fen = biz["refund_amount"].split(".")
        r, again = self.refund_of(P, "alipay", no, rno,
                                  int(yuan) * 100 + int(fen))
        if r is None:
            sub, text = {
                "order": ("ACQ.TRADE_NOT_EXIST", "交易不存在"),
                "amount": ("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额不符"),
                "refunded": ("ACQ.TRADE_HAS_FINISHED", "交易已完结"),
            }[again]
            self.alipay_refuse(P, sub, text, m, "40004", "Business Failed")
            return
        P.note({"refund": "alipay", "order": no, "refund_no": rno,
                "amount": r["amount"], "reason": biz.get("refund_reason",
                                                         ""),
                "status": r["status"], "again": again})
        self.alipay_answer(P, {
            "code": "10000", "msg": "Success", "trade_no": r["txn"],
            "out_trade_no": no, "buyer_logon_id": "159****5620",
            "fund_change": "N" if again else "Y",
            "refund_fee": "%d.%02d" % divmod(r["amount"], 100),
            "gmt_refund_pay": beijing(r["time"])}, m)

    def alipay_gateway(self, P, body):
        a = P.a
        try:
            form = dict(urllib.parse.parse_qsl(body.decode(), True, True))
        except (ValueError, UnicodeDecodeError):
            form = {}
        content = "&".join("%s=%s" % (k, form[k]) for k in sorted(form)
                           if k != "sign" and form[k])
        if form.get("sign_type") != "RSA2" or \
                not verify(a.alipay_app_pub, content.encode(),
                           form.get("sign", "")):
            self.alipay_refuse(P, "isv.invalid-signature", "验签出错",
                               "refund" if form.get("method") ==
                               "alipay.trade.refund" else "precreate")
            return
        if form.get("method") == "alipay.trade.refund":
            self.alipay_refund(P, form)
            return
        try:
            biz = json.loads(form["biz_content"])
            ok = form["app_id"] == a.app_id and \
                form["method"] == "alipay.trade.precreate" and \
                form["notify_url"] and biz["out_trade_no"] and \
                biz["subject"] and \
                re.fullmatch(r"[1-9][0-9]*\.[0-9]{2}|0\.[0-9][1-9]|"
                             r"0\.[1-9][0-9]", biz["total_amount"])
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            self.alipay_refuse(P, "isv.invalid-parameter", "参数无效")
            return
        no = biz["out_trade_no"]
        yuan, fen = biz["total_amount"].split(".")
        P.orders[no] = {"no": no, "channel": "alipay",
                        "amount": int(yuan) * 100 + int(fen),
                        "notify_url": form["notify_url"],
                        "subject": biz["subject"]}
        P.note({"request": "alipay", "order": no,
                "amount": P.orders[no]["amount"],
                "notify_url": form["notify_url"]})
        self.alipay_answer(P, {"code": "10000", "msg": "Success",
                               "out_trade_no": no, "qr_code":
                               "http://127.0.0.1:%d/checkout/alipay/%s"
                               % (P.port, no)})

    def pay(self, P, url, body):
        parts = url.path.strip("/").split("/")
        order = P.orders.get(parts[2]) if len(parts) == 3 else None
        if order is None or order["channel"] != parts[1]:
            self.page(404, "没有这笔订单", "<p>订单不存在。</p>")
            return
        q = urllib.parse.parse_qs(url.query)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        copies = int(q.get("copies", ["1"])[0])
        ret = form.get("return_url", q.get("return_url", [""]))[0]
        txn = P.txn(order["channel"])
        with P.lock:
            P.paid.append({"no": order["no"], "channel": order["channel"],
                           "txn": txn, "amount": order["amount"],
                           "time": now(), "subject": order["subject"]})
        done = [False] * copies
        def one(i):
            done[i] = P.deliver(order, txn, i + 1)
        threads = [threading.Thread(target=one, args=(i,))
                   for i in range(copies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        back = '<p><a id="back" href="%s">返回</a></p>' % \
            html.escape(ret, quote=True) if ret else ""
        if all(done):
            self.page(200, "支付成功", "<p>支付成功：¥%d.%02d，交易号 "
                      "<span id=\"txn\">%s</span>。</p>%s" % (
                          order["amount"] // 100, order["amount"] % 100,
                          txn, back))
        else:
            self.page(502, "通知未被接受", "<p>已付款，但商户未接受通知，"
                      "交易号 <span id=\"txn\">%s</span>。</p>%s" % (txn,
                                                                  back))


def yuan(fen):
    return "%d.%02d" % divmod(fen, 100)


def wechat_bill(a, rows, back):
    """WeChat Pay's trade bill of a day, its payments and its refunds:
    every field after a backquote."""
    out = ["交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,"
           "用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,"
           "微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
           "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"]
    for t in rows:
        out.append(",".join("`" + v for v in [
            beijing(t["time"]), a.appid, a.mchid, "0", "", t["txn"],
            t["no"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "MWEB", "SUCCESS",
            "OTHERS", "CNY", yuan(t["amount"]), "0.00", "0", "", "0.00",
            "0.00", "", "", t["subject"], "", "0.00000", "0.60%",
            yuan(t["amount"]), "0.00", ""]))
    for r in back:
        out.append(",".join("`" + v for v in [
            beijing(r["time"]), a.appid, a.mchid, "0", "", r["txn"],
            r["no"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "MWEB", "REFUND",
            "OTHERS", "CNY", "0.00", "0.00", r["refund_id"], r["refund_no"],
            yuan(r["amount"]), "0.00", "ORIGINAL", "SUCCESS", "", "",
            "0.00000", "0.60%", yuan(r["amount"]), yuan(r["amount"]), ""]))
    total = yuan(sum(t["amount"] for t in rows))
    refunded = yuan(sum(r["amount"] for r in back))
    out.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,"
               "订单总金额,申请退款总金额")
    out.append("`%d,`%s,`%s,`0.00,`0.00000,`%s,`%s" % (
        len(rows) + len(back), total, refunded, total, refunded))
    return ("\r\n".join(out) + "\r\n").encode()


def alipay_bill(day, rows, back):
    """Alipay's business detail statement of a day, its payments and its
    refunds (negative), in GBK."""
    y, m, d = day.split("-")
    out = ["#支付宝业务明细查询", "#账号：[20880000000000000156]",
           "#起始日期：[%s年%s月%s日 00:00:00]   终止日期：[%s年%s月%s日 "
           "23:59:59]" % (y, m, d, y, m, d),
           "#-----------------------------------------业务明细列表"
           "----------------------------------------",
           "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,"
           "门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,"
           "支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,"
           "券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
           "退款批次号/请求号,服务费（元）,分润（元）,备注"]
    for t in rows:
        out.append(",".join(v + "\t" * (i < 24) for i, v in enumerate([
            t["txn"], t["no"], "交易", t["subject"], beijing(t["time"]),
            beijing(t["time"]), "", "", "", "", "buy***@example.com",
            yuan(t["amount"]), yuan(t["amount"]), "0.00", "0.00", "0.00",
            "0.00", "0.00", "", "0.00", "0.00", "", "0.00", "0.00", ""])))
    for r in back:
        out.append(",".join(v + "\t" * (i < 24) for i, v in enumerate([
            r["txn"], r["no"], "退款", "", beijing(r["time"]),
            beijing(r["time"]), "", "", "", "", "buy***@example.com",
            "-" + yuan(r["amount"]), "-" + yuan(r["amount"]), "0.00",
            "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00",
            r["refund_no"], "0.00", "0.00", ""])))
    total = yuan(sum(t["amount"] for t in rows))
    refunded = yuan(sum(r["amount"] for r in back))
    out += ["#-----------------------------------------业务明细列表结束"
            "------------------------------------",
            "#交易合计：%d笔，商家实收共：%s元，商家优惠共：0.00元" % (len(rows),
                                                       total),
            "#退款合计：%d笔，商家实收退款共：-%s元，商家优惠退款共：0.00元" % (
                len(back), refunded),
            "#导出时间：[%s]" % beijing(now())]
    return ("\r\n".join(out) + "\r\n").encode("gbk")


def verify(pem, data, sig64):
    with open(pem, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    try:
        key.verify(base64.b64decode(sig64, validate=True), data,
                   padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


def serve(a):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.platform = Platform(a)
    srv.platform.port = srv.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d %d\n" % (os.getpid(), srv.platform.port))
    srv.serve_forever()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        p = argparse.ArgumentParser(prog="payplatform.py serve")
        p.add_argument("serve")
        p.add_argument("--port", type=int, default=0)
        p.add_argument("--ready")
        p.add_argument("--wechat-sign", required=True)
        p.add_argument("--apiv3", required=True)
        p.add_argument("--merchant-pub", required=True)
        p.add_argument("--serial", default=SERIAL)
        p.add_argument("--alipay-sign", required=True)
        p.add_argument("--alipay-app-pub", required=True)
        p.add_argument("--retries", type=int, default=0)
        p.add_argument("--retry-wait", type=float, default=0.2)
        p.add_argument("--log")
        p.add_argument("--unsigned", action="store_true")
        p.add_argument("--mchid", default="1900000109")
        p.add_argument("--appid", default="wxd678efh567hg6787")
        p.add_argument("--app-id", default="2021000000000000")
        p.add_argument("--refund-status", default="SUCCESS",
                       choices=["SUCCESS", "PROCESSING", "ABNORMAL"])
        serve(p.parse_args())
        return
    p = argparse.ArgumentParser()
    p.add_argument("platform", choices=["wechat", "alipay"])
    p.add_argument("out")
    p.add_argument("--sign", required=True)
    p.add_argument("--apiv3")
    p.add_argument("--order", required=True)
    p.add_argument("--txn")
    p.add_argument("--total", type=int)
    p.add_argument("--time", type=int)
    p.add_argument("--mchid", default="1900000109")
    p.add_argument("--appid", default="wxd678efh567hg6787")
    p.add_argument("--state", default="SUCCESS")
    p.add_argument("--serial", default=SERIAL)
    p.add_argument("--trade-no")
    p.add_argument("--amount")
    p.add_argument("--app-id", default="2021000000000000")
    p.add_argument("--status", default="TRADE_SUCCESS")
    p.add_argument("--tamper", action="store_true")
    a = p.parse_args()
    (wechat if a.platform == "wechat" else alipay)(a)


main()
