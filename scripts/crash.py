#!/usr/bin/env python3
"""`make crash`: does every acknowledged write survive a crash, and nothing half-written?

Starts the release server on a temporary SurrealKV database and, for each round, has several
concurrent clients create projects through the REST API (a project and its lead's membership are
written in one transaction), kills the server with SIGKILL at a random moment, starts it again on
the same files and checks that

- every project whose creation was acknowledged (201) is there, with its name, and
- every project that is there (acknowledged or not) is whole: it has its lead as a member.

Prints one line per round and `N passed, N failed` at the end; exits non-zero on any failure.
Settings (environment): CRASH_ROUNDS (default 20), CRASH_WRITES (per round, default 1000),
CRASH_CLIENTS (default 4), CRASH_SEED (for the random kill moments), CRASH_KEEP=1 (keep the
temporary folder).
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "touchpoint")
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))
WRITES = int(os.environ.get("CRASH_WRITES", "1000"))
CLIENTS = int(os.environ.get("CRASH_CLIENTS", "4"))
RANDOM = random.Random(os.environ.get("CRASH_SEED"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, token, method, path, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Server:
    def __init__(self, db, log):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ,
            TOUCHPOINT_DB=db,
            TOUCHPOINT_ADDR=f"127.0.0.1:{self.port}",
            TOUCHPOINT_SITE_ROOT=os.path.join(ROOT, "target", "site"),
            RUST_LOG="warn",
        )
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not answer within 60 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def cli(db, *args, stdin=None):
    env = dict(os.environ, TOUCHPOINT_DB=db, RUST_LOG="warn")
    out = subprocess.run(
        [BIN, *args], env=env, input=stdin, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def writer(base, token, keys, acked, stop):
    for key in keys:
        if stop.is_set():
            return
        try:
            status, body = call(base, token, "POST", "/api/v1/projects", {"key": key, "name": f"Crash {key}"})
        except OSError:
            return  # the server is gone
        if status == 201:
            acked.append(key)
        elif status >= 500:
            acked.append(("error", key, status, body))


def check(base, token, prefix, acked):
    problems = []
    for key in acked:
        if isinstance(key, tuple):
            problems.append(f"server error while writing: {key}")
            continue
        status, body = call(base, token, "GET", f"/api/v1/projects/{key}")
        if status != 200:
            problems.append(f"acknowledged {key} is missing ({status})")
        elif body.get("project", {}).get("name") != f"Crash {key}":
            problems.append(f"acknowledged {key} has the wrong name")
    # Everything that is there, acknowledged or not, must be whole.
    cursor, present = None, []
    while True:
        path = "/api/v1/projects?limit=500" + (f"&cursor={cursor}" if cursor else "")
        status, body = call(base, token, "GET", path)
        if status != 200:
            problems.append(f"listing projects answered {status}")
            break
        present += [p["key"] for p in body["items"] if p["key"].startswith(prefix)]
        cursor = body.get("next_cursor")
        if not cursor:
            break
    for key in present:
        status, members = call(base, token, "GET", f"/api/v1/projects/{key}/members")
        items = members.get("items", []) if isinstance(members, dict) else []
        if status != 200 or not any(m.get("role") == "lead" for m in items):
            problems.append(f"{key} is there without its lead (half-written)")
    return problems, len(present)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is missing: build it with `cargo leptos build --release` (make crash does)")
    work = tempfile.mkdtemp(prefix="touchpoint-crash.")
    db = f"surrealkv://{work}/db"
    log = open(os.path.join(work, "server.log"), "ab")
    passed = failed = 0
    try:
        cli(db, "create-admin", "--email", "crash@example.org", "--name", "Crash test",
            stdin="crash-test-password-1\n")
        token = cli(db, "token", "create", "--email", "crash@example.org", "--name", "crash")
        for rnd in range(1, ROUNDS + 1):
            prefix = f"c{rnd:02d}-"
            keys = [f"{prefix}{i:04d}" for i in range(WRITES)]
            server = Server(db, log)
            acked, stop = [], threading.Event()
            threads = [
                threading.Thread(target=writer, args=(server.base, token, keys[c::CLIENTS], acked, stop))
                for c in range(CLIENTS)
            ]
            for t in threads:
                t.start()
            # Kill at a random moment, most rounds in the middle of the writes.
            time.sleep(RANDOM.uniform(0.05, 3.0))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            server = Server(db, log)
            try:
                problems, present = check(server.base, token, prefix, list(acked))
            finally:
                server.stop()
            ok = not problems
            passed += ok
            failed += not ok
            print(
                f"round {rnd:2d}: {len(acked):4d} acknowledged, {present:4d} present after the "
                f"restart: {'ok' if ok else 'FAILED'}",
                flush=True,
            )
            for p in problems[:10]:
                print(f"    {p}", flush=True)
    finally:
        log.close()
        if os.environ.get("CRASH_KEEP") == "1":
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
