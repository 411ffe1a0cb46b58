using System.Collections.Immutable;
using System.Globalization;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Analyzers;

/// <summary>
/// Checks the histogram buckets of <c>[Instrumented(...)]</c> and <c>.Instrumented(...)</c> with the rules the runtime
/// applies at startup, so a bad bound fails the build instead of the application's start.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BucketArgumentsAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagDescriptors.InvalidBuckets);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // Only calls and attributes that can name ours are bound: binding every attribute with arguments ([HttpGet("...")]
            // on each action) and visiting every invocation of the program was most of this analyzer's time in a build
            // (docs/benchmarks.md, "Build cost").
            var names = AttributeNames(start.Compilation, "Instrumented", start.CancellationToken);
            start.RegisterSyntaxNodeAction(context => AnalyzeAttribute(context, names), SyntaxKind.Attribute);
            start.RegisterSyntaxNodeAction(AnalyzeInvocation, SyntaxKind.InvocationExpression);
        });
    }

    /// <summary>
    /// The names an attribute can be written with and still be ours (<c>[Instrumented]</c>, <c>[Traced]</c>): its own,
    /// with and without the suffix, and every using alias of the compilation (an alias may name it under any name).
    /// </summary>
    internal static HashSet<string> AttributeNames(Compilation compilation, string shortName, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { shortName, shortName + "Attribute" };
        foreach (var tree in compilation.SyntaxTrees)
        {
            var root = tree.GetRoot(cancellationToken);
            foreach (var directive in root.DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>())
            {
                if (directive.Alias is { } alias)
                {
                    names.Add(alias.Name.Identifier.ValueText);
                }
            }
        }

        return names;
    }

    private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, HashSet<string> names)
    {
        var attribute = (AttributeSyntax)context.Node;
        if (attribute.ArgumentList is not { Arguments.Count: > 0 } arguments
            || !MayName(attribute.Name, names)
            || context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is not IMethodSymbol constructor
            || !KnownSymbols.Is(constructor.ContainingType, KnownSymbols.InstrumentationNamespace, InstrumentationChoices.InstrumentedAttribute))
        {
            return;
        }

        var bounds = new List<(double? Value, Location Location)>();
        foreach (var argument in arguments.Arguments)
        {
            AddBounds(argument.Expression, context.SemanticModel, bounds, context.CancellationToken);
        }

        Check(bounds, context.ReportDiagnostic);
    }

    /// <summary>
    /// Whether the attribute's name can bind to one of <paramref name="names"/>; an alias written <c>[M]</c> may be
    /// declared as <c>MAttribute</c>.
    /// </summary>
    internal static bool MayName(NameSyntax name, HashSet<string> names)
    {
        var identifier = name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => null,
        };
        return identifier is null || names.Contains(identifier) || names.Contains(identifier + "Attribute");
    }

    /// <summary>An argument is a bound, an array of bounds or a collection expression of bounds.</summary>
    private static void AddBounds(ExpressionSyntax expression, SemanticModel model, List<(double? Value, Location Location)> bounds, CancellationToken cancellationToken)
    {
        IEnumerable<ExpressionSyntax>? elements = expression switch
        {
            ArrayCreationExpressionSyntax creation => creation.Initializer?.Expressions ?? Enumerable.Empty<ExpressionSyntax>(),
            ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions,
            CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(element => element.Expression),
            _ => null,
        };

        foreach (var element in elements ?? [expression])
        {
            bounds.Add((Constant(model.GetConstantValue(element, cancellationToken)), element.GetLocation()));
        }
    }

    private static void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
    {
        var call = (InvocationExpressionSyntax)context.Node;
        var name = InvokedNames.Of(call);
        if (name != InstrumentationChoices.InstrumentedConvention
            || call.ArgumentList.Arguments.Count == 0
            || context.SemanticModel.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation
            || InstrumentationChoices.FromConvention(invocation) != InstrumentationChoice.Instrumented
            || KnownSymbols.Argument(invocation, "buckets") is not { } argument)
        {
            return;
        }

        var elements = KnownSymbols.Unwrap(argument.Value) switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => ImmutableArray<IOperation>.Empty,
        };

        var bounds = elements
            .Select(element => (Constant(element.ConstantValue), element.Syntax.GetLocation()))
            .ToList();
        Check(bounds, context.ReportDiagnostic);
    }

    private static double? Constant(Optional<object?> value)
    {
        if (!value.HasValue || value.Value is null || value.Value is string or bool or char)
        {
            return null;
        }

        return value.Value is IConvertible convertible ? convertible.ToDouble(CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Reports each bound that breaks a rule, at the bound; bounds that are not constants are not judged.</summary>
    private static void Check(List<(double? Value, Location Location)> bounds, Action<Diagnostic> report)
    {
        for (var i = 0; i < bounds.Count; i++)
        {
            if (bounds[i].Value is not { } bound)
            {
                continue;
            }

            var problem = BucketRules.Problem(bound, i > 0 ? bounds[i - 1].Value : null);
            if (problem is not null)
            {
                report(Diagnostic.Create(DiagDescriptors.InvalidBuckets, bounds[i].Location, problem));
            }
        }
    }
}
