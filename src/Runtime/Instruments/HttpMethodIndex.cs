using Microsoft.AspNetCore.Http;

namespace Instrumentation.Instruments;

/// <summary>
/// Folds HTTP methods into a fixed set, so no client can create series by inventing methods. Kestrel hands out the
/// standard methods as the interned <see cref="HttpMethods"/> strings, so the reference checks usually decide.
/// </summary>
public static class HttpMethodIndex
{
    /// <summary>The folded methods, by index; the last is <c>OTHER</c>.</summary>
    public static readonly string[] Names = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "OTHER"];

    /// <summary>The index of <c>OTHER</c>.</summary>
    public const int Other = 9;

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
    public static string Fold(string method) => Names[Of(method)];

    private static int OfSlow(string method)
    {
        for (var i = 0; i < Other; i++)
        {
            if (string.Equals(method, Names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return Other;
    }
}
