#!/usr/bin/env bash
# End-to-end cost of each instrumentation on Kestrel: the same small app (tests/Instrumentation.Benchmarks.Server) run
# once per mode on loopback, the server pinned to one core and wrk to the other (taskset), modes interleaved in a new
# order each round; reports per mode the median over the rounds of requests per second and of the server's CPU time per
# request (user + system ticks from /proc/<pid>/stat, which throughput alone is too noisy to show on two cores).
#
# Usage: build/measure-end-to-end.sh                  (5 rounds of 10 s per mode)
#        ROUNDS=7 SECONDS_PER_RUN=15 build/measure-end-to-end.sh
#        MODES="none metrics defaults" build/measure-end-to-end.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
duration=${SECONDS_PER_RUN:-10}
warmup=${WARMUP_SECONDS:-12}
modes=${MODES:-"none metrics defaults exported prometheus-net otel-metrics otel-tracing otel-tracing-otlp"}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ASPNETCORE_ENVIRONMENT=Production
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
command -v taskset >/dev/null || { echo "taskset is missing (apt-get install util-linux)"; exit 1; }

out=$(mktemp -d /tmp/instr-e2e-XXXXXX)
echo "== publish the app into $out/app"
dotnet publish "$root/tests/Instrumentation.Benchmarks.Server/Instrumentation.Benchmarks.Server.csproj" -c Release -nologo -v quiet -o "$out/app" >/dev/null

ticks=$(getconf CLK_TCK)
results="$out/results.tsv"
: > "$results"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The "exported" mode sends spans and metrics over TCP to a port that reads and discards. That reader runs in its own
# process on wrk's core, so the server's CPU time holds what exporting costs the application (formatting, queueing,
# the send calls) and not the receiving end, which an in-process reader would add to it.
discard_port=$(free_port)
taskset -c 1 python3 -c '
import socket, sys, threading
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1]))); server.listen(64)
def drain(connection):
    with connection:
        while connection.recv(1 << 16):
            pass
while True:
    connection, _ = server.accept()
    threading.Thread(target=drain, args=(connection,), daemon=True).start()
' "$discard_port" &
discard_pid=$!
export WAVEFRONT_DISCARD_PORT=$discard_port

# The "otel-tracing-otlp" mode exports OTLP over HTTP to a receiver that answers every POST 200 and discards it, also in
# its own process on wrk's core.
otlp_port=$(free_port)
taskset -c 1 python3 -c '
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Discard(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Discard).serve_forever()
' "$otlp_port" &
otlp_pid=$!
trap 'kill $discard_pid $otlp_pid 2>/dev/null || true' EXIT
export OTLP_DISCARD_PORT=$otlp_port

for round in $(seq 1 "$rounds"); do
  order=$(printf '%s\n' $modes | shuf)
  for mode in $order; do
    port=$(free_port)
    taskset -c 0 "$out/app/Instrumentation.Benchmarks.Server" "$mode" --urls "http://127.0.0.1:$port" >"$out/$mode.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/style/1/make" >/dev/null 2>&1 && break; sleep 0.1; done
    # Warm-up: JIT, tiered compilation, pools.
    taskset -c 1 wrk -t1 -c16 -d"${warmup}s" "http://127.0.0.1:$port/style/42/make" >/dev/null
    before=$(cpu_ticks "$pid")
    report=$(taskset -c 1 wrk -t1 -c16 -d"${duration}s" "http://127.0.0.1:$port/style/42/make")
    after=$(cpu_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    requests=$(echo "$report" | awk '/requests in/ {print $1}')
    rps=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
    us=$(python3 -c "print(round(($after - $before) / $ticks / $requests * 1e6, 2))")
    printf '%s\t%s\t%s\t%s\n' "$round" "$mode" "$rps" "$us" | tee -a "$results"
  done
done

echo
echo "== medians over $rounds rounds of ${duration}s (server on core 0, wrk -t1 -c16 on core 1)"
python3 - "$results" $modes <<'PY'
import sys, statistics
path, modes = sys.argv[1], sys.argv[2:]
rows = [line.split("\t") for line in open(path).read().splitlines()]
cpu = {(r[0], r[1]): float(r[3]) for r in rows}
rounds = sorted({r[0] for r in rows})
# Rounds drift together (the machine's speed moves by several µs between rounds), so besides the medians each mode's
# cost is also given as the median of its difference to "none" within the same round, and the spread of those.
print("| mode | requests/s | server CPU µs/request | over none (medians) | over none, paired by round: median (min..max) |")
print("|---|---:|---:|---:|---:|")
base = statistics.median(cpu[(r, "none")] for r in rounds) if "none" in modes else None
for mode in modes:
    rps = statistics.median(float(r[2]) for r in rows if r[1] == mode)
    us = statistics.median(cpu[(r, mode)] for r in rounds)
    over = paired = ""
    if base is not None and mode != "none":
        over = f"+{us - base:.2f} µs ({(us - base) / base * 100:+.1f}%)"
        d = [cpu[(r, mode)] - cpu[(r, "none")] for r in rounds]
        paired = f"{statistics.median(d):+.2f} µs ({min(d):+.2f}..{max(d):+.2f})"
    print(f"| {mode} | {rps:,.0f} | {us:.2f} | {over} | {paired} |")
PY
echo "raw rows: $results"
