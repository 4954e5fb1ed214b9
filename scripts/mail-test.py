#!/usr/bin/env python3
"""Email against a real SMTP server that no one here wrote: aiosmtpd (PyPI), started here.

Starts aiosmtpd on a free port and the debug server (an embedded database in a temporary
folder, so that it can be killed and started again) with TOUCHPOINT_SMTP_URL pointing at it,
then checks, through the outbox's test message:
  - the message as Python's `email` package reads it (multipart/alternative, headers, escaping);
  - a 451 answer, then the retry that is accepted;
  - a 550 answer: given up, with the server's answer on the outbox page;
  - the server killed with SIGKILL in the middle of an attempt and started again: the message
    arrives once, not never and not twice.
Prints "N passed, N failed" and exits 1 on any failure.
"""

import asyncio
import email
import email.policy
import email.utils
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from aiosmtpd.controller import Controller

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TOUCHPOINT_BIN", os.path.join(ROOT, "target/debug/touchpoint"))
LOGS = os.path.join(ROOT, "target/test-logs")
ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Ada <b>Admin</b> & co"
ADMIN_PASSWORD = "admin password 123"
FROM = "Touchpoint <touchpoint@example.org>"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps what it accepts; can answer 451 or 550, or stall at RCPT."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.temporary_failures = 0
        self.refuse = set()
        self.stall_for = {}
        self.stalled = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        seconds = self.stall_for.get(address)
        if seconds:
            self.stalled.set()
            await asyncio.sleep(seconds)
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.temporary_failures > 0:
                self.temporary_failures -= 1
                return "451 4.3.0 Try again later"
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address):
        with self.lock:
            return [
                email.message_from_bytes(content, policy=email.policy.default)
                for rcpts, content in self.messages
                if address in rcpts
            ]


