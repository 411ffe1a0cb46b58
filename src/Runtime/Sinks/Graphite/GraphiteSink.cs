using System.Diagnostics.Metrics;
using Instrumentation.Configuration;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Graphite;

/// <summary>Registers the Graphite sink.</summary>
internal static class GraphiteSink
{
    // Points per send; a send also holds at most one 256 KB segment.
    private const int BatchSize = 5_000;

    // How often the sender retries while points wait; each report also asks it to send at once.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The interval reporter, its counters, the sender and the TCP transport. Configuration is only final once the
    /// container is built, so the reporter decides at start whether to report; the sender and the transport are built
    /// only when it does. A test replaces the transport or the clock by registering its own
    /// <c>ILineTransport&lt;GraphiteChannel&gt;</c> or <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddGraphite(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, GraphiteOptionsValidator>());
        services.TryAddSingleton<ILineTransport<GraphiteChannel>>(provider =>
        {
            var graphite = SinkServices.Options(provider).Graphite;
            return new TcpLineTransport<GraphiteChannel>(graphite.Host, new Dictionary<GraphiteChannel, int> { [GraphiteChannel.Points] = graphite.Port });
        });
        services.TryAddSingleton(provider =>
        {
            var graphite = SinkServices.Options(provider).Graphite;
            var settings = new LineSenderSettings($"carbon at {graphite.Host}:{graphite.Port}", graphite.MaxBufferedPoints, BatchSize, FlushInterval, Sink: "graphite");
            return new GraphiteSender(
                provider.GetRequiredService<ILineTransport<GraphiteChannel>>(), settings,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Graphite"), SinkServices.Time(provider),
                provider.GetService<IMeterFactory>());
        });
        services.TryAddSingleton<GraphiteIntervalReporter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GraphiteIntervalReporter>(provider => provider.GetRequiredService<GraphiteIntervalReporter>()));
        services.TryAddSingleton(provider => new GraphiteReporter(provider.GetRequiredService<GraphiteIntervalReporter>()));
        return services;
    }
}
