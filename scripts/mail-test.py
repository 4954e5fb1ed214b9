#!/usr/bin/env python3
"""Email against a real SMTP server that no one here wrote: aiosmtpd (PyPI), started here.

Starts aiosmtpd on a free port and the debug server (an embedded database in a temporary
folder, so that it can be killed and started again) with TOUCHPOINT_SMTP_URL pointing at it,
then checks:
  - the outbox's test message as Python's `email` package reads it (multipart/alternative,
    headers, escaping);
  - a stakeholder's consent on an invite link's form (refused without an address or without
    the box ticked), the team's response reaching them as one message (parsed with `email`:
    status, response, link back, RFC 8058 one-click unsubscribe headers, no team address), and
    one-click unsubscribe stopping the next one;
  - interview invitations: the `.ics` read with `icalendar` (METHOD:REQUEST, stable UID,
    SEQUENCE 0, the start in the interview's zone with its VTIMEZONE), then a reschedule
    (same UID, SEQUENCE 1, the new time) and a cancellation (METHOD:CANCEL, SEQUENCE 2);
  - the digest of an imported workspace (projects lacking end-user contact as the portfolio
    says, new feedback counted with its first line), and no digest when nothing changed;
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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import icalendar
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

    def post(self, path, body, content_type, accept="application/json"):
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type, "Accept": accept}
        )
        try:
            with self.opener.open(req, timeout=120) as res:
                return res.status, res.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as res:
                return res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def call(self, endpoint, fields=None, prefix="/api/fn"):
        data = urllib.parse.urlencode(fields or {}, doseq=True).encode()
        req = urllib.request.Request(
            f"{self.base}{prefix}/{endpoint}", data=data, headers={"Accept": "application/json"}
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


def ok(browser, endpoint, fields=None, prefix="/api/fn"):
    status, body = browser.call(endpoint, fields, prefix)
    assert status == 200, (endpoint, status, body)
    return body


def one_message(inbox, to, count, what):
    """Waits until `to` has `count` messages; returns the last."""
    msgs = wait_for(lambda: len(inbox.to(to)) >= count and inbox.to(to), 30, what)
    return msgs[count - 1]


def calendar_of(msg):
    """The .ics attachment of a message, read with `icalendar`, and its content type."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True)), part
    raise AssertionError("no text/calendar part")


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


        # ---- a project with a stakeholder, an invite link, and an interview ----------------
        ok(admin, "projects/create", {"key": "loop", "name": "Closing <the> loop"})
        status, stakeholder = admin.call(
            "stakeholders/create",
            {"name": "Rosa Díaz", "function": "end_user", "email": "rosa@example.org", "project": "loop"},
        )
        assert status == 200, (status, stakeholder)
        link = ok(admin, "feedback/invites/create", {"key": "loop"})
        token = link["url"].rsplit("/f/", 1)[1]
        public = Browser(server.base)

        def submit(**extra):
            fields = {"token": token, "project": "loop", "rating": "4", "category": "usability"}
            fields.update(extra)
            return public.call("submit", fields, prefix="/f/api")

        def inbox_items():
            return ok(admin, "feedback/inbox", {"key": "loop"})["items"]

        def consent_flow():
            status, body = submit(body="No box ticked", notify_email="kim@example.org")
            assert status in (400, 422), (status, body)
            assert "notify_email" in json.dumps(body), body
            status, body = submit(body="Ticked, no address", notify="true")
            assert status in (400, 422) and "notify_email" in json.dumps(body), (status, body)
            status, body = submit(body="Ticked, bad address", notify="true", notify_email="kim at home")
            assert status in (400, 422) and "notify_email" in json.dumps(body), (status, body)
            assert inbox_items() == [], "nothing is stored from a refused form"
            status, body = submit(
                body="Please export to <b>CSV</b>\nSecond line",
                notify="true",
                notify_email="Kim@Example.org",
                author_name="Kim",
            )
            assert status == 200, (status, body)
            status, body = submit(body="No email for me")
            assert status == 200, (status, body)
            items = {i["body"]: i for i in inbox_items()}
            assert items["Please export to <b>CSV</b>\nSecond line"]["hears_back"] is True, items
            assert items["No email for me"]["hears_back"] is False, items

        def stakeholder_message_and_unsubscribe():
            item = next(i for i in inbox_items() if i["hears_back"])
            quiet = next(i for i in inbox_items() if not i["hears_back"])
            # Acknowledging without a response tells nobody; a response does.
            ok(admin, "feedback/triage", {"key": "loop", "id": item["id"], "status": "acknowledged"})
            ok(admin, "feedback/triage", {"key": "loop", "id": quiet["id"], "status": "planned", "response": "x"})
            ok(admin, "feedback/triage", {
                "key": "loop", "id": item["id"], "status": "planned",
                "response": "We will add it <soon> & tell you",
            })
            msg = one_message(inbox, "kim@example.org", 1, "the team's response")
            time.sleep(2)
            assert len(inbox.to("kim@example.org")) == 1, "one message per change"
            assert msg["Subject"] == "The Closing <the> loop team responded to your feedback", msg["Subject"]
            assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            assert "Status: Planned" in text, text
            assert "We will add it <soon> & tell you" in text, text
            assert "We will add it &lt;soon&gt; &amp; tell you" in html, html
            assert "Please export to <b>CSV</b>" in text and "Second line" not in text, text
            assert "&lt;b&gt;CSV&lt;" in html, html
            assert f"{server.base}/f/{token}" in text, text
            unsubscribe = msg["List-Unsubscribe"]
            m = re.fullmatch(r"<(" + re.escape(server.base) + r"/unsubscribe/([A-Za-z0-9_-]{43}))>", unsubscribe or "")
            assert m, unsubscribe
            assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", msg["List-Unsubscribe-Post"]
            raw = msg.as_string()
            assert ADMIN_EMAIL not in raw and "rosa@example.org" not in raw, "another person's address"
            # The page asks first (a link scanner opening it changes nothing) ...
            status, page = public.get(f"/unsubscribe/{m.group(2)}")
            assert status == 200 and "ki•••@example.org" in page and "Unsubscribe" in page, (status, page[:300])
            # ... and the mail provider's one-click POST, with no session, unsubscribes.
            provider = Browser(server.base)
            status, body = provider.post(
                f"/unsubscribe/{m.group(2)}",
                b"List-Unsubscribe=One-Click",
                "application/x-www-form-urlencoded",
                accept="*/*",
            )
            assert status == 200, (status, body)
            status, page = public.get(f"/unsubscribe/{m.group(2)}")
            assert "You are unsubscribed" in page, page[:500]
            ok(admin, "feedback/triage", {"key": "loop", "id": item["id"], "status": "addressed", "response": "Done"})
            time.sleep(3)
            assert len(inbox.to("kim@example.org")) == 1, "a message after unsubscribing"
            assert not [i for i in inbox_items() if i["hears_back"]], "consent withdrawn"
            status, _ = provider.post("/unsubscribe/" + "x" * 43, b"List-Unsubscribe=One-Click",
                                      "application/x-www-form-urlencoded", accept="*/*")
            assert status == 404, status

        def invitations():
            me = ok(admin, "auth/me")
            fields = [
                ("key", "loop"), ("participants[]", stakeholder), ("interviewers[]", me["id"]),
                ("scheduled_local", "2027-03-10T14:00"), ("time_zone", "Europe/Berlin"),
                ("duration_min", "45"), ("kind", "usability_test"), ("send_invitations", "true"),
            ]
            interview = ok(admin, "interviews/create", fields)
            msg = one_message(inbox, "rosa@example.org", 1, "the invitation")
            assert msg.get_content_type() == "multipart/mixed", msg.get_content_type()
            assert msg.get_body(("plain",)) is not None
            cal, part = calendar_of(msg)
            assert "method=REQUEST" in part["Content-Type"].replace('"', ""), part["Content-Type"]
            assert str(cal["METHOD"]) == "REQUEST"
            [event] = cal.walk("VEVENT")
            uid = str(event["UID"])
            assert uid == f"interview-{interview}@touchpoint", uid
            assert int(event["SEQUENCE"]) == 0
            start = event.decoded("DTSTART")
            assert start.tzinfo is not None and start.strftime("%Y-%m-%d %H:%M") == "2027-03-10 14:00", start
            assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
            assert start.utcoffset().total_seconds() == 3600
            [tz] = cal.walk("VTIMEZONE")
            assert str(tz["TZID"]) == "Europe/Berlin"
            attendees = event.get("ATTENDEE")
            attendees = attendees if isinstance(attendees, list) else [attendees]
            assert [str(a) for a in attendees] == ["mailto:rosa@example.org"], attendees
            assert ADMIN_EMAIL not in msg.as_string()
            # Moved an hour later, into summer time: the same entry, a higher SEQUENCE.
            ok(admin, "interviews/update", [
                ("key", "loop"), ("id", interview), ("participants[]", stakeholder),
                ("interviewers[]", me["id"]), ("scheduled_local", "2027-04-10T15:00"),
                ("time_zone", "Europe/Berlin"), ("duration_min", "45"), ("kind", "usability_test"),
                ("status", "scheduled"), ("notes", ""),
            ])
            msg = one_message(inbox, "rosa@example.org", 2, "the update")
            cal, _ = calendar_of(msg)
            [event] = cal.walk("VEVENT")
            assert str(cal["METHOD"]) == "REQUEST"
            assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
            start = event.decoded("DTSTART")
            assert start.strftime("%Y-%m-%d %H:%M") == "2027-04-10 15:00", start
            assert start.utcoffset().total_seconds() == 7200
            # Notes alone change nothing for the participant.
            ok(admin, "interviews/update", [
                ("key", "loop"), ("id", interview), ("participants[]", stakeholder),
                ("interviewers[]", me["id"]), ("scheduled_local", "2027-04-10T15:00"),
                ("time_zone", "Europe/Berlin"), ("duration_min", "45"), ("kind", "usability_test"),
                ("status", "scheduled"), ("notes", "Bring the prototype"),
            ])
            ok(admin, "interviews/status", {"key": "loop", "id": interview, "status": "cancelled"})
            msg = one_message(inbox, "rosa@example.org", 3, "the cancellation")
            cal, part = calendar_of(msg)
            assert "method=CANCEL" in part["Content-Type"].replace('"', ""), part["Content-Type"]
            [event] = cal.walk("VEVENT")
            assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
            assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
            time.sleep(2)
            assert len(inbox.to("rosa@example.org")) == 3, "the notes edit sent something"
            # Deleting an interview still ahead cancels it for the invited.
            again = [(k, "2027-05-01T09:00" if k == "scheduled_local" else v) for k, v in fields]
            second = ok(admin, "interviews/create", again)
            one_message(inbox, "rosa@example.org", 4, "the second invitation")
            status, _ = admin.post(
                "/api/fn/interviews/delete",
                urllib.parse.urlencode({"key": "loop", "id": second}).encode(),
                "application/x-www-form-urlencoded",
            )
            assert status == 200, status
            msg = one_message(inbox, "rosa@example.org", 5, "the cancellation of a deleted interview")
            cal, _ = calendar_of(msg)
            [event] = cal.walk("VEVENT")
            assert str(cal["METHOD"]) == "CANCEL", cal["METHOD"]
            assert str(event["UID"]) == f"interview-{second}@touchpoint" and int(event["SEQUENCE"]) == 1

        def digest():
            with open(os.path.join(ROOT, "testdata/workspace-small.json"), "rb") as f:
                status, body = admin.post("/api/v1/import", f.read(), "application/json")
            assert status == 200, (status, body[:500])
            me = ok(admin, "auth/me")
            portfolio = ok(admin, "reports/portfolio", {"limit": "500"})
            rows = [r for r in portfolio["rows"] if r["key"] != "loop"]
            assert rows, portfolio
            for r in rows:
                ok(admin, "projects/members/set", {"key": r["key"], "user_id": me["id"], "role": "member"})
            ok(admin, "me/mail/save", {"feedback": "digest", "digest": "daily"})
            assert ok(admin, "me/mail/digest-now") is True
            msg = one_message(inbox, ADMIN_EMAIL, 1, "the digest")
            text = msg.get_body(("plain",)).get_content()
            assert msg["Subject"].startswith("Your Touchpoint digest"), msg["Subject"]
            lacking = [r["name"] for r in rows if r["signals"]["end_user_contact"]["lacking"]]
            in_contact = [r["name"] for r in rows if not r["signals"]["end_user_contact"]["lacking"]]
            assert lacking, "the example has projects lacking contact"
            for name in lacking:
                section = text.split(f"== {name} ==", 1)
                assert len(section) == 2, f"{name} missing from the digest"
                assert section[1].split("==", 1)[0].count("Lacking end-user contact") == 1, name
            for name in in_contact:
                section = text.split(f"== {name} ==", 1)
                assert len(section) == 1 or "Lacking end-user contact" not in section[1].split("==", 1)[0], name
            # Nothing changed: no digest.
            assert ok(admin, "me/mail/digest-now") is False
            time.sleep(2)
            assert len(inbox.to(ADMIN_EMAIL)) == 1, "an empty digest was sent"
            # New feedback in one project: the next digest counts it and quotes its first line.
            key = rows[0]["key"]
            url = ok(admin, "feedback/invites/create", {"key": key})["url"]
            status, body = public.call(
                "submit",
                {"token": url.rsplit("/f/", 1)[1], "project": key, "body": "Faster exports please\nthanks"},
                prefix="/f/api",
            )
            assert status == 200, (status, body)
            assert ok(admin, "me/mail/digest-now") is True
            msg = one_message(inbox, ADMIN_EMAIL, 2, "the second digest")
            text = msg.get_body(("plain",)).get_content()
            section = text.split(f"== {rows[0]['name']} ==", 1)[1].split("==", 1)[0]
            assert "New feedback: 1" in section and "- Faster exports please" in section, section
            assert "thanks" not in section, section

        check("a stakeholder's consent is asked for and checked", consent_flow)
        check("the team's response reaches the stakeholder once; one-click unsubscribe stops it",
              stakeholder_message_and_unsubscribe)
        check("interview invitations: REQUEST, reschedule and CANCEL as icalendar reads them", invitations)
        check("the digest of an imported workspace, and none when nothing changed", digest)
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
        shutil.rmtree(data_dir, ignore_errors=True)

    failed = sum(1 for _, e in results if e)
    print(f"mail: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
