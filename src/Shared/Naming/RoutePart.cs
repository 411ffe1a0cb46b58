namespace Instrumentation.Naming;

/// <summary>
/// One part of one segment of a route, in the shape both ASP.NET Core's <c>RoutePattern</c> (at startup) and the
/// generator's template parser (at build time) produce. Every name in docs/naming.md is computed from a list of
/// segments of these, so the two sides cannot name a route differently once they agree on its parts.
/// </summary>
internal readonly struct RoutePart
{
    private static readonly string[] NoPolicies = new string[0];

    private RoutePart(bool isParameter, string text, IReadOnlyList<string> policies, string? defaultValue, bool isOptional, bool isCatchAll, bool encodesSlashes)
    {
        IsParameter = isParameter;
        Text = text;
        Policies = policies;
        DefaultValue = defaultValue;
        IsOptional = isOptional;
        IsCatchAll = isCatchAll;
        EncodesSlashes = encodesSlashes;
    }

    /// <summary>Whether this is a <c>{parameter}</c>; otherwise literal text (a complex segment's separators included).</summary>
    public bool IsParameter { get; }

    /// <summary>The literal text, unescaped (<c>{{</c> read as <c>{</c>), or the parameter's name.</summary>
    public string Text { get; }

    /// <summary>The parameter's constraints as written, arguments included (<c>min(1)</c>), unescaped.</summary>
    public IReadOnlyList<string> Policies { get; }

    public string? DefaultValue { get; }

    public bool IsOptional { get; }

    public bool IsCatchAll { get; }

    /// <summary>A catch-all written <c>{*x}</c>, which encodes slashes when links are generated; <c>{**x}</c> does not.</summary>
    public bool EncodesSlashes { get; }

    public static RoutePart Literal(string text) => new(false, text, NoPolicies, null, false, false, false);

    public static RoutePart Parameter(
        string name, IReadOnlyList<string>? policies, string? defaultValue, bool isOptional, bool isCatchAll, bool encodesSlashes) =>
        new(true, name, policies ?? NoPolicies, defaultValue, isOptional, isCatchAll, isCatchAll && encodesSlashes);
}
