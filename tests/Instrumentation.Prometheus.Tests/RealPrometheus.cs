using System.Net.Http.Json;
using System.Text.Json;
using Instrumentation.TestSupport;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// Debian's Prometheus, scraping one target every second, on a free loopback port in a temporary directory of its own,
/// started and stopped by its PID; and its instant-query API as the tests read it. Every real-server fixture here
/// uses this one, so how Prometheus is started and asked exists once.
/// </summary>
internal sealed class RealPrometheus : IDisposable
{
    private readonly ExternalProcess process;

    private RealPrometheus(string directory, ExternalProcess process, HttpClient client)
    {
        Directory = directory;
        this.process = process;
        Client = client;
    }

    /// <summary>The directory holding its configuration, its data and <c>prometheus.log</c>.</summary>
    public string Directory { get; }

    /// <summary>A client of its HTTP API.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts it scraping <paramref name="target"/> (host:port) as <paramref name="job"/>, and waits until it is ready.</summary>
    public static async Task<RealPrometheus> StartAsync(string job, string target, params string[] features)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("prom-it-").FullName;
        var port = FreePort.Next();
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: {job}
                static_configs:
                  - targets: ['{target}']
            """);
        string[] arguments =
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            .. features.Select(feature => $"--enable-feature={feature}"),
        ];
        var process = ExternalProcess.Start(Tools.Find("prometheus"), arguments, directory, Path.Combine(directory, "prometheus.log"));
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var prometheus = new RealPrometheus(directory, process, client);
        await ExternalProcess.WaitUntil(
            async () => (await client.GetAsync("/-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), $"Prometheus did not start; see {directory}/prometheus.log");
        return prometheus;
    }

    /// <summary>The result array of an instant query, evaluated now or at <paramref name="at"/> (Unix seconds).</summary>
    public async Task<JsonElement> RawQuery(string query, string? at = null)
    {
        var json = await Client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/query?query={Uri.EscapeDataString(query)}" + (at is null ? "" : $"&time={at}"));
        return json.GetProperty("data").GetProperty("result");
    }

    /// <summary>An instant query's float samples: each result's labels and value as Prometheus wrote it.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, string Value)>> Query(string query, string? at = null) =>
        (await RawQuery(query, at)).EnumerateArray()
            .Where(r => r.TryGetProperty("value", out _))
            .Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                r.GetProperty("value")[1].GetString()!))
            .ToList();

    public void Dispose()
    {
        process.Dispose();
        Client.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
