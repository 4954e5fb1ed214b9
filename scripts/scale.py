#!/usr/bin/env python3
"""`make scale`: several Touchpoint instances on one SurrealDB server, tested together.

Starts a SurrealDB 3.3.5 server (tools/surreal, on a temporary SurrealKV directory) and three
release instances of Touchpoint on it, each on its own port, and checks:

- migrations: the three instances start at the same moment on the empty database, and every
  migration is applied once;
- consistency: on a generated workspace (loaded over ws:// while the instances serve), many
  writes through random instances, each followed at once by reads on the two others (lists,
  signals, reports, the portfolio), which must show the write;
- live updates: a card added through instance A reaches board viewers on B and C within 1 s,
  and presence counts the viewers of all instances;
- webhooks: every event delivered exactly once while three workers run; and when the instance
  holding a delivery's lease is killed with SIGKILL mid-attempt, another instance delivers it
  once after the lease ends;
- writes under a crash: concurrent project creations through all instances while one instance
  is killed with SIGKILL; every acknowledged write is there afterwards, whole;
- backup: `touchpoint backup` over ws:// while the instances serve, restored into a second
  server, holds everything acknowledged before it started.

Prints a line per check and `N passed, N failed`; exits non-zero on any failure.
Settings (environment): TOUCHPOINT_BIN (default target/release/touchpoint), SURREAL_BIN
(default: `surreal` on the PATH, as `make surreal` installs it), SCALE_PROJECTS (generated projects, default
20), SCALE_WRITES (writes of the consistency check, default 300), SCALE_SEED, SCALE_KEEP=1
(keep the temporary folder and its logs).
"""

import base64
import collections
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TOUCHPOINT_BIN", os.path.join(ROOT, "target", "release", "touchpoint"))
# The SurrealDB server: `make surreal` installs it as `surreal` into ~/.cargo/bin.
SURREAL = (
    os.environ.get("SURREAL_BIN")
    or shutil.which("surreal")
    or os.path.join(ROOT, "tools", "surreal", "target", "release", "surreal")
)
PROJECTS = int(os.environ.get("SCALE_PROJECTS", "20"))
WRITES = int(os.environ.get("SCALE_WRITES", "300"))
RANDOM = random.Random(os.environ.get("SCALE_SEED"))
# The migrations the binary carries: one file each under store/schema/migrations.
MIGRATIONS = len([f for f in os.listdir(os.path.join(ROOT, "store/schema/migrations")) if f.endswith(".surql")])
LEASE_SECS = 60  # server/src/webhooks: LEASE_SECS

