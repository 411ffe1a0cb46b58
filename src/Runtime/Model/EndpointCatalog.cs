using System.ComponentModel;

namespace Instrumentation.Model;

/// <summary>
/// The endpoints the source generator found at build time, registered by generated code when the assembly loads. At
/// startup each live endpoint is bound to its entry by (template, method), so its names are the ones computed at build
/// time; the request path never looks here.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class EndpointCatalog
{
    private static readonly object Gate = new();
    private static RouteDescriptor[] routes = [];
    private static Dictionary<(string Template, string Method), RouteDescriptor?> index = [];

    /// <summary>Called by generated code; not meant for users.</summary>
    public static void Register(RouteDescriptor[] generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        lock (Gate)
        {
            RouteDescriptor[] all = [.. routes, .. generated];
            var byKey = new Dictionary<(string Template, string Method), RouteDescriptor?>();
            foreach (var route in all)
            {
                // Two assemblies naming the same route differently (their handlers differ): neither wins; startup names it.
                var key = (route.Template, route.Method);
                byKey[key] = byKey.TryGetValue(key, out var existing) && existing != route ? null : route;
            }

            Volatile.Write(ref index, byKey);
            Volatile.Write(ref routes, all);
        }
    }

    /// <summary>Every route registered so far.</summary>
    public static IReadOnlyList<RouteDescriptor> Routes => Volatile.Read(ref routes);

    /// <summary>The generated descriptor of a template (as <c>RouteNames.Template</c> renders it) and method, if unambiguous.</summary>
    internal static RouteDescriptor? Find(string template, string method) =>
        Volatile.Read(ref index).TryGetValue((template, method), out var route) ? route : null;
}
