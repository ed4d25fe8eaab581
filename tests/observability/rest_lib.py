"""Helpers of the REST, metrics and Prometheus tests: processes whose stderr is read for a line,
HTTP requests with JSON answers, a TCP server feeding lines to word_count --socket, and the
counts word_count must report, computed here independently of the engine."""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

TIMEOUT_S = 60


def fail(message):
    raise SystemExit("FAIL: " + message)


def check(condition, message):
    if not condition:
        fail(message)


def wait_until(predicate, what, procs=(), timeout_s=TIMEOUT_S):
    """Polls predicate() until it returns a true value (returned); fails after timeout_s or when
    one of procs exited."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        for p in procs:
            if p.poll() is not None:
                fail(f"{what}: process {p.args[0]} exited with {p.returncode} first")
        if time.monotonic() > deadline:
            fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.05)


class Process:
    """A program with its stderr in a file (read for lines), killed at close()."""

    def __init__(self, args, log_path):
        self.log_path = log_path
        self.err = open(log_path, "wb")
        self.out = open(log_path + ".out", "wb")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=self.err)
        self.args = args

    def poll(self):
        return self.proc.poll()

    @property
    def returncode(self):
        return self.proc.returncode

    def stderr_text(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def wait_for_line(self, pattern, what):
        """The first match of regex `pattern` in its stderr, waiting for it."""
        def find():
            m = re.search(pattern, self.stderr_text())
            return m
        return wait_until(find, what, procs=[self])

    def wait(self, timeout_s=TIMEOUT_S):
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            fail(f"{self.args[0]} did not exit within {timeout_s} s")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        self.out.close()


@contextlib.contextmanager
def cleaned_up(procs, server, work):
    """Around a test's body: when a check fails, shows each process's stderr; at the end closes
    the processes (a list the body may still append to), the line server and the scratch
    directory."""
    try:
        yield
    except SystemExit:
        for p in procs:
            print(f"== {p.log_path}\n{p.stderr_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        for p in procs:
            p.close()
        server.close()
        shutil.rmtree(work, ignore_errors=True)


def rest_url(process):
    """The base URL process printed as "REST API listening on http://HOST:PORT"."""
    m = process.wait_for_line(r"REST API listening on (http://[0-9.]+:[0-9]+)", "REST API")
    return m.group(1)


def start_job_manager(binary, taskmanagers, args, work, procs):
    """Starts a job manager for `taskmanagers` task managers with `args`, REST on a free port,
    logging to WORK/jm.err, and appends it to procs: (the process, its port, its REST URL)."""
    jm = Process([binary, "--jobmanager-bind", "127.0.0.1:0", "--taskmanagers", str(taskmanagers),
                  "--rest-bind", "127.0.0.1:0"] + args, os.path.join(work, "jm.err"))
    procs.append(jm)
    port = jm.wait_for_line(r"listening on 127\.0\.0\.1:([0-9]+)\n", "job manager").group(1)
    return jm, port, rest_url(jm)


def http(method, url, body=None):
    """(status, headers, body parsed as JSON or text)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, headers, raw = r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, dict(e.headers), e.read().decode()
    if headers.get("Content-Type", "").startswith("application/json"):
        return status, headers, json.loads(raw)
    return status, headers, raw


def get_json(url):
    status, _, body = http("GET", url)
    check(status == 200, f"GET {url}: status {status}: {body}")
    return body


def expect_error(method, url, status, mentions, body=None):
    """The request fails with `status` and a JSON body {"errors":[...]} mentioning `mentions`."""
    got, _, answer = http(method, url, body)
    check(got == status, f"{method} {url}: status {got}, expected {status}: {answer}")
    check(isinstance(answer, dict) and isinstance(answer.get("errors"), list) and answer["errors"],
          f"{method} {url}: no JSON error body: {answer!r}")
    check(mentions in answer["errors"][0],
          f"{method} {url}: error {answer['errors'][0]!r} does not mention {mentions!r}")


class LineServer:
    """Listens on a free loopback port; sends `lines` to the first client, then keeps the
    connection open until close() (word_count --socket reads until the connection closes)."""

    def __init__(self, lines):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.payload = "".join(line + "\n" for line in lines).encode()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        conn.sendall(self.payload)
        self.done.wait()
        conn.close()

    def close(self):
        self.done.set()
        self.sock.close()


def text_lines(n):
    """A deterministic text of n lines over 11 words (1 to 5 words a line)."""
    words = "stream flow gate water sluice actor credit batch key group flink".split()
    s, lines = 4242, []
    for i in range(n):
        line = []
        for _ in range(i % 5 + 1):
            s = (s * 1103515245 + 12345) % 2147483648
            line.append(words[s % 11])
        lines.append(" ".join(line))
    return lines


def word_count(lines):
    """Words word_count finds in lines (it splits on non-letters)."""
    return sum(len(re.findall(r"[A-Za-z]+", line)) for line in lines)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vertex_sum(base, jid, vid, field):
    """The sum of a subtask metric over a vertex's subtasks (GET /jobs/{id}/vertices/{vid})."""
    v = get_json(f"{base}/jobs/{jid}/vertices/{vid}")
    return sum(s["metrics"][field] for s in v["subtasks"])


def plan_vertices(plan):
    """The ids of word_count's vertices by role: "split" (splitting lines) and "sum" (counting)."""
    ids = {}
    for node in plan["nodes"]:
        if "split words" in node["description"]:
            ids["split"] = node["id"]
        if "sum" in node["description"]:
            ids["sum"] = node["id"]
    check(set(ids) == {"split", "sum"}, f"word_count's vertices: {plan['nodes']}")
    return ids