# ---- plumbing ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, token, method, path, body=None, timeout=30, raw=False):
    """One request; (status, parsed JSON or text). Raises OSError when the server is gone."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, text = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if raw:
        return status, text.decode()
    try:
        return status, json.loads(text or b"null")
    except ValueError:
        return status, text.decode(errors="replace")


def wait_until(pred, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Surreal:
    """A SurrealDB server on a SurrealKV directory (or in memory)."""

    def __init__(self, work, name, storage):
        self.port = free_port()
        self.user, self.password = "root", secrets.token_urlsafe(18)
        self.url = f"ws://127.0.0.1:{self.port}"
        self.log = os.path.join(work, f"{name}.log")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [SURREAL, "start", "--log", "warn", "--user", self.user, "--pass", self.password,
                 "--bind", f"127.0.0.1:{self.port}", storage],
                stdout=log, stderr=log,
            )
        ok = wait_until(lambda: self.proc.poll() is not None or self.healthy(), 60, 0.1)
        if self.proc.poll() is not None or not ok:
            raise RuntimeError(f"the SurrealDB server did not start:\n{tail(self.log)}")

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def env(self):
        return {
            "TOUCHPOINT_DB": self.url,
            "TOUCHPOINT_DB_USER": self.user,
            "TOUCHPOINT_DB_PASS": self.password,
        }

    def sql(self, query):
        """Runs SurrealQL through the server's HTTP endpoint as root, in Touchpoint's database."""
        auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/sql", data=query.encode(), method="POST",
            headers={"Accept": "application/json", "Authorization": f"Basic {auth}",
                     "Surreal-NS": "touchpoint", "Surreal-DB": "main"},
        )
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.loads(res.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Instance:
    """One Touchpoint instance (`touchpoint serve`) on the shared database."""

    def __init__(self, work, name, db_env):
        self.name, self.db_env = name, db_env
        self.log = os.path.join(work, f"instance-{name}.log")
        self.proc = None
        self.start()

    def start(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ,
            **self.db_env,
            TOUCHPOINT_ADDR=f"127.0.0.1:{self.port}",
            TOUCHPOINT_SITE_ROOT=os.path.join(ROOT, "target", "site"),
            TOUCHPOINT_WEBHOOK_RETRY_BASE_MS="500",
            # Migrations (make scale) and the end of the cache warming (make scale-bench).
            RUST_LOG="warn,app::db=info,server::startup=info",
            NO_COLOR="1",
        )
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)

    @property
    def pid(self):
        return self.proc.pid

    def ready(self, timeout=90):
        def up():
            if self.proc.poll() is not None:
                return "exited"
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as r:
                    return "ready" if r.status == 200 else None
            except OSError:
                return None

        return wait_until(up, timeout, 0.05) == "ready"

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cli(db_env, *args, stdin=None, check=True):
    env = dict(os.environ, **db_env, RUST_LOG="warn")
    out = subprocess.run([BIN, *args], env=env, input=stdin, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"touchpoint {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    return out


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def record(self, name, ok, detail, problems=()):
        self.passed += bool(ok)
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        for p in list(problems)[:12]:
            print(f"       {p}", flush=True)
        if len(problems) > 12:
            print(f"       … and {len(problems) - 12} more", flush=True)


# ---- the checks -------------------------------------------------------------------------------


def check_migrations(res, db, instances):
    """Three instances started at the same moment on an empty database."""
    problems = []
    for inst in instances:
        if not inst.ready():
            problems.append(f"instance {inst.name} did not start: {tail(inst.log, 6).strip()}")
    applied = collections.Counter()
    for inst in instances:
        with open(inst.log, errors="replace") as f:
            for line in f:
                if "applied migration" in line:
                    for word in line.split():
                        if word.startswith("version="):
                            applied[int(word.split("=", 1)[1])] += 1
    rows = db.sql("SELECT version FROM migration ORDER BY version")[0]["result"]
    recorded = [r["version"] for r in rows]
    if recorded != list(range(1, MIGRATIONS + 1)):
        problems.append(f"recorded migrations: {recorded}")
    twice = {v: n for v, n in applied.items() if n != 1}
    if twice or sorted(applied) != list(range(1, MIGRATIONS + 1)):
        problems.append(f"applied (version: times, from the logs): {dict(sorted(applied.items()))}")
    res.record(
        "migrations",
        not problems,
        "3 instances started at the same moment on an empty database: "
        + (f"all started, {len(recorded)} migrations recorded, each applied once"
           if not problems else "see below (the instances were then started one by one)"),
        problems,
    )
    # Whatever happened, the other checks need three running instances.
    for inst in instances:
        if inst.proc.poll() is not None:
            inst.start()
            if not inst.ready():
                raise RuntimeError(f"instance {inst.name} does not start:\n{tail(inst.log)}")


def check_generated_workspace(res, db_env, instances):
    """`touchpoint demo` over ws:// while the instances serve; every instance sees it at once."""
    started = time.monotonic()
    cli(db_env, "demo", "--scale", "large", "--projects", str(PROJECTS))
    loaded = time.monotonic() - started
    token = cli(db_env, "token", "create", "--email", "demo-admin@example.org",
                "--name", "scale").stdout.strip()
    problems = []
    keys = None
    for inst in instances:
        status, body = call(inst.base, token, "GET", "/api/v1/projects?limit=500")
        got = sorted(p["key"] for p in body["items"]) if status == 200 else None
        if got is None or len(got) != PROJECTS:
            problems.append(f"instance {inst.name}: {status}, {len(got or [])} projects")
        keys = keys or got
    res.record(
        "generated workspace over ws://",
        not problems,
        f"`touchpoint demo --scale large --projects {PROJECTS}` loaded in {loaded:.0f} s while "
        f"the instances served; each instance's next request lists all {PROJECTS} projects",
        problems,
    )
    return token, keys or []


def today():
    return time.strftime("%Y-%m-%d")


def project_keys(base, token):
    """Every project's key through an instance's project list, page by page (None if a page
    fails)."""
    keys, cursor = set(), None
    while True:
        st, page = call(base, token, "GET", "/api/v1/projects?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        if st != 200:
            return None
        keys |= {p["key"] for p in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return keys


def portfolio_entry(body, key):
    for p in body.get("projects", []):
        if p.get("project") == key:
            return p
    return None


def csv_rows(text):
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text.split("\n\n")[0])))


