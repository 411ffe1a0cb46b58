using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Instrumentation.Sinks.Graphite;
using Instrumentation.TestSupport;

namespace Instrumentation.Graphite.Tests;

/// <summary>
/// A real carbon-cache (Debian's graphite-carbon) on free loopback ports with its own configuration and storage, and
/// the ShirtShop sample reporting to it every second. Carbon can be stopped and started again on the same ports and
/// storage to play an outage.
/// </summary>
public sealed class CarbonFixture : IAsyncLifetime
{
    public const string Stem = "it.test_host_local.shop";

    private readonly string root = Directory.CreateTempSubdirectory("graphite-it-").FullName;
    private readonly bool withSample = true;
    private ExternalProcess? carbon;
    private SampleServer? server;

    public CarbonFixture()
    {
    }

    /// <summary>Carbon alone, for a test that drives its own sender (FaultTests).</summary>
    internal CarbonFixture(bool withSample) => this.withSample = withSample;

    public int LinePort { get; } = FreePort.Next();

    /// <summary>Carbon's cache query port (carbonlink), where graphite-web reads points not yet written.</summary>
    public int CacheQueryPort { get; } = FreePort.Next();

    public string WhisperDirectory => Path.Combine(Storage, "whisper");

    public long StartedAt { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public SampleServer Server => server ?? throw new InvalidOperationException("not started");

    internal GraphiteReporter Reporter => Server.Get<GraphiteReporter>();

    private string Storage => Path.Combine(root, "storage");

    public async Task InitializeAsync()
    {
        WriteConfiguration();
        await StartCarbon();
        try
        {
            server = withSample ? StartSample() : null;
        }
        catch
        {
            StopCarbon();
            throw;
        }
    }

    private SampleServer StartSample() =>
        SampleServer.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Source"] = "test.host.local",
            ["Instrumentation:Graphite:Enabled"] = "true",
            ["Instrumentation:Graphite:Host"] = "127.0.0.1",
            ["Instrumentation:Graphite:Port"] = LinePort.ToString(CultureInfo.InvariantCulture),
            ["Instrumentation:Graphite:Prefix"] = "it",
            ["Instrumentation:Graphite:Group"] = "shop",
            ["Instrumentation:Graphite:ReportingIntervalSeconds"] = "1",
            ["Instrumentation:Graphite:ShutdownTimeoutSeconds"] = "2",
        },
        DelayedActions.Add);

    public async Task DisposeAsync()
    {
        try
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        finally
        {
            StopCarbon();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // carbon may still be closing a file; the temp directory is not worth failing the run for.
            }
        }
    }

    public async Task StartCarbon()
    {
        if (carbon is { HasExited: false })
        {
            return;
        }

        carbon?.Dispose();
        carbon = ExternalProcess.Start(
            "carbon-cache",
            [$"--config={Path.Combine(root, "conf", "carbon.conf")}", $"--pidfile={Path.Combine(root, "run", "carbon-cache.pid")}", "--nodaemon", "start"],
            root,
            Path.Combine(root, "carbon.log"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                Assert.False(carbon.HasExited, "carbon-cache exited: " + Log());
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", LinePort);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch
            {
                StopCarbon();
                throw;
            }
        }
    }

    public void StopCarbon()
    {
        carbon?.Stop();
    }

    /// <summary>Whether carbon has a whisper file for the metric.</summary>
    public bool Exists(string metric) => File.Exists(WhisperFile(metric));

    /// <summary>The non-empty points of a metric since the fixture started, read with whisper-fetch.</summary>
    public async Task<List<(long Timestamp, double Value)>> Fetch(string metric)
    {
        var file = WhisperFile(metric);
        if (!File.Exists(file))
        {
            return [];
        }

        var info = new ProcessStartInfo("whisper-fetch")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--from={StartedAt - 5}");
        info.ArgumentList.Add($"--until={DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5}");
        info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"whisper-fetch {file} failed: {await errors}");
        var points = new List<(long, double)>();
        foreach (var line in (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length == 2 && parts[1] != "None")
            {
                points.Add((long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture)));
            }
        }

        return points;
    }

    public async Task<double> Sum(string metric) => (await Fetch(metric)).Sum(p => p.Value);

    public string Log()
    {
        var log = Path.Combine(root, "carbon.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no log)";
    }

    private string WhisperFile(string metric) => Path.Combine(WhisperDirectory, Path.Combine(metric.Split('.')) + ".wsp");

    private void WriteConfiguration()
    {
        var conf = Path.Combine(root, "conf");
        Directory.CreateDirectory(conf);
        Directory.CreateDirectory(Path.Combine(Storage, "whisper"));
        Directory.CreateDirectory(Path.Combine(root, "log"));
        Directory.CreateDirectory(Path.Combine(root, "run"));
        File.WriteAllText(Path.Combine(conf, "carbon.conf"), $"""
            [cache]
            STORAGE_DIR = {Storage}/
            LOCAL_DATA_DIR = {Storage}/whisper/
            CONF_DIR = {conf}/
            LOG_DIR = {root}/log/
            PID_DIR = {root}/run/
            DATABASE = whisper
            ENABLE_LOGROTATION = False
            MAX_CACHE_SIZE = inf
            MAX_UPDATES_PER_SECOND = 100000
            MAX_CREATES_PER_MINUTE = inf
            LINE_RECEIVER_INTERFACE = 127.0.0.1
            LINE_RECEIVER_PORT = {LinePort}
            PICKLE_RECEIVER_INTERFACE = 127.0.0.1
            PICKLE_RECEIVER_PORT = {FreePort.Next()}
            CACHE_QUERY_INTERFACE = 127.0.0.1
            CACHE_QUERY_PORT = {CacheQueryPort}
            ENABLE_UDP_LISTENER = False
            ENABLE_TAGS = False
            WHISPER_AUTOFLUSH = True
            LOG_UPDATES = False
            """);

        // One-second slots, so every one-second interval is kept as its own point.
        File.WriteAllText(Path.Combine(conf, "storage-schemas.conf"), """
            [everything]
            pattern = .*
            retentions = 1s:1h
            """);
        File.WriteAllText(Path.Combine(conf, "storage-aggregation.conf"), """
            [everything]
            pattern = .*
            xFilesFactor = 0
            aggregationMethod = sum
            """);
    }
}
