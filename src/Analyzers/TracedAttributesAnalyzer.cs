using System.Collections.Immutable;
using Instrumentation.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Analyzers;

/// <summary>
/// Checks the names of <c>[Traced(...)]</c> and <c>.Traced(...)</c> with the rule the runtime applies when it binds
/// the endpoint (<see cref="TracedAttributeRules"/>), so an unknown name fails the build instead of the application's
/// start (INSTR012). Names that are not compile-time constants are left to the runtime.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TracedAttributesAnalyzer : DiagnosticAnalyzer
{
    private const string TracedAttribute = "TracedAttribute";
    private const string TracedConvention = "Traced";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagDescriptors.UnknownTracedAttribute);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // As for bucket arguments: only attributes and calls that can name ours are bound.
            var names = BucketArgumentsAnalyzer.AttributeNames(start.Compilation, TracedConvention, start.CancellationToken);
            start.RegisterSyntaxNodeAction(context => AnalyzeAttribute(context, names), SyntaxKind.Attribute);
            start.RegisterSyntaxNodeAction(AnalyzeInvocation, SyntaxKind.InvocationExpression);
        });
    }

    private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, HashSet<string> names)
    {
        var attribute = (AttributeSyntax)context.Node;
        if (attribute.ArgumentList is not { Arguments.Count: > 0 } arguments
            || !BucketArgumentsAnalyzer.MayName(attribute.Name, names)
            || context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is not IMethodSymbol constructor
            || !KnownSymbols.Is(constructor.ContainingType, KnownSymbols.InstrumentationNamespace, TracedAttribute))
        {
            return;
        }

        foreach (var argument in arguments.Arguments)
        {
            // An argument is a name, an array of names or a collection expression of names.
            IEnumerable<ExpressionSyntax> elements = argument.Expression switch
            {
                ArrayCreationExpressionSyntax creation => creation.Initializer?.Expressions ?? Enumerable.Empty<ExpressionSyntax>(),
                ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions,
                CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(element => element.Expression),
                var single => [single],
            };

            foreach (var element in elements)
            {
                Check(context.SemanticModel.GetConstantValue(element, context.CancellationToken), element.GetLocation(), context.ReportDiagnostic);
            }
        }
    }

    private static void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
    {
        var call = (InvocationExpressionSyntax)context.Node;
        var name = InvokedNames.Of(call);
        if (name != TracedConvention
            || call.ArgumentList.Arguments.Count == 0
            || context.SemanticModel.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation
            || !KnownSymbols.Is(invocation.TargetMethod.ContainingType, KnownSymbols.InstrumentationNamespace, InstrumentationChoices.ConventionExtensions)
            || KnownSymbols.Argument(invocation, "attributes") is not { } argument)
        {
            return;
        }

        var elements = KnownSymbols.Unwrap(argument.Value) switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => ImmutableArray<IOperation>.Empty,
        };

        foreach (var element in elements)
        {
            Check(element.ConstantValue, element.Syntax.GetLocation(), context.ReportDiagnostic);
        }
    }

    /// <summary>Reports a constant name the runtime would refuse; a name known only at run time is not judged.</summary>
    private static void Check(Optional<object?> value, Location location, Action<Diagnostic> report)
    {
        if (value.HasValue && value.Value is string name && !TracedAttributeRules.IsValid(name))
        {
            report(Diagnostic.Create(DiagDescriptors.UnknownTracedAttribute, location, name, TracedAttributeRules.ValidNames));
        }
    }
}