def check_consistency(res, token, instances, keys):
    """Many writes through random instances, each read at once on the two others."""
    lock = threading.Lock()
    problems, counts = [], collections.Counter()
    threads_n = 3
    owned = [keys[i::threads_n] for i in range(threads_n)]

    def fail(msg):
        with lock:
            problems.append(msg)

    def write(inst, method, path, body):
        # A write that lost a race with another client's (409 conflict, nothing written) is
        # sent again, as a person would.
        for _ in range(10):
            st, out = call(inst.base, token, method, path, body)
            if st != 409:
                return st, out
            with lock:
                counts["conflict"] += 1
            time.sleep(0.01)
        return st, out

    def worker(t, my_keys, n_writes, rnd):
        # What this worker's projects must show: input events per project (from the signals of
        # a first read) and names; stakeholders of its own, for feedback.
        events, names, stakeholders = {}, {}, []
        for key in my_keys:
            _, sig = call(instances[0].base, token, "GET", f"/api/v1/projects/{key}/signals")
            events[key] = sig["diversity"]["events"]
        made = 0
        for n in range(n_writes):
            writer = rnd.choice(instances)
            readers = [i for i in instances if i is not writer]
            rnd.shuffle(readers)
            roll = rnd.random()
            if roll < 0.12 or not stakeholders:
                key = rnd.choice(my_keys)
                name = f"000 Scale {t} {n:04d}"
                status, body = write(writer, "POST", "/api/v1/stakeholders",
                                    {"name": name, "function": "end_user", "project": key})
                if status != 201:
                    fail(f"creating a stakeholder through {writer.name}: {status} {body}")
                    continue
                stakeholders.append((body["id"], key))
                counts["stakeholder"] += 1
                for r in readers:
                    counts["read"] += 1
                    st, page = call(r.base, token, "GET", "/api/v1/stakeholders?limit=500")
                    if st != 200 or body["id"] not in [s["id"] for s in page["items"]]:
                        fail(f"stakeholder {name} made through {writer.name} is not in the "
                             f"directory's first page on {r.name} ({st})")
            elif roll < 0.70:
                sid, key = rnd.choice(stakeholders)
                status, body = write(
                    writer, "POST", f"/api/v1/projects/{key}/feedback",
                    {"channel": "team", "stakeholder": sid, "given_on": today(),
                     "category": rnd.choice(["usefulness", "usability", "bug", "praise"]),
                     "rating": rnd.randint(1, 5), "body": f"scale feedback {t}-{n}"})
                if status != 201:
                    fail(f"feedback on {key} through {writer.name}: {status} {body}")
                    continue
                events[key] += 1
                counts["feedback"] += 1
                fid = body["id"]
                for r in readers:
                    counts["read"] += 4
                    # The inbox's first page (newest first: the generated workspace also holds
                    # items dated later than today, which come before it).
                    st, inbox = call(r.base, token, "GET", f"/api/v1/projects/{key}/feedback?limit=500")
                    if st != 200 or fid not in [f["id"] for f in inbox["items"]]:
                        fail(f"feedback {fid} through {writer.name} is not in {key}'s inbox on {r.name}")
                    st, sig = call(r.base, token, "GET", f"/api/v1/projects/{key}/signals")
                    if st != 200 or sig["diversity"]["events"] != events[key]:
                        fail(f"{key} signals on {r.name}: {st} input events "
                             f"{sig.get('diversity', {}).get('events') if st == 200 else '?'}, want {events[key]}")
                    st, csv = call(r.base, token, "GET", f"/projects/{key}/report.csv", raw=True)
                    row = csv_rows(csv)[0] if st == 200 else {}
                    if row.get("input_events") != str(events[key]):
                        fail(f"{key} report on {r.name}: input events {row.get('input_events')}, want {events[key]}")
                    st, port = call(r.base, token, "GET", "/api/v1/reports/portfolio?limit=500")
                    entry = portfolio_entry(port, key) if st == 200 else None
                    if not entry or entry["diversity"]["events"] != events[key]:
                        fail(f"{key} in the portfolio on {r.name} ({st}"
                             f"{'' if st != 200 or entry else ', not listed'}): input events "
                             f"{entry and entry['diversity']['events']}, want {events[key]}")
            elif roll < 0.88:
                key = rnd.choice(my_keys)
                name = f"Scale project {t} {n:04d}"
                status, body = write(writer, "PATCH", f"/api/v1/projects/{key}", {"name": name})
                if status != 200:
                    fail(f"renaming {key} through {writer.name}: {status} {body}")
                    continue
                names[key] = name
                counts["rename"] += 1
                for r in readers:
                    counts["read"] += 4
                    st, page = call(r.base, token, "GET", "/api/v1/projects?limit=500")
                    listed = {p["key"]: p["name"] for p in page["items"]} if st == 200 else {}
                    if listed.get(key) != name:
                        fail(f"{key} is listed as {listed.get(key)!r} on {r.name}, want {name!r}")
                    st, html = call(r.base, token, "GET", f"/projects/{key}/report", raw=True)
                    if st != 200 or name not in html:
                        fail(f"the report page of {key} on {r.name} lacks its new name ({st})")
                    st, csv = call(r.base, token, "GET", f"/projects/{key}/report.csv", raw=True)
                    if st != 200 or csv_rows(csv)[0].get("name") != name:
                        fail(f"the report CSV of {key} on {r.name} lacks its new name ({st})")
                    st, csv = call(r.base, token, "GET", "/reports/portfolio.csv", raw=True)
                    rows = {row["key"]: row["name"] for row in csv_rows(csv)} if st == 200 else {}
                    if rows.get(key) != name:
                        fail(f"the portfolio CSV on {r.name} names {key} {rows.get(key)!r}, want {name!r}")
            else:
                made += 1
                key = f"scale-{t}-{made:03d}"
                status, body = write(writer, "POST", "/api/v1/projects",
                                     {"key": key, "name": f"Scale {t} {made}"})
                if status != 201:
                    fail(f"creating {key} through {writer.name}: {status} {body}")
                    continue
                my_keys.append(key)
                events[key] = 0
                counts["project"] += 1
                for r in readers:
                    counts["read"] += 3
                    st, page = call(r.base, token, "GET", "/api/v1/projects?limit=500")
                    if st != 200 or key not in [p["key"] for p in page["items"]]:
                        fail(f"new project {key} is not listed on {r.name} ({st})")
                    st, sig = call(r.base, token, "GET", f"/api/v1/projects/{key}/signals")
                    if st != 200:
                        fail(f"new project {key} has no signals on {r.name} ({st})")
                    st, port = call(r.base, token, "GET", "/api/v1/reports/portfolio?limit=500")
                    if st != 200 or not portfolio_entry(port, key):
                        fail(f"new project {key} is not in the portfolio on {r.name} ({st})")

    started = time.monotonic()
    threads = [
        threading.Thread(
            target=worker,
            args=(t, list(owned[t]), WRITES // threads_n, random.Random(RANDOM.random())),
        )
        for t in range(threads_n)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    writes = sum(counts[k] for k in ("feedback", "rename", "project", "stakeholder"))
    res.record(
        "consistency across instances",
        not problems,
        f"{writes} writes ({counts['feedback']} feedback, {counts['rename']} renames, "
        f"{counts['project']} projects, {counts['stakeholder']} stakeholders) through random "
        f"instances by {threads_n} clients at once; each followed by reads on both other "
        f"instances ({counts['read']} reads of inboxes, lists, signals, reports and the "
        f"portfolio): {len(problems)} stale or wrong, {elapsed:.0f} s; {counts['conflict']} writes "
        f"lost a race (409) and were sent again",
        problems,
    )


class EventStream:
    """An SSE client in a thread: records (monotonic time, event, data)."""

    def __init__(self, base, token, path):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {token}",
                                                "Accept": "text/event-stream"})
        self.res = self.conn.getresponse()
        self.status = self.res.status
        self.events, self.closed = [], False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        event, data = None, []
        try:
            while True:
                line = self.res.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if not line:
                    if event:
                        self.events.append((time.monotonic(), event, "\n".join(data)))
                    event, data = None, []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed (by us, or by the server)
        self.closed = True

    def presence(self):
        counts = [d for _, e, d in self.events if e == "presence"]
        return int(counts[-1]) if counts else None

    def change_after(self, t0):
        for t, e, _ in list(self.events):
            if e == "change" and t >= t0:
                return t
        return None

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def check_live(res, db_env, token, instances):
    a, b, c = instances
    key = "scale-live"
    problems = []
    call(a.base, token, "POST", "/api/v1/projects", {"key": key, "name": "Scale live board"})
    call(a.base, token, "POST", f"/api/v1/projects/{key}/sprints", {})
    st, body = call(a.base, token, "PUT", f"/api/v1/projects/{key}/sprints/1/retro", {})
    if st not in (200, 201):
        raise RuntimeError(f"making the retro board: {st} {body}")
    cli(db_env, "create-admin", "--email", "viewer-two@example.org", "--name", "Viewer Two",
        stdin="scale-viewer-password-1\n")
    token2 = cli(db_env, "token", "create", "--email", "viewer-two@example.org",
                 "--name", "scale").stdout.strip()
    path = f"/api/v1/projects/{key}/events?board=1"
    on_b = EventStream(b.base, token, path)
    on_c = EventStream(c.base, token2, path)
    if on_b.status != 200 or on_c.status != 200:
        raise RuntimeError(f"the event streams answered {on_b.status} and {on_c.status}")
    two = wait_until(lambda: on_b.presence() == 2 and on_c.presence() == 2, 10, 0.05)
    if not two:
        problems.append(f"presence with one viewer on B and one on C: B says {on_b.presence()}, "
                        f"C says {on_c.presence()} (want 2)")
    time.sleep(0.5)
    lat_b, lat_c = [], []
    for n in range(20):
        text = f"live card {n}"
        t0 = time.monotonic()
        st, body = call(a.base, token, "POST", f"/api/v1/projects/{key}/sprints/1/retro/items",
                        {"column": "start", "text": text})
        if st != 201:
            problems.append(f"adding card {n} through A: {st} {body}")
            continue
        for stream, lat, inst in ((on_b, lat_b, b), (on_c, lat_c, c)):
            t = wait_until(lambda: stream.change_after(t0), 3, 0.002)
            if not t:
                problems.append(f"card {n}: no change event on {inst.name} within 3 s")
                lat.append(float("inf"))
                continue
            lat.append(t - t0)
            st, items = call(inst.base, stream is on_b and token or token2, "GET",
                             f"/api/v1/projects/{key}/sprints/1/retro/items")
            texts = [i.get("text") for i in items.get("items", items) if isinstance(i, dict)] \
                if st == 200 else []
            if text not in texts:
                problems.append(f"card {n}: {inst.name}'s next request does not show it ({st})")
        time.sleep(0.05)
    on_c.close()
    one = wait_until(lambda: on_b.presence() == 1, 10, 0.05)
    if not one:
        problems.append(f"after C's viewer left, B says presence {on_b.presence()} (want 1)")
    on_b.close()
    slow = [x for x in lat_b + lat_c if x >= 1.0]
    if slow:
        problems.append(f"{len(slow)} of {len(lat_b) + len(lat_c)} change events took 1 s or more")
    ms = lambda xs: f"median {sorted(xs)[len(xs) // 2] * 1000:.0f} ms, max {max(xs) * 1000:.0f} ms"
    res.record(
        "live updates across instances",
        not problems,
        f"20 cards added through A: viewer on B {ms(lat_b)}, viewer on C {ms(lat_c)} "
        f"(from the POST to the change event; each then on the viewer's next request); "
        f"presence 2 with one viewer on B and one on C, 1 after C's left",
        problems,
    )


