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
"""
import argparse
import base64
import json
import os
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def sign(keyfile, data):
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(sig).decode()


def wechat(a):
    tx = {"mchid": a.mchid, "appid": a.appid, "out_trade_no": a.order,
          "transaction_id": a.txn, "trade_type": "JSAPI",
          "trade_state": a.state, "trade_state_desc": "支付成功",
          "bank_type": "CMC", "success_time": "2026-03-10T12:00:00+08:00",
          "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
          "amount": {"total": a.total, "payer_total": a.total,
                     "currency": "CNY", "payer_currency": "CNY"}}
    with open(a.apiv3, "rb") as f:
        key = f.read()
    nonce = base64.b16encode(os.urandom(6)).decode().lower()
    sealed = AESGCM(key).encrypt(nonce.encode(),
                                 json.dumps(tx, ensure_ascii=False).encode(),
                                 b"transaction")
    body = json.dumps({
        "id": "EV-2018022511223320873",
        "create_time": "2026-03-10T12:00:00+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
        "resource": {"original_type": "transaction",
                     "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(),
                     "associated_data": "transaction", "nonce": nonce}},
        ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(a.time)
    hnonce = base64.b16encode(os.urandom(16)).decode()
    sig = sign(a.sign, ts.encode() + b"\n" + hnonce.encode() + b"\n" +
               body + b"\n")
    if a.tamper:
        body = body.replace(b'"summary"', b'"Summary"')
    with open(a.out + ".body", "wb") as f:
        f.write(body)
    with open(a.out + ".headers", "w") as f:
        f.write("HTTP/1.1 POST /pay/wechat/notify\r\n"
                "Content-Type: application/json\r\n"
                "Wechatpay-Timestamp: %s\r\nWechatpay-Nonce: %s\r\n"
                "Wechatpay-Signature: %s\r\nWechatpay-Serial: %s\r\n"
                % (ts, hnonce, sig, a.serial))


def alipay(a):
    form = {"notify_time": "2026-03-10 12:00:00",
            "notify_type": "trade_status_sync",
            "notify_id": "ac05099524730693a8b330c5ecf72da9786",
            "charset": "utf-8", "version": "1.0", "app_id": a.app_id,
            "trade_no": a.trade_no, "out_trade_no": a.order,
            "trade_status": a.status, "total_amount": a.amount,
            "receipt_amount": a.amount, "buyer_id": "2088102122524333",
            "subject": "电费充值", "gmt_payment": "2026-03-10 12:00:00"}
    content = "&".join("%s=%s" % (k, form[k]) for k in sorted(form))
    form["sign"] = sign(a.sign, content.encode())
    form["sign_type"] = "RSA2"
    if a.tamper:
        form["buyer_id"] = "2088102122524334"
    with open(a.out + ".body", "w") as f:
        f.write(urllib.parse.urlencode(form))


def main():
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
    p.add_argument("--serial",
                   default="PUB_KEY_ID_0114232134912410000000000000")
    p.add_argument("--trade-no")
    p.add_argument("--amount")
    p.add_argument("--app-id", default="2021000000000000")
    p.add_argument("--status", default="TRADE_SUCCESS")
    p.add_argument("--tamper", action="store_true")
    a = p.parse_args()
    (wechat if a.platform == "wechat" else alipay)(a)


main()
