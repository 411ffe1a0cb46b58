using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Analyzers;

/// <summary>
/// The name a call invokes, read from syntax alone: the analyzers' cheap filter before binding (a method cannot be
/// renamed at the call, no alias names a method, so a different name can never be the method they look for).
/// </summary>
internal static class InvokedNames
{
    public static string? Of(InvocationExpressionSyntax call) => call.Expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };
}
