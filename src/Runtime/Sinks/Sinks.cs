using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Sinks;

/// <summary>
/// Where each sink hooks into <c>AddInstrumentation()</c> and <c>UseInstrumentation()</c>: one partial method per
/// sink, implemented in the sink's own folder.
/// </summary>
internal static partial class Sinks
{
    public static void Register(IServiceCollection services)
    {
        AddPrometheus(services);
        AddWavefront(services);
        AddGraphite(services);
        AddTracing(services);
    }

    public static void Use(IApplicationBuilder app)
    {
        UsePrometheus(app);
        UseTracing(app);
    }

    static partial void AddPrometheus(IServiceCollection services);

    static partial void AddWavefront(IServiceCollection services);

    static partial void AddGraphite(IServiceCollection services);

    static partial void AddTracing(IServiceCollection services);

    static partial void UsePrometheus(IApplicationBuilder app);

    static partial void UseTracing(IApplicationBuilder app);
}