class Receiver:
    """A webhook receiver: verifies signatures, counts 2xx answers per event id. Requests for an
    event whose body holds `HOLD` are held open (no answer) until `release` is set or the
    sender's connection closes."""

    def __init__(self, owners):
        self.lock = threading.Lock()
        self.acked = collections.Counter()  # event id -> 2xx answers
        self.delivery_of = {}  # event id -> X-Touchpoint-Delivery
        self.sender = collections.Counter()  # instance name -> answered requests
        self.bad = []
        self.secret = None
        self.owners = owners  # () -> {pid: name}
        self.held = []  # (event id, sender name)
        self.cut = []  # event ids whose sender went away mid-attempt
        self.hold_enabled = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sig = dict(p.split("=", 1) for p in self.headers.get("X-Touchpoint-Signature", "").split(",") if "=" in p)
                ok = receiver.secret and hmac.compare_digest(
                    hmac.new(receiver.secret.encode(), sig.get("t", "").encode() + b"." + body,
                             hashlib.sha256).hexdigest(), sig.get("v1", ""))
                event = json.loads(body)
                eid, delivery = event.get("id"), self.headers.get("X-Touchpoint-Delivery")
                sender = receiver.sender_of(self.client_address[1])
                if not ok:
                    with receiver.lock:
                        receiver.bad.append(f"bad signature on {eid}")
                if "HOLD" in json.dumps(event.get("data", {})) and receiver.hold_enabled.is_set():
                    with receiver.lock:
                        receiver.held.append((eid, sender))
                    # No answer: wait until the sender's connection goes away.
                    while True:
                        r, _, _ = select.select([self.connection], [], [], 0.2)
                        if r and not self.connection.recv(1, socket.MSG_PEEK):
                            with receiver.lock:
                                receiver.cut.append(eid)
                            self.close_connection = True
                            return
                        if not receiver.hold_enabled.is_set():
                            break
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.lock:
                    receiver.acked[eid] += 1
                    receiver.sender[sender] += 1
                    if receiver.delivery_of.setdefault(eid, delivery) != delivery:
                        receiver.bad.append(f"event {eid} came with two delivery ids")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sender_of(self, port):
        """The instance whose socket has local port `port` (from /proc/net/tcp and its fds)."""
        inode = None
        try:
            with open("/proc/net/tcp") as f:
                for line in f.readlines()[1:]:
                    parts = line.split()
                    local, remote = parts[1], parts[2]
                    if int(local.split(":")[1], 16) == port and remote.endswith(
                        f":{self.server.server_address[1]:04X}"
                    ):
                        inode = parts[9]
                        break
        except OSError:
            return "?"
        if inode is None:
            return "?"
        for pid, name in self.owners().items():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                        return name
            except OSError:
                continue
        return "?"

    def stop(self):
        self.hold_enabled.clear()
        self.server.shutdown()


