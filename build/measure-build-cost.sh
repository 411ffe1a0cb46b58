#!/usr/bin/env bash
# What the source generator and the analyzers add to a build: generates a web project with 1,000 endpoints (controller
# actions and minimal APIs, half of them instrumented), references the packed Instrumentation.AspNetCore package the
# way users do, builds it with the compiler's analyzer report on, and prints the generator's and analyzers' time
# against the whole C# compile.
#
# Then it replays that compile in-process with build/BuildCostHarness (the compiler command line is read from the build
# log): the generator's time per pipeline step, cold and warm, what an edit inside a method body reruns, and each
# analyzer's time. The compiler's own figures come from one cold compiler process and vary a lot with the machine's
# load; the harness's warm runs are the steadier comparison.
#
# Usage: build/measure-build-cost.sh [work-folder]      (default: a new folder under /tmp, kept for inspection)
#        ENDPOINTS=2000 build/measure-build-cost.sh     (another size; split evenly between the two kinds)
#        HARNESS=0 build/measure-build-cost.sh          (the build's report only)
#        WARM_RUNS=5 build/measure-build-cost.sh        (warm runs of the harness; default 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/instr-build-cost-XXXXXX)}
endpoints=${ENDPOINTS:-1000}
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export INSTR_ARTIFACTS=${INSTR_ARTIFACTS:-$work/artifacts}

