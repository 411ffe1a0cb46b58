using Instrumentation.Sinks.Graphite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Instrumentation.Sinks;

internal static partial class Sinks
{
    // Registered whether or not Graphite is enabled: the reporter reads the option when the host starts it.
    static partial void AddGraphite(IServiceCollection services)
    {
        services.TryAddSingleton<GraphiteReporter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GraphiteReporter>(provider => provider.GetRequiredService<GraphiteReporter>()));
    }
}
