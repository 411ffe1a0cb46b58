namespace Instrumentation;

/// <summary>
/// The names a traced attribute may take (Flask-OpenTracing's <c>traced_attributes</c>): a request property or
/// <c>header:Name</c>. Compiled into the runtime (which reads <c>Instrumentation:Tracing:TracedAttributes</c> and the
/// endpoints' <c>[Traced(...)]</c> at startup) and into the analyzers (INSTR012 at build time), so both accept exactly
/// the same names and say the same thing about the others.
/// </summary>
internal static class TracedAttributeRules
{
    public const string HeaderPrefix = "header:";

    /// <summary>The request properties, in the order the runtime indexes them.</summary>
    public static readonly string[] Properties =
        { "Path", "PathBase", "Method", "Scheme", "Host", "Protocol", "QueryString", "ContentType", "ContentLength", "RemoteIpAddress" };

    /// <summary>Every accepted form, for messages: the property names, then the header form.</summary>
    public static string ValidNames => string.Join(", ", Properties) + " or header:<Name>";

    /// <summary>
    /// The index of a property name (any case, surrounding spaces ignored) in <see cref="Properties"/>; -1 with
    /// <paramref name="header"/> set for <c>header:Name</c>; -2 for anything else.
    /// </summary>
    public static int Parse(string? text, out string? header)
    {
        header = null;
        var value = text?.Trim();
        if (value is null || value.Length == 0)
        {
            return -2;
        }

        if (value.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var name = value.Substring(HeaderPrefix.Length).Trim();
            if (name.Length == 0 || !IsToken(name))
            {
                return -2;
            }

            header = name;
            return -1;
        }

        for (var i = 0; i < Properties.Length; i++)
        {
            if (string.Equals(Properties[i], value, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -2;
    }

    /// <summary>Whether the name is accepted.</summary>
    public static bool IsValid(string? text) => Parse(text, out _) != -2;

    // RFC 7230 token characters: what a header name may contain.
    private static bool IsToken(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '!' or '#' or '$' or
                '%' or '&' or '\'' or '*' or '+' or '^' or '`' or '|' or '~'))
            {
                return false;
            }
        }

        return true;
    }
}
