#!/usr/bin/env bash
# The soak of docs/reliability.md, on demand: the ShirtShop sample as its own process with every sink on, under
# RELIABILITY_SOAK_REQUESTS requests (default here 1,000,000; build/test.sh runs the same test with 20,000) over mixed
# routes; prints VmRSS and the series count sampled every 3 s, the slope after warm-up, and every sink's counts.
# Usage: build/soak.sh [requests]   (log under artifacts/soak/)
set -uo pipefail
cd "$(dirname "$0")/.."
out=artifacts/soak
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 RELIABILITY_SOAK_REQUESTS=${1:-1000000}

dotnet build tests/Instrumentation.Wavefront.Tests -c Release -nologo -v minimal || exit 1
dotnet test tests/Instrumentation.Wavefront.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Instrumentation.Wavefront.Tests.Faults.SoakTests" \
  --logger "console;verbosity=detailed" > "$out/soak.log" 2>&1
code=$?
sed -n '/requests [0-9]* in/,/graphite .*: [0-9]*$/p' "$out/soak.log" | sed 's/^\[xUnit[^]]*\] *//'
grep -E "Passed|Failed|Assert|Expected|Actual" "$out/soak.log" | head -20
echo "exit $code"
exit $code
