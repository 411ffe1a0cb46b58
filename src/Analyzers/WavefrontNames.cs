using System.Text;

namespace Instrumentation.Analyzers;

/// <summary>
/// What the Wavefront reporter (WavefrontFormat in the runtime) does to the names built from a route, so the analyzer can
/// warn before the reporter has to change a name.
/// </summary>
internal static class WavefrontNames
{
    /// <summary>The most characters a tag key plus its value may hold before the server rejects the point.</summary>
    public const int MaxTagLength = 254;

    /// <summary>The tag that carries the handler on every route metric and span.</summary>
    public const string HandlerTag = "aspnetcore.func";

    /// <summary>
    /// An entity as it ends up inside a metric name: every character outside <c>a-z A-Z 0-9 . _ - ,</c> becomes
    /// <c>-</c>. (The exceptions for a leading <c>~</c> or delta marker never apply: the entity follows a prefix.)
    /// </summary>
    public static string Sanitize(string entity)
    {
        StringBuilder? sanitized = null;
        for (var i = 0; i < entity.Length; i++)
        {
            if (!IsNameCharacter(entity[i]))
            {
                sanitized ??= new StringBuilder(entity);
                sanitized[i] = '-';
            }
        }

        return sanitized?.ToString() ?? entity;
    }

    private static bool IsNameCharacter(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or ',';
}
