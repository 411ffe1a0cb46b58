#!/usr/bin/env bash
# The long faults of docs/reliability.md, on demand (build/test.sh runs the same tests for a few seconds): each
# sustained scenario alone in its own test process (so the memory it reports is its own), for RELIABILITY_SECONDS of
# steady traffic: the no-fault baseline, the receiver restarting every few seconds, stalling for half the run, direct
# ingestion answering 500 and 503 with Retry-After for a third of it, and a real carbon-cache restarting every few
# seconds. Prints each run's figures (requests, p50/p99 overall and during the fault, memory, produced / delivered /
# dropped / buffered, duplicated) and keeps the logs under artifacts/reliability-long/.
# Usage: build/measure-long-faults.sh [seconds]   (default 60)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=artifacts/reliability-long
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 RELIABILITY_SECONDS=$seconds

dotnet build tests/Instrumentation.Wavefront.Tests -c Release -nologo -v minimal || exit 1
dotnet build tests/Instrumentation.Graphite.Tests -c Release -nologo -v minimal || exit 1

status=0
measure() { # name project filter
  local name=$1 project=$2 filter=$3
  dotnet test "tests/$project" -c Release --no-build -nologo --filter "$filter" \
    --logger "console;verbosity=detailed" > "$out/$name.log" 2>&1
  local code=$?
  [[ $code == 0 ]] || status=1
  echo "== $name (${seconds} s): exit $code"
  grep -E "requests [0-9]|during the fault|deltas [0-9]|outages|ingestion requests|cumulative counts read|carbon holds|stamped inside|Passed|Failed|Assert|Expected|Actual" "$out/$name.log" \
    | sed 's/^\[xUnit[^]]*\] *//; s/^ *//' | sort -u
}

faults=Instrumentation.Wavefront.Tests.Faults.SustainedFaultTests
measure baseline Instrumentation.Wavefront.Tests "FullyQualifiedName~$faults.Sustained_no_fault"
measure restarts Instrumentation.Wavefront.Tests "FullyQualifiedName~$faults.Receiver_restarting"
measure stall Instrumentation.Wavefront.Tests "FullyQualifiedName~$faults.Receiver_stalls"
measure http-500 Instrumentation.Wavefront.Tests "FullyQualifiedName~$faults.Direct_ingestion&DisplayName~status: 500"
measure http-503 Instrumentation.Wavefront.Tests "FullyQualifiedName~$faults.Direct_ingestion&DisplayName~status: 503"
measure carbon-restarts Instrumentation.Graphite.Tests "FullyQualifiedName~Graphite.Tests.FaultTests.Carbon_cache_restarting"
exit $status
