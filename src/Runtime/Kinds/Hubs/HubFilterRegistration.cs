using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Instrumentation.Kinds.Hubs;

/// <summary>
/// Adds <see cref="InstrumentationHubFilter"/> to SignalR's global hub options. Only SignalR resolves
/// <see cref="HubOptions"/>, so an application without hubs never runs this or creates the filter.
/// </summary>
internal static class HubFilterRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<InstrumentationHubFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HubOptions>, AddFilter>());
    }

    private sealed class AddFilter(InstrumentationHubFilter filter) : IConfigureOptions<HubOptions>
    {
        public void Configure(HubOptions options) => options.AddFilter(filter);
    }
}
