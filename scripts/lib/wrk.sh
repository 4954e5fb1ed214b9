# wrk's report (its --latency output) as one line: "req/s p50_ms p99_ms non2xx timeouts".
# Sourced by the benchmarks: wrk_summary "$(wrk --latency ...)".
wrk_summary() {
  python3 - "$1" <<'PY'
import re, sys
text = sys.argv[1]
def ms(label):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
timeouts = re.search(r"timeout (\d+)", text)
print(f"{float(rps.group(1)) if rps else 0:.0f} {ms('50'):.2f} {ms('99'):.2f} "
      f"{int(errors.group(1)) if errors else 0} {int(timeouts.group(1)) if timeouts else 0}")
PY
}