def check_webhooks(res, token, instances):
    a = instances[0]
    key = "scale-hooks"
    owners = lambda: {i.pid: i.name for i in instances if i.proc.poll() is None}
    rec = Receiver(owners)
    call(a.base, token, "PUT", "/api/v1/settings/webhooks", {"allow_private": True})
    call(a.base, token, "POST", "/api/v1/projects", {"key": key, "name": "Scale webhooks"})
    st, hook = call(a.base, token, "POST", f"/api/v1/projects/{key}/webhooks",
                    {"url": rec.url, "events": ["feedback.created"]})
    if st != 201:
        raise RuntimeError(f"making the webhook: {st} {hook}")
    rec.secret = hook["secret"]

    def post_feedback(inst, body_text, out):
        st, body = call(inst.base, token, "POST", f"/api/v1/projects/{key}/feedback",
                        {"channel": "team", "author_name": "Scale test", "body": body_text})
        out.append((st, body))

    # 1. Three workers, events written through all three instances at once.
    n_each, results = 60, []
    threads = [
        threading.Thread(target=lambda inst=inst: [post_feedback(inst, f"hook {inst.name} {k}", results)
                                                   for k in range(n_each)])
        for inst in instances
    ]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    made = sum(1 for st, _ in results if st == 201)
    wait_until(lambda: len(rec.acked) >= made, 60, 0.1)
    time.sleep(3)  # room for a duplicate to arrive
    took = time.monotonic() - started
    with rec.lock:
        counts = dict(rec.acked)
        senders = dict(rec.sender)
        bad = list(rec.bad)
    problems = bad + [f"{n - made} writes failed" for n in [len(results)] if n != made]
    if len(counts) != made:
        problems.append(f"{made} events made, {len(counts)} delivered")
    problems += [f"event {e} delivered {n} times" for e, n in counts.items() if n != 1]
    res.record(
        "webhooks exactly once, three workers",
        not problems,
        f"{made} feedback.created events written through the three instances at once: "
        f"{sum(1 for n in counts.values() if n == 1)} delivered exactly once in {took:.0f} s; "
        f"sent by " + ", ".join(f"{k} {v}" for k, v in sorted(senders.items())),
        problems,
    )

    # 2. The instance holding a delivery's lease is killed mid-attempt.
    problems = []
    rec.hold_enabled.set()
    out = []
    post_feedback(a, "HOLD this one", out)
    st, body = out[0]
    held = wait_until(lambda: rec.held, 15, 0.02)
    victim = None
    if st != 201 or not held:
        problems.append(f"the held event was not sent ({st}, held {rec.held})")
    else:
        held_eid, sender = held[0]
        victim = next((i for i in instances if i.name == sender), None)
    if victim is None:
        problems.append("could not tell which instance sent the held delivery")
        rec.hold_enabled.clear()
    else:
        t_kill = time.monotonic()
        victim.kill()
        survivors = [i for i in instances if i is not victim]
        if not wait_until(lambda: held_eid in rec.cut, 5, 0.02):
            problems.append("the receiver did not see the killed sender's connection close")
        rec.hold_enabled.clear()
        # More events while the victim is down, through the survivors.
        more = []
        for k in range(30):
            post_feedback(survivors[k % 2], f"after the kill {k}", more)
        again = wait_until(lambda: rec.acked.get(held_eid), LEASE_SECS + 40, 0.1)
        redelivered_after = time.monotonic() - t_kill
        expected = {b["id"] for s, b in more if s == 201}
        time.sleep(3)
        with rec.lock:
            counts = dict(rec.acked)
            senders_after = rec.sender.copy()
        if not again:
            problems.append(f"the held event was not delivered within {LEASE_SECS + 40} s of the kill")
        elif counts.get(held_eid) != 1:
            problems.append(f"the held event was delivered {counts.get(held_eid)} times")
        # Each feedback item's event: matched by count (the event body carries the feedback id).
        delivered_ids = set(counts)
        if len(delivered_ids) != len(counts):
            problems.append("duplicate event ids")
        dup = [e for e, n in counts.items() if n != 1]
        if dup:
            problems.append(f"{len(dup)} events delivered more than once")
        if len(counts) != made + 1 + len(expected):
            problems.append(f"{made + 1 + len(expected)} events in all, {len(counts)} delivered")
        victim.start()
        if not victim.ready():
            problems.append(f"instance {victim.name} did not start again")
    with rec.lock:
        problems += rec.bad[len(bad):]
    rec.stop()
    res.record(
        "webhooks exactly once, sender killed mid-attempt",
        not problems,
        (f"instance {victim.name} killed (SIGKILL) while the receiver held its attempt open; "
         f"the event was delivered once, by another instance, {redelivered_after:.0f} s later "
         f"(lease {LEASE_SECS} s), with the same delivery id; 30 more events through the other "
         f"two meanwhile, each delivered once"
         if victim and not problems else "see below"),
        problems,
    )


