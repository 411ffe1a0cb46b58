using System.Reflection;
using System.Text.Json;
using Instrumentation.Prometheus.Tests;
using Instrumentation.TestSupport;

namespace Instrumentation.EndpointKinds.Tests;

/// <summary>
/// tests/Instrumentation.EndpointKinds.App started as its own process on Kestrel (127.0.0.1, a free port), with a folder
/// of files served by <c>UseStaticFiles</c>. One instance serves every test of the class.
/// </summary>
public sealed class KindsApp : IAsyncLifetime
{
    /// <summary>How many files the UseStaticFiles folder holds: far more than the series they may add.</summary>
    public const int ExtraFileCount = 200;

    private readonly string folder = Path.Combine(Path.GetTempPath(), "kinds-" + Guid.NewGuid().ToString("N"));
    private ExternalProcess? process;

    public HttpClient Client { get; private set; } = null!;

    public string LogPath => Path.Combine(folder, "app.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public async Task InitializeAsync()
    {
        var extra = Directory.CreateDirectory(Path.Combine(folder, "extra")).FullName;
        for (var i = 0; i < ExtraFileCount; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(extra, $"file{i}.txt"), $"file {i}");
        }

        var application = typeof(KindsApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "KindsApp").Value!;
        Assert.True(File.Exists(application), $"The endpoint-kinds app is not built at {application}.");
        var output = Path.GetDirectoryName(application)!;
        var port = FreePort.Next();
        process = ExternalProcess.Start(
            "env",
            [
                "ASPNETCORE_ENVIRONMENT=Development",
                "Kinds__ExtraFiles=" + extra,
                "dotnet",
                application,
                "--urls",
                $"http://127.0.0.1:{port}",
            ],
            output,
            LogPath);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await ExternalProcess.WaitUntil(
            async () => (await Client.GetAsync("/_kinds/endpoints")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60),
            "the endpoint-kinds app did not start; its log:\n" + Log);
    }

    /// <summary>The runtime endpoint table, as the app reports it.</summary>
    public async Task<IReadOnlyList<EndpointRow>> Endpoints() =>
        JsonSerializer.Deserialize<List<EndpointRow>>(await Client.GetStringAsync("/_kinds/endpoints"))!;

    public async Task<IReadOnlyList<Sample>> Metrics() => Exposition.Parse(await Client.GetStringAsync("/metrics"));

    public Task DisposeAsync()
    {
        Client?.Dispose();
        process?.Dispose();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed record EndpointRow(string DisplayName, string Pattern, bool Instrumented);
