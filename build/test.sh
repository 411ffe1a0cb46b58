#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh machine, then builds and runs every test.
# Usage: build/test.sh            (everything)
#        build/test.sh --no-deps  (skip the apt step)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [[ "${1:-}" != "--no-deps" ]]; then
  build/install-deps.sh
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
configuration=Release
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== build"
dotnet build Instrumentation.sln -c "$configuration" -nologo -v minimal

echo "== pack (the package test consumes it)"
rm -rf "$root/artifacts/packages"
dotnet pack src/Runtime/Instrumentation.AspNetCore.csproj -c "$configuration" --no-build -nologo -v minimal -o "$root/artifacts/packages"

passed=0; failed=0; skipped=0; status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== test $name"
  if ! dotnet test "$project" -c "$configuration" --no-build -nologo -v minimal \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" 2>&1 | tee "$results/$name.log"; then
    status=1
  fi
done

# One closing line for the whole run, summed from every test project's results.
read -r p f s < <(python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is None:
        continue
    p += int(counters.get("passed", 0)); f += int(counters.get("failed", 0)) + int(counters.get("error", 0))
    s += int(counters.get("notExecuted", 0))
print(p, f, s)
PY
)
echo "tests: $p passed, $f failed, $s skipped"
if [[ "$p" == "0" ]]; then echo "no test ran"; exit 1; fi
if [[ "$f" != "0" ]]; then status=1; fi
exit $status
