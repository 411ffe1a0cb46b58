#!/usr/bin/env bash
# What the live dashboard costs the application: the sample's own CPU time (utime + stime from /proc) over a quiet
# minute with no page open, then a minute polled as an open page polls (the state every second, one route's history
# every two seconds), then a quiet minute again. Loopback only; stops by itself.
# Usage: build/measure-dashboard-cost.sh [seconds per phase, default 60]; ROUTES=200 measures an app of 200 routes
# (tests/Instrumentation.Benchmarks.Server) instead of the sample.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [[ -n ${ROUTES:-} ]]; then
  # An application of ROUTES instrumented routes with the dashboard mapped (tests/Instrumentation.Benchmarks.Server).
  dotnet build tests/Instrumentation.Benchmarks.Server -c Release -nologo -v quiet >/dev/null
  ROUTES=$ROUTES dotnet tests/Instrumentation.Benchmarks.Server/bin/Release/net10.0/Instrumentation.Benchmarks.Server.dll dashboard --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
else
  dotnet build samples/ShirtShop -c Release -nologo -v quiet >/dev/null
  dotnet samples/ShirtShop/bin/Release/net10.0/ShirtShop.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
fi
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/instrumentation/api/state"; do sleep 0.5; done
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

phase() {
  local mode=$1 polls=0 before start end
  before=$(cpu); start=$(date +%s.%N); end=$(( $(date +%s) + seconds ))
  while (( $(date +%s) < end )); do
    if [[ $mode == polled ]]; then
      curl -s -o /dev/null "http://127.0.0.1:$port/instrumentation/api/state"
      (( polls % 2 == 0 )) && curl -s -o /dev/null "http://127.0.0.1:$port/instrumentation/api/routes/0?minutes=15"
      polls=$((polls + 1))
    fi
    sleep 1
  done
  python3 -c "import sys; used, wall = ($(cpu) - $before) / $ticks, $(date +%s.%N) - $start; print(f'$mode: {used / wall * 100:.2f}% of one core over {wall:.0f} s ($polls polls)')"
}

# The first polls pay for JIT compilation: one warm-up minute, not reported, before the measured ones.
seconds_measured=$seconds; seconds=60; phase polled >/dev/null; seconds=$seconds_measured
phase idle
phase polled
phase idle
