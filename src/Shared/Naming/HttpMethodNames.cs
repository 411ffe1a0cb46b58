namespace Instrumentation.Naming;

/// <summary>
/// The closed set of method names: the standard methods, upper case, and <see cref="Other"/> for anything else, so no
/// client can create series by inventing methods. The runtime's request-path index follows this order.
/// </summary>
internal static class HttpMethodNames
{
    /// <summary>What every method outside <see cref="Standard"/> folds into.</summary>
    public const string Other = "OTHER";

    /// <summary>The standard methods in emission order; an endpoint accepting any method gets one series per entry.</summary>
    public static IReadOnlyList<string> Standard { get; } = new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT" };

    /// <summary>Upper case for a standard method (any casing, surrounding spaces ignored); anything else is <see cref="Other"/>.</summary>
    public static string Fold(string method)
    {
        var trimmed = method.Trim();
        foreach (var standard in Standard)
        {
            if (string.Equals(trimmed, standard, StringComparison.OrdinalIgnoreCase))
            {
                return standard;
            }
        }

        return Other;
    }

    /// <summary>The position of a folded method in emission order; <see cref="Other"/> and unknown names sort last.</summary>
    public static int Order(string method)
    {
        for (var i = 0; i < Standard.Count; i++)
        {
            if (string.Equals(method, Standard[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return Standard.Count;
    }
}
