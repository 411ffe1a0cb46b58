using Instrumentation.Instruments;

namespace Instrumentation.Runtime.Tests;

internal static class RegistryQueries
{
    public static RouteInstruments Route(this InstrumentRegistry registry, string entity, string method) =>
        registry.Routes.SingleOrDefault(r => r.Descriptor.Entity == entity && r.Descriptor.Method == method)
        ?? throw new Xunit.Sdk.XunitException(
            $"no route {entity} {method}; have: {string.Join(", ", registry.Routes.Select(r => $"{r.Descriptor.Entity} {r.Descriptor.Method}"))}");

    public static long Count(this InstrumentRegistry registry, string entity, string method, int status) =>
        registry.Route(entity, method).Statuses.SingleOrDefault(s => s.StatusCode == status)?.Count ?? 0;

    /// <summary>
    /// Waits until the middleware has recorded this many completed requests: a client can read a response before the
    /// server's pipeline has unwound past the instrumentation middleware.
    /// </summary>
    public static async Task<InstrumentRegistry> Settled(this InstrumentRegistry registry, long completed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (registry.Application.Completed < completed || registry.Application.InFlight != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"only {registry.Application.Completed} of {completed} requests recorded");
            }

            await Task.Delay(5);
        }

        return registry;
    }

    public static long TotalCount(this InstrumentRegistry registry) =>
        registry.Routes.SelectMany(r => r.Statuses).Sum(s => s.Count);
}
