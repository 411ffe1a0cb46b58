using System.Collections.Immutable;
using Instrumentation.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace Instrumentation.Analyzers.Tests;

/// <summary>
/// Applies code fixes the way an IDE does: sources in an <see cref="AdhocWorkspace"/>, diagnostics from the analyzers,
/// code actions from the provider, and the solution the action's operations produce.
/// </summary>
internal static class CodeFixHarness
{
    public static readonly CodeFixProvider Provider = new InstrumentEndpointCodeFix();

    /// <summary>A one-project solution with Source0.cs, Source1.cs... and global usings without the library's namespace.</summary>
    public static Project CreateProject(AdhocWorkspace workspace, params string[] sources) => CreateNamedProject(workspace, "Consumer", sources);

    public static Project CreateNamedProject(AdhocWorkspace workspace, string name, params string[] sources)
    {
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            name,
            name,
            LanguageNames.CSharp,
            compilationOptions: AnalyzerHarness.CompilationOptions(OutputKind.ConsoleApplication),
            parseOptions: AnalyzerHarness.ParseOptions,
            metadataReferences: AnalyzerHarness.References));
        for (var i = 0; i < sources.Length; i++)
        {
            project = project.AddDocument($"Source{i}.cs", SourceText.From(sources[i]), filePath: $"{name}/Source{i}.cs").Project;
        }

        project = project.AddDocument(AnalyzerHarness.GlobalUsingsPath, AnalyzerHarness.GlobalUsings(withInstrumentation: false), filePath: $"{name}/{AnalyzerHarness.GlobalUsingsPath}").Project;
        Assert.True(workspace.TryApplyChanges(project.Solution));
        return workspace.CurrentSolution.GetProject(project.Id)!;
    }

    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Project project, string id = "INSTR001")
    {
        var compilation = (await project.GetCompilationAsync())!;
        return (await AnalyzerHarness.AnalyzeAsync(compilation))
            .Where(diagnostic => diagnostic.Id == id)
            .OrderBy(diagnostic => diagnostic.Location.SourceTree!.FilePath, StringComparer.Ordinal)
            .ThenBy(diagnostic => diagnostic.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    /// <summary>The titles of the fixes offered for one diagnostic, by equivalence key.</summary>
    public static async Task<List<CodeAction>> ActionsAsync(Project project, Diagnostic diagnostic)
    {
        var document = project.GetDocument(diagnostic.Location.SourceTree!)!;
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await Provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    /// <summary>Applies the fix with <paramref name="equivalenceKey"/> offered for <paramref name="diagnostic"/>.</summary>
    public static async Task<Solution> ApplyAsync(Project project, Diagnostic diagnostic, string equivalenceKey)
    {
        var action = Assert.Single(await ActionsAsync(project, diagnostic), candidate => candidate.EquivalenceKey == equivalenceKey);
        return await ApplyAsync(action, project.Solution);
    }

    /// <summary>Fix All with the provider's own fix-all provider, in the scope given, starting from the first diagnostic.</summary>
    public static async Task<Solution> FixAllAsync(Project project, FixAllScope scope, string equivalenceKey)
    {
        var diagnostics = await DiagnosticsAsync(project);
        var first = diagnostics.First();
        var document = project.GetDocument(first.Location.SourceTree!)!;
        var context = new FixAllContext(
            document,
            Provider,
            scope,
            equivalenceKey,
            [DiagDescriptors.NotInstrumented.Id],
            new AnalyzerDiagnostics(),
            CancellationToken.None);
        var action = await Provider.GetFixAllProvider()!.GetFixAsync(context);
        Assert.NotNull(action);
        return await ApplyAsync(action, project.Solution);
    }

    private static async Task<Solution> ApplyAsync(CodeAction action, Solution solution)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
        Assert.NotSame(solution, apply.ChangedSolution);
        return apply.ChangedSolution;
    }

    public static async Task<string> TextAsync(Solution solution, string documentName, string projectName = "Consumer")
    {
        var document = solution.Projects.Single(project => project.Name == projectName).Documents.Single(candidate => candidate.Name == documentName);
        return (await document.GetTextAsync()).ToString();
    }

    /// <summary>Gives Fix All the analyzers' diagnostics for a document, a project or every project.</summary>
    private sealed class AnalyzerDiagnostics : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return (await DiagnosticsAsync(document.Project)).Where(diagnostic => diagnostic.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            (await DiagnosticsAsync(project)).Where(diagnostic => !diagnostic.Location.IsInSource);

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            await DiagnosticsAsync(project);
    }
}
