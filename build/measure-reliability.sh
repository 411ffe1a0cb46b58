#!/usr/bin/env bash
# Measures the fault scenarios of docs/reliability.md: runs each fault test class several times and keeps the
# figures each run prints (requests' slowest time, most points buffered, produced/delivered/dropped/buffered, resets,
# delta sums), then the TCP reset scenario with a slow receiver, which loses deltas by design: its failure is the figure.
# The Faults namespace includes the sustained scenarios (4 s each here) and the 20,000-request soak; their long
# versions are build/measure-long-faults.sh and build/soak.sh.
# Usage: build/measure-reliability.sh [runs]   (default 3; results under artifacts/reliability/)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=artifacts/reliability
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build tests/Instrumentation.Wavefront.Tests -c Release -nologo -v minimal || exit 1
dotnet build tests/Instrumentation.Graphite.Tests -c Release -nologo -v minimal || exit 1

measure() { # name project filter [env...]
  local name=$1 project=$2 filter=$3; shift 3
  for run in $(seq 1 "$runs"); do
    env "$@" dotnet test "tests/$project" -c Release --no-build -nologo --filter "$filter" \
      --logger "console;verbosity=detailed" > "$out/$name.$run.log" 2>&1
    echo "== $name, run $run: exit $?"
    grep -E "slowest request|resets [0-9]|delta lines|http requests|Expected|Actual" "$out/$name.$run.log" | sed 's/^\[xUnit[^]]*\] *//' | sort -u
  done
}

measure wavefront-faults Instrumentation.Wavefront.Tests "FullyQualifiedName~Wavefront.Tests.Faults"
measure graphite-faults Instrumentation.Graphite.Tests "FullyQualifiedName~Graphite.Tests.FaultTests"
measure wavefront-tcp-slow-reader Instrumentation.Wavefront.Tests "FullyQualifiedName~Over_tcp" RELIABILITY_TCP_READ_DELAY_MS=300
