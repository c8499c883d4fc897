"""The README's examples, run exactly as written (issue 12: its order example failed on a
fresh demo, showed a pickup code that could not match, depended on the ids of a fresh
database and mixed $TOKEN and $OWNER). Its ```sh blocks run, in order, in one bash
against a fresh `make run` database (the demo chain, served with --dev, the owner's
login in data/owner-login.txt); a curl wrapper logs every answer, and each
"# NNN {...}" line after a command states an answer's status and the "key":value
pairs it shows, which must hold, in order. Its transcripts ("$ o2o ...") run against
the data sets of ../shared/data and print what the README shows ("…" stands for what
varies: a whole line alone, part of a line within one). Benchmark figures are not
examples: they are what bench/ printed on that day."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BINARY, OWNER_PASSWORD, PG_URL, ROOT

README = os.path.join(ROOT, "README.md")
DATA = os.environ.get("O2O_DATA_DIR") or os.path.join(ROOT, "..", "shared", "data")

CURL = r"""#!/bin/bash
# logs each answer for the README test, then behaves as curl
out=$(mktemp)
status=$(/usr/bin/curl -o "$out" -w '%{http_code}' "$@")
rc=$?
{ printf '%s\n' "$status"; cat "$out"; printf '\n\036\n'; } >> "$O2O_README_LOG"
cat "$out"
rm -f "$out"
exit $rc
"""


def blocks(kind):
    """The README's fenced blocks: ("sh", text) or ("transcript", text)."""
    text = open(README, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        lang, body = m.group(1), m.group(2)
        if kind == "sh" and lang == "sh" and "make test" not in body:
            out.append(body)
        elif kind == "transcript" and lang == "" and body.startswith("$ o2o"):
            out.append(body)
    return out


def expectations(script):
    """The "# NNN ..." lines: (status, ["key":value, ...]) in order."""
    want = []
    for line in script.splitlines():
        m = re.match(r"\s*# (\d{3})\b(.*)", line)
        if m:
            pairs = re.findall(r'"[A-Za-z_]+":(?:"[^"…]*"|-?\d+(?:\.\d+)?|true|false|null)(?=[,}\]])', m.group(2))
            want.append((int(m.group(1)), pairs))
    return want


def line_matches(want, got):
    parts = [re.escape(p) for p in want.split("…")]
    return re.fullmatch(".*".join(parts), got) is not None


def transcript_matches(want, got):
    """want's lines against got's; a line "…" alone stands for any number of lines."""
    w, g = want, got
    if not w:
        return not g
    if w[0] == "…":
        return any(transcript_matches(w[1:], g[k:]) for k in range(len(g) + 1))
    return bool(g) and line_matches(w[0], g[0]) and transcript_matches(w[1:], g[1:])


@unittest.skipIf(PG_URL, "the README's examples run on make run's SQLite database")
class ReadmeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-readme-")
        cls.work = os.path.join(cls.dir, "o2o")
        cls.bin = os.path.join(cls.dir, "bin")
        os.makedirs(os.path.join(cls.work, "data"))
        os.makedirs(cls.bin)
        os.symlink(BINARY, os.path.join(cls.bin, "o2o"))
        with open(os.path.join(cls.bin, "curl"), "w") as f:
            f.write(CURL)
        os.chmod(os.path.join(cls.bin, "curl"), 0o755)
        if os.path.isdir(DATA):  # the transcripts name ../shared/data, as from the repository
            os.makedirs(os.path.join(cls.dir, "shared"))
            os.symlink(os.path.abspath(DATA), os.path.join(cls.dir, "shared", "data"))
        cls.env = dict(os.environ, PATH=cls.bin + ":" + os.environ["PATH"], O2O_OWNER_PASSWORD=OWNER_PASSWORD,
                       O2O_README_LOG=os.path.join(cls.dir, "answers.log"))
        cls.env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def o2o(self, *args, timeout=600):
        return subprocess.run(["o2o"] + list(args), cwd=self.work, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)

    def test_the_curl_examples_run_as_written_on_a_fresh_demo(self):
        # make run: the demo chain, the owner's login kept, the server with --dev
        db = "sqlite:" + os.path.join(self.work, "data", "o2o.db")
        p = self.o2o("demo", "--db", db)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:])
        with open(os.path.join(self.work, "data", "owner-login.txt"), "w") as f:
            f.write("username: owner\npassword: %s\n" % OWNER_PASSWORD)
        log = open(os.path.join(self.dir, "server.log"), "w+")
        server = subprocess.Popen(["o2o", "serve", "--db", db, "--listen", "127.0.0.1:0", "--dev"], cwd=self.work,
                                  env=self.env, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            port = None
            for line in server.stdout:
                m = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    port = int(m.group(1))
                    break
            self.assertIsNotNone(port, "the server did not start")
            script = "\n".join(blocks("sh"))
            self.assertIn("$O2O", script)
            env = dict(self.env, O2O="http://127.0.0.1:%d" % port)
            p = subprocess.run(["bash", "-c", script], cwd=self.work, env=env, capture_output=True, text=True,
                               timeout=600)
            self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
            self.assertNotIn("command not found", p.stderr)
        finally:
            server.terminate()
            rc = server.wait(60)
            log.seek(0)
            text = log.read()
            log.close()
        self.assertEqual(rc, 0, text[-3000:])
        for bad in ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"):
            self.assertNotIn(bad, text)
        with open(self.env["O2O_README_LOG"]) as f:
            answers = [a.strip("\n").split("\n", 1) for a in f.read().split("\x1e") if a.strip()]
        answers = [(int(a[0]), a[1] if len(a) > 1 else "") for a in answers]
        self.assertGreater(len(answers), 20)
        want = expectations(script)
        self.assertGreater(len(want), 10)
        # every stated answer, in order; no answer that is not stated fails
        i = 0
        stated = set()
        for status, pairs in want:
            k = i
            while k < len(answers) and not (answers[k][0] == status and all(x in answers[k][1] for x in pairs)):
                k += 1
            self.assertLess(k, len(answers), "the README states %d %s; no answer after #%d matches; answers from "
                                             "there: %s" % (status, pairs, i, [a[:1] + (a[1][:160],)
                                                                               for a in answers[i:i + 6]]))
            stated.add(k)
            i = k + 1
        for k, (status, body) in enumerate(answers):
            if k not in stated:
                self.assertLess(status, 400, "an answer the README does not state: %d %s" % (status, body[:300]))

    def test_the_transcripts_print_what_the_readme_shows(self):
        if not os.path.isdir(DATA):
            self.skipTest("the data sets are not here (../shared/data, or set O2O_DATA_DIR)")
        for text in blocks("transcript"):
            commands = re.split(r"^\$ ", text, flags=re.M)[1:]
            for c in commands:
                cmd, _, shown = c.partition("\n")
                with self.subTest(command=cmd):
                    args = cmd.split()
                    self.assertEqual(args[0], "o2o")
                    p = self.o2o(*args[1:])
                    # (a transcript shows what is printed, not the exit status: an import
                    # that rejected rows exits 3)
                    self.assertGreaterEqual(p.returncode, 0, p.stdout[-2000:])
                    got = [x.rstrip() for x in p.stdout.splitlines()
                           if not re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+Z (info|warn)", x)]
                    want = [x.rstrip() for x in shown.rstrip("\n").splitlines()]
                    self.assertTrue(transcript_matches(want, got), "\n".join(["shown:"] + want + ["printed:"] + got))