def check_writes_under_crash(res, token, instances):
    writers_per_instance, per_writer = 2, 150
    acked, errors, lock = [], [], threading.Lock()
    stop = {i.name: threading.Event() for i in instances}

    def writer(inst, keys):
        for key in keys:
            if stop[inst.name].is_set():
                return
            try:
                st, body = call(inst.base, token, "POST", "/api/v1/projects",
                                {"key": key, "name": f"Crash {key}"}, timeout=15)
            except OSError:
                return  # the instance is gone
            with lock:
                if st == 201:
                    acked.append(key)
                else:
                    errors.append((key, st, body))

    threads = []
    for idx, inst in enumerate(instances):
        for w in range(writers_per_instance):
            keys = [f"crash-{inst.name.lower()}{w}-{k:03d}" for k in range(per_writer)]
            threads.append(threading.Thread(target=writer, args=(inst, keys)))
    victim = RANDOM.choice(instances)
    for th in threads:
        th.start()
    time.sleep(RANDOM.uniform(1.0, 3.0))
    victim.kill()
    stop[victim.name].set()
    for th in threads:
        th.join()
    survivors = [i for i in instances if i is not victim]
    problems = [f"{k}: answered {st} {b}" for k, st, b in errors if st >= 500]
    conflicts = sum(1 for _, st, _ in errors if st == 409)
    victim.start()
    if not victim.ready():
        problems.append(f"instance {victim.name} did not start again")
    for inst in survivors + [victim]:
        listed = project_keys(inst.base, token)
        if listed is None:
            problems.append(f"listing on {inst.name} failed")
            listed = set()
        present = {k for k in listed if k.startswith("crash-")}
        missing = [k for k in acked if k not in present]
        if missing:
            problems.append(f"{len(missing)} acknowledged projects missing on {inst.name}: {missing[:5]}")
    half = []
    for key in sorted(present):
        st, members = call(survivors[0].base, token, "GET", f"/api/v1/projects/{key}/members")
        if st != 200 or not any(m.get("role") == "lead" for m in members.get("items", [])):
            half.append(key)
    if half:
        problems.append(f"{len(half)} projects without their lead (half-written): {half[:5]}")
    res.record(
        "writes while an instance is killed",
        not problems,
        f"{len(threads)} clients creating projects through all three instances; instance "
        f"{victim.name} killed (SIGKILL) mid-run: {len(acked)} acknowledged, {len(present)} "
        f"present on every instance afterwards, all whole; {conflicts} answered 409 (lost "
        f"races, not written)",
        problems,
    )


