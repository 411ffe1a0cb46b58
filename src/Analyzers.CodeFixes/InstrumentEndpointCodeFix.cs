using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Analyzers.CodeFixes;

/// <summary>
/// Fixes INSTR001: <c>[Instrumented]</c> on the controller (first, so one fix covers its other actions) or on the action;
/// <c>.Instrumented()</c> appended to a minimal API's or a framework's MapX call; <c>[Instrumented]</c> on a page model,
/// component, gRPC service or hub class. Adds <c>using Instrumentation;</c> when it is missing.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InstrumentEndpointCodeFix)), Shared]
public sealed class InstrumentEndpointCodeFix : CodeFixProvider
{
    public const string ControllerKey = "INSTR001.InstrumentController";
    public const string ActionKey = "INSTR001.InstrumentAction";
    public const string EndpointKey = "INSTR001.InstrumentEndpoint";
    public const string ClassKey = "INSTR001.InstrumentClass";

    private const string InstrumentationNamespace = "Instrumentation";
    private const string AttributeName = "Instrumented";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagDescriptors.NotInstrumented.Id);

    /// <summary>
    /// Fixes a whole document in one pass. <see cref="WellKnownFixAllProviders.BatchFixer"/> cannot: it drops every fix
    /// whose text changes overlap another's, and each of these fixes adds the same <c>using</c> at the same place (the
    /// controller fix also the same attribute on the same class), so all but the first fix of a document were lost.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(
            static (context, document, diagnostics) => context.CodeActionEquivalenceKey is { } key
                ? FixAsync(document, diagnostics, key, context.CancellationToken)
                : Task.FromResult<Document?>(null),
            ImmutableArray.Create(FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var document = context.Document;
            var single = ImmutableArray.Create(diagnostic);
            if (Action(root, diagnostic) is { } method && method.Parent is ClassDeclarationSyntax controller)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Add [Instrumented] to {controller.Identifier.ValueText}",
                        async cancellationToken => await FixAsync(document, single, ControllerKey, cancellationToken).ConfigureAwait(false) ?? document,
                        ControllerKey),
                    diagnostic);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Add [Instrumented] to {method.Identifier.ValueText}",
                        async cancellationToken => await FixAsync(document, single, ActionKey, cancellationToken).ConfigureAwait(false) ?? document,
                        ActionKey),
                    diagnostic);
            }
            else if (ClassNamed(root, diagnostic) is { } type)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Add [Instrumented] to {type.Identifier.ValueText}",
                        async cancellationToken => await FixAsync(document, single, ClassKey, cancellationToken).ConfigureAwait(false) ?? document,
                        ClassKey),
                    diagnostic);
            }
            else if (MapCall(root, diagnostic) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Append .Instrumented()",
                        async cancellationToken => await FixAsync(document, single, EndpointKey, cancellationToken).ConfigureAwait(false) ?? document,
                        EndpointKey),
                    diagnostic);
            }
        }
    }

    /// <summary>The action method whose name the diagnostic is on.</summary>
    private static MethodDeclarationSyntax? Action(SyntaxNode root, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        return root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method
            && method.Identifier.Span == span
                ? method
                : null;
    }

    /// <summary>The class whose name the diagnostic is on: a page model, a component, a gRPC service or a hub.</summary>
    private static ClassDeclarationSyntax? ClassNamed(SyntaxNode root, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        return root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ClassDeclarationSyntax>() is { } type
            && type.Identifier.Span == span
                ? type
                : null;
    }

    /// <summary>The <c>app.MapGet(...)</c> call whose method name the diagnostic is on.</summary>
    private static InvocationExpressionSyntax? MapCall(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is SimpleNameSyntax
        {
            Parent: MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax call } access,
        } name
        && access.Name == name
            ? call
            : null;

    /// <summary>Applies the fix named by <paramref name="key"/> for every diagnostic, each target once, and the using once.</summary>
    private static async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
    {
        if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax root)
        {
            return null;
        }

        var targets = new HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            SyntaxNode? target = key switch
            {
                ControllerKey => Action(root, diagnostic)?.Parent as ClassDeclarationSyntax,
                ActionKey => Action(root, diagnostic),
                EndpointKey => MapCall(root, diagnostic),
                ClassKey => ClassNamed(root, diagnostic),
                _ => null,
            };
            if (target is not null)
            {
                targets.Add(target);
            }
        }

        if (targets.Count == 0)
        {
            return null;
        }

        var newLine = NewLine(root);
        var updated = root.ReplaceNodes(targets, (_, rewritten) => rewritten switch
        {
            MemberDeclarationSyntax declaration => WithAttribute(declaration, newLine),
            InvocationExpressionSyntax call => WithConvention(call),
            _ => rewritten,
        });

        var position = targets.Min(target => target.SpanStart);
        return document.WithSyntaxRoot(await WithUsingAsync(document, root, updated, position, cancellationToken).ConfigureAwait(false));
    }

    private static SyntaxNode WithAttribute(MemberDeclarationSyntax declaration, SyntaxTrivia newLine)
    {
        var leading = declaration.GetLeadingTrivia();
        var indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading[leading.Count - 1])
            : SyntaxFactory.TriviaList();

        // The new list takes over the declaration's comments and indentation; what followed them keeps the indentation.
        var attribute = SyntaxFactory.AttributeList(
                SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(AttributeName))))
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(newLine);
        var stripped = declaration.WithLeadingTrivia(indentation);
        return stripped.WithAttributeLists(stripped.AttributeLists.Insert(0, attribute));
    }

    private static SyntaxNode WithConvention(InvocationExpressionSyntax call) =>
        SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    call.WithoutTrailingTrivia(),
                    SyntaxFactory.IdentifierName(AttributeName)))
            .WithTrailingTrivia(call.GetTrailingTrivia());

    /// <summary>Adds <c>using Instrumentation;</c> unless the namespace is already in scope where the fix applies.</summary>
    private static async Task<CompilationUnitSyntax> WithUsingAsync(
        Document document, CompilationUnitSyntax original, CompilationUnitSyntax updated, int position, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || NamespaceInScope(model, position))
        {
            return updated;
        }

        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(InstrumentationNamespace))
            .WithTrailingTrivia(NewLine(original));
        var usings = updated.Usings;
        var index = 0;
        while (index < usings.Count && ComesBefore(usings[index], InstrumentationNamespace))
        {
            index++;
        }

        if (usings.Count == 0)
        {
            // Leading comments (a license header) stay first; the blank line separates the using from the code.
            var first = updated.GetLeadingTrivia();
            directive = directive.WithLeadingTrivia(first).WithTrailingTrivia(NewLine(original), NewLine(original));
            updated = updated.WithLeadingTrivia(SyntaxFactory.TriviaList());
            return updated.WithUsings(updated.Usings.Add(directive));
        }

        return updated.WithUsings(usings.Insert(index, directive));
    }

    /// <summary>System namespaces first, then alphabetical, as .NET projects order their usings.</summary>
    private static bool ComesBefore(UsingDirectiveSyntax existing, string name)
    {
        if (existing.Alias is not null || !existing.StaticKeyword.IsKind(SyntaxKind.None) || existing.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword))
        {
            return false;
        }

        var text = existing.Name?.ToString() ?? string.Empty;
        var isSystem = text == "System" || text.StartsWith("System.", StringComparison.Ordinal);
        return isSystem || string.CompareOrdinal(text, name) < 0;
    }

    private static bool NamespaceInScope(SemanticModel model, int position) =>
        model.LookupNamespacesAndTypes(position, name: AttributeName + "Attribute")
            .Any(symbol => symbol.ContainingNamespace?.ToDisplayString() == InstrumentationNamespace);

    private static SyntaxTrivia NewLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } found
            ? found
            : SyntaxFactory.LineFeed;
}
