using System.Collections.Immutable;
using Instrumentation.Generator.Parsing;
using Instrumentation.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Analyzers;

/// <summary>
/// Checks the name of every custom metric declared through <c>CustomMetricFactory.CreateCounter/CreateGauge/
/// CreateHistogram</c> with the rules the runtime applies when it is declared (src/Shared/Naming/CustomMetricNames.cs):
/// a name that is not a compile-time constant cannot be checked before startup, and one that a backend cannot take or
/// that collides with a built-in family would stop the application's start.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CustomMetricNameAnalyzer : DiagnosticAnalyzer
{
    private const string FactoryType = "CustomMetricFactory";

    private static readonly ImmutableHashSet<string> Methods = ImmutableHashSet.Create("CreateCounter", "CreateGauge", "CreateHistogram");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagDescriptors.CustomMetricNameNotConstant, DiagDescriptors.InvalidCustomMetricName);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(AnalyzeInvocation, SyntaxKind.InvocationExpression);
    }

    private static void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
    {
        // Filtered by the method's name before binding: most invocations of a program are not these.
        var call = (InvocationExpressionSyntax)context.Node;
        var name = InvokedNames.Of(call);
        if (name is null || !Methods.Contains(name)
            || context.SemanticModel.GetOperation(call, context.CancellationToken) is not IInvocationOperation invocation
            || !KnownSymbols.Is(invocation.TargetMethod.ContainingType, KnownSymbols.InstrumentationNamespace, FactoryType)
            || KnownSymbols.Argument(invocation, "name") is not { } argument)
        {
            return;
        }

        // The written argument (with a null-forgiving '!', which is no operation of its own), without its 'name:'.
        var written = argument.Value.Syntax.FirstAncestorOrSelf<ArgumentSyntax>()?.Expression ?? argument.Value.Syntax;
        var location = written.GetLocation();
        var value = KnownSymbols.Unwrap(argument.Value).ConstantValue;
        if (!value.HasValue || value.Value is not string metricName)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.CustomMetricNameNotConstant, location, written.ToString()));
            return;
        }

        var problems = CustomMetricNames.Problems(metricName);
        if (CustomMetricNames.BuiltInCollision(metricName) is { } builtIn)
        {
            problems.Add($"it collides with the built-in '{builtIn}'");
        }

        if (problems.Count > 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.InvalidCustomMetricName, location, metricName, string.Join("; ", problems)));
        }
    }
}
