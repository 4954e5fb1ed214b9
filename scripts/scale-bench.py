#!/usr/bin/env python3
"""`make scale-bench`: throughput with one, two and three Touchpoint instances on one SurrealDB
server, beside one instance on the embedded database, for the same pages.

Loads the large demo workspace (200 projects, 5,000 sprints, 50,000 feedback items, 10,000
interviews) twice: into an embedded SurrealKV directory and into a SurrealDB server
(tools/surreal, on SurrealKV). Then, for each setup, starts the instances, waits until each has
warmed its read cache, and drives a project page, its report and the portfolio (HTML) with wrk:
6 threads and 36 connections, wrk thread i connected to instance i mod n, so each of n instances
gets an even share of the connections with no balancer process in the way (see SPREAD). Nothing
is pinned: the SurrealDB server, the instances and wrk share the machine's cores, as they would
on one small host.

Prints req/s, p50 and p99 per setup and page. Settings (environment): BENCH_DURATION (seconds per
wrk run, default 15), TOUCHPOINT_BIN, SURREAL_BIN, BENCH_KEEP=1.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402  (the servers and instances of make scale)

DURATION = int(os.environ.get("BENCH_DURATION", "15"))
THREADS, CONNECTIONS = 6, 36  # 6 threads: an even share for 1, 2 or 3 instances

# wrk: thread i connects to instance i mod n (the ports in SCALE_PORTS).
SPREAD = """
local ports, addrs, n = os.getenv("SCALE_PORTS"), {}, 0
for port in string.gmatch(ports, "%d+") do
  for _, a in ipairs(wrk.lookup("127.0.0.1", port)) do table.insert(addrs, a) end
end
function setup(thread)
  thread.addr = addrs[(n % #addrs) + 1]
  n = n + 1
end
"""


def wrk(url, token, ports, lua):
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s",
         "--latency", "-s", lua, "-H", f"Authorization: Bearer {token}", url],
        env=dict(os.environ, SCALE_PORTS=" ".join(map(str, ports))),
        capture_output=True, text=True, check=True,
    ).stdout

    def ms(label):
        m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (int(timeouts.group(1)) if timeouts else 0)
    return float(rps.group(1)) if rps else 0.0, ms("50"), ms("99"), errors


def warm(instances, timeout=300):
    """Waits until every instance says its read cache is warmed."""
    deadline = time.monotonic() + timeout
    for inst in instances:
        if not inst.ready():
            raise RuntimeError(f"instance {inst.name} did not start:\n{scale.tail(inst.log)}")
        while True:
            with open(inst.log, errors="replace") as f:
                if "read cache warmed" in f.read():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"instance {inst.name} did not say its cache was warmed:\n"
                                   f"{scale.tail(inst.log)}")
            time.sleep(0.2)


def main():
    work = tempfile.mkdtemp(prefix="touchpoint-scale-bench.")
    os.environ["RUST_LOG"] = "warn"
    db = None
    rows = []
    try:
        embedded = {"TOUCHPOINT_DB": f"surrealkv://{work}/embedded"}
        db = scale.Surreal(work, "surreal", f"surrealkv://{work}/server")
        loads = {}
        for name, env in (("embedded", embedded), ("server", db.env())):
            t = time.monotonic()
            scale.cli(env, "demo", "--scale", "large")
            loads[name] = time.monotonic() - t
        token = scale.cli(embedded, "token", "create", "--email", "demo-admin@example.org",
                          "--name", "bench").stdout.strip()
        server_token = scale.cli(db.env(), "token", "create", "--email",
                                 "demo-admin@example.org", "--name", "bench").stdout.strip()
        print(f"demo --scale large loaded in {loads['embedded']:.0f} s (embedded) and "
              f"{loads['server']:.0f} s (over ws://)", flush=True)
        lua = os.path.join(work, "spread.lua")
        with open(lua, "w") as f:
            f.write(SPREAD)

        setups = [("embedded SurrealKV, 1 instance", embedded, 1, token)] + [
            (f"SurrealDB server, {n} instance{'s' if n > 1 else ''}", db.env(), n, server_token)
            for n in (1, 2, 3)
        ]
        key = None
        for label, env, n, tok in setups:
            tag = "embedded" if env is embedded else f"server{n}"
            instances = [scale.Instance(work, f"{tag}-{x}", env) for x in "ABC"[:n]]
            try:
                warm(instances)
                base = instances[0].base
                if key is None:
                    _, page = scale.call(base, tok, "GET", "/api/v1/projects?limit=500")
                    keys = sorted(p["key"] for p in page["items"])
                    key = keys[len(keys) // 2]
                for page_name, path in (("project page", f"/projects/{key}"),
                                        ("report", f"/projects/{key}/report"),
                                        ("portfolio", "/")):
                    for inst in instances:  # every instance answers it once first
                        status, _ = scale.call(inst.base, tok, "GET", path, raw=True)
                        if status != 200:
                            raise RuntimeError(f"{path} answered {status} on {inst.name}")
                    rps, p50, p99, errors = wrk(base + path, tok, [i.port for i in instances], lua)
                    rows.append((label, page_name, rps, p50, p99, errors))
                    print(f"{label:34s} {page_name:13s} {rps:8.0f} req/s  p50 {p50:7.1f} ms  "
                          f"p99 {p99:7.1f} ms  errors {errors}", flush=True)
            finally:
                for inst in instances:
                    inst.stop()
    finally:
        if db:
            db.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"| setup (wrk: {THREADS} threads, {CONNECTIONS} connections, {DURATION} s) | page | req/s | p50 | p99 |")
    print("|---|---|---:|---:|---:|")
    for label, page_name, rps, p50, p99, errors in rows:
        err = f" ({errors} errors)" if errors else ""
        print(f"| {label} | {page_name} | {rps:,.0f}{err} | {p50:.1f} ms | {p99:.1f} ms |")


if __name__ == "__main__":
    main()
