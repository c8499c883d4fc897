"""A local messaging simulator for the end-to-end tests, written from the providers'
documentation: Aliyun SMS (SendSms, RPC signature HMAC-SHA1), Tencent Cloud SMS
(SendSms 2021-01-11, TC3-HMAC-SHA256) and the WeChat Official Account
(cgi-bin/stable_token, message/template/send, message/custom/send).

It verifies each request's signature, time stamp and nonce as the provider does,
answers with the provider's codes (bad numbers, unknown templates, missing
parameters, per-number throttling, invalid or expired tokens, followers who left),
and pushes delivery receipts back to o2o's callback URLs a moment after a send.

Its Official Account also pushes to o2o's server URL as WeChat does: a follower's
message (POST /sim/wechat_message) and, after each template message, the
TEMPLATESENDJOBFINISH event, signed with the account's token, and in safe mode
(config wechat_safe: true) encrypted with its EncodingAESKey (AES-256-CBC).

Run with Debian's python3 (python3-cryptography, for WeChat's safe mode):
    python3 messaging_sim.py DIR O2O_PORT
writes DIR/messaging.json (the o2o --messaging file), prints "listening PORT".
Control: GET /sim/messages (what each provider accepted), POST /sim/config
{per_minute?, undeliverable?: [phone], down?: [provider], fail_next?: {provider,
code}, unsubscribed?: [openid], receipts?: bool, wechat_safe?: bool}, POST
/sim/revoke_token, POST /sim/reply {provider, phone, text} (an SMS reply pushed to
o2o), POST /sim/wechat_message {openid, text, msg_id?, forge?} (a follower writes;
forge: signed with another token).
"""
import base64
import calendar
import hashlib
import hmac
import json
import os
import random
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALI_KEY_ID, ALI_SECRET = "LTAI5tSimulatorKey", secrets.token_hex(15)
TC_ID, TC_KEY, TC_APP = "AKIDsimulator0001", secrets.token_hex(16), "1400000001"
WX_APPID, WX_SECRET = "wx5c0ffee0ddba11", secrets.token_hex(16)
WX_TOKEN = secrets.token_hex(8)
CALL_SECRET = secrets.token_hex(16)   # the call centre's webhook secret (o2o's own protocol)
WX_AES_KEY = base64.b64encode(secrets.token_bytes(32)).decode()[:43]
# the chain's templates as the providers approved them: their variables
ALI_TEMPLATES = {"SMS_900001": ["code"], "SMS_900002": ["order", "store", "code", "until"],
                 "SMS_900003": ["percent", "coupon", "days"], "SMS_900004": ["text"], "SMS_900005": ["text"],
                 "SMS_900006": ["rating", "product", "store", "order"]}
TC_TEMPLATES = {"1900001": 2, "1900002": 4, "1900003": 3, "1900004": 1, "1900005": 1, "1900006": 4}
WX_TEMPLATES = {"tmpl-pickup-ready": ["character_string1", "thing2", "time3"]}


def pct(s):
    return urllib.parse.quote(s, safe="-_.~")


def ali_signature(params, secret, method="POST"):
    q = "&".join("%s=%s" % (pct(k), pct(v)) for k, v in sorted(params.items()) if k != "Signature")
    sts = "%s&%s&%s" % (method, pct("/"), pct(q))
    return base64.b64encode(hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1).digest()).decode()


def tc3_signature(key, service, host, ctype, ts, body):
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    canon = "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s" % (
        ctype, host, hashlib.sha256(body).hexdigest())
    sts = "TC3-HMAC-SHA256\n%d\n%s/%s/tc3_request\n%s" % (ts, date, service,
                                                          hashlib.sha256(canon.encode()).hexdigest())

    def h(k, m):
        return hmac.new(k, m.encode(), hashlib.sha256).digest()
    k = h(h(h(("TC3" + key).encode(), date), service), "tc3_request")
    return hmac.new(k, sts.encode(), hashlib.sha256).hexdigest(), date


