"""The HTTP layer as an attacker meets it (issue 11): request smuggling refused,
oversize bodies refused before they are read (Content-Length at once, chunked
as soon as the count passes the limit), open connections capped per process and
per client address, slow heads cut, paths, queries and headers that are not
UTF-8 text refused with a 400 (the request that used to kill the server among
them), h2c never upgraded, pipelined and 100-continue requests served."""
import json
import os
import re
import socket
import threading
import time
import unittest

from harness import Server, ServerTest, make_chain


def raw(port, data, timeout=5):
    """Send bytes on a fresh connection; everything the server answers until it closes or goes quiet."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def responses(data):
    """Status codes of the HTTP answers in data, in order."""
    codes = []
    while data.startswith(b"HTTP/1.1 "):
        head, _, rest = data.partition(b"\r\n\r\n")
        codes.append(int(head[9:12]))
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        data = rest[length:]
    return codes


def held_open(port, n):
    """n keep-alive connections, each known to the server (one request answered on it)."""
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert responses(s.recv(65536)) == [200]
        out.append(s)
    return out


def body_of(data):
    head, _, rest = data.partition(b"\r\n\r\n")
    return json.loads(rest.decode())


class FramingTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        r = cls.owner.post("/v1/staff", {"username": "mgr1", "password": "manager-password", "role": "store_manager",
                                         "scope": "SH01"})
        assert r.status == 201, r
        r = cls.server.client().post("/v1/auth/login", {"username": "mgr1", "password": "manager-password"})
        cls.manager = cls.server.client(r.json["token"])

    def test_invalid_utf8_in_a_query_is_a_400_and_the_server_lives(self):
        # the request that ended the process: paths with an event name that is not UTF-8
        r = self.manager.get("/v1/analytics/paths?event=%FF")
        self.assertError(r, 400, "bad_query", "event")
        r = self.manager.get("/v1/analytics/paths?event=view&from=%C0%AF")
        self.assertError(r, 400, "bad_query", "from")
        self.assertError(self.owner.get("/v1/locations/%FF%FE"), 400, "bad_path")
        self.assertError(self.owner.get("/v1/locations/SH%00"), 400, "bad_path")
        r = self.owner.post("/v1/brands", {"code": "B1", "name": "x"}, headers={"Idempotency-Key": "k\u00e9"})
        self.assertError(r, 400, "bad_idempotency_key", "Idempotency-Key")
        self.assertEqual(self.server.client().get("/healthz").status, 200)
        self.assertEqual(self.manager.get("/v1/analytics/paths?event=view").status, 200)

    def test_content_length_and_transfer_encoding_together_are_refused(self):
        smuggled = (b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"0\r\n\r\nGET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n")
        out = raw(self.server.port, smuggled)
        self.assertEqual(responses(out), [400])          # one answer: the second request never ran
        self.assertIn(b"Connection: close", out)
        self.assertEqual(body_of(out)["error"]["code"], "bad_request")
        for head in (b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
                     b"POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n Transfer-Encoding: x\r\n\r\n",
                     b"POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n",
                     b"GET /healthz HTTP/1.1\nHost: x\n\n"):
            self.assertEqual(responses(raw(self.server.port, head)), [400], head)
        self.assertEqual(responses(raw(self.server.port, b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                                                         b"Transfer-Encoding: gzip, chunked\r\n\r\n")), [501])

    def test_h2c_is_not_upgraded_and_http2_is_refused(self):
        out = raw(self.server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                                    b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", timeout=2)
        self.assertEqual(responses(out), [200])
        self.assertEqual(responses(raw(self.server.port, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")), [505])

    def test_oversize_content_length_is_refused_before_the_body_is_sent(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 62914560\r\n\r\n")
        out = s.recv(65536)              # answered with not one byte of the 60 MB sent
        s.close()
        self.assertEqual(responses(out), [413])
        self.assertEqual(body_of(out)["error"]["code"], "body_too_large")

    def test_expect_continue_is_answered_only_for_a_body_under_the_limit(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 9999999\r\n\r\n")
        self.assertEqual(responses(s.recv(65536)), [413])
        s.close()
        body = json.dumps({"events": [{"name": "view", "device_id": "d-continue"}]}).encode()
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
                  % len(body))
        self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n\r\n"))
        s.sendall(body)
        self.assertEqual(responses(s.recv(65536)), [200])
        s.close()

    def test_a_chunked_body_is_stopped_at_the_limit(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
        sent, out = 0, b""
        s.setblocking(False)
        try:
            while sent < 64 << 20 and not out:
                try:
                    s.sendall(chunk)
                    sent += 0x10000
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    time.sleep(0.01)
                try:
                    out = s.recv(65536)
                except BlockingIOError:
                    pass
        finally:
            s.close()
        self.assertEqual(responses(out), [413])
        self.assertLess(sent, 16 << 20)   # cut near the 1 MB limit, not after the 64 MB the client meant to send

    def test_pipelined_requests_are_answered_in_order(self):
        out = raw(self.server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                                    b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(responses(out), [200, 404, 200])

    def test_oversize_heads_are_refused(self):
        self.assertEqual(responses(raw(self.server.port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n")), [414])
        self.assertEqual(responses(raw(self.server.port, b"GET / HTTP/1.1\r\nHost: x\r\n" +
                                       b"".join(b"X-%d: y\r\n" % i for i in range(100)) + b"\r\n")), [431])


class MemoryTest(unittest.TestCase):
    """Sixty clients announce 60 MB bodies and push 8 MB each: the server answers
    413 to each and keeps none of it. (AddressSanitizer's quarantine, which holds
    freed memory back, is kept small here so that the figure is the server's.)"""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(env={"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1:quarantine_size_mb=4"})

    @classmethod
    def tearDownClass(cls):
        rc, log = cls.srv.stop()
        if rc != 0 or "ERROR: AddressSanitizer" in log:
            raise AssertionError("server exited with %d:\n%s" % (rc, log[-3000:]))

    def test_many_oversize_bodies_at_once_do_not_grow_the_server(self):
        def rss_mb():
            with open("/proc/%d/status" % self.srv.proc.pid) as f:
                return int(next(l for l in f if l.startswith("VmRSS:")).split()[1]) // 1024

        def push():
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=10)
            try:
                s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 62914560\r\n\r\n")
                chunk = b"x" * 65536
                for _ in range(128):          # 8 MB of the 60 the head announced
                    s.sendall(chunk)
            except OSError:
                pass                          # the server has answered and stopped listening
            finally:
                s.close()

        before = rss_mb()
        threads = [threading.Thread(target=push) for _ in range(60)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # 60 x 8 MB were sent; none of it was kept (the old server grew by hundreds of MB)
        self.assertLess(rss_mb() - before, 64)
        self.assertEqual(self.srv.client().get("/healthz").status, 200)


class ConnectionLimitTest(unittest.TestCase):
    """Loopback is not trusted here, so the per-address cap applies to the tests' own connections."""

    def test_connections_per_client_address_and_per_process(self):
        server = Server(["--max-connections-per-client", "4", "--trusted-networks", "", "--trusted-proxies", "",
                         "--head-timeout", "1"])
        held = []
        try:
            held = held_open(server.port, 4)
            out = raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(responses(out), [503])
            self.assertEqual(body_of(out)["error"]["code"], "too_many_connections")
            self.assertIn(b"Retry-After: 1", out)
            held.pop().close()
            time.sleep(0.2)
            self.assertEqual(responses(raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
                             [200])
            # a head that does not come is cut after the head timeout (1 s here), freeing the slot
            # (the connections closed just before may still be closing: a 503 is retried)
            for _ in range(50):
                slow = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                held.append(slow)
                slow.sendall(b"GET /healthz HTTP/1.1\r\nHo")
                t0 = time.monotonic()
                got = slow.recv(100)
                if not got.startswith(b"HTTP/1.1 503"):
                    break
                time.sleep(0.1)
            self.assertEqual(got, b"")
            self.assertLess(time.monotonic() - t0, 5)
        finally:
            for s in held:
                s.close()
            rc, log = server.stop()
            self.assertEqual(rc, 0, log[-3000:])

    def test_the_whole_process_caps_its_connections(self):
        server = Server(["--max-connections", "6"])
        held = []
        try:
            held = held_open(server.port, 6)
            out = raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(responses(out), [503])
            self.assertEqual(body_of(out)["error"]["code"], "server_busy")
            for s in held:
                s.close()
            held = []
            for _ in range(50):   # the closed connections may still be closing
                r = server.client().get("/metrics")
                if r.status != 503:
                    break
                time.sleep(0.1)
            self.assertEqual(r.status, 200)
            refused = re.search(r'o2o_http_connections_refused_total\{reason="server_full"\} (\d+)', r.body)
            self.assertGreaterEqual(int(refused.group(1)), 1)     # (and once more per retry above)
        finally:
            for s in held:
                s.close()
            rc, log = server.stop()
            self.assertEqual(rc, 0, log[-3000:])


if __name__ == "__main__":
    unittest.main()
