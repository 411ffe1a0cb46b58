using System.ComponentModel;

namespace Instrumentation.Model;

/// <summary>
/// The endpoints the source generator found at build time, registered by generated code when the assembly loads.
/// Startup binds each live endpoint to its entry by (entity, method); the request path never looks here.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class EndpointCatalog
{
    private static readonly object Gate = new();
    private static RouteDescriptor[] routes = [];

    /// <summary>Called by generated code; not meant for users.</summary>
    public static void Register(RouteDescriptor[] generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        lock (Gate)
        {
            routes = [.. routes, .. generated];
        }
    }

    /// <summary>Every route registered so far.</summary>
    public static IReadOnlyList<RouteDescriptor> Routes => Volatile.Read(ref routes);

    /// <summary>The generated descriptor of a route entity and method, if the generator saw that endpoint.</summary>
    internal static RouteDescriptor? Find(string entity, string method)
    {
        foreach (var route in Volatile.Read(ref routes))
        {
            if (route.Method == method && string.Equals(route.Entity, entity, StringComparison.Ordinal))
            {
                return route;
            }
        }

        return null;
    }
}