echo "== pack the package into $work/packages"
rm -rf "$work/packages"
dotnet pack "$root/src/Runtime/Instrumentation.AspNetCore.csproj" -c Release -nologo -v quiet -o "$work/packages" >/dev/null
package=$(basename "$(ls "$work"/packages/Instrumentation.AspNetCore.*.nupkg | head -1)" .nupkg)
version=${package#Instrumentation.AspNetCore.}

echo "== generate a project with $endpoints endpoints in $work/app"
rm -rf "$work/app"
python3 - "$work/app" "$endpoints" "$version" <<'PY'
import os, sys
app, total, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(os.path.join(app, "Controllers"))
os.makedirs(os.path.join(app, "Endpoints"))
with open(os.path.join(app, "nuget.config"), "w") as f:
    f.write(f"""<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="{os.path.join(os.path.dirname(app), 'packages')}" />
  </packageSources>
</configuration>
""")
with open(os.path.join(app, "BuildCost.csproj"), "w") as f:
    f.write(f"""<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <RestorePackagesPath>$(MSBuildProjectDirectory)/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Instrumentation.AspNetCore" Version="{version}" />
  </ItemGroup>
</Project>
""")
actions_per_controller, per_file = 10, 50
controller_actions = total // 2
minimal = total - controller_actions
verbs = ["HttpGet", "HttpPost", "HttpPut", "HttpDelete", "HttpPatch"]
count = 0
for c in range((controller_actions + actions_per_controller - 1) // actions_per_controller):
    lines = ["using Instrumentation;", "using Microsoft.AspNetCore.Mvc;", "", "namespace BuildCost.Controllers;", ""]
    if c % 2 == 0:
        lines.append("[Instrumented]")
    lines += [f'[Route("api/area{c}/[controller]")]', f"public class Resource{c}Controller : ControllerBase", "{"]
    for a in range(actions_per_controller):
        if count == controller_actions:
            break
        verb = verbs[a % len(verbs)]
        lines.append(f'    [{verb}("item{a}/{{id:int}}/detail-{a}")]')
        lines.append(f"    public IActionResult Action{a}(int id) => Ok(id + {a});")
        lines.append("")
        count += 1
    lines.append("}")
    with open(os.path.join(app, "Controllers", f"Resource{c}Controller.cs"), "w") as f:
        f.write("\n".join(lines) + "\n")
mapped = 0
files = (minimal + per_file - 1) // per_file
calls = []
for g in range(files):
    body = ["using Instrumentation;", "", "namespace BuildCost.Endpoints;", "", f"public static class Group{g}", "{",
            "    public static void Map(WebApplication app)", "    {",
            f'        var group = app.MapGroup("/minimal/group{g}")' + (".Instrumented();" if g % 2 == 0 else ";")]
    for e in range(per_file):
        if mapped == minimal:
            break
        kind = e % 4
        if kind == 0:
            body.append(f'        group.MapGet("/items/{{id:int}}/e{e}", (int id) => id + {e});')
        elif kind == 1:
            body.append(f'        group.MapPost("/items/e{e}", Handle{e});')
        elif kind == 2:
            body.append(f'        app.MapPut("/minimal/top{g}/e{e}/{{name}}", (string name) => name).Instrumented();')
        else:
            body.append(f'        group.MapDelete("/items/{{id}}/e{e}", (string id) => Results.NoContent()).WithName("g{g}e{e}");')
        mapped += 1
    body += ["    }", ""]
    for e in range(1, per_file, 4):
        body.append(f"    private static int Handle{e}() => {e};")
    body.append("}")
    with open(os.path.join(app, "Endpoints", f"Group{g}.cs"), "w") as f:
        f.write("\n".join(body) + "\n")
    calls.append(f"BuildCost.Endpoints.Group{g}.Map(app);")
with open(os.path.join(app, "Program.cs"), "w") as f:
    f.write("\n".join([
        "var builder = WebApplication.CreateBuilder(args);",
        "builder.Services.AddControllers();",
        "builder.Services.AddInstrumentation();",
        "var app = builder.Build();",
        "app.UseInstrumentation();",
        "app.MapControllers();",
        *calls,
        "app.Run();",
        "",
    ]))
print(f"   {count} controller actions, {mapped} minimal APIs")
PY

cd "$work/app"
(
  # The consumer is a user's project: none of this repository's build settings apply to it.
  unset INSTR_ARTIFACTS
  echo "== restore"
  dotnet restore -nologo -v quiet >/dev/null
  echo "== build (Release, --no-incremental, ReportAnalyzer) -> $work/build.log, $work/build.binlog"
  start=$(date +%s.%N)
  dotnet build --no-restore --no-incremental -c Release -nologo -v:d -clp:PerformanceSummary \
    -p:ReportAnalyzer=true -bl:"$work/build.binlog" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  end=$(date +%s.%N)
  echo "$start $end" >"$work/wall-clock"
)

python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
log = open(f"{work}/build.log", encoding="utf-8", errors="replace").read()
start, end = map(float, open(f"{work}/wall-clock").read().split())

def first(pattern):
    m = re.search(pattern, log, re.M)
    return float(m.group(1)) if m else None

def rows(title):
    # The compiler prints "Total <kind> execution time: N seconds.", a header, then one row per assembly and per type.
    m = re.search(rf"Total {title} execution time: ([\d.]+) seconds\.", log)
    if not m:
        return None, []
    out = []
    for line in log[m.end():].splitlines()[1:]:
        if "execution time" in line:
            break
        r = re.match(r"\s*(<?[\d.]+)\s+(<?\d+)\s+(Instrumentation\S*)", line)
        if r:
            out.append((r.group(1), r.group(2), r.group(3).rstrip(",")))
    return float(m.group(1)), out

csc = first(r"^\s*(\d+)\s+ms\s+Csc\s+\d+ calls")
analyzers_total, analyzer_rows = rows("analyzer")
generators_total, generator_rows = rows("generator")
instr001 = len(set(re.findall(r"([^\s>]+\(\d+,\d+\)): warning INSTR001:", log)))
print()
print(f"build wall clock:                 {end - start:6.2f} s")
print(f"Csc task (the C# compile):        {csc / 1000 if csc else float('nan'):6.2f} s")
print(f"all analyzers (compiler total):   {analyzers_total if analyzers_total is not None else float('nan'):6.3f} s")
for t, p, name in analyzer_rows:
    print(f"   {name:<52} {t:>7} s {p:>3} %")
print(f"all generators (compiler total):  {generators_total if generators_total is not None else float('nan'):6.3f} s")
for t, p, name in generator_rows:
    print(f"   {name:<52} {t:>7} s {p:>3} %")
print(f"distinct INSTR001 warnings:       {instr001}")
print(f"details: {work}/build.log (search 'execution time'), {work}/build.binlog")
PY

if [ "${HARNESS:-1}" != 0 ]; then
  # The Csc task logs its command line (detailed verbosity); without the tool path it is a response file.
  grep -m1 -E '^\s+\S+/csc /noconfig' "$work/build.log" | sed -E 's/^\s*\S+\s+//' >"$work/csc.rsp"
  echo
  echo "== in-process harness (build/BuildCostHarness) over the same compile"
  dotnet build "$root/build/BuildCostHarness/BuildCostHarness.csproj" -c Release -nologo -v quiet -o "$work/harness" >/dev/null
  dotnet "$work/harness/BuildCostHarness.dll" "$work/csc.rsp" "$work/app" "${WARM_RUNS:-3}"
fi
