using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Follows endpoint and group builders through fluent chains and locals, which is how conventions such as
/// <c>.Instrumented()</c> and <c>MapGroup</c> prefixes reach an endpoint.
/// </summary>
internal static class BuilderChains
{
    /// <summary>
    /// A call that configures a builder and returns it (<c>WithTags</c>, <c>RequireAuthorization</c>, <c>Instrumented</c>):
    /// an extension method that returns the type it extends.
    /// </summary>
    public static bool IsPassThroughConvention(IInvocationOperation invocation)
    {
        // Compared with the declared parameter, not the argument: MapGroup takes any IEndpointRouteBuilder and returns
        // a new group, which must not pass for a convention on the group it was called on.
        var method = invocation.TargetMethod;
        return method.IsExtensionMethod
            && method.Parameters.Length > 0
            && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, method.ReturnType);
    }

    /// <summary>
    /// Choices of the conventions chained after <paramref name="call"/> (<c>app.MapGet(...).Instrumented()</c>) and, when
    /// the chain is stored in a local, of the conventions later applied to that local, in the order they apply.
    /// </summary>
    public static List<InstrumentationChoice> ConventionsAppliedTo(SyntaxNode call, SemanticModel model, CancellationToken cancellationToken)
    {
        var choices = new List<InstrumentationChoice>();
        var current = call;
        while (current.Parent is MemberAccessExpressionSyntax access
            && access.Expression == current
            && access.Parent is InvocationExpressionSyntax next
            && model.GetOperation(next, cancellationToken) is IInvocationOperation convention
            && IsPassThroughConvention(convention))
        {
            choices.Add(InstrumentationChoices.FromConvention(convention));
            current = next;
        }

        if (current.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local)
        {
            choices.AddRange(FollowLocal(local, model, cancellationToken).Conventions);
        }

        return choices;
    }

    /// <summary>What happens to a local builder in its scope: the conventions applied to it and whether it is reassigned.</summary>
    public static LocalBuilderUse FollowLocal(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        var declarator = local.DeclaringSyntaxReferences.Length == 1
            ? local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) as VariableDeclaratorSyntax
            : null;
        if (declarator is null || declarator.SyntaxTree != model.SyntaxTree)
        {
            return new LocalBuilderUse(null, [], IsReassigned: true);
        }

        var scope = Scope(declarator);
        var conventions = new List<InstrumentationChoice>();
        var reassigned = false;
        foreach (var node in scope.DescendantNodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is AssignmentExpressionSyntax { Left: IdentifierNameSyntax assigned }
                && assigned.Identifier.ValueText == local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assigned, cancellationToken).Symbol, local))
            {
                reassigned = true;
            }
            else if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
                && access.Name.Identifier.ValueText is InstrumentationChoices.InstrumentedConvention or InstrumentationChoices.NotInstrumentedConvention
                && Mentions(invocation, local.Name)
                && model.GetOperation(invocation, cancellationToken) is IInvocationOperation convention
                && InstrumentationChoices.FromConvention(convention) is var choice and not InstrumentationChoice.Unspecified
                && IsRootedAt(convention, local))
            {
                conventions.Add(choice);
            }
        }

        var initializer = declarator.Initializer is { } clause ? model.GetOperation(clause.Value, cancellationToken) : null;
        return new LocalBuilderUse(initializer, conventions, reassigned);
    }

    /// <summary>
    /// Whether the call names <paramref name="name"/> anywhere: a call that does not cannot be rooted at the local, so it
    /// is not bound. Every endpoint on a group stored in a local follows that local, so without this test a method that
    /// maps n endpoints with <c>.Instrumented()</c> asked for each of those calls' operation n times.
    /// </summary>
    private static bool Mentions(SyntaxNode call, string name)
    {
        foreach (var token in call.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRootedAt(IInvocationOperation convention, ILocalSymbol local)
    {
        IOperation? current = KnownSymbols.Receiver(convention);
        while (current is not null)
        {
            current = KnownSymbols.Unwrap(current);
            if (current is ILocalReferenceOperation reference)
            {
                return SymbolEqualityComparer.Default.Equals(reference.Local, local);
            }

            current = current is IInvocationOperation inner && IsPassThroughConvention(inner) ? KnownSymbols.Receiver(inner) : null;
        }

        return false;
    }

    private static SyntaxNode Scope(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            if (current is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax
                or AccessorDeclarationSyntax or CompilationUnitSyntax)
            {
                return current;
            }
        }

        return node.SyntaxTree.GetRoot();
    }
}

/// <param name="Initializer">The operation the local was declared with; null when it has none.</param>
/// <param name="Conventions">Instrumentation conventions applied to the local, in source order.</param>
internal readonly record struct LocalBuilderUse(IOperation? Initializer, List<InstrumentationChoice> Conventions, bool IsReassigned);