def wx_signature(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def wx_encrypt(xml):
    """WeChat's safe mode: AES-256-CBC (IV: the key's first 16 bytes) over 16 random bytes,
    the length, the message and the appid, padded PKCS#7 to 32 bytes."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key = base64.b64decode(WX_AES_KEY + "=")
    msg = xml.encode()
    plain = secrets.token_bytes(16) + len(msg).to_bytes(4, "big") + msg + WX_APPID.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def beijing(ts):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + 8 * 3600))


class Sim:
    def __init__(self, d, o2o_port):
        self.dir = d
        self.o2o = "http://127.0.0.1:%d" % o2o_port
        self.tokens = {"aliyun_sms": secrets.token_urlsafe(16), "tencent_sms": secrets.token_urlsafe(16)}
        self.lock = threading.Lock()
        self.messages = []
        self.nonces = set()
        self.sent_at = {}            # phone -> [times]
        self.per_minute = 5
        self.undeliverable = set()
        self.down = set()
        self.fail_next = None
        self.unsubscribed = set()
        self.receipts = True
        self.wx_token, self.wx_token_until, self.wx_tokens_issued = None, 0, 0
        self.receipt_log = []
        self.wechat_safe = False

    def config(self, port):
        base = "http://127.0.0.1:%d" % port
        return {
            "call_centre": {"secret": CALL_SECRET},
            "aliyun_sms": {"endpoint": base + "/aliyun/", "access_key_id": ALI_KEY_ID, "access_key_secret": ALI_SECRET,
                           "sign_name": "o2o", "callback_token": self.tokens["aliyun_sms"],
                           "templates": {"otp": {"code": "SMS_900001", "params": {"code": "code"}},
                                         "pickup_ready": {"code": "SMS_900002",
                                                          "params": {"order": "order", "store": "store",
                                                                     "code": "code", "until": "until"}},
                                         "reward_coupon": {"code": "SMS_900003"},
                                         "presence": {"code": "SMS_900004"},
                                         "desk_reply": {"code": "SMS_900005"},
                                         "review_alert": {"code": "SMS_900006",
                                                          "params": {"rating": "rating", "product": "product",
                                                                     "store": "store", "order": "order"}}}},
            "tencent_sms": {"endpoint": base + "/tencent/", "secret_id": TC_ID, "secret_key": TC_KEY,
                            "sdk_app_id": TC_APP, "sign_name": "o2o", "callback_token": self.tokens["tencent_sms"],
                            "templates": {"otp": {"id": "1900001", "params": ["code", "minutes"]},
                                          "pickup_ready": {"id": "1900002", "params": ["order", "store", "code",
                                                                                       "until"]},
                                          "reward_coupon": {"id": "1900003", "params": ["percent", "coupon", "days"]},
                                          "presence": {"id": "1900004", "params": ["text"]},
                                          "desk_reply": {"id": "1900005", "params": ["text"]},
                                          "review_alert": {"id": "1900006",
                                                           "params": ["rating", "product", "store", "order"]}}},
            "wechat_oa": {"api_base": base + "/wechat", "appid": WX_APPID, "secret": WX_SECRET,
                          "token": WX_TOKEN, "encoding_aes_key": WX_AES_KEY,
                          "templates": {"pickup_ready": {"id": "tmpl-pickup-ready",
                                                         "data": {"character_string1": "code", "thing2": "store",
                                                                  "time3": "until"}}}},
        }

    # ---- shared ----
    def throttled(self, phone):
        """Per-number flow control: at most per_minute a minute."""
        now = time.time()
        with self.lock:
            recent = [t for t in self.sent_at.get(phone, []) if t > now - 60]
            if len(recent) >= self.per_minute:
                return True
            self.sent_at[phone] = recent + [now]
        return False

    def take_fail(self, provider):
        with self.lock:
            f = self.fail_next
            if f and f.get("provider") == provider:
                self.fail_next = None
                return f["code"]
        return None

    def record(self, **m):
        with self.lock:
            m["at"] = time.time()
            self.messages.append(m)

    def push(self, path, body, ctype="application/json", delay=0.3):
        """POST body to o2o after a moment (providers push receipts seconds later)."""
        def go():
            time.sleep(delay)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            req = urllib.request.Request(self.o2o + path, data=data, headers={"Content-Type": ctype}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    answer = (r.status, r.read().decode())
            except urllib.error.HTTPError as e:
                answer = (e.code, e.read().decode())
            except Exception as e:  # o2o stopped meanwhile
                answer = (0, str(e))
            with self.lock:
                self.receipt_log.append({"path": path.split("?")[0], "status": answer[0], "answer": answer[1]})
        threading.Thread(target=go, daemon=True).start()

    def wx_push(self, fields, token=WX_TOKEN, delay=0.3):
        """What the Official Account pushes to the server URL: XML, signed, encrypted in safe mode."""
        xml = "<xml>" + "".join("<%s><![CDATA[%s]]></%s>" % (k, v, k) if isinstance(v, str) else
                                "<%s>%s</%s>" % (k, v, k) for k, v in fields.items()) + "</xml>"
        ts, nonce = str(int(time.time())), str(random.randrange(10 ** 9))
        q = {"signature": wx_signature(token, ts, nonce), "timestamp": ts, "nonce": nonce,
             "openid": fields.get("FromUserName", "")}
        if self.wechat_safe:
            enc = wx_encrypt(xml)
            xml = "<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>" % (
                fields.get("ToUserName", ""), enc)
            q.update({"encrypt_type": "aes", "msg_signature": wx_signature(token, ts, nonce, enc)})
        self.push("/v1/messaging/wechat_oa/callback?" + urllib.parse.urlencode(q), xml, "text/xml", delay)

    # ---- Aliyun ----
    def aliyun(self, form):
        p = {k: v[0] for k, v in urllib.parse.parse_qs(form, keep_blank_values=True).items()}
        for k in ("AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",
                  "Version", "Signature", "PhoneNumbers", "SignName", "TemplateCode"):
            if k not in p:
                return 400, {"Code": "MissingParameter", "Message": "missing " + k}
        if p["AccessKeyId"] != ALI_KEY_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if p["Signature"] != ali_signature(p, ALI_SECRET):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        ts = calendar.timegm(time.strptime(p["Timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        if abs(ts - time.time()) > 900:
            return 400, {"Code": "InvalidTimeStamp.Expired", "Message": "Specified time stamp is expired."}
        with self.lock:
            if p["SignatureNonce"] in self.nonces:
                return 400, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
            self.nonces.add(p["SignatureNonce"])
        if p["Action"] != "SendSms" or p["Version"] != "2017-05-25":
            return 400, {"Code": "InvalidAction", "Message": "unknown action"}
        code = self.take_fail("aliyun_sms")
        if code:
            return 200, {"Code": code, "Message": "simulated", "RequestId": secrets.token_hex(8)}
        phone = p["PhoneNumbers"]
        if not (phone.isdigit() and (len(phone) == 11 and phone[0] == "1" or len(phone) > 11)):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid number", "RequestId": "r"}
        variables = ALI_TEMPLATES.get(p["TemplateCode"])
        if variables is None:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "template not approved", "RequestId": "r"}
        try:
            tparam = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "TemplateParam is not JSON", "RequestId": "r"}
        missing = [v for v in variables if v not in tparam]
        if missing:
            return 200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "missing " + ",".join(missing),
                         "RequestId": "r"}
        if self.throttled(phone):
            return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:%d" % self.per_minute,
                         "RequestId": "r"}
        biz = "%d^0" % random.randrange(10 ** 17, 10 ** 18)
        self.record(provider="aliyun_sms", to=phone, template=p["TemplateCode"], params=tparam, ref=biz,
                    out_id=p.get("OutId", ""))
        if self.receipts:
            ok = ("+86" + phone if len(phone) == 11 else "+" + phone) not in self.undeliverable
            now = time.time()
            self.push("/v1/messaging/aliyun_sms/receipts?token=" + self.tokens["aliyun_sms"],
                      [{"phone_number": phone, "send_time": beijing(now), "report_time": beijing(now + 1),
                        "success": ok, "err_code": "DELIVERED" if ok else "MN:0001",
                        "err_msg": "用户接收成功" if ok else "空号", "sms_size": "1", "biz_id": biz,
                        "out_id": p.get("OutId", "")}])
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": secrets.token_hex(8)}

    # ---- Tencent ----
    def tencent(self, headers, body):
        def err(code, msg):
            return 200, {"Response": {"Error": {"Code": code, "Message": msg}, "RequestId": secrets.token_hex(8)}}
        auth = headers.get("Authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return err("AuthFailure.SignatureFailure", "no TC3 authorization")
        fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 "):].split(","))
        cred = fields.get("Credential", "").split("/")
        try:
            ts = int(headers.get("X-TC-Timestamp", ""))
        except ValueError:
            return err("MissingParameter", "X-TC-Timestamp")
        if abs(ts - time.time()) > 300:
            return err("AuthFailure.SignatureExpire", "signature expired")
        if len(cred) != 4 or cred[0] != TC_ID:
            return err("AuthFailure.SecretIdNotFound", "no such SecretId")
        if fields.get("SignedHeaders") != "content-type;host":
            return err("AuthFailure.SignatureFailure", "signed headers")
        sig, date = tc3_signature(TC_KEY, "sms", headers.get("Host", ""), headers.get("Content-Type", ""), ts, body)
        if cred[1] != date or cred[2] != "sms" or cred[3] != "tc3_request" or fields.get("Signature") != sig:
            return err("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return err("InvalidAction", "unknown action or version")
        req = json.loads(body)
        if req.get("SmsSdkAppId") != TC_APP:
            return err("FailedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId")
        code = self.take_fail("tencent_sms")
        if code:
            return err(code, "simulated")
        n = TC_TEMPLATES.get(req.get("TemplateId"))
        if n is None:
            return err("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved")
        if len(req.get("TemplateParamSet", [])) != n:
            return err("InvalidParameterValue.TemplateParameterFormatError", "parameters do not match the template")
        statuses = []
        for phone in req.get("PhoneNumberSet", []):
            serial = "2433:%d" % random.randrange(10 ** 15, 10 ** 16)
            if not (phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16):
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "",
                                 "Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "bad number",
                                 "IsoCode": ""})
                continue
            if self.throttled(phone):
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "",
                                 "Code": "LimitExceeded.PhoneNumberThirtySecondLimit", "Message": "throttled",
                                 "IsoCode": "CN"})
                continue
            statuses.append({"SerialNo": serial, "PhoneNumber": phone, "Fee": 1,
                             "SessionContext": req.get("SessionContext", ""), "Code": "Ok",
                             "Message": "send success", "IsoCode": "CN"})
            self.record(provider="tencent_sms", to=phone, template=req["TemplateId"],
                        params=req.get("TemplateParamSet", []), ref=serial, out_id=req.get("SessionContext", ""))
            if self.receipts:
                ok = phone not in self.undeliverable
                self.push("/v1/messaging/tencent_sms/receipts?token=" + self.tokens["tencent_sms"],
                          [{"user_receive_time": beijing(time.time()), "nationcode": phone[1:3],
                            "mobile": phone[3:], "report_status": "SUCCESS" if ok else "FAIL",
                            "errmsg": "DELIVRD" if ok else "MN:0017",
                            "description": "用户短信送达成功" if ok else "number is out of service", "sid": serial}])
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": secrets.token_hex(8)}}

    # ---- WeChat ----
    def wechat(self, path, query, body):
        req = json.loads(body or "{}")
        if path == "/wechat/cgi-bin/stable_token":
            if req.get("appid") != WX_APPID or req.get("secret") != WX_SECRET:
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            with self.lock:
                if not self.wx_token or time.time() > self.wx_token_until or req.get("force_refresh"):
                    self.wx_token = secrets.token_urlsafe(48)
                    self.wx_token_until = time.time() + 7200
                    self.wx_tokens_issued += 1
                return 200, {"access_token": self.wx_token, "expires_in": int(self.wx_token_until - time.time())}
        token = urllib.parse.parse_qs(query).get("access_token", [""])[0]
        if not token or token != self.wx_token:
            return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        code = self.take_fail("wechat_oa")
        if code:
            return 200, {"errcode": int(code), "errmsg": "simulated"}
        to = req.get("touser", "")
        if path == "/wechat/cgi-bin/message/template/send":
            fields = WX_TEMPLATES.get(req.get("template_id"))
            if fields is None:
                return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
            if to in self.unsubscribed:
                return 200, {"errcode": 43004, "errmsg": "require subscribe"}
            msgid = random.randrange(10 ** 9, 10 ** 10)
            self.record(provider="wechat_oa", to=to, template=req["template_id"],
                        params={k: v.get("value") for k, v in req.get("data", {}).items()}, ref=str(msgid))
            if self.receipts:
                self.wx_push({"ToUserName": "gh_sim", "FromUserName": to, "CreateTime": int(time.time()),
                              "MsgType": "event", "Event": "TEMPLATESENDJOBFINISH", "MsgID": msgid,
                              "Status": "success"})
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        if path == "/wechat/cgi-bin/message/custom/send":
            if to in self.unsubscribed:
                return 200, {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
            self.record(provider="wechat_oa", to=to, template="", params={}, text=req.get("text", {}).get("content"))
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "no such API"}


class Handler(BaseHTTPRequestHandler):
    sim = None

    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        s = self.sim
        if self.path.startswith("/sim/messages"):
            with s.lock:
                return self.reply(200, {"messages": list(s.messages), "receipts": list(s.receipt_log),
                                        "tokens_issued": s.wx_tokens_issued})
        self.reply(404, {})

    def do_POST(self):
        s = self.sim
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        path, _, query = self.path.partition("?")
        provider = path.split("/")[1]
        if provider in s.down:
            return self.reply(503, {"message": "service unavailable"})
        if path == "/aliyun/":
            return self.reply(*s.aliyun(raw.decode()))
        if path == "/tencent/":
            return self.reply(*s.tencent(self.headers, raw))
        if path.startswith("/wechat/"):
            return self.reply(*s.wechat(path, query, raw.decode()))
        req = json.loads(raw or b"{}")
        if path == "/sim/config":
            with s.lock:
                s.per_minute = int(req.get("per_minute", 5))
                s.undeliverable = set(req.get("undeliverable", []))
                s.down = set(req.get("down", []))
                s.fail_next = req.get("fail_next")
                s.unsubscribed = set(req.get("unsubscribed", []))
                s.receipts = bool(req.get("receipts", True))
                s.wechat_safe = bool(req.get("wechat_safe", False))
            return self.reply(200, {})
        if path == "/sim/revoke_token":
            with s.lock:
                s.wx_token = None
            return self.reply(200, {})
        if path == "/sim/wechat_message":
            s.wx_push({"ToUserName": "gh_sim", "FromUserName": req["openid"], "CreateTime": int(time.time()),
                       "MsgType": "text", "Content": req["text"],
                       "MsgId": req.get("msg_id") or random.randrange(10 ** 15, 10 ** 16)},
                      token="forged" if req.get("forge") else WX_TOKEN, delay=0)
            return self.reply(200, {})
        if path == "/sim/reply":
            phone = req["phone"]
            if req["provider"] == "aliyun_sms":
                body = [{"phone_number": phone[3:] if phone.startswith("+86") else phone[1:],
                         "send_time": beijing(time.time()), "content": req["text"], "sign_name": "o2o",
                         "dest_code": "1", "sequence_id": random.randrange(10 ** 9)}]
            else:
                body = {"extend": "", "mobile": phone[3:], "nationcode": phone[1:3], "sign": "o2o",
                        "text": req["text"], "time": int(time.time())}
            s.push("/v1/messaging/%s/replies?token=%s" % (req["provider"], s.tokens[req["provider"]]), body)
            return self.reply(200, {})
        self.reply(404, {})


def main():
    d, o2o_port = sys.argv[1], int(sys.argv[2])
    sim = Sim(d, o2o_port)
    Handler.sim = sim
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    with open(os.path.join(d, "messaging.json"), "w") as f:
        json.dump(sim.config(port), f, indent=2)
    print("listening %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
