using System.Diagnostics.CodeAnalysis;
using Instrumentation.CustomMetrics;
using Instrumentation.Instruments;
using Instrumentation.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a class that declares custom metrics.</summary>
public static class CustomMetricServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TMetrics"/> (a class that declares its metrics through
    /// <see cref="Instrumentation.CustomMetricFactory"/> in its constructor and keeps them in properties) as a singleton
    /// created when the application starts, so a metric a backend cannot take stops the start with its name.
    /// </summary>
    public static IServiceCollection AddCustomMetrics<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TMetrics>(this IServiceCollection services)
        where TMetrics : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TMetrics>();
        services.AddTransient<IStartupFilter, DeclareAtStartup<TMetrics>>();
        return services;
    }

    /// <summary>The factory every sink reads; added by <c>AddInstrumentation</c>.</summary>
    internal static IServiceCollection AddCustomMetricFactory(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new CustomMetricsMeter(provider.GetRequiredService<RouteMeter>()));
        services.TryAddSingleton(provider => new Instrumentation.CustomMetricFactory(
            provider.GetRequiredService<InstrumentRegistry>(), provider.GetRequiredService<CustomMetricsMeter>()));
        return services;
    }

    private sealed class DeclareAtStartup<TMetrics>(IServiceProvider services) : IStartupFilter
        where TMetrics : class
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
        {
            services.GetRequiredService<TMetrics>();
            return next;
        }
    }
}
