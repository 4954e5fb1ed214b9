#!/usr/bin/env python3
"""What notifications cost the writes that cause them: a rerunnable benchmark.

Starts a Touchpoint binary (argument 1, default target/release/touchpoint) on a temporary
SurrealKV database with email on, pointed at an aiosmtpd server that accepts everything, and
times, one request after another:
  - `record`: the team records feedback (`feedback/create`) while another member takes new
    feedback "immediately" (a message per item, queued in the same transaction);
  - `triage`: the team answers items whose authors asked to hear back, the response changing
    every time (a message per triage, with its unsubscribe token);
  - `digest`: "Send me my digest now" for a member of every project of the example workspace.
With BENCH_MAIL=off the same binary runs the same requests with email off (nothing is queued,
the digest does not apply): the difference is what notifications cost. Prints the median and
p90 of each in milliseconds. Settings: BENCH_N (requests per phase, default 300), BENCH_MAIL.
"""

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import http.cookiejar

from aiosmtpd.controller import Controller

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(os.environ.get("BENCH_N", "300"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    received = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.received += 1
        return "250 OK"


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, endpoint, fields=None, prefix="/api/fn", body=None, content_type=None):
        data = body if body is not None else urllib.parse.urlencode(fields or {}, doseq=True).encode()
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(f"{self.base}{prefix}/{endpoint}", data=data, headers=headers)
        try:
            with self.opener.open(req, timeout=120) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw) if raw else None
            except ValueError:
                return e.code, None


def ok(client, endpoint, fields=None, **kw):
    status, body = client.call(endpoint, fields, **kw)
    assert status == 200, (endpoint, status, body)
    return body


def timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def report(name, samples):
    if not samples:
        print(f"{name:8} not applicable")
        return
    q = statistics.quantiles(samples, n=10)
    print(f"{name:8} n={len(samples):4}  median {statistics.median(samples):7.2f} ms  p90 {q[8]:7.2f} ms")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/touchpoint")
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    data = tempfile.mkdtemp(prefix="touchpoint-bench-notify-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = os.path.join(data, "server.log")
    env = dict(
        os.environ,
        TOUCHPOINT_DB=f"surrealkv://{data}/db",
        TOUCHPOINT_ADDR=f"127.0.0.1:{port}",
        TOUCHPOINT_SITE_ROOT=os.path.join(ROOT, "target/site"),
        TOUCHPOINT_PUBLIC_URL=base,
        RUST_LOG="warn",
    )
    mail = os.environ.get("BENCH_MAIL", "on") != "off"
    if mail:
        env["TOUCHPOINT_SMTP_URL"] = f"smtp://127.0.0.1:{smtp.port}"
        env["TOUCHPOINT_MAIL_FROM"] = "Touchpoint <touchpoint@example.org>"
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        setup = None
        for _ in range(100):
            m = re.search(r"setup token: ([A-Za-z0-9_-]+)", open(log).read())
            if m:
                setup = m.group(1)
                break
            time.sleep(0.1)
        admin = Client(base)
        pw = "bench password 123"
        admin.call("auth/setup", {"token": setup, "email": "admin@example.org", "name": "Admin",
                                  "password": pw, "confirm": pw})
        with open(os.path.join(ROOT, "testdata/workspace-small.json"), "rb") as f:
            status, _ = admin.call("import", prefix="/api/v1", body=f.read(), content_type="application/json")
            assert status == 200, status
        me = ok(admin, "auth/me")
        ok(admin, "projects/create", {"key": "bench", "name": "Bench"})
        # A second member who takes new feedback at once.
        temp, chosen = "temporary pass 123", "lead password 123"
        lead = ok(admin, "admin/users/create", {"email": "lead@example.org", "name": "Lead",
                                                "role": "member", "temp_password": temp})
        ok(admin, "projects/members/set", {"key": "bench", "user_id": lead["id"], "role": "member"})
        member = Client(base)
        member.call("auth/login", {"email": "lead@example.org", "password": temp})
        ok(member, "auth/change-password", {"current": temp, "new_password": chosen, "confirm": chosen})
        member.call("me/mail/save", {"feedback": "immediately", "digest": "off"})

        record = [
            timed(lambda i=i: ok(admin, "feedback/create", {
                "key": "bench", "channel": "team", "author_name": f"Person {i}",
                "body": f"Item {i}: the export is slow", "category": "usability"}))
            for i in range(N)
        ]
        # Twenty items whose authors asked to hear back (the link's rate limit per address).
        url = ok(admin, "feedback/invites/create", {"key": "bench"})["url"]
        token = url.rsplit("/f/", 1)[1]
        public = Client(base)
        for i in range(20):
            public.call("submit", {"token": token, "project": "bench", "body": f"Link item {i}",
                                   "notify": "true", "notify_email": f"p{i}@example.org"}, prefix="/f/api")
        items = [i for i in ok(admin, "feedback/inbox", {"key": "bench", "limit": "500"})["items"]
                 if i["body"].startswith("Link item")]
        assert items, "no link items"
        triage = [
            timed(lambda i=i: ok(admin, "feedback/triage", {
                "key": "bench", "id": items[i % len(items)]["id"], "status": "planned",
                "response": f"Answer {i}"}))
            for i in range(N)
        ]
        portfolio = ok(admin, "reports/portfolio", {"limit": "500"})
        for r in portfolio["rows"]:
            if r["key"] != "bench":
                ok(admin, "projects/members/set", {"key": r["key"], "user_id": me["id"], "role": "member"})
        digest = []
        ok(admin, "me/mail/save", {"feedback": "digest", "digest": "daily"})
        if mail:
            for i in range(min(N, 50)):
                ok(admin, "feedback/create", {"key": "bench", "channel": "team", "author_name": "X",
                                              "body": f"Digest item {i}", "category": "usability"})
                digest.append(timed(lambda: ok(admin, "me/mail/digest-now")))
        print(f"binary: {binary}, email {'on' if mail else 'off'}")
        report("record", record)
        report("triage", triage)
        report("digest", digest)
        # The sender works behind the requests: wait until it has caught up.
        start, seen, still = time.perf_counter(), -1, time.perf_counter()
        while time.perf_counter() - still < 5 and time.perf_counter() - start < 300:
            if Sink.received != seen:
                seen, still = Sink.received, time.perf_counter()
            time.sleep(0.2)
        print(f"messages the SMTP server accepted: {Sink.received}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        smtp.stop()


if __name__ == "__main__":
    main()
