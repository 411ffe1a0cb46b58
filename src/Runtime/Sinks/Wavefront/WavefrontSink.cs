using System.Diagnostics.Metrics;
using Instrumentation.Configuration;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>Registers the Wavefront sink.</summary>
internal static class WavefrontSink
{
    /// <summary>What the log says after "… refused " when the token is refused.</summary>
    internal const string Refusal =
        "the API token (HTTP 401/403); points are dropped (counted in ~sdk.csharp.aspnetcore.*.rejected.count) until Instrumentation:Wavefront:Token is corrected.";

    /// <summary>
    /// The reporter, the sender and the configured transport. Configuration is only final once the container is built
    /// (a test host adds its settings then), so the reporter decides at start whether to report; the sender and the
    /// transport are built only when it does. A test replaces the transport or the clock by registering its own
    /// <c>ILineTransport&lt;WavefrontDataKind&gt;</c> or <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddWavefront(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, WavefrontOptionsValidator>());
        services.TryAddSingleton(provider => WavefrontTransport.Create(SinkServices.Options(provider).Wavefront));
        services.TryAddSingleton(provider =>
        {
            var wavefront = SinkServices.Options(provider).Wavefront;
            var settings = new LineSenderSettings(
                WavefrontTransport.Destination(wavefront), wavefront.MaxQueueSize, wavefront.BatchSize, TimeSpan.FromSeconds(wavefront.FlushIntervalSeconds), Refusal, Sink: "wavefront");
            return new WavefrontSender(
                provider.GetRequiredService<ILineTransport<WavefrontDataKind>>(), settings,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Wavefront"), SinkServices.Time(provider),
                provider.GetService<IMeterFactory>());
        });
        services.TryAddSingleton<IWavefrontSender>(provider => provider.GetRequiredService<WavefrontSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WavefrontReporter>());
        return services;
    }
}
