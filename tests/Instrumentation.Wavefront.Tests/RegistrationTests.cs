using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Instrumentation.Wavefront.Tests;

/// <summary>What AddInstrumentation registers for Wavefront, and how a test substitutes the transport and the clock.</summary>
public class RegistrationTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public async Task A_transport_and_a_clock_registered_in_the_services_replace_the_configured_ones()
    {
        var transport = new RecordingTransport();
        await using var services = Services(new() { ["Instrumentation:Wavefront:ProxyHost"] = "proxy.invalid" }, transport, () => { });
        var reporter = services.GetServices<IHostedService>().OfType<WavefrontReporter>().Single();

        await reporter.StartAsync(CancellationToken.None);
        await reporter.StoppedAsync(CancellationToken.None);

        var points = transport.Batches.SelectMany(b => b.Lines).Select(WavefrontLineParser.Parse).OfType<WavefrontPoint>().ToList();
        var version = Assert.Single(points, p => p.Name == "~sdk.csharp.aspnetcore.version");
        Assert.Equal(Start.ToUnixTimeSeconds(), version.Timestamp);
        Assert.Contains(points, p => p.Name == "~component.heartbeat");
    }

    [Fact]
    public async Task With_Wavefront_off_neither_the_sender_nor_its_transport_is_built()
    {
        var built = false;
        await using var services = Services([], new RecordingTransport(), () => built = true);
        var reporter = services.GetServices<IHostedService>().OfType<WavefrontReporter>().Single();

        await reporter.StartAsync(CancellationToken.None);
        await reporter.StoppedAsync(CancellationToken.None);
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
            await hosted.StopAsync(CancellationToken.None);
        }

        Assert.False(built);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, RecordingTransport transport, Action onBuild)
    {
        settings["Instrumentation:Source"] = "h";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddInstrumentation();
        services.AddSingleton<ILineTransport<WavefrontDataKind>>(_ =>
        {
            onBuild();
            return transport;
        });
        services.AddSingleton<TimeProvider>(new ManualTime(Start));
        return services.BuildServiceProvider();
    }
}
