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

    public static long TotalCount(this InstrumentRegistry registry) =>
        registry.Routes.SelectMany(r => r.Statuses).Sum(s => s.Count);
}