class Server:
    def __init__(self, smtp_port, data_dir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.smtp_port = smtp_port
        self.data_dir = data_dir
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        env = dict(
            os.environ,
            TOUCHPOINT_DB=f"surrealkv://{self.data_dir}/touchpoint.db",
            TOUCHPOINT_ADDR=f"127.0.0.1:{self.port}",
            TOUCHPOINT_SITE_ROOT=os.path.join(ROOT, "target/site"),
            TOUCHPOINT_PUBLIC_URL=self.base,
            TOUCHPOINT_SMTP_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            TOUCHPOINT_MAIL_FROM=FROM,
            TOUCHPOINT_MAIL_RETRY_BASE_MS="300",
            RUST_LOG="info",
            NO_COLOR="1",
        )
        self.log = os.path.join(LOGS, f"mail-server-{self.runs}.log")
        self.proc = subprocess.Popen(
            [BIN, "serve"], env=env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited:\n" + open(self.log).read())
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def setup_token(self):
        for _ in range(50):
            m = re.search(r"one-time setup token: ([A-Za-z0-9_-]+)", open(self.log).read())
            if m:
                return m.group(1)
            time.sleep(0.1)
        raise RuntimeError("no setup token in the log")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, endpoint, fields=None):
        data = urllib.parse.urlencode(fields or {}).encode()
        req = urllib.request.Request(
            f"{self.base}/api/fn/{endpoint}", data=data, headers={"Accept": "application/json"}
        )
        try:
            with self.opener.open(req, timeout=30) as res:
                body = res.read()
                return res.status, json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            body = e.read()
            return e.code, json.loads(body) if body else None


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def outbox_entry(browser, recipient):
    status, outbox = browser.call("admin/outbox")
    assert status == 200, (status, outbox)
    for entry in outbox["entries"]:
        if entry["recipient"] == recipient:
            return entry
    return None


def send_test(browser, to):
    status, body = browser.call("admin/outbox/test", {"to": to})
    assert status == 200, (status, body)


def main():
    os.makedirs(LOGS, exist_ok=True)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    data_dir = tempfile.mkdtemp(prefix="touchpoint-mail-")
    server = Server(controller.port, data_dir)
    results = []

    def check(name, fn):
        try:
            fn()
            results.append((name, None))
            print(f"PASS {name}")
        except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
            results.append((name, e))
            print(f"FAIL {name}: {e!r}")

    try:
        server.start()
        admin = Browser(server.base)
        status, body = admin.call(
            "auth/setup",
            {
                "token": server.setup_token(),
                "email": ADMIN_EMAIL,
                "name": ADMIN_NAME,
                "password": ADMIN_PASSWORD,
                "confirm": ADMIN_PASSWORD,
            },
        )
        assert status in (200, 302, 303), (status, body)

        def readable_message():
            send_test(admin, "reader@example.org")
            [msg] = wait_for(lambda: inbox.to("reader@example.org"), 20, "the test message")
            assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
            assert msg["From"] == FROM, msg["From"]
            assert msg["To"] == "reader@example.org", msg["To"]
            assert msg["Subject"] == "Touchpoint test message", msg["Subject"]
            assert re.fullmatch(r"<[A-Za-z0-9_-]+@example\.org>", msg["Message-ID"]), msg["Message-ID"]
            sent = email.utils.parsedate_to_datetime(msg["Date"])
            assert abs(time.time() - sent.timestamp()) < 120, msg["Date"]
            parts = [p.get_content_type() for p in msg.iter_parts()]
            assert parts == ["text/plain", "text/html"], parts
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            assert f"sent by {ADMIN_NAME} from the outbox page" in text, text
            assert "Ada &lt;b&gt;Admin&lt;" in html and "&amp; co" in html, html
            assert "<b>Admin</b>" not in html, html
            # No one else's address, and nothing about the mail server's settings.
            raw = msg.as_string()
            assert ADMIN_EMAIL not in raw, "the admin's address is in the message"
            assert f"127.0.0.1:{controller.port}" not in raw
            entry = wait_for(
                lambda: (e := outbox_entry(admin, "reader@example.org")) and e["status"] == "sent" and e,
                10,
                "the outbox to show it sent",
            )
            assert entry["attempts"] == 1, entry

        def temporary_failure_is_retried():
            inbox.temporary_failures = 1
            send_test(admin, "retry@example.org")
            wait_for(lambda: inbox.to("retry@example.org"), 30, "the retried message")
            entry = wait_for(
                lambda: (e := outbox_entry(admin, "retry@example.org")) and e["status"] == "sent" and e,
                10,
                "the outbox to show it sent",
            )
            assert entry["attempts"] == 2, entry
            assert len(inbox.to("retry@example.org")) == 1

        def permanent_refusal_is_given_up():
            inbox.refuse.add("nobody@example.org")
            send_test(admin, "nobody@example.org")
            entry = wait_for(
                lambda: (e := outbox_entry(admin, "nobody@example.org")) and e["status"] == "failed" and e,
                30,
                "the outbox to show it failed",
            )
            assert "550" in (entry["last_error"] or ""), entry
            assert entry["attempts"] == 1, entry
            assert inbox.to("nobody@example.org") == []

        def killed_mid_attempt_sends_once():
            inbox.stall_for["killed@example.org"] = 5
            send_test(admin, "killed@example.org")
            assert inbox.stalled.wait(20), "the attempt never reached the SMTP server"
            server.kill()
            inbox.stall_for.clear()
            server.start()
            again = Browser(server.base)
            status, body = again.call("auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert status in (200, 302, 303), (status, body)
            # The dead instance's lease runs out first (45 s), then the new one sends it.
            wait_for(lambda: inbox.to("killed@example.org"), 90, "the message after the restart")
            time.sleep(3)
            assert len(inbox.to("killed@example.org")) == 1, "sent more than once"
            entry = outbox_entry(again, "killed@example.org")
            assert entry and entry["status"] == "sent", entry

        check("the test message reads as multipart/alternative with escaped values", readable_message)
        check("a 451 answer is retried and then accepted", temporary_failure_is_retried)
        check("a 550 answer is given up and shown", permanent_refusal_is_given_up)
        check("SIGKILL mid-attempt, then a restart: sent once", killed_mid_attempt_sends_once)
    except Exception as e:  # noqa: BLE001
        results.append(("setup", e))
        print(f"FAIL setup: {e!r}")
    finally:
        server.stop()
        controller.stop()

    failed = sum(1 for _, e in results if e)
    print(f"mail: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
