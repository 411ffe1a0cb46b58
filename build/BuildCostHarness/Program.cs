using System.Collections.Immutable;
using System.Diagnostics;
using Instrumentation.Analyzers;
using Instrumentation.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

// Usage: BuildCostHarness <csc.rsp> <project-dir> [warm-runs]
// The response file is the compiler command line of the measured build (build/measure-build-cost.sh writes it), so the
// harness compiles exactly what the build compiled: same sources, references and options. The first run of each part is
// cold (this process has not run the code yet, as in a compiler started for one build); the others show what is left
// once the code is jitted, as in a compiler server or an IDE.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: BuildCostHarness <csc.rsp> <project-dir> [warm-runs]");
    return 2;
}

var warmRuns = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
var commandLine = CSharpCommandLineParser.Default.Parse(["@" + Path.GetFullPath(args[0])], Path.GetFullPath(args[1]), sdkDirectory: null);
var trees = commandLine.SourceFiles
    .Select(file => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(file.Path), System.Text.Encoding.UTF8), commandLine.ParseOptions, file.Path))
    .ToImmutableArray();
var references = commandLine.MetadataReferences.Select(reference => (MetadataReference)MetadataReference.CreateFromFile(reference.Reference)).ToImmutableArray();
Console.WriteLine($"{trees.Length} source files, {references.Length} references");

// A new compilation each run: nothing bound by an earlier run is reused, as in a build.
CSharpCompilation NewCompilation() =>
    CSharpCompilation.Create(commandLine.CompilationName ?? "BuildCost", trees, references, commandLine.CompilationOptions);

GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
    [new InstrumentationGenerator().AsSourceGenerator()],
    parseOptions: commandLine.ParseOptions,
    driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

Console.WriteLine();
Console.WriteLine("== generator (InstrumentationGenerator alone on a fresh compilation)");
Compilation? generated = null;
for (var run = 0; run <= warmRuns; run++)
{
    var compilation = NewCompilation();
    var clock = Stopwatch.StartNew();
    var driver = NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
    clock.Stop();
    generated = output;
    var result = driver.GetRunResult().Results[0];
    var timing = driver.GetTimingInfo();
    Console.WriteLine($"{(run == 0 ? "cold" : "warm"),-5} {clock.Elapsed.TotalMilliseconds,8:F1} ms  generator {timing.ElapsedTime.TotalMilliseconds,8:F1} ms  {Steps(result)}");
}

Console.WriteLine();
Console.WriteLine("== generator after the compiler has bound the declarations (what the generator adds on top of them)");
for (var run = 0; run < Math.Max(1, warmRuns / 2); run++)
{
    var compilation = NewCompilation();
    compilation.GetDeclarationDiagnostics();
    var clock = Stopwatch.StartNew();
    var driver = NewDriver().RunGenerators(compilation);
    clock.Stop();
    Console.WriteLine($"warm  {clock.Elapsed.TotalMilliseconds,8:F1} ms  {Steps(driver.GetRunResult().Results[0])}");
}

Console.WriteLine();
Console.WriteLine("== generator rerun after an edit inside one method body (what an IDE pays per keystroke)");
{
    var compilation = NewCompilation();
    var driver = NewDriver().RunGenerators(compilation);
    var target = trees.FirstOrDefault(tree => tree.FilePath.EndsWith("Group0.cs", StringComparison.Ordinal)) ?? trees[0];
    var text = target.GetText().ToString();
    var edited = text.Replace("private static int Handle1() => 1;", "private static int Handle1() => 1 + 1;", StringComparison.Ordinal);
    var editedCompilation = compilation.ReplaceSyntaxTree(target, target.WithChangedText(SourceText.From(edited, System.Text.Encoding.UTF8)));
    var clock = Stopwatch.StartNew();
    driver = driver.RunGenerators(editedCompilation);
    clock.Stop();
    var result = driver.GetRunResult().Results[0];
    Console.WriteLine($"edit  {clock.Elapsed.TotalMilliseconds,8:F1} ms  {Steps(result)}");
    foreach (var (name, runs) in result.TrackedSteps.OrderBy(step => step.Key, StringComparer.Ordinal))
    {
        var reasons = runs.SelectMany(step => step.Outputs).GroupBy(output => output.Reason).Select(group => $"{group.Key} {group.Count()}");
        Console.WriteLine($"      {name,-40} {string.Join(", ", reasons)}");
    }
}

Console.WriteLine();
Console.WriteLine("== analyzers (on the generator's output compilation, as in a build)");
ImmutableArray<DiagnosticAnalyzer> analyzers = [new EndpointAnalyzer(), new BucketArgumentsAnalyzer()];
for (var run = 0; run <= warmRuns; run++)
{
    var compilation = run == 0 ? generated! : NewCompilation().AddSyntaxTrees(generated!.SyntaxTrees.Except(trees));
    var withAnalyzers = compilation.WithAnalyzers(
        analyzers,
        new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
    var clock = Stopwatch.StartNew();
    var analysis = await withAnalyzers.GetAnalysisResultAsync(CancellationToken.None);
    clock.Stop();
    var times = new List<string>();
    foreach (var analyzer in analyzers)
    {
        var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
        times.Add($"{analyzer.GetType().Name} {telemetry.ExecutionTime.TotalMilliseconds:F1} ms");
    }

    var diagnostics = analysis.GetAllDiagnostics().Count(diagnostic => diagnostic.Id == "INSTR001");
    Console.WriteLine($"{(run == 0 ? "cold" : "warm"),-5} {clock.Elapsed.TotalMilliseconds,8:F1} ms  {string.Join(", ", times)}  ({diagnostics} INSTR001)");
}

return 0;

static string Steps(GeneratorRunResult result) =>
    string.Join(", ", result.TrackedSteps
        .Where(step => !step.Key.Contains("_ForAttribute", StringComparison.Ordinal))
        .OrderBy(step => step.Key, StringComparer.Ordinal)
        .Select(step => $"{step.Key} {step.Value.Sum(run => run.ElapsedTime.TotalMilliseconds):F0}"));
