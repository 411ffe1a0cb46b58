using System.Reflection;
using System.Text.Json;
using Instrumentation.Prometheus.Tests;
using Instrumentation.TestSupport;

namespace Instrumentation.EndpointKinds.Tests;

/// <summary>
/// tests/Instrumentation.EndpointKinds.App started as its own process on Kestrel, as a user runs it: HTTP/1.1 on one
/// loopback port (pages, metrics, SignalR) and h2c on another (gRPC), both free ports, with a folder of files served by
/// <c>UseStaticFiles</c>. One instance serves every test of a class (or of a collection); a class whose tests count
/// series from zero, or that needs other settings, has its own.
/// </summary>
public class KindsApp : IAsyncLifetime
{
    /// <summary>How many files the UseStaticFiles folder holds: far more than the series they may add.</summary>
    public const int ExtraFileCount = 200;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "kinds-" + Guid.NewGuid().ToString("N"));
    private ExternalProcess? process;

    /// <summary>A client of the HTTP/1.1 endpoint.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Uri Http1 { get; private set; } = null!;

    /// <summary>The h2c endpoint (HTTP/2 without TLS), for gRPC.</summary>
    public Uri Http2 { get; private set; } = null!;

    public string LogPath => Path.Combine(folder, "app.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>Configuration on top of the app's own, keyed as in appsettings (<c>Instrumentation:Grpc:NonErrorStatuses</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var extra = Directory.CreateDirectory(Path.Combine(folder, "extra")).FullName;
        for (var i = 0; i < ExtraFileCount; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(extra, $"file{i}.txt"), $"file {i}");
        }

        var settings = new Dictionary<string, string>(Settings) { ["Kinds:ExtraFiles"] = extra };
        (process, Http1, Http2) = Launch(settings, LogPath);
        Client = new HttpClient { BaseAddress = Http1 };
        await ExternalProcess.WaitUntil(
            async () => (await Client.GetAsync("/_kinds/endpoints")).IsSuccessStatusCode,
            StartTimeout,
            "the endpoint-kinds app did not start; its log:\n" + Log);
    }

    /// <summary>Starts the app with settings its startup must reject, and returns its log once it has exited.</summary>
    public static async Task<string> FailedStartLogAsync(IReadOnlyDictionary<string, string> settings)
    {
        var logPath = Path.Combine(Path.GetTempPath(), "kinds-failed-" + Guid.NewGuid().ToString("N") + ".log");
        var (failed, _, _) = Launch(settings, logPath);
        using (failed)
        {
            await ExternalProcess.WaitUntil(() => Task.FromResult(failed.HasExited), StartTimeout, "the app started although its settings are invalid");
        }

        var log = await File.ReadAllTextAsync(logPath);
        File.Delete(logPath);
        return log;
    }

    /// <summary>The runtime endpoint table, as the app reports it.</summary>
    public async Task<IReadOnlyList<EndpointRow>> Endpoints() =>
        JsonSerializer.Deserialize<List<EndpointRow>>(await Client.GetStringAsync("/_kinds/endpoints"))!;

    /// <summary>The build-time catalog the generator emitted into the app.</summary>
    public async Task<IReadOnlyList<CatalogRow>> Catalog() =>
        JsonSerializer.Deserialize<List<CatalogRow>>(await Client.GetStringAsync("/_kinds/catalog"))!;

    /// <summary>The spans the app's listener recorded (with <c>Kinds:RecordSpans</c>).</summary>
    public async Task<IReadOnlyList<SpanRow>> Spans() =>
        JsonSerializer.Deserialize<List<SpanRow>>(await Client.GetStringAsync("/_kinds/spans"))!;

    public async Task<IReadOnlyList<Sample>> Metrics() => Exposition.Parse(await Client.GetStringAsync("/metrics"));

    public virtual Task DisposeAsync()
    {
        Client?.Dispose();
        process?.Dispose();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    private static (ExternalProcess Process, Uri Http1, Uri Http2) Launch(IReadOnlyDictionary<string, string> settings, string logPath)
    {
        var application = typeof(KindsApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "KindsApp").Value!;
        Assert.True(File.Exists(application), $"The endpoint-kinds app is not built at {application}.");
        var http1 = FreePort.Next();
        var http2 = FreePort.Next();
        while (http2 == http1)
        {
            http2 = FreePort.Next();
        }

        var configuration = new Dictionary<string, string>(settings)
        {
            ["Kestrel:Endpoints:Http1:Url"] = $"http://127.0.0.1:{http1}",
            ["Kestrel:Endpoints:Http1:Protocols"] = "Http1",
            ["Kestrel:Endpoints:H2c:Url"] = $"http://127.0.0.1:{http2}",
            ["Kestrel:Endpoints:H2c:Protocols"] = "Http2",
        };
        var process = ExternalProcess.Start(
            "env",
            [
                "ASPNETCORE_ENVIRONMENT=Development",
                .. configuration.Select(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal) + "=" + setting.Value),
                "dotnet",
                application,
            ],
            Path.GetDirectoryName(application)!,
            logPath);
        return (process, new Uri($"http://127.0.0.1:{http1}"), new Uri($"http://127.0.0.1:{http2}"));
    }
}

/// <summary>One endpoint of the runtime table.</summary>
/// <param name="Binding">The type of its request delegate's target: the instrumentation's wrapper when it is bound.</param>
public sealed record EndpointRow(string DisplayName, string Pattern, string Binding)
{
    /// <summary>Bound to instruments: requests, or, for a hub's connection endpoint, connections.</summary>
    public bool Instrumented => Binding is "InstrumentedEndpoint" or "HubConnectionEndpoint";
}

/// <summary>One entry of the build-time catalog.</summary>
public sealed record CatalogRow(string Entity, string Template, string Method, string Handler, string Kind);

/// <summary>One span the app's listener recorded, its tag values with their JSON types (numbers, strings).</summary>
public sealed record SpanRow(string SourceName, string DisplayName, string Status, Dictionary<string, JsonElement> Tags)
{
    public System.Diagnostics.ActivityStatusCode StatusCode => Enum.Parse<System.Diagnostics.ActivityStatusCode>(Status);

    public object? GetTagItem(string key) => Tags.TryGetValue(key, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out var number) ? (object)number : value.GetDouble(),
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
            _ => value.ToString(),
        }
        : null;
}

/// <summary>The tests that share one app: they read the endpoint table and the catalog, or count from their own baseline.</summary>
[CollectionDefinition(Name)]
public sealed class SharedKindsApp : ICollectionFixture<KindsApp>
{
    public const string Name = "The endpoint-kinds app";
}
