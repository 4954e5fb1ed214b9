#!/usr/bin/env bash
# `make bench-10x`: what grows with the whole workspace, measured at 200 and at 2,000 projects in
# one run, with the ratio between the two.
#
# The 200-project workspace is the large demo (`touchpoint demo --scale large`); the 2,000-project
# one is its export with every project copied ten times (scripts/grow-workspace.py: 50,000
# sprints, 500,000 feedback items, 100,000 interviews; users and stakeholders shared), imported
# with `touchpoint import`. For each size it measures:
#   - the import of the file (time, peak memory);
#   - start until /readyz answers, and resident memory then;
#   - the first GET /api/v1/reports/portfolio after the start;
#   - the next one after a stakeholder is renamed (five, one at a time: median and slowest);
#   - the warm portfolio (API and /reports HTML) and project list (/projects) at 32 connections,
#     and the size of each page;
#   - the project page and report (the ratio between the sizes should stay near 1);
#   - resident memory afterwards;
#   - reads while someone writes: 100 connections on one project (its page, report, signals,
#     feedback inbox and the portfolio), once alone and once while a writer adds a feedback item
#     and a retro card every second; each as fast as the server answers (100 readers) and with
#     a second between a connection's answer and its next request (100 viewers).
# The server starts on both cores and is pinned to core 0 once ready; the load generator (wrk)
# runs on core 1.
#
# Settings (environment): BENCH_DURATION (seconds per wrk run, default 15), BENCH_MIXED_DURATION
# (default 60), BENCH_SKIP_BUILD=1, BENCH_KEEP=1, TOUCHPOINT_BIN (default
# target/release/touchpoint), BENCH_SIZES (default "200 2000").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/wrk.sh

duration=${BENCH_DURATION:-15}
mixed=${BENCH_MIXED_DURATION:-60}
bin=${TOUCHPOINT_BIN:-target/release/touchpoint}
sizes=${BENCH_SIZES:-"200 2000"}

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
need /usr/bin/time time

if [[ ${BENCH_SKIP_BUILD:-} != 1 && -z ${TOUCHPOINT_BIN:-} ]]; then
  LEPTOS_HASH_FILES=true cargo leptos build --release --precompress
fi
[[ -x $bin ]] || { echo "missing $bin"; exit 1; }

server_cpu=0
client_cpu=$(( $(nproc) > 1 ? 1 : 0 ))
work=$(mktemp -d -t touchpoint-growth.XXXXXX)
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
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.2f}')"; }
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

export RUST_LOG=${RUST_LOG:-warn}
export TOUCHPOINT_SITE_ROOT=target/site
export TOUCHPOINT_LOGIN_MAX_FAILURES=1000000

# wrk URL [wrk args] -> "req/s p50_ms p99_ms non2xx timeouts"
run_wrk() {
  local url=$1; shift
  local out
  out=$(taskset -c "$client_cpu" wrk -t1 --timeout 5s --latency "$@" "$url")
  wrk_summary "$out"
}

# One request: "seconds bytes".
timed() {
  curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "${auth[@]}" "$1"
}

echo "==> Workspaces"
TOUCHPOINT_DB="surrealkv://$work/demo" $bin demo --scale large >"$work/demo.log" 2>&1
TOUCHPOINT_DB="surrealkv://$work/demo" $bin export "$work/ws-200.json" >/dev/null 2>&1
python3 scripts/grow-workspace.py "$work/ws-200.json" "$work/ws-2000.json" 10
python3 - "$work/ws-2000.json" <<'PY'
import json, os, sys
ws = json.load(open(sys.argv[1]))
p = ws["projects"]
print(f"    2,000-project file: {len(p)} projects, {sum(len(x.get('sprints') or []) for x in p)} sprints, "
      f"{sum(len(x.get('feedback') or []) for x in p)} feedback items, "
      f"{sum(len(x.get('interviews') or []) for x in p)} interviews, {len(ws['stakeholders'])} stakeholders; "
      f"{os.path.getsize(sys.argv[1]) / 1e6:.0f} MB")
PY

