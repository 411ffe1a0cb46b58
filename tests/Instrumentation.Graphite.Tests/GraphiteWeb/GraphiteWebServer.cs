using System.Globalization;
using System.Text.Json;
using Instrumentation.TestSupport;
using Instrumentation.Tests.Shared;

namespace Instrumentation.Graphite.Tests.GraphiteWeb;

/// <summary>
/// Debian's graphite-web serving a carbon fixture's whisper files (and its cache, through carbonlink) on a free loopback
/// port, started with <c>graphite_web.py</c> beside this file: the render API Grafana's Graphite data source calls.
/// </summary>
public sealed class GraphiteWebServer : IDisposable
{
    // graphite-web is a Debian package of Debian's Python, not of whatever python3 comes first on the PATH.
    private const string Python = "/usr/bin/python3";

    private readonly string directory = Directory.CreateTempSubdirectory("graphite-web-").FullName;
    private readonly ExternalProcess process;

    private GraphiteWebServer(CarbonFixture carbon)
    {
        var port = FreePort.Next();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        process = ExternalProcess.Start(
            Python,
            [
                RepositoryPaths.Combine("tests", "Instrumentation.Graphite.Tests", "GraphiteWeb", "graphite_web.py"),
                port.ToString(CultureInfo.InvariantCulture),
                carbon.WhisperDirectory,
                directory,
                carbon.CacheQueryPort.ToString(CultureInfo.InvariantCulture),
            ],
            directory,
            LogPath);
    }

    public HttpClient Client { get; }

    private string LogPath => Path.Combine(directory, "graphite-web.log");

    public static async Task<GraphiteWebServer> Start(CarbonFixture carbon)
    {
        var server = new GraphiteWebServer(carbon);
        try
        {
            await ExternalProcess.WaitUntil(
                async () => (await server.Client.GetAsync("/render?target=none&format=json")).IsSuccessStatusCode,
                TimeSpan.FromSeconds(30),
                $"graphite-web did not start: {server.Log()}");
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Renders a target over the last ten minutes: each series' name and its non-empty points.</summary>
    public async Task<IReadOnlyList<(string Name, IReadOnlyList<double> Values)>> Render(string target)
    {
        using var response = await Client.GetAsync($"/render?format=json&from=-10min&until=now&target={Uri.EscapeDataString(target)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"graphite-web answered {(int)response.StatusCode} to {target}: {body[..Math.Min(body.Length, 2000)]}");
        return JsonSerializer.Deserialize<JsonElement>(body).EnumerateArray()
            .Select(series => (
                series.GetProperty("target").GetString()!,
                (IReadOnlyList<double>)series.GetProperty("datapoints").EnumerateArray()
                    .Where(point => point[0].ValueKind == JsonValueKind.Number)
                    .Select(point => point[0].GetDouble())
                    .ToList()))
            .ToList();
    }

    public string Log()
    {
        var exceptions = Path.Combine(directory, "log", "exception.log");
        return string.Join('\n', new[] { LogPath, exceptions }.Where(File.Exists).SelectMany(f => File.ReadLines(f).TakeLast(20)));
    }

    public void Dispose()
    {
        process.Dispose();
        Client.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
