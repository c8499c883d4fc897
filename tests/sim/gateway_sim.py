"""A local payment gateway simulator: WeChat Pay API v3 and Alipay's open API as the
providers document them, with its own test keys, for the end-to-end tests.

It verifies the merchant's signed requests (SHA256-RSA2048 for WeChat Pay, RSA2 for
Alipay), signs its answers and notifications with its platform keys, encrypts WeChat
Pay notification resources with AES-256-GCM, and on command pays a trade (sending the
notification), resends it, or sends forged ones.

Run with Debian's python3 (python3-cryptography):
    python3 gateway_sim.py DIR O2O_PORT
writes DIR/gateways.json (the o2o --gateways file) and keys, prints "listening PORT".
Control: POST /sim/pay {out_trade_no, payer?, open_id?, amount?, notify?, extra?}, POST
/sim/resend {out_trade_no}, POST /sim/forge {out_trade_no, how}, GET /sim/trades/NO,
POST /sim/config {bad_answers?, unsigned_errors?, unsigned_all?, close_fails?, platform?,
fail_next?}.

As the providers do: WeChat Pay signs with one of two platform keys (a certificate
rotation: config platform 1 or 2); Alipay leaves some error answers unsigned
(unsigned_errors); fail_next {code, sub_code} makes the next Alipay create fail;
trades carry their expiry (time_expire) and can be closed; a closed trade cannot
be paid.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MCHID, APPID, SERIAL = "1900000109", "wxd678efh567hg6787", "MERCHANT0001"
PLATFORM_SERIALS = ("PLATFORM0001", "PUB_KEY_ID_0002")
ALI_APP_ID = "2021000000000001"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_keys(d, name, key):
    with open(os.path.join(d, name + ".pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(os.path.join(d, name + ".pub.pem"), "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))


def sign(key, msg):
    return base64.b64encode(key.sign(msg.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(pub, msg, sig):
    try:
        pub.verify(base64.b64decode(sig), msg.encode(), padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:
        return False


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def fen(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


class Sim:
    def __init__(self, d, o2o_port):
        self.dir = d
        self.merchant, self.ali_app, self.alipay = new_key(), new_key(), new_key()
        self.platforms = [new_key(), new_key()]
        self.platform_no = 0
        for name, k in (("merchant", self.merchant), ("platform", self.platforms[0]),
                        ("platform2", self.platforms[1]), ("ali_app", self.ali_app), ("alipay", self.alipay)):
            write_keys(d, name, k)
        self.api_v3_key = secrets.token_hex(16)
        self.api_v2_key = secrets.token_hex(16)
        self.o2o = "http://127.0.0.1:%d" % o2o_port
        self.trades = {}
        self.lock = threading.Lock()
        self.bad_answers = False
        self.unsigned_errors = False
        self.unsigned_all = False
        self.close_fails = False
        self.fail_next = None
        self.requests = []

    @property
    def platform(self):
        return self.platforms[self.platform_no]

    def config(self, port):
        base = "http://127.0.0.1:%d" % port
        return {
            "instance": "sim",
            "wechat_pay": {"base_url": base, "mchid": MCHID, "appid": APPID, "serial_no": SERIAL,
                           "platform_keys": {PLATFORM_SERIALS[0]: os.path.join(self.dir, "platform.pub.pem"),
                                             PLATFORM_SERIALS[1]: os.path.join(self.dir, "platform2.pub.pem")},
                           "api_v3_key": self.api_v3_key,
                           "api_v2_key": self.api_v2_key,
                           "notify_url": self.o2o + "/v1/gateways/wechat_pay/notify",
                           "private_key": os.path.join(self.dir, "merchant.pem")},
            "alipay": {"gateway_url": base + "/gateway.do", "app_id": ALI_APP_ID,
                       "notify_url": self.o2o + "/v1/gateways/alipay/notify",
                       "private_key": os.path.join(self.dir, "ali_app.pem"),
                       "alipay_public_key": os.path.join(self.dir, "alipay.pub.pem")},
        }

    # ---- WeChat Pay ----
    def wx_headers(self, body, key=None, ts=None, serial=None):
        serial = serial or PLATFORM_SERIALS[self.platform_no]
        ts = str(int(time.time())) if ts is None else str(ts)
        nonce = secrets.token_hex(16)
        sig = sign(key or self.platform, "%s\n%s\n%s\n" % (ts, nonce, body))
        if self.bad_answers and key is None:
            sig = sign(new_key(), "x")
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce, "Wechatpay-Signature": sig,
                "Wechatpay-Serial": serial}

    def wx_check(self, method, path, auth, body):
        if not auth or not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = dict(part.split("=", 1) for part in auth[len("WECHATPAY2-SHA256-RSA2048 "):].split(","))
        fields = {k: v.strip('"') for k, v in fields.items()}
        if fields.get("mchid") != MCHID or fields.get("serial_no") != SERIAL:
            return False
        msg = "%s\n%s\n%s\n%s\n%s\n" % (method, path, fields["timestamp"], fields["nonce_str"], body)
        return verify(self.merchant.public_key(), msg, fields["signature"])

    def wx_transaction(self, t, amount=None, mchid=MCHID):
        return {"mchid": mchid, "appid": APPID, "out_trade_no": t["out_trade_no"],
                "transaction_id": t["transaction_id"], "trade_type": t.get("trade_type", "NATIVE"),
                "trade_state": {"paid": "SUCCESS", "pending": "NOTPAY", "closed": "CLOSED"}[t["state"]],
                "success_time": "2026-11-23T10:00:00+08:00", "payer": {"openid": t.get("payer", "")},
                "amount": {"total": amount if amount is not None else t["amount"], "currency": "CNY"}}

    def wx_notification(self, t, amount=None, event="TRANSACTION.SUCCESS", resource=None):
        """(resource: the decrypted transaction to send instead of the trade's own)"""
        plain = json.dumps(resource or self.wx_transaction(t, amount))
        nonce = secrets.token_hex(6)
        aad = "transaction" if event.startswith("TRANSACTION") else "refund"
        ct = AESGCM(self.api_v3_key.encode()).encrypt(nonce.encode(), plain.encode(), aad.encode())
        return json.dumps({"id": secrets.token_hex(8), "create_time": "2026-11-23T10:00:00+08:00",
                           "resource_type": "encrypt-resource", "event_type": event, "summary": "payment",
                           "resource": {"original_type": aad, "algorithm": "AEAD_AES_256_GCM",
                                        "ciphertext": base64.b64encode(ct).decode(), "associated_data": aad,
                                        "nonce": nonce}})

    # ---- WeChat Pay API v2 (micropay) ----
    def v2_sign(self, params):
        text = "&".join("%s=%s" % (k, params[k]) for k in sorted(params) if k != "sign" and params[k] != "")
        text += "&key=" + self.api_v2_key
        return hmac.new(self.api_v2_key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()

    @staticmethod
    def v2_parse(xml):
        return {m[0]: (m[1] or m[2]) for m in re.findall(r"<(\w+)>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</\1>", xml)}

    def v2_xml(self, params):
        params = dict(params)
        params["sign"] = self.v2_sign(params)
        return "<xml>" + "".join("<%s><![CDATA[%s]]></%s>" % (k, v, k) for k, v in params.items()) + "</xml>"

    # ---- Alipay ----
    @staticmethod
    def ali_content(params, skip_type):
        keys = sorted(k for k, v in params.items() if k != "sign" and v != "" and not (skip_type and k == "sign_type"))
        return "&".join("%s=%s" % (k, params[k]) for k in keys)

    def ali_answer(self, method, resp):
        text = json.dumps(resp, separators=(",", ":"), ensure_ascii=False)
        if self.unsigned_all or (self.unsigned_errors and resp.get("code") != "10000"):
            return '{"%s_response":%s}' % (method.replace(".", "_"), text)  # as Alipay leaves some errors
        sig = sign(self.alipay if not self.bad_answers else new_key(), text)
        return '{"%s_response":%s,"sign":"%s"}' % (method.replace(".", "_"), text, sig)

    @staticmethod
    def ali_buyer(t):
        """Alipay names the buyer by user id, or in OpenID mode by open id."""
        return {"buyer_open_id": t["open_id"]} if t.get("open_id") else {"buyer_user_id": t.get("payer", "")}

    def ali_notification(self, t, amount=None, key=None):
        p = {"notify_time": "2026-11-23 10:00:00", "notify_type": "trade_status_sync",
             "notify_id": secrets.token_hex(8), "app_id": ALI_APP_ID, "charset": "utf-8", "version": "1.0",
             "sign_type": "RSA2", "trade_no": t["transaction_id"], "out_trade_no": t["out_trade_no"],
             "total_amount": yuan(amount if amount is not None else t["amount"]),
             "trade_status": "TRADE_SUCCESS", "gmt_payment": "2026-11-23 10:00:00"}
        if t.get("open_id"):
            p["buyer_open_id"] = t["open_id"]
        else:
            p["buyer_id"] = t.get("payer", "")
        p.update(t.get("extra", {}))   # the many optional fields Alipay documents (fund_bill_list, ...)
        p["sign"] = sign(key or self.alipay, self.ali_content(p, True))
        return p

    # ---- delivering notifications to o2o ----
    def post(self, url, body, headers):
        req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def deliver(self, t, forged=None, amount=None):
        if t["gateway"] == "wechat_pay":
            body = self.wx_notification(t, amount)
            headers = {"Content-Type": "application/json"}
            if forged == "bad_signature":
                h = self.wx_headers(body)
                h["Wechatpay-Signature"] = base64.b64encode(secrets.token_bytes(256)).decode()
            elif forged == "wrong_key":
                h = self.wx_headers(body, key=new_key())
            elif forged == "stale":
                h = self.wx_headers(body, ts=int(time.time()) - 3600)
            elif forged == "unknown_serial":
                h = self.wx_headers(body, key=new_key(), serial="PLATFORM9999")
            elif forged == "wrong_merchant":
                # signed and encrypted as WeChat Pay does, for another merchant
                body = self.wx_notification(t, amount, resource=self.wx_transaction(t, amount, mchid="1900000999"))
                h = self.wx_headers(body)
            elif forged == "tampered":
                h = self.wx_headers(body)
                obj = json.loads(body)
                ct = bytearray(base64.b64decode(obj["resource"]["ciphertext"]))
                ct[5] ^= 1
                obj["resource"]["ciphertext"] = base64.b64encode(bytes(ct)).decode()
                body = json.dumps(obj)
                h = self.wx_headers(body)  # a valid outer signature: only the GCM tag can catch it
            else:
                h = self.wx_headers(body)
            headers.update(h)
            t["last"] = (body, headers)
            return self.post(t["notify_url"], body, headers)
        p = self.ali_notification(t, amount, key=new_key() if forged == "wrong_key" else None)
        if forged == "bad_signature":
            p["sign"] = base64.b64encode(secrets.token_bytes(256)).decode()
        elif forged == "tampered":
            p["total_amount"] = yuan(1)
        body = urllib.parse.urlencode(p)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        t["last"] = (body, headers)
        return self.post(t["notify_url"], body, headers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sim = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def wx_reply(self, status, obj):
        body = json.dumps(obj)
        self.reply(status, body, self.sim.wx_headers(body) if status < 300 else None)

    def do_GET(self):
        s = self.sim
        if self.path.startswith("/sim/trades/"):
            t = s.trades.get(self.path.rsplit("/", 1)[1])
            return self.reply(200 if t else 404, json.dumps({k: v for k, v in (t or {}).items() if k != "last"}))
        if self.path.startswith("/v3/pay/transactions/out-trade-no/"):
            if not s.wx_check("GET", self.path, self.headers.get("Authorization"), ""):
                return self.wx_reply(401, {"code": "SIGN_ERROR", "message": "bad signature"})
            no = urllib.parse.urlparse(self.path).path.rsplit("/", 1)[1]
            t = s.trades.get(no)
            if not t:
                return self.wx_reply(404, {"code": "ORDER_NOT_EXIST", "message": "no such trade"})
            return self.wx_reply(200, s.wx_transaction(t))
        self.reply(404, "{}")

    def do_POST(self):
        s = self.sim
        raw = self.body()
        path = self.path
        s.requests.append(path)
        m = re.match(r"^/v3/pay/transactions/out-trade-no/([^/?]+)/close$", path)
        if m:
            if not s.wx_check("POST", path, self.headers.get("Authorization"), raw):
                return self.wx_reply(401, {"code": "SIGN_ERROR", "message": "bad signature"})
            t = s.trades.get(m.group(1))
            if s.close_fails:
                return self.wx_reply(500, {"code": "SYSTEM_ERROR", "message": "try again later"})
            if not t:
                return self.wx_reply(404, {"code": "ORDER_NOT_EXIST", "message": "no such trade"})
            if t["state"] == "paid":
                return self.wx_reply(400, {"code": "ORDERPAID", "message": "the trade is paid"})
            t["state"] = "closed"
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path in ("/v3/pay/transactions/native", "/v3/pay/transactions/jsapi"):
            if not s.wx_check("POST", path, self.headers.get("Authorization"), raw):
                return self.wx_reply(401, {"code": "SIGN_ERROR", "message": "bad signature"})
            req = json.loads(raw)
            with s.lock:
                t = s.trades.setdefault(req["out_trade_no"], {
                    "gateway": "wechat_pay", "out_trade_no": req["out_trade_no"], "amount": req["amount"]["total"],
                    "notify_url": req["notify_url"], "state": "pending", "refunds": {},
                    "transaction_id": "42000" + secrets.token_hex(8),
                    "payer": req.get("payer", {}).get("openid", ""), "time_expire": req.get("time_expire")})
            if path.endswith("jsapi"):
                t["trade_type"] = "JSAPI"
                return self.wx_reply(200, {"prepay_id": "wx" + t["transaction_id"]})
            return self.wx_reply(200, {"code_url": "weixin://wxpay/bizpayurl?pr=" + t["transaction_id"][-8:]})
        if path == "/v3/refund/domestic/refunds":
            if not s.wx_check("POST", path, self.headers.get("Authorization"), raw):
                return self.wx_reply(401, {"code": "SIGN_ERROR", "message": "bad signature"})
            req = json.loads(raw)
            t = s.trades.get(req["out_trade_no"])
            if not t or t["state"] != "paid":
                return self.wx_reply(400, {"code": "INVALID_REQUEST", "message": "trade not paid"})
            done = sum(r["amount"] for k, r in t["refunds"].items() if k != req["out_refund_no"])
            if done + req["amount"]["refund"] > t["amount"]:
                return self.wx_reply(400, {"code": "NOT_ENOUGH", "message": "refund exceeds the payment"})
            r = t["refunds"].setdefault(req["out_refund_no"], {"amount": req["amount"]["refund"],
                                                               "refund_id": "50000" + secrets.token_hex(8)})
            return self.wx_reply(200, {"refund_id": r["refund_id"], "out_refund_no": req["out_refund_no"],
                                       "out_trade_no": req["out_trade_no"], "status": "SUCCESS",
                                       "amount": {"refund": r["amount"], "total": t["amount"], "currency": "CNY"}})
        if path == "/pay/micropay":
            p = self.sim.v2_parse(raw)
            if p.get("sign") != s.v2_sign(p) or p.get("mch_id") != MCHID:
                return self.reply(200, s.v2_xml({"return_code": "FAIL", "return_msg": "SIGNERROR"}), ctype="text/xml")
            code, no = p["auth_code"], p["out_trade_no"]
            with s.lock:
                t = s.trades.setdefault(no, {"gateway": "wechat_pay", "out_trade_no": no, "amount": int(p["total_fee"]),
                                             "notify_url": s.o2o + "/v1/gateways/wechat_pay/notify", "state": "pending",
                                             "refunds": {}, "transaction_id": "42000" + secrets.token_hex(8),
                                             "payer": "o-scan-" + code[-6:], "trade_type": "MICROPAY"})
            base = {"return_code": "SUCCESS", "appid": APPID, "mch_id": MCHID, "nonce_str": secrets.token_hex(8)}
            if code.endswith("0000"):
                t["state"] = "closed"
                base.update({"result_code": "FAIL", "err_code": "AUTHCODEEXPIRE", "err_code_des": "code expired"})
            elif code.endswith("1111"):
                base.update({"result_code": "FAIL", "err_code": "USERPAYING", "err_code_des": "waiting for the user"})
            else:
                t["state"] = "paid"
                base.update({"result_code": "SUCCESS", "openid": t["payer"], "transaction_id": t["transaction_id"],
                             "total_fee": str(t["amount"]), "out_trade_no": no})
            if s.bad_answers:
                base["sign"] = "0" * 64
                return self.reply(200, "<xml>" + "".join("<%s>%s</%s>" % (k, v, k) for k, v in base.items()) + "</xml>",
                                  ctype="text/xml")
            return self.reply(200, s.v2_xml(base), ctype="text/xml")
        if path.startswith("/gateway.do"):
            p = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            method = p.get("method", "")
            if p.get("app_id") != ALI_APP_ID or not verify(s.ali_app.public_key(), s.ali_content(p, False),
                                                           p.get("sign", "")):
                return self.reply(200, s.ali_answer(method, {"code": "40002", "msg": "Invalid Arguments",
                                                             "sub_code": "isv.invalid-signature"}))
            biz = json.loads(p["biz_content"])
            no = biz.get("out_trade_no")
            if method in ("alipay.trade.precreate", "alipay.trade.pay") and s.fail_next:
                fail, s.fail_next = s.fail_next, None
                return self.reply(200, s.ali_answer(method, dict({"msg": "Business Failed"}, **fail)))
            if method in ("alipay.trade.precreate", "alipay.trade.pay"):
                with s.lock:
                    t = s.trades.setdefault(no, {"gateway": "alipay", "out_trade_no": no,
                                                 "amount": fen(biz["total_amount"]),
                                                 "notify_url": p.get("notify_url", ""), "state": "pending",
                                                 "refunds": {}, "transaction_id": "2026" + secrets.token_hex(8),
                                                 "payer": "", "time_expire": biz.get("time_expire"),
                                                 "timeout_express": biz.get("timeout_express")})
                if method == "alipay.trade.precreate":
                    return self.reply(200, s.ali_answer(method, {"code": "10000", "msg": "Success",
                                                                 "out_trade_no": no,
                                                                 "qr_code": "https://qr.alipay.com/" + no}))
                code = biz.get("auth_code", "")
                if code.endswith("0000"):
                    t["state"] = "closed"
                    return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "Business Failed",
                                                                 "sub_code": "ACQ.PAYMENT_AUTH_CODE_INVALID",
                                                                 "sub_msg": "payment code expired"}))
                t["state"] = "paid"
                t["payer"] = "2088" + code[-12:]
                if code.startswith("26"):  # an app in OpenID mode sees her open id only
                    t["open_id"] = "074a" + code[-12:]
                return self.reply(200, s.ali_answer(method, dict({"code": "10000", "msg": "Success",
                                                                  "out_trade_no": no, "trade_no": t["transaction_id"],
                                                                  "total_amount": yuan(t["amount"])},
                                                                 **s.ali_buyer(t))))
            if method == "alipay.trade.query":
                t = s.trades.get(no)
                if not t:
                    return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "Business Failed",
                                                                 "sub_code": "ACQ.TRADE_NOT_EXIST"}))
                status = {"paid": "TRADE_SUCCESS", "pending": "WAIT_BUYER_PAY", "closed": "TRADE_CLOSED"}[t["state"]]
                return self.reply(200, s.ali_answer(method, dict({"code": "10000", "msg": "Success",
                                                                  "out_trade_no": no, "trade_no": t["transaction_id"],
                                                                  "trade_status": status,
                                                                  "total_amount": yuan(t["amount"])},
                                                                 **s.ali_buyer(t))))
            if method == "alipay.trade.close":
                t = s.trades.get(no)
                if s.close_fails:
                    return self.reply(200, s.ali_answer(method, {"code": "20000", "msg": "Service Unavailable",
                                                                 "sub_code": "ACQ.SYSTEM_ERROR"}))
                if not t:
                    return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "Business Failed",
                                                                 "sub_code": "ACQ.TRADE_NOT_EXIST"}))
                if t["state"] == "paid":
                    return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "Business Failed",
                                                                 "sub_code": "ACQ.TRADE_STATUS_ERROR"}))
                t["state"] = "closed"
                return self.reply(200, s.ali_answer(method, {"code": "10000", "msg": "Success", "out_trade_no": no,
                                                             "trade_no": t["transaction_id"]}))
            if method == "alipay.trade.refund":
                t = s.trades.get(no)
                amount = fen(biz["refund_amount"])
                if not t or t["state"] != "paid" or \
                        sum(r["amount"] for k, r in t["refunds"].items() if k != biz["out_request_no"]) + amount > \
                        t["amount"]:
                    return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "Business Failed",
                                                                 "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}))
                t["refunds"].setdefault(biz["out_request_no"], {"amount": amount})
                return self.reply(200, s.ali_answer(method, {"code": "10000", "msg": "Success", "out_trade_no": no,
                                                             "trade_no": t["transaction_id"], "fund_change": "Y",
                                                             "refund_fee": biz["refund_amount"]}))
            return self.reply(200, s.ali_answer(method, {"code": "40004", "msg": "unknown method"}))
        # ---- control ----
        req = json.loads(raw or "{}")
        if path == "/sim/config":
            s.bad_answers = bool(req.get("bad_answers"))
            s.unsigned_errors = bool(req.get("unsigned_errors"))
            s.unsigned_all = bool(req.get("unsigned_all"))
            s.close_fails = bool(req.get("close_fails"))
            s.platform_no = int(req.get("platform", 1)) - 1
            s.fail_next = req.get("fail_next")
            return self.reply(200, "{}")
        t = s.trades.get(req.get("out_trade_no", ""))
        if path in ("/sim/pay", "/sim/resend", "/sim/forge") and not t:
            return self.reply(404, json.dumps({"error": "no such trade"}))
        if path == "/sim/pay":
            if t["state"] == "closed":
                return self.reply(409, json.dumps({"error": "the trade is closed: it cannot be paid"}))
            if req.get("payer"):
                t["payer"] = req["payer"]
            if req.get("open_id"):
                t["open_id"] = req["open_id"]
            if req.get("extra"):
                t["extra"] = req["extra"]
            t["state"] = "paid"
            if req.get("notify", True) is False:
                return self.reply(200, json.dumps({"status": None}))
            st, body = s.deliver(t, amount=req.get("amount"))
            return self.reply(200, json.dumps({"status": st, "body": body}))
        if path == "/sim/resend":
            body, headers = t["last"]
            st, answer = s.post(t["notify_url"], body, headers)
            return self.reply(200, json.dumps({"status": st, "body": answer}))
        if path == "/sim/forge":
            st, body = s.deliver(t, forged=req["how"])
            return self.reply(200, json.dumps({"status": st, "body": body}))
        self.reply(404, "{}")


def main():
    d, o2o_port = sys.argv[1], int(sys.argv[2])
    sim = Sim(d, o2o_port)
    Handler.sim = sim
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    with open(os.path.join(d, "gateways.json"), "w") as f:
        json.dump(sim.config(port), f, indent=2)
    print("listening %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