declare -A R
for n in $sizes; do
  db="surrealkv://$work/db-$n"
  file="$work/ws-$n.json"
  echo "==> $n projects: import"
  /usr/bin/time -f "%e %M" -o "$work/import-$n.time" env TOUCHPOINT_DB="$db" $bin import "$file" >"$work/import-$n.log" 2>&1 ||
    { echo "import failed:"; tail -20 "$work/import-$n.log"; exit 1; }
  read -r import_s import_kb <"$work/import-$n.time"
  R[$n,import]="${import_s} s, $((import_kb / 1024)) MB peak"
  echo "    ${R[$n,import]}"
  echo 'bench password 123' | TOUCHPOINT_DB="$db" $bin create-admin --email bench@example.org --name Bench >/dev/null 2>&1
  token=$(TOUCHPOINT_DB="$db" $bin token create --email bench@example.org --name bench 2>/dev/null)
  auth=(-H "Authorization: Bearer $token")

  port=$(free_port)
  base="http://127.0.0.1:$port"
  started=$(now)
  # The start on the whole machine: SurrealKV may compact its tables in a thread of its own
  # right after opening them (after the one-off commands above wrote a little), and on one core
  # that compaction holds up the start by seconds. Pinned to its core once ready.
  TOUCHPOINT_DB="$db" TOUCHPOINT_ADDR="127.0.0.1:$port" $bin serve >"$work/server-$n.log" 2>&1 &
  server=$!
  pids+=("$server")
  until curl -fs -o /dev/null "$base/readyz"; do
    kill -0 "$server" 2>/dev/null || { echo "the server exited:"; tail -20 "$work/server-$n.log"; exit 1; }
    sleep 0.02
  done
  R[$n,start]="$(since "$started") s, $(rss_mb "$server") MB"
  taskset -a -p -c "$server_cpu" "$server" >/dev/null
  read -r s bytes < <(timed "$base/api/v1/reports/portfolio")
  R[$n,first]="$s s"
  # Then let the background work of the start finish (SurrealKV compacting its tables after the
  # one-off commands' writes) before the rows below, which measure the steady state: wait until
  # the server uses less than 5 % of a core over a second (at most 5 minutes).
  busy_from=$(now)
  for _ in $(seq 300); do
    t0=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
    sleep 1
    t1=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
    (( t1 - t0 < $(getconf CLK_TCK) / 20 )) && break
  done
  R[$n,settle]="$(since "$busy_from") s; $(rss_mb "$server") MB then"
  # Rename five stakeholders, one at a time, each followed by the portfolio: the median and
  # the slowest of the five (a person is in 1 to 7 projects of the demo, 10 to 70 of its copies).
  ids=$(curl -fs "${auth[@]}" "$base/api/v1/stakeholders?limit=5" | python3 -c 'import json,sys; print(" ".join(s["id"] for s in json.load(sys.stdin)["items"]))')
  times=()
  for who in $ids; do
    curl -fs -o /dev/null "${auth[@]}" -X PATCH -H 'content-type: application/json' \
      -d "{\"name\":\"Renamed For The Benchmark ${#times[@]}\"}" "$base/api/v1/stakeholders/$who"
    read -r s _ < <(timed "$base/api/v1/reports/portfolio")
    times+=("$s")
  done
  R[$n,rename]=$(python3 -c 'import statistics,sys; t=[float(x) for x in sys.argv[1:]]; print(f"median {statistics.median(t):.3f} s, slowest {max(t):.3f} s of {len(t)}")' "${times[@]}")
  read -r _ api_bytes < <(timed "$base/api/v1/reports/portfolio")
  read -r _ html_bytes < <(timed "$base/reports")
  read -r rps p50 p99 errors timeouts < <(run_wrk "$base/api/v1/reports/portfolio" -c32 -d"${duration}s" "${auth[@]}")
  R[$n,warm]="$rps req/s, p99 $p99 ms ($((errors + timeouts)) errors); $((api_bytes / 1024)) KB JSON"
  read -r rps p50 p99 errors timeouts < <(run_wrk "$base/reports" -c32 -d"${duration}s" "${auth[@]}")
  R[$n,reports]="$rps req/s, p99 $p99 ms; $((html_bytes / 1024)) KB HTML"
  read -r _ list_bytes < <(timed "$base/projects")
  read -r rps p50 p99 errors timeouts < <(run_wrk "$base/projects" -c32 -d"${duration}s" "${auth[@]}")
  R[$n,list]="$rps req/s, p99 $p99 ms; $((list_bytes / 1024)) KB HTML"
  key=$(curl -fs "${auth[@]}" "$base/api/v1/projects?limit=100" | python3 -c 'import json,sys; print(sorted(p["key"] for p in json.load(sys.stdin)["items"])[10])')
  for path in "/projects/$key" "/projects/$key/report"; do
    curl -s -o /dev/null "${auth[@]}" "$base$path"
    read -r rps p50 p99 errors timeouts < <(run_wrk "$base$path" -c32 -d"${duration}s" "${auth[@]}")
    R[$n,$path]="$rps"
    R[$n,page$path]="$rps req/s, p99 $p99 ms"
  done
  R[$n,key]=$key
  R[$n,rss]="$(rss_mb "$server") MB"

  # Reads while someone writes.
  cat >"$work/mixed.lua" <<LUA
local paths = { "/projects/$key", "/projects/$key/report", "/api/v1/projects/$key/signals",
  "/projects/$key/feedback", "/api/v1/reports/portfolio" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { ["Authorization"] = "Bearer $token" })
