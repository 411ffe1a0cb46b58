using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instrumentation.Prometheus.Tests;

public sealed class DependencyTests
{
    [Fact]
    public async Task Health_checks_and_watched_dependencies_report_up_down_and_hanging_checks_as_down()
    {
        var hangingCalls = 0;
        var watchedCalls = 0;
        var never = new TaskCompletionSource<HealthCheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.Start(
            new Dictionary<string, string?> { ["Instrumentation:Prometheus:DependencyIntervalSeconds"] = "1" },
            services =>
            {
                services.AddHealthChecks()
                    .AddCheck("inventory", () => HealthCheckResult.Healthy())
                    .AddCheck("slow-but-fine", () => HealthCheckResult.Degraded())
                    .AddCheck("payments", () => HealthCheckResult.Unhealthy("down"))
                    .AddCheck("throws", () => throw new InvalidOperationException("boom"))
                    .AddAsyncCheck("hangs", _ =>
                    {
                        Interlocked.Increment(ref hangingCalls);
                        return never.Task; // ignores its cancellation token, as a stuck driver would
                    });
                services.WatchDependency("carrier", _ =>
                {
                    Interlocked.Increment(ref watchedCalls);
                    return Task.FromResult(true);
                });
                services.WatchDependency("mailer", _ => throw new TimeoutException("smtp"), TimeSpan.FromSeconds(1));
            });

        Dictionary<string, string> up = [];
        await Instrumentation.TestSupport.ExternalProcess.WaitUntil(
            async () =>
            {
                up = Exposition.Parse(await app.Scrape()).Where(s => s.Name == "dependency_up").ToDictionary(s => s["name"], s => s.Value);
                return up.Count == 7 && Volatile.Read(ref watchedCalls) >= 3;
            },
            TimeSpan.FromSeconds(20),
            "dependency_up did not list every dependency");

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["inventory"] = "1", ["slow-but-fine"] = "1", ["payments"] = "0", ["throws"] = "0", ["hangs"] = "0", ["carrier"] = "1", ["mailer"] = "0",
            },
            up);

        // Three intervals went by: the hanging check was called once and never again while it hung.
        Assert.Equal(1, Volatile.Read(ref hangingCalls));
        Assert.Equal(HttpStatusCodeOk, (int)(await app.Client.GetAsync("/items/1")).StatusCode);
        never.SetResult(HealthCheckResult.Healthy());
    }

    private const int HttpStatusCodeOk = 200;

    [Fact]
    public void A_dependency_cannot_be_watched_twice()
    {
        var services = new ServiceCollection();
        services.WatchDependency("db", _ => Task.FromResult(true));

        Assert.Throws<ArgumentException>(() => services.WatchDependency("db", _ => Task.FromResult(true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => services.WatchDependency("cache", _ => Task.FromResult(true), TimeSpan.FromMilliseconds(10)));
    }
}
