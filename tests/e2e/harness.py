"""Starts the real o2o binary on a free loopback port and talks to it over HTTP.

The backend comes from O2O_TEST_DB: unset (or sqlite:) for a fresh temporary
SQLite file per server, or a postgres:// URL whose schema is reset per server.
"""
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("O2O_BIN", os.path.join(ROOT, "build-san", "o2o"))
# the shared data sets live next to the repository (or where O2O_DATA_DIR says)
DATA_DIR = os.environ.get("O2O_DATA_DIR") or os.path.join(ROOT, "..", "shared", "data")
# the local simulators of gateways and carriers
SIM_DIR = os.path.join(ROOT, "tests", "sim")
OWNER_PASSWORD = "owner-password-for-tests"
PG_URL = os.environ.get("O2O_TEST_DB", "")
if PG_URL.startswith("sqlite"):
    PG_URL = ""


def backend():
    return "postgres" if PG_URL else "sqlite"


def psql(sql):
    out = subprocess.run(["psql", PG_URL, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def free_port():
    """A port nobody listens on now (for a server whose address a simulator must know first)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sim_python():
    """The simulators' python: Debian's python3 carries python3-cryptography; else the running one."""
    for exe in ("/usr/bin/python3", "python3"):
        if subprocess.run([exe, "-c", "import cryptography"], capture_output=True).returncode == 0:
            return exe
    raise RuntimeError("the simulators need python3-cryptography")


class Dovecot:
    """A private Dovecot IMAP server (Debian's dovecot-imapd) on a free port, with one
    mailbox user; a test delivers mail to it by IMAP APPEND, as a mail server would."""

    def __init__(self, user="desk", password="desk-mailbox-password"):
        import grp
        import pwd
        self.user, self.password = user, password
        self.dir = tempfile.mkdtemp(prefix="o2o-dovecot-")
        os.chmod(self.dir, 0o755)   # Dovecot's users reach their mail through it
        self.port = free_port()
        if os.geteuid() == 0:   # as root: Dovecot's own users (the package makes them)
            internal, login, owner = "dovecot", "dovenull", "dovecot"
        else:
            internal = login = owner = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(pwd.getpwnam(owner).pw_gid).gr_name
        for sub in ("mail", "home"):
            os.makedirs(os.path.join(self.dir, sub))
            if os.geteuid() == 0:
                shutil.chown(os.path.join(self.dir, sub), owner, group)
        conf = os.path.join(self.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = static
  args = password={pw}
}}
userdb {{
  driver = static
  args = uid={owner} gid={group} home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
""".format(d=self.dir, internal=internal, login=login, owner=owner, group=group, pw=password, port=self.port))
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("dovecot did not start: " + open(os.path.join(self.dir, "dovecot.log")).read()
                               if os.path.exists(os.path.join(self.dir, "dovecot.log")) else "no log")

    @property
    def url(self):
        return "imap://%s@127.0.0.1:%d/INBOX" % (self.user, self.port)

    def deliver(self, raw):
        import imaplib
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(self.user, self.password)
        typ, _ = m.append("INBOX", None, None, raw if isinstance(raw, bytes) else raw.encode())
        m.logout()
        assert typ == "OK"

    def unseen(self):
        import imaplib
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(self.user, self.password)
        m.select("INBOX", readonly=True)
        typ, data = m.uid("SEARCH", "UNSEEN")
        m.logout()
        return [int(x) for x in data[0].split()]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body, raw=b""):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        self.raw = raw
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def error(self):
        return (self.json or {}).get("error") or {}

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


# ---- every answer against its declaration in /openapi.json ----

_DOCS = {}
_O2O_PORTS = set()   # answers of o2o servers are checked; a simulator's are not


_DOCS_LOCK = threading.Lock()


def _doc(port):
    """The server's /openapi.json, fetched once (tests call from many threads)."""
    with _DOCS_LOCK:
        if port not in _DOCS:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/openapi.json")
            doc = json.loads(c.getresponse().read())
            c.close()
            doc["_templates"] = sorted(
                ((re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$"), p.count("{"), p)
                 for p in doc["paths"]), key=lambda t: t[1])
            _DOCS[port] = doc
        return _DOCS[port]


def schema_problem(v, schema, doc, where="answer"):
    """Why v does not match the OpenAPI 3.0 schema (None when it does)."""
    if "$ref" in schema:
        return schema_problem(v, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], doc, where)
    if v is None:
        return None if schema.get("nullable") or not schema else "%s is null" % where
    if "allOf" in schema:
        for s in schema["allOf"]:
            p = schema_problem(v, s, doc, where)
            if p:
                return p
        return None
    if "anyOf" in schema:
        problems = [schema_problem(v, s, doc, where) for s in schema["anyOf"]]
        return None if None in problems else " / ".join(problems)
    t = schema.get("type")
    if t == "object":
        if not isinstance(v, dict):
            return "%s is not an object" % where
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in v:
                return "%s lacks %s" % (where, k)
        extra = schema.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                p = schema_problem(x, props[k], doc, where + "." + k)
            elif extra is False:
                p = "%s.%s is not declared" % (where, k)
            elif isinstance(extra, dict):
                p = schema_problem(x, extra, doc, where + "." + k)
            else:
                p = None
            if p:
                return p
        return None
    if t == "array":
        if not isinstance(v, list):
            return "%s is not an array" % where
        for i, x in enumerate(v):
            p = schema_problem(x, schema.get("items", {}), doc, "%s[%d]" % (where, i))
            if p:
                return p
        return None
    if t == "string":
        if not isinstance(v, str):
            return "%s is not a string: %r" % (where, v)
        if "enum" in schema and v not in schema["enum"]:
            return "%s is %r, not one of %s" % (where, v, schema["enum"])
        return None
    if t == "integer":
        return None if isinstance(v, int) and not isinstance(v, bool) else "%s is not an integer: %r" % (where, v)
    if t == "number":
        return None if isinstance(v, (int, float)) and not isinstance(v, bool) else "%s is not a number" % where
    if t == "boolean":
        return None if isinstance(v, bool) else "%s is not a boolean" % where
    return None


def check_answer(port, method, path, resp):
    """Every answer a test receives must be what /openapi.json declares for it: its
    status, its media type and, for JSON, its schema (no undeclared field either)."""
    if path.startswith("/openapi.json") or port not in _O2O_PORTS:
        return
    doc = _doc(port)
    bare = path.split("?", 1)[0]
    op = None
    for rx, _, template in doc["_templates"]:
        if rx.match(bare):
            op = doc["paths"][template].get(method.lower())
            if op:
                break
    ctype = (resp.headers.get("content-type") or "").split(";")[0].strip()
    if op is None or (resp.status >= 400 and str(resp.status) not in op["responses"]):
        if resp.status >= 400 and ctype == "application/json" and resp.json is not None:
            p = schema_problem(resp.json, {"$ref": "#/components/schemas/Error"}, doc)
            if p:
                raise AssertionError("%s %s answered %d: %s: %s" % (method, path, resp.status, p, resp.body[:300]))
        return
    answer = op["responses"].get(str(resp.status))
    if answer is None:
        raise AssertionError("%s %s answered %d, which /openapi.json does not declare" % (method, path, resp.status))
    content = answer.get("content", {})
    if resp.status == 204 and not resp.raw:
        return
    if ctype not in content:
        raise AssertionError("%s %s answered %s, declared %s" % (method, path, ctype, sorted(content)))
    if ctype == "application/json":
        p = schema_problem(resp.json, content[ctype]["schema"], doc)
        if p:
            raise AssertionError("%s %s: the answer does not match its declaration: %s\n%s"
                                 % (method, path, p, resp.body[:500]))


class Client:
    """One keep-alive connection; thread-unsafe (make one per thread)."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        h = {"Content-Type": "application/json"}
        tok = token if token is not None else self.token
        if tok:
            h["Authorization"] = "Bearer " + tok
        if headers:
            h.update(headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if isinstance(data, str):
            data = data.encode()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                resp = Response(r.status, r.getheaders(), data.decode("utf-8", "replace"), data)
                check_answer(self.port, method, path, resp)
                return resp
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def close(self):
        self.conn.close()


class Server:
    """The o2o binary serving a fresh database."""

    def __init__(self, extra_args=(), env=None, reuse=None):
        """reuse: another Server whose directory and database this one opens as they are."""
        if reuse:
            self.dir, self.db = reuse.dir, reuse.db
        else:
            self.dir = tempfile.mkdtemp(prefix="o2o-e2e-")
            if PG_URL:
                psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
                self.db = PG_URL
            else:
                self.db = "sqlite:" + os.path.join(self.dir, "o2o.db")
        e = dict(os.environ)
        e["O2O_OWNER_PASSWORD"] = OWNER_PASSWORD
        e.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
        if env:
            e.update(env)
        self.log = open(os.path.join(self.dir, "server-%d.log" % time.monotonic_ns()), "w+")
        self.proc = subprocess.Popen([BINARY, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--dev",
                                      "--access-log", os.path.join(self.dir, "access.log")] + list(extra_args),
                                     stdout=subprocess.PIPE, stderr=self.log, env=e, text=True)
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                _O2O_PORTS.add(self.port)
                break
        if not self.port:
            self.log.seek(0)
            raise RuntimeError("server did not start: " + self.log.read())
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self._owner = None

    def client(self, token=None):
        return Client(self.port, token)

    def owner_token(self):
        if not self._owner:
            c = self.client()
            r = c.post("/v1/auth/login", {"username": "owner", "password": OWNER_PASSWORD})
            assert r.status == 200, r
            self._owner = r.json["token"]
            c.close()
        return self._owner

    def owner(self):
        return self.client(self.owner_token())

    def stop(self):
        """Stop gracefully; the sanitizers report at exit, so a dirty exit fails."""
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = -9
        self.log.seek(0)
        log = self.log.read()
        self.log.close()
        return rc, log

    # ---- direct database reads, for "nothing changed" checks ----
    def insight_lag(self):
        """Rows of the order feed that the insight job has not read yet."""
        return int(self.scalar("SELECT (SELECT COALESCE(MAX(seq), 0) FROM order_feed) - "
                               "(SELECT seq FROM insight_cursor WHERE id = 1)") or 0)

    def settle_insight(self, timeout=30):
        """Wait until the insight job has read the whole order feed (it changes tags and
        profiles in the background); True if it has."""
        deadline = time.time() + timeout
        while self.insight_lag() > 0:
            if time.time() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def snapshot(self, skip=("sessions", "login_throttle", "job_leases", "reports", "tier_sweep")):
        """A fingerprint of every table's contents (but for sessions, throttles, job leases, the
        daily reports, which the report thread builds at each store's closing time, and where
        the daily tier sweep stands, whatever the test does), once the background insight job
        has caught up."""
        out = {}
        self.settle_insight()
        if PG_URL:
            tables = [t for t in psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                      .split() if t not in skip]
            # every table in one query (one psql each was seconds a snapshot)
            sql = " UNION ALL ".join(
                "SELECT '%s' || ' ' || (SELECT COUNT(*) || ':' || COALESCE(md5(string_agg(x::text, '|' ORDER BY "
                "x::text)), '') FROM %s x)" % (t, t) for t in tables)
            for line in psql(sql).splitlines():
                t, _, v = line.partition(" ")
                out[t] = v
        else:
            path = self.db[len("sqlite:"):]
            con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
            for t in tables:
                if t in skip or t.startswith("sqlite_"):
                    continue
                rows = sorted(repr(r) for r in con.execute("SELECT * FROM %s" % t))
                out[t] = "%d:%d" % (len(rows), hash("|".join(rows)))
            con.close()
        return out

    def execute(self, sql):
        """A direct write, for tests that must move time (e.g. age an order)."""
        if PG_URL:
            psql(sql)
            return
        path = self.db[len("sqlite:"):]
        con = sqlite3.connect(path, timeout=30)
        con.execute(sql)
        con.commit()
        con.close()

    def scalar(self, sql):
        if PG_URL:
            return psql(sql)
        path = self.db[len("sqlite:"):]
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        v = con.execute(sql).fetchone()[0]
        con.close()
        return str(v)


class ServerTest(unittest.TestCase):
    """A test class that shares one server; it must shut down cleanly."""
    server_args = ()
    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args, env=cls.server_env)

    @classmethod
    def tearDownClass(cls):
        rc, log = cls.server.stop()
        if rc != 0 or "ERROR: AddressSanitizer" in log or "runtime error:" in log or "LeakSanitizer" in log:
            raise AssertionError("server exited with %d:\n%s" % (rc, log[-4000:]))

    def assertError(self, r, status, code=None, field=None):
        self.assertEqual(r.status, status, r)
        self.assertIsNotNone(r.json, r)
        self.assertIn("error", r.json, r)
        if code is not None:
            self.assertEqual(r.error.get("code"), code, r)
        if field is not None:
            self.assertEqual(r.error.get("field"), field, r)


_seq = [0]


def unique(prefix):
    _seq[0] += 1
    return "%s%d%d" % (prefix, os.getpid() % 1000, _seq[0])


def make_chain(owner):
    """A small chain: region tree, two stores in Shanghai, one in Beijing, a warehouse, a product with SKUs."""
    def ok(r, status=201):
        assert r.status == status, r
        return r.json
    ok(owner.post("/v1/regions", {"code": "CN", "name": "China"}))
    ok(owner.post("/v1/regions", {"code": "EAST", "name": "East", "parent": "CN"}))
    ok(owner.post("/v1/regions", {"code": "NORTH", "name": "North", "parent": "CN"}))
    ok(owner.post("/v1/locations", {"code": "SH01", "name": "Shanghai 1", "kind": "store", "region": "EAST",
                                    "lat": 31.2304, "lon": 121.4737}))
    ok(owner.post("/v1/locations", {"code": "SH02", "name": "Shanghai 2", "kind": "store", "region": "EAST",
                                    "lat": 31.2500, "lon": 121.5000}))
    ok(owner.post("/v1/locations", {"code": "BJ01", "name": "Beijing 1", "kind": "store", "region": "NORTH",
                                    "lat": 39.9042, "lon": 116.4074}))
    ok(owner.post("/v1/locations", {"code": "WH1", "name": "East warehouse", "kind": "warehouse", "region": "EAST",
                                    "lat": 31.0, "lon": 121.2, "opens_at": "00:00", "closes_at": "24:00"}))
    ok(owner.post("/v1/brands", {"code": "ACME", "name": "Acme"}))
    ok(owner.post("/v1/categories", {"code": "apparel", "name": "Apparel"}))
    ok(owner.post("/v1/categories", {"code": "tops", "name": "Tops", "parent": "apparel"}))
    ok(owner.post("/v1/products", {"code": "TEE", "name": "Tee", "brand": "ACME", "category": "tops"}))
    for size, bc in (("S", "6900000000017"), ("M", "6900000000024"), ("L", "6900000000031")):
        ok(owner.post("/v1/skus", {"code": "TEE-RED-" + size, "product": "TEE", "size": size, "colour": "red",
                                   "barcode": bc, "price": 12900}))


def sent_code(owner, e164):
    """The latest one-time code sent to a phone (read from the outbox, as --dev allows)."""
    sms = owner.get("/v1/outbox?recipient=%s" % e164.replace("+", "%2B")).json["items"]
    return re.search(r"\b(\d{6})\b", sms[0]["payload"]).group(1)


def member_token(server, owner, phone):
    """Sign a member in by phone and one-time code."""
    c = server.client()
    r = c.post("/v1/auth/otp", {"phone": phone})
    assert r.status == 202, r
    e164 = r.json["phone"]
    r = c.post("/v1/auth/otp/verify", {"phone": e164, "code": sent_code(owner, e164)})
    assert r.status == 200, r
    c.close()
    return r.json["token"]


def till_identify(owner, till, phone):
    """The member with this phone identifies herself at a till (a code sent to her phone,
    read from the outbox as --dev allows): the till's key may then see her and spend her points."""
    r = till.post("/v1/till/identify", {"phone": phone})
    assert r.status == 202, r
    e164 = r.json["phone"]
    r = till.post("/v1/till/identify", {"phone": e164, "code": sent_code(owner, e164)})
    assert r.status == 200, r
    return r.json


def run_on_tty(args, timeout=300):
    """Run a command with its stderr on a pseudo-terminal (where progress bars are drawn).
    Returns (exit code, stdout, what the terminal showed)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=timeout)
    os.close(master)
    return p.returncode, p.stdout.read(), out.decode(errors="replace")


def browser():
    """Headless Chromium driven by WebDriver (Debian's chromium, chromium-driver and
    python3-selenium), or None when they are not installed. The caller quits it."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.path.exists(driver):
        return None
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=480,900"):
        opts.add_argument(a)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        opts.binary_location = exe
    d = webdriver.Chrome(service=Service(driver), options=opts)
    d.set_page_load_timeout(60)
    return d


def wait_until(fn, timeout=20, what="the condition"):
    """Poll fn() until it returns something true; that value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class FakeProc:
    """Stands in for a killed server process in a class teardown."""

    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0
