namespace Instrumentation.Naming;

/// <summary>The handler name (Flask's <c>flask.func</c>): the method's own name, or a stand-in where it has none.</summary>
internal static class HandlerNames
{
    /// <summary>A lambda has no name of its own: it is named after what it serves, <c>GET /style/{id}/price</c>.</summary>
    public static string Lambda(string method, string template) => method + " " + template;

    /// <summary>
    /// The handler name of a compiled method's metadata name: a local function (<c>&lt;Main&gt;g__Price|0_1</c>) is
    /// its own name, a lambda (<c>&lt;Main&gt;b__0_1</c>) or no method at all is <see cref="Lambda"/>.
    /// </summary>
    public static string FromMethodName(string? name, string method, string template)
    {
        if (name is null)
        {
            return Lambda(method, template);
        }

        var localFunction = name.IndexOf(">g__", StringComparison.Ordinal);
        if (localFunction >= 0)
        {
            var start = localFunction + 4;
            var end = name.IndexOf('|', start);
            return end > start ? name.Substring(start, end - start) : name.Substring(start);
        }

        return name.IndexOf('<') >= 0 ? Lambda(method, template) : name;
    }
}
