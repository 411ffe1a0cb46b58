using System.Diagnostics;
using System.Text.RegularExpressions;
using Instrumentation.TestSupport;
using Xunit.Abstractions;

namespace Instrumentation.Package.Tests;

/// <summary>
/// The packed .nupkg in a minimal-API app published with Native AOT: the library is trimmed and compiled ahead of time
/// without a single trim or AOT warning, and the native binary measures its requests and binds and validates its
/// configuration as the JIT-compiled app does. One publish per run: it takes minutes on a small machine.
/// </summary>
public sealed partial class NativeAotConsumerTests(ITestOutputHelper output)
{
    private const string Name = "NativeAot";

    private static readonly Dictionary<string, string> Files = new()
    {
        ["Program.cs"] = """
            using Instrumentation;

            var builder = WebApplication.CreateSlimBuilder(args);
            builder.Services.AddInstrumentation();
            var app = builder.Build();
            app.UseInstrumentation();
            app.MapGet("/healthz", [NotInstrumented] () => "ok");
            app.MapGet("/style/{id}/price", (string id) => $"price of {id}").Instrumented();
            var orders = app.MapGroup("/api/orders").Instrumented();
            orders.MapGet("/{id:int}", (int id) => $"order {id}");
            app.Run();
            """,
    };

    [Fact]
    public async Task A_native_AOT_publish_has_no_trim_or_AOT_warnings_and_counts_its_requests()
    {
        using var project = ConsumerProject.Create(Name, "<PublishAot>true</PublishAot>", Files);
        var publish = Path.Combine(project.Directory, "bin", "aot");
        var clock = Stopwatch.StartNew();
        var (exitCode, log) = project.Dotnet(TimeSpan.FromMinutes(15), "publish", "-c", "Release", "-o", publish, "-nologo", "-v", "minimal");
        output.WriteLine($"Native AOT publish of the consumer took {clock.Elapsed.TotalSeconds:F0} s.");
        Assert.True(exitCode == 0, log);
        Assert.Empty(TrimOrAotWarnings().Matches(log).Select(m => m.Value).Distinct());

        // A native executable, not an IL assembly for the dotnet host.
        var executable = Path.Combine(publish, Name);
        Assert.True(File.Exists(executable), log);
        Assert.False(File.Exists(Path.Combine(publish, Name + ".dll")), log);

        await Requests_are_counted_exactly(executable);
        Configuration_errors_name_the_key(executable);
    }

    private static async Task Requests_are_counted_exactly(string executable)
    {
        var port = FreePort.Next();
        // A setting on the command line: the generated binding reads it in the trimmed binary too.
        using var app = ConsumerProject.RunNative(executable, port, "--Instrumentation:Cluster=aot-cluster");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await ExternalProcess.WaitUntil(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the native app did not start");
            Assert.Equal("price of 1", await http.GetStringAsync("/style/1/price"));
            Assert.Equal("price of 2", await http.GetStringAsync("/style/2/price"));
            Assert.Equal("order 5", await http.GetStringAsync("/api/orders/5"));

            // A request is recorded as its response completes, which may be just after the client has read it.
            string metrics = "";
            await ExternalProcess.WaitUntil(
                async () => Exposition.Count(metrics = await http.GetStringAsync("/metrics"), "/style/{id}/price") >= 2
                    && Exposition.Count(metrics, "/api/orders/{id:int}") >= 1,
                TimeSpan.FromSeconds(10),
                "the requests never showed in /metrics");
            Assert.Equal(2, Exposition.Count(metrics, "/style/{id}/price"));
            Assert.Equal(1, Exposition.Count(metrics, "/api/orders/{id:int}"));
            Assert.DoesNotContain("healthz", metrics, StringComparison.Ordinal);
            Assert.Contains("cluster=\"aot-cluster\"", metrics, StringComparison.Ordinal);
        }
        finally
        {
            app.Kill(entireProcessTree: true);
        }
    }

    // A bad value, an unknown key and a failed check: each stops the trimmed binary at startup, naming the key.
    private static void Configuration_errors_name_the_key(string executable)
    {
        foreach (var (setting, expected) in new[]
        {
            ("--Instrumentation:ErrorStatusCodeMinimum=four hundred", "Instrumentation:ErrorStatusCodeMinimum"),
            ("--Instrumentation:Clustr=us-west-1", "Clustr"),
            ("--Instrumentation:Cluster= ", "Instrumentation:Cluster must not be empty"),
        })
        {
            var (exitCode, log) = ConsumerProject.RunToExit(
                executable, TimeSpan.FromSeconds(30), setting, "--urls", $"http://127.0.0.1:{FreePort.Next()}");
            Assert.True(exitCode != 0, $"{setting} did not stop the app:\n{log}");
            Assert.Contains(expected, log, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\bIL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex TrimOrAotWarnings();
}
