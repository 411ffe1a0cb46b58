using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Recognizes framework and library symbols by name, so parsing works whichever assemblies (reference packs, the
/// shared framework) a compilation happens to bind them from.
/// </summary>
internal static class KnownSymbols
{
    public const string InstrumentationNamespace = "Instrumentation";
    public const string MvcNamespace = "Microsoft.AspNetCore.Mvc";
    public const string MvcRoutingNamespace = "Microsoft.AspNetCore.Mvc.Routing";
    public const string BuilderNamespace = "Microsoft.AspNetCore.Builder";
    public const string HttpNamespace = "Microsoft.AspNetCore.Http";
    public const string RoutingNamespace = "Microsoft.AspNetCore.Routing";

    public static bool Is(ITypeSymbol? type, string containingNamespace, string name) =>
        type is not null && type.Name == name && IsNamespace(type.ContainingNamespace, containingNamespace);

    /// <summary>
    /// Whether <paramref name="candidate"/> is the namespace named <paramref name="dottedName"/>, compared part by part
    /// from the innermost: parsers ask this for every attribute and call they look at, and formatting the namespace's
    /// display string would allocate one string per question.
    /// </summary>
    public static bool IsNamespace(INamespaceSymbol? candidate, string dottedName)
    {
        var end = dottedName.Length;
        for (var current = candidate; current is not null && !current.IsGlobalNamespace; current = current.ContainingNamespace)
        {
            var part = current.Name;
            var start = end - part.Length;
            if (start < 0 || string.CompareOrdinal(dottedName, start, part, 0, part.Length) != 0)
            {
                return false;
            }

            if (start == 0)
            {
                return current.ContainingNamespace is null || current.ContainingNamespace.IsGlobalNamespace;
            }

            if (dottedName[start - 1] != '.')
            {
                return false;
            }

            end = start - 1;
        }

        return false;
    }

    public static bool IsOrDerivesFrom(ITypeSymbol? type, string containingNamespace, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, containingNamespace, name))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsRouteGroupBuilder(ITypeSymbol? type) => IsOrDerivesFrom(type, RoutingNamespace, "RouteGroupBuilder");

    /// <summary>Strips the implicit conversions and parentheses the compiler wraps around arguments.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        var current = operation;
        while (true)
        {
            switch (current)
            {
                case IConversionOperation conversion:
                    current = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    current = parenthesized.Operand;
                    break;
                default:
                    return current;
            }
        }
    }

    public static IArgumentOperation? Argument(IInvocationOperation invocation, string parameterName)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == parameterName)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The builder an extension method was called on (its <c>this</c> argument).</summary>
    public static IOperation? Receiver(IInvocationOperation invocation)
    {
        if (invocation.Instance is not null)
        {
            return invocation.Instance;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }

    public static string? ConstantString(IOperation? operation) =>
        operation is not null && operation.ConstantValue.HasValue ? operation.ConstantValue.Value as string : null;
}