def check_backup(res, work, db, token, instances):
    """`touchpoint backup` over ws:// while the instances serve; restored into a second server."""
    problems = []
    a, b, c = instances
    key = "scale-backup"
    call(a.base, token, "POST", "/api/v1/projects", {"key": key, "name": "Scale backup"})
    before = []
    for k in range(50):
        st, body = call(a.base, token, "POST", f"/api/v1/projects/{key}/feedback",
                        {"channel": "team", "author_name": "Scale test", "body": f"before the backup {k}"})
        if st == 201:
            before.append(body["id"])
    projects_before = project_keys(b.base, token) or set()
    # Traffic during the backup: writes through A, reads on B and C.
    stop, served, failures = threading.Event(), collections.Counter(), []

    def traffic():
        k = 0
        while not stop.is_set():
            k += 1
            for inst, method, path, body in (
                (a, "POST", f"/api/v1/projects/{key}/feedback", {"channel": "team", "author_name": "Scale test", "body": f"during {k}"}),
                (b, "GET", "/api/v1/reports/portfolio?limit=500", None),
                (c, "GET", f"/api/v1/projects/{key}/feedback?limit=5", None),
            ):
                st, _ = call(inst.base, token, method, path, body)
                served[st] += 1
                if st >= 500:
                    failures.append(f"{method} {path} on {inst.name}: {st}")

    th = threading.Thread(target=traffic)
    th.start()
    file = os.path.join(work, "backup.surql")
    started = time.monotonic()
    out = cli(db.env(), "backup", file, check=False)
    took = time.monotonic() - started
    stop.set()
    th.join()
    if out.returncode != 0:
        problems.append(f"backup exited {out.returncode}: {out.stderr.strip()[-300:]}")
    problems += failures
    size = os.path.getsize(file) if os.path.exists(file) else 0
    if problems:
        res.record("backup over ws:// while serving", False,
                   f"`touchpoint backup` over ws:// while the instances served "
                   f"{sum(served.values())} requests", problems)
        return
    # Restore into a second server and look through an instance there.
    second = Surreal(work, "surreal-restore", "memory")
    try:
        out = cli(second.env(), "restore", file, check=False)
        if out.returncode != 0:
            problems.append(f"restore exited {out.returncode}: {out.stderr.strip()[-300:]}")
        inst = Instance(work, "R", second.env())
        try:
            if not inst.ready():
                problems.append(f"an instance on the restored database did not start: {tail(inst.log, 5)}")
            else:
                restored = project_keys(inst.base, token) or set()
                if not projects_before <= restored:
                    problems.append(f"projects missing after the restore: {sorted(projects_before - restored)[:5]}")
                ids, cursor = set(), None
                while True:
                    path = f"/api/v1/projects/{key}/feedback?limit=500" + (f"&cursor={cursor}" if cursor else "")
                    st, page = call(inst.base, token, "GET", path)
                    if st != 200:
                        problems.append(f"feedback on the restored database: {st}")
                        break
                    ids |= {f["id"] for f in page["items"]}
                    cursor = page.get("next_cursor")
                    if not cursor:
                        break
                lost = [f for f in before if f not in ids]
                if lost:
                    problems.append(f"{len(lost)} feedback items written before the backup are missing")
        finally:
            inst.stop()
    finally:
        second.stop()
    res.record(
        "backup over ws:// while serving",
        not problems,
        f"`touchpoint backup` over ws:// took {took:.1f} s ({size / 1e6:.1f} MB) while the "
        f"instances served {sum(served.values())} requests ({served.get(201, 0)} writes); "
        + ("restored into a second server, an instance there shows all "
           f"{len(projects_before)} projects and the {len(before)} feedback items written before it"
           if not problems else "see below"),
        problems,
    )


def main():
    for path, how in ((BIN, "make build-release"), (SURREAL, "make surreal")):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build it with `{how}` (make scale does)")
    work = tempfile.mkdtemp(prefix="touchpoint-scale.")
    res = Results()
    db, instances = None, []
    try:
        db = Surreal(work, "surreal", f"surrealkv://{work}/db")
        print(f"SurrealDB server on 127.0.0.1:{db.port} (SurrealKV); three Touchpoint instances",
              flush=True)
        # The three instances start at the same moment on the empty database.
        instances = [Instance(work, name, db.env()) for name in "ABC"]
        check_migrations(res, db, instances)
        token, keys = check_generated_workspace(res, db.env(), instances)
        check_consistency(res, token, instances, keys)
        check_live(res, db.env(), token, instances)
        check_webhooks(res, token, instances)
        check_writes_under_crash(res, token, instances)
        check_backup(res, work, db, token, instances)
    except Exception as e:  # a check that could not run counts as failed
        res.record("harness", False, f"stopped: {e}")
        import traceback

        traceback.print_exc()
    finally:
        for inst in instances:
            inst.stop()
        if db:
            db.stop()
        if os.environ.get("SCALE_KEEP") == "1" or res.failed:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{res.passed} passed, {res.failed} failed")
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
