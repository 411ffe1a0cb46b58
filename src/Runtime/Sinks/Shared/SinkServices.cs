using Instrumentation.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Shared;

/// <summary>What every sink's registration reads from the services.</summary>
internal static class SinkServices
{
    /// <summary>The clock a test registered (a fake one it moves by hand), else the system clock.</summary>
    public static TimeProvider Time(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>The validated configuration section.</summary>
    public static InstrumentationOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
}
