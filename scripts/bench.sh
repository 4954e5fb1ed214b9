#!/usr/bin/env bash
# `make bench`: the performance benchmark of DESIGN.md's quality bars, in one run.
#
# Builds the release binary, loads the large demo workspace (200 projects, 5,000 sprints,
# 50,000 feedback items, 10,000 interviews) into a temporary SurrealKV database, starts a bare
# axum handler that returns 20 KB of HTML (the ceiling) and Touchpoint itself, each pinned to
# core 0, and drives them with wrk pinned to core 1 (32 connections). Prints req/s, p50, p99 and
# the ratio to the ceiling of each target, the time of single requests, and the memory of the
# server afterwards.
#
# Settings (environment): BENCH_DURATION (seconds per wrk run, default 15), BENCH_CONNECTIONS
# (default 32), BENCH_SKIP_BUILD=1 (use the binary as built), BENCH_KEEP=1 (keep the temporary
# folder).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/wrk.sh

duration=${BENCH_DURATION:-15}
connections=${BENCH_CONNECTIONS:-32}
bin=target/release/touchpoint

need() {
  command -v "$1" >/dev/null && return
  echo "Installing $2 (Debian package) for the benchmark"
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need curl curl
need taskset util-linux

if [[ ${BENCH_SKIP_BUILD:-} != 1 ]]; then
  LEPTOS_HASH_FILES=true cargo leptos build --release --precompress
fi

cores=$(nproc)
if ((cores >= 2)); then
  server_cpu=0
  client_cpu=1
else
  echo "warning: one core only; server and load generator share it" >&2
  server_cpu=0
  client_cpu=0
fi

work=$(mktemp -d -t touchpoint-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until a server has loaded every project into its read cache (it serves before that).
wait_warm() {
  for _ in $(seq 1 600); do
    grep -q "read cache warmed" "$1" && return 0
    sleep 0.1
  done
  echo "warning: $1 never said the read cache was warmed" >&2
}

wait_for() {
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "$1 did not answer" >&2
  return 1
}

# Info from start-up: the bench waits for "read cache warmed" before it measures a server.
export RUST_LOG=${RUST_LOG:-warn,server::startup=info}
export TOUCHPOINT_SITE_ROOT=target/site
export TOUCHPOINT_LOGIN_MAX_FAILURES=1000000

# ---- data -------------------------------------------------------------------------------------
large="surrealkv://$work/large"
small="surrealkv://$work/small"
echo "==> Loading the large demo workspace (touchpoint demo --scale large)"
start=$(date +%s.%N)
TOUCHPOINT_DB=$large $bin demo --scale large >"$work/demo.log" 2>&1
demo_s=$(echo "$(date +%s.%N) - $start" | bc)
token=$(TOUCHPOINT_DB=$large $bin token create --email demo-admin@example.org --name bench 2>/dev/null)
echo "==> Loading the same generator's first 20 projects into a second database"
TOUCHPOINT_DB=$small $bin demo --scale large --projects 20 >"$work/small.log" 2>&1
small_token=$(TOUCHPOINT_DB=$small $bin token create --email demo-admin@example.org --name bench 2>/dev/null)

# ---- servers ----------------------------------------------------------------------------------
ceiling_port=$(free_port)
taskset -c "$server_cpu" $bin bench-ceiling --addr "127.0.0.1:$ceiling_port" >"$work/ceiling.log" 2>&1 &
pids+=($!)
port=$(free_port)
TOUCHPOINT_DB=$large TOUCHPOINT_ADDR="127.0.0.1:$port" taskset -c "$server_cpu" $bin serve >"$work/server.log" 2>&1 &
server_pid=$!
pids+=($server_pid)
wait_for "http://127.0.0.1:$ceiling_port/"
wait_for "http://127.0.0.1:$port/healthz"
wait_warm "$work/server.log"
base="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer $token")

# The middle project by key, and a project that both databases hold (same contents).
mapfile -t keys < <(curl -fs "${auth[@]}" "$base/api/v1/projects?limit=500" |
  python3 -c 'import json, sys; print("\n".join(sorted(p["key"] for p in json.load(sys.stdin)["items"])))')
key=${keys[$((${#keys[@]} / 2))]}
shared_key=${keys[10]}
echo "    ${#keys[@]} projects; middle project: $key; demo load: ${demo_s}s"

# ---- measurements -----------------------------------------------------------------------------
results=()

# wrk URL [header] -> "req/s p50_ms p99_ms"
run_wrk() {
  local url=$1; shift
  local out
  out=$(taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${duration}s" --timeout 10s --latency "$@" "$url")
  wrk_summary "$out"
}

# One request at a time, N times: the median in ms.
single() {
  local n=$1 url=$2; shift 2
  local times=()
  for _ in $(seq 1 "$n"); do
    local code t
    read -r code t < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@" "$url")
    if [[ $code != 200 ]]; then
      echo "error: $url answered $code" >&2
      exit 1
    fi
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }'
}

check_ok() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$1")
  if [[ $code != 200 ]]; then
    echo "error: $1 answered $code" >&2
    exit 1
  fi
}

targets=(
  "ceiling (bare axum, 20 KB HTML)|http://127.0.0.1:$ceiling_port/"
  "GET /api/v1/projects/{key}/signals|$base/api/v1/projects/$key/signals"
  "GET /projects/{key}|$base/projects/$key"
  "GET /projects/{key}/report|$base/projects/$key/report"
  "GET /api/v1/reports/portfolio|$base/api/v1/reports/portfolio"
  "GET / (portfolio HTML)|$base/"
  "GET /reports|$base/reports"
  "GET /reports/portfolio.csv|$base/reports/portfolio.csv"
)
echo "==> Load: wrk, $connections connections, ${duration}s each (server on core $server_cpu, wrk on core $client_cpu)"
ceiling_rps=0
printf '%-40s %10s %9s %9s %10s %8s\n' target req/s p50_ms p99_ms ratio errors
for t in "${targets[@]}"; do
  name=${t%%|*}; url=${t#*|}
  check_ok "$url"
  # Warm up (first requests fill caches and connections).
  curl -s -o /dev/null "${auth[@]}" "$url"
  read -r rps p50 p99 errors timeouts < <(run_wrk "$url" -H "Authorization: Bearer $token")
  if [[ $name == ceiling* ]]; then ceiling_rps=$rps; fi
  ratio=$(python3 -c "print(f'1/{$ceiling_rps/$rps:.0f}' if $rps > 0 else '-')")
  printf '%-40s %10s %9s %9s %10s %8s\n' "$name" "$rps" "$p50" "$p99" "$ratio" "$((errors + timeouts))"
done

echo "==> One request at a time (median of 21)"
singles=(
  "GET /api/v1/reports/portfolio|$base/api/v1/reports/portfolio"
  "GET / (portfolio HTML)|$base/"
  "GET /reports|$base/reports"
  "GET /reports/portfolio.csv|$base/reports/portfolio.csv"
  "GET /projects (first page)|$base/projects"
  "GET /stakeholders (first page)|$base/stakeholders"
  "GET /projects/{key}/feedback (first page)|$base/projects/$key/feedback"
  "GET /interviews (first page)|$base/interviews"
  "GET /admin/audit (first page)|$base/admin/audit"
  "GET /api/v1/projects (first page)|$base/api/v1/projects"
  "GET /api/v1/stakeholders (first page)|$base/api/v1/stakeholders"
  "GET /api/v1/projects/{key}/feedback (first page)|$base/api/v1/projects/$key/feedback"
  "GET /api/v1/audit (first page)|$base/api/v1/audit"
)
for t in "${singles[@]}"; do
  name=${t%%|*}; url=${t#*|}
  printf '%-48s %8s ms\n' "$name" "$(single 21 "$url" "${auth[@]}")"
done

echo "==> Paged lists: every entry reachable, page by page (keyset cursors)"
walk() {
  python3 - "$1" "$token" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
total, pages, cursor = 0, 0, None
while True:
    sep = "&" if "?" in url else "?"
    page_url = url + (f"{sep}limit=100&cursor={cursor}" if cursor else f"{sep}limit=100")
    req = urllib.request.Request(page_url, headers={"Authorization": f"Bearer {token}"})
    body = json.load(urllib.request.urlopen(req))
    total += len(body["items"]); pages += 1
    cursor = body.get("next_cursor")
    if not cursor:
        break
print(f"{total} entries in {pages} pages")
PY
}
printf '    %-44s %s\n' "/api/v1/stakeholders" "$(walk "$base/api/v1/stakeholders")"
printf '    %-44s %s\n' "/api/v1/projects/{key}/feedback" "$(walk "$base/api/v1/projects/$key/feedback")"

rss_mb=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

echo "==> Cost flat in the size of the workspace: /projects/$shared_key/report, 20 vs 200 projects"
# Each database gets a freshly started server, so that both are measured in the same state.
fresh_server() { # DB LOG -> "pid port"
  local port
  port=$(free_port)
  TOUCHPOINT_DB=$1 TOUCHPOINT_ADDR="127.0.0.1:$port" taskset -c "$server_cpu" $bin serve >"$2" 2>&1 &
  echo "$! $port"
}
read -r big_pid big_port < <(fresh_server "$large" "$work/server-large-2.log")
pids+=($big_pid)
wait_for "http://127.0.0.1:$big_port/healthz"
wait_warm "$work/server-large-2.log"
big_url="http://127.0.0.1:$big_port/projects/$shared_key/report"
curl -s -o /dev/null "${auth[@]}" "$big_url"
big_ms=$(single 41 "$big_url" "${auth[@]}")
read -r big_rps _ < <(run_wrk "$big_url" -H "Authorization: Bearer $token")
kill "$big_pid"
while kill -0 "$big_pid" 2>/dev/null; do sleep 0.1; done
read -r small_pid small_port < <(fresh_server "$small" "$work/server-small.log")
pids+=($small_pid)
wait_for "http://127.0.0.1:$small_port/healthz"
wait_warm "$work/server-small.log"
small_url="http://127.0.0.1:$small_port/projects/$shared_key/report"
curl -s -o /dev/null -H "Authorization: Bearer $small_token" "$small_url"
small_ms=$(single 41 "$small_url" -H "Authorization: Bearer $small_token")
read -r small_rps _ < <(run_wrk "$small_url" -H "Authorization: Bearer $small_token")
python3 -c "print(f'    one request (median of 41): 200 projects {$big_ms} ms, 20 projects {$small_ms} ms, difference {abs($big_ms - $small_ms) / $small_ms * 100:.0f}%')"
python3 -c "print(f'    under load (wrk): 200 projects {$big_rps} req/s, 20 projects {$small_rps} req/s, difference {abs($big_rps - $small_rps) / $small_rps * 100:.0f}%')"

echo "==> Other figures"
echo "    touchpoint demo --scale large: ${demo_s}s"
echo "    server memory (RSS) after the benchmark: ${rss_mb} MB"
