using Instrumentation.Sinks.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks;

internal static partial class Sinks
{
    static partial void AddWavefront(IServiceCollection services)
    {
        // Configuration is only final when the container is built, so the decision is made when the runtime is resolved.
        services.TryAddSingleton(provider => new WavefrontRuntime(
            provider.GetRequiredService<IOptions<Configuration.InstrumentationOptions>>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetService<WavefrontTestHooks>()));

        // Null when reporting is off, so GetService<IWavefrontSender>() tells tracing whether to send spans.
        services.TryAddSingleton<IWavefrontSender>(provider => provider.GetRequiredService<WavefrontRuntime>().Sender!);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WavefrontService>());
    }
}
