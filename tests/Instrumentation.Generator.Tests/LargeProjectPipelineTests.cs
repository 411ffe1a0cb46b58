using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Instrumentation.Generator.Tests;

/// <summary>
/// What an edit costs in a project of the size build/measure-build-cost.sh measures (1,000 endpoints): which steps of
/// the pipeline rerun when one method body changes. Times are in docs/benchmarks.md ("Build cost"), not here.
/// </summary>
public class LargeProjectPipelineTests
{
    private const int Endpoints = 1000;

    /// <summary>
    /// Roslyn 4.14 keeps the syntax predicates of unchanged files, but hands every semantic transform the new
    /// compilation, so each parser reruns on every candidate of every file: 500 <c>MapX</c> calls, 50 controllers, the
    /// <c>MapControllers</c> call. No parse step can be skipped without reading symbols from an older compilation,
    /// which an edit elsewhere (a constant used as a pattern, a base controller) can make wrong. What the generator
    /// controls is that those reruns produce equal values: they report Unchanged, and nothing after them runs.
    /// </summary>
    [Fact]
    public void An_edit_inside_a_method_body_reruns_only_the_parsers_and_they_change_nothing()
    {
        var sources = LargeProject.Sources(Endpoints);
        var compilation = GeneratorHarness.Compile([.. sources]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results[0];
        Assert.Equal(Endpoints, Outputs(first, TrackingNames.Endpoints).Select(output => ((Model.EquatableArray<Model.EndpointModel>)output.Value).Count).Single());

        var groupFile = sources.FindIndex(source => source.StartsWith("public static class Group0", StringComparison.Ordinal));
        var tree = compilation.SyntaxTrees.Single(candidate => candidate.FilePath == $"Source{groupFile}.cs");
        var editedSource = sources[groupFile].Replace("private static int Handle1() => 1;", "private static int Handle1() => 1 + 1;", StringComparison.Ordinal);
        Assert.NotEqual(sources[groupFile], editedSource);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(editedSource, (CSharpParseOptions)tree.Options, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];

        // The parsers rerun on every candidate, the edited file's and all the others', and find the same values.
        Assert.Equal(Endpoints / 2, Outputs(result, TrackingNames.MinimalApis).Count());
        Assert.All(Outputs(result, TrackingNames.MinimalApis), output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));
        Assert.Equal(Endpoints / 2 / 10, Outputs(result, TrackingNames.Controllers).Count());
        Assert.All(Outputs(result, TrackingNames.Controllers), output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));
        Assert.All(Outputs(result, TrackingNames.ControllerMappings), output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));

        // Nothing after them runs: no resolution, no catalog, no source.
        foreach (var name in new[] { TrackingNames.AssemblyInstrumented, TrackingNames.Endpoints, TrackingNames.Catalog })
        {
            Assert.All(Outputs(result, name), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
        }

        Assert.All(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string name) =>
        result.TrackedSteps[name].SelectMany(step => step.Outputs);
}