end
LUA
  curl -fs -o /dev/null "${auth[@]}" -X POST -H 'content-type: application/json' -d '{}' "$base/api/v1/projects/$key/sprints" || true
  sprint=$(curl -fs "${auth[@]}" "$base/api/v1/projects/$key/sprints?limit=500" | python3 -c 'import json,sys; print(max(s["sprint"]["number"] for s in json.load(sys.stdin)["items"]))')
  curl -fs -o /dev/null "${auth[@]}" -X PUT -H 'content-type: application/json' -d '{"held_on":"2026-01-12"}' "$base/api/v1/projects/$key/sprints/$sprint/retro" || true
  column=$(curl -fs "${auth[@]}" "$base/api/v1/projects/$key/sprints/$sprint/retro" | python3 -c 'import json,sys; print(json.load(sys.stdin)["columns"][0]["column"])')
  # The same pages for 100 viewers who each ask about once a second (after each answer, wrk
  # waits 0.5 to 1.5 s before the connection's next request, so that the viewers do not ask in
  # lockstep): a live retro watched by a room.
  sed 's/^request = function()/function delay() return math.random(500, 1500) end\nrequest = function()/' \
    "$work/mixed.lua" >"$work/viewers.lua"
  : >"$work/writes-$n"
  read -r alone_rps _ alone_p99 alone_err alone_to < <(run_wrk "$base" -c100 -d"${mixed}s" -s "$work/mixed.lua")
  read -r valone_rps _ valone_p99 valone_err valone_to < <(run_wrk "$base" -c100 -d"${mixed}s" -s "$work/viewers.lua")
  (
    i=0
    while true; do
      i=$((i + 1))
      curl -s -o /dev/null -w '%{http_code}\n' "${auth[@]}" -H 'content-type: application/json' \
        -d "{\"body\":\"Benchmark feedback $i\",\"channel\":\"team\",\"author_name\":\"Pat\",\"given_on\":\"2026-01-09\"}" \
        "$base/api/v1/projects/$key/feedback" >>"$work/writes-$n"
      curl -s -o /dev/null -w '%{http_code}\n' "${auth[@]}" -H 'content-type: application/json' \
        -d "{\"column\":\"$column\",\"text\":\"Benchmark card $i\"}" \
        "$base/api/v1/projects/$key/sprints/$sprint/retro/items" >>"$work/writes-$n"
      sleep 1
    done
  ) &
  writer=$!
  read -r busy_rps _ busy_p99 busy_err busy_to < <(run_wrk "$base" -c100 -d"${mixed}s" -s "$work/mixed.lua")
  read -r vbusy_rps _ vbusy_p99 vbusy_err vbusy_to < <(run_wrk "$base" -c100 -d"${mixed}s" -s "$work/viewers.lua")
  kill "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  writes_ok=$(grep -c '^20' "$work/writes-$n" || true)
  writes_all=$(wc -l <"$work/writes-$n")
  R[$n,mixed]="$writes_ok of $writes_all writes succeeded; alone $alone_rps req/s, p99 $alone_p99 ms, $((alone_err + alone_to)) errors/timeouts; with the writer $busy_rps req/s ($(python3 -c "print(f'{$busy_rps / max($alone_rps, 1) * 100:.0f}')")%), p99 $busy_p99 ms, $((busy_err + busy_to)) errors/timeouts"
  R[$n,viewers]="alone $valone_rps req/s, p99 $valone_p99 ms, $((valone_err + valone_to)) errors/timeouts; with the writer $vbusy_rps req/s, p99 $vbusy_p99 ms, $((vbusy_err + vbusy_to)) errors/timeouts"
  kill "$server"; wait "$server" 2>/dev/null || true
done

echo
echo "==> Results ($(nproc) cores; server on core $server_cpu, wrk on core $client_cpu)"
row() { printf '%-44s' "$1"; shift; for n in $sizes; do printf ' | %s' "${R[$n,$1]}"; done; echo; }
printf '%-44s' "what"; for n in $sizes; do printf ' | %s projects' "$n"; done; echo
row "touchpoint import of the file" import
row "start until /readyz (2 cores); resident memory" start
row "first portfolio (API) after the start" first
row "background work after the start (compaction)" settle
row "portfolio after renaming a stakeholder" rename
row "warm portfolio API, 32 connections" warm
row "warm /reports, 32 connections" reports
row "warm /projects (the list), 32 connections" list
for n in $sizes; do :; done
printf '%-44s' "GET /projects/{key}, 32 connections"; for n in $sizes; do printf ' | %s' "${R[$n,page/projects/${R[$n,key]}]}"; done; echo
printf '%-44s' "GET /projects/{key}/report, 32 connections"; for n in $sizes; do printf ' | %s' "${R[$n,page/projects/${R[$n,key]}/report]}"; done; echo
row "resident memory after the benchmark" rss
row "100 readers of one project" mixed
row "100 viewers of it, 1 request/s each" viewers
set -- $sizes
if (($# == 2)); then
  a=$1; b=$2
  python3 - "${R[$a,/projects/${R[$a,key]}]}" "${R[$b,/projects/${R[$b,key]}]}" \
    "${R[$a,/projects/${R[$a,key]}/report]}" "${R[$b,/projects/${R[$b,key]}/report]}" "$a" "$b" <<'PY'
import sys
pa, pb, ra, rb, a, b = sys.argv[1:]
print(f"ratio {a}/{b} projects, req/s of the project page: {float(pa)/max(float(pb),1):.2f}; of the report: {float(ra)/max(float(rb),1):.2f} (1.0 = no slower)")
PY
fi
