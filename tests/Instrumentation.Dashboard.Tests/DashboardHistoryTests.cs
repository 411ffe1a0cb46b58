using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Dashboard.Tests;

/// <summary>The dashboard's reader and its ring, on a clock the test moves: bounded, and rates over real durations.</summary>
public class DashboardHistoryTests
{
    private readonly ManualClock clock = new();
    private readonly InstrumentRegistry registry = new(new ErrorRule(status => status >= 400));
    private readonly DashboardView view;
    private readonly RouteInstruments route;

    public DashboardHistoryTests()
    {
        route = registry.GetOrCreate(RouteDescriptor.For("/items/{id}", "GET", "Item"), metadata: null, traced: false, declared: true);
        var options = new InstrumentationOptions();
        view = new DashboardView(
            new DashboardHistory(registry, clock),
            new SinkHealthReader(new ServiceCollection().BuildServiceProvider(), options),
            DashboardView.AppOf(options, "1.0"));
    }

    [Fact]
    public void The_ring_keeps_fifteen_minutes_at_most_however_long_the_page_stays_open()
    {
        view.State(ownInFlight: 0);
        for (var second = 0; second < 1_500; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            route.Record(200, 2_000_000, 100);
            view.State(ownInFlight: 0);
        }

        var history = view.History(0, DashboardHistory.Window)!;
        Assert.Equal(DashboardHistory.Capacity, history.Times.Count);
        Assert.True(history.Times[0] > (clock.GetUtcNow() - DashboardHistory.Window).ToUnixTimeMilliseconds() / 1000.0);
        Assert.All(history.Rates["200"], rate => Assert.Equal(1.0, rate));
        Assert.All(history.P50, p50 => Assert.InRange(p50!.Value, 1.98, 2.02));
    }

    [Fact]
    public void A_gap_in_polling_is_one_long_sample_and_the_rate_stays_right()
    {
        view.State(ownInFlight: 0);
        clock.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10; i++)
        {
            route.Record(i < 8 ? 200 : 503, 1_000_000, 50);
        }

        var state = view.State(ownInFlight: 0);
        var row = state.Routes.Single(r => r.Template == "/items/{id}");
        Assert.Equal(5.0, state.RateWindowSeconds);
        Assert.Equal(2.0, row.Rate);
        Assert.Equal(0.2, row.ErrorRatio);
        Assert.Equal(100.0, row.BytesPerSecond);
        Assert.Equal(10, row.Requests);

        // Polls closer than a second reuse the sample: two pages open do not double the reads.
        var again = view.State(ownInFlight: 0);
        Assert.Equal(state.Time, again.Time);
        Assert.Single(view.History(0, DashboardHistory.Window)!.Times);
    }

    [Fact]
    public void Past_fifteen_minutes_without_a_poll_the_old_samples_leave_the_window()
    {
        view.State(ownInFlight: 0);
        clock.Advance(TimeSpan.FromSeconds(1));
        route.Record(200, 1_000_000, 0);
        view.State(ownInFlight: 0);
        clock.Advance(TimeSpan.FromMinutes(20));
        var state = view.State(ownInFlight: 0);

        var history = view.History(0, DashboardHistory.Window)!;
        Assert.Single(history.Times);
        Assert.Equal(0.0, history.Rates["200"].Single());
        Assert.Null(history.P50.Single());
        Assert.Equal(0.0, state.Routes.Single(r => r.Template == "/items/{id}").Rate);
        Assert.Null(view.History(1, DashboardHistory.Window));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
