using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Instrumentation.TestSupport;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests.Faults;

/// <summary>
/// The sample as its own process, as a container runs it: under steady load with its Wavefront proxy down, it gets a
/// SIGTERM. It must stop within its configured shutdown timeouts, without an unhandled error, and its final account
/// (the one log line a supervisor keeps once no backend is left to ask) must balance: every point produced was
/// delivered or counted as dropped, with nothing left buffered.
/// </summary>
public sealed partial class ShutdownUnderLoadTests(ITestOutputHelper output)
{
    private const int ShutdownTimeoutSeconds = 2;

    [Fact]
    public async Task Sigterm_under_load_with_the_proxy_down_stops_in_time_and_every_point_is_accounted_for()
    {
        var port = FreePort.Next();
        var closed = FreePort.Next();
        var directory = AppContext.BaseDirectory;
        var log = Path.Combine(Directory.CreateTempSubdirectory("instr-sigterm-").FullName, "sample.log");
        string[] arguments =
        [
            Path.Combine(directory, "ShirtShop.dll"),
            $"--urls=http://127.0.0.1:{port}",
            "--Instrumentation:Source=sigterm-test",
            "--Instrumentation:Wavefront:ProxyHost=127.0.0.1",
            $"--Instrumentation:Wavefront:MetricsPort={closed}",
            $"--Instrumentation:Wavefront:HistogramsPort={closed}",
            $"--Instrumentation:Wavefront:TracingPort={closed}",
            "--Instrumentation:Wavefront:ReportingIntervalSeconds=1",
            $"--Instrumentation:Wavefront:ShutdownTimeoutSeconds={ShutdownTimeoutSeconds}",
            "--Logging:Console:FormatterName=simple",
            "--Logging:LogLevel:Instrumentation=Information",
        ];
        using var sample = ExternalProcess.Start("dotnet", arguments, directory, log);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilServing(client, sample);

        using var stopLoad = new CancellationTokenSource();
        var served = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/style/42/make", stopLoad.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref served);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // The server going away mid-request is what this test does to it.
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(3)); // several reports produced, none delivered
        var stopping = Stopwatch.StartNew();
        sample.Stop(grace: TimeSpan.FromSeconds(30));
        var stoppedIn = stopping.Elapsed;
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        var text = await File.ReadAllTextAsync(log);
        output.WriteLine($"served {served}; stopped in {stoppedIn.TotalSeconds:F1} s");
        output.WriteLine(string.Join("\n", text.Split('\n').Where(l => l.Contains("Stopped sending", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).Take(20)));

        Assert.True(served > 0, "no request was served before the stop");
        // The Wavefront sender's own timeout, the span exporter's drain and the host's stop, with room for a loaded machine;
        // far below the 30 s after which the test would have killed it.
        Assert.True(stoppedIn < TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 8), $"stopping took {stoppedIn.TotalSeconds:F1} s");
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fail: Instrumentation", text, StringComparison.Ordinal);

        var account = FinalAccount().Match(text);
        Assert.True(account.Success, "no final account in the log:\n" + text[^Math.Min(text.Length, 3000)..]);
        long Value(string name) => long.Parse(account.Groups[name].Value, CultureInfo.InvariantCulture);
        Assert.True(Value("produced") > 0);
        Assert.Equal(0, Value("delivered"));
        Assert.Equal(0, Value("buffered"));
        Assert.Equal(Value("produced"), Value("delivered") + Value("full") + Value("shutdown") + Value("rejected") + Value("buffered"));
    }

    private static async Task WaitUntilServing(HttpClient client, ExternalProcess sample)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(sample.HasExited, "the sample exited before serving");
            try
            {
                using var response = await client.GetAsync("/style/42/make");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the sample did not start serving within a minute");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"Stopped sending to .+?: produced (?<produced>\d+), delivered (?<delivered>\d+), dropped (?<full>\d+) \(buffer full\) \+ (?<shutdown>\d+) \(shutdown\) \+ (?<rejected>\d+) \(rejected\), buffered (?<buffered>\d+)\.")]
    private static partial Regex FinalAccount();
}
