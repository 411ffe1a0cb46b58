using Instrumentation.Naming;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Instruments;

/// <summary>
/// Folds HTTP methods into a fixed set, so no client can create series by inventing methods. Kestrel hands out the
/// standard methods as the interned <see cref="HttpMethods"/> strings, so the reference checks usually decide. The
/// order is <see cref="HttpMethodNames.Standard"/>'s, then <c>OTHER</c>.
/// </summary>
internal static class HttpMethodIndex
{
    /// <summary>The folded methods, by index; the last is <c>OTHER</c>.</summary>
    public static IReadOnlyList<string> Names => FoldedNames;

    /// <summary>The index of <c>OTHER</c>.</summary>
    public const int Other = 9;

    // An array, not the list interface, for the look-up that runs on requests with a method Kestrel does not intern.
    private static readonly string[] FoldedNames = [.. HttpMethodNames.Standard, HttpMethodNames.Other];

    /// <summary>How many indexes there are.</summary>
    public const int Count = Other + 1;

    /// <summary>The index of a method in <see cref="Names"/>; unknown methods give <see cref="Other"/>.</summary>
    public static int Of(string method)
    {
        if (ReferenceEquals(method, HttpMethods.Get)) return 0;
        if (ReferenceEquals(method, HttpMethods.Post)) return 1;
        if (ReferenceEquals(method, HttpMethods.Put)) return 2;
        if (ReferenceEquals(method, HttpMethods.Delete)) return 3;
        if (ReferenceEquals(method, HttpMethods.Patch)) return 4;
        if (ReferenceEquals(method, HttpMethods.Head)) return 5;
        return OfSlow(method);
    }

    /// <summary>The folded name of a method.</summary>
    public static string Fold(string method) => FoldedNames[Of(method)];

    private static int OfSlow(string method)
    {
        for (var i = 0; i < Other; i++)
        {
            if (string.Equals(method, FoldedNames[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return Other;
    }
}
