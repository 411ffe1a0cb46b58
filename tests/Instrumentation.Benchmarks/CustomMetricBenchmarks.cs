using BenchmarkDotNet.Attributes;
using Instrumentation.CustomMetrics;
using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Benchmarks;

/// <summary>
/// Recording into custom metrics (docs/custom-metrics.md): what a handler pays per call. The per-route case runs with
/// the route made current as the endpoint wrapper does, so it includes the async-local read.
/// </summary>
[MemoryDiagnoser]
public class CustomMetricBenchmarks
{
    private CustomCounter counter = null!;
    private CustomCounter taggedCash = null!;
    private CustomCounter perRoute = null!;
    private CustomGauge gauge = null!;
    private CustomHistogram histogram = null!;
    private CustomCounter tagged = null!;
    private ExecutionContext? outer;
    private double value = 0.5;

    // The benchmark runs on the thread of its setup, so the route set here is current for every call.
    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry(new ErrorRule(s => s >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/style/{id}/order", "POST", "OrderShirts"), null, false, true);
        var factory = new CustomMetricFactory(registry);
        counter = factory.CreateCounter("orders", "Orders.");
        tagged = factory.CreateCounter("orders_by_payment", "Orders.", new CustomMetricTag("payment", "card", "cash", "voucher"));
        taggedCash = tagged.For("cash");
        perRoute = factory.CreateCounter("shirts_ordered", "Shirts.", new CustomMetricTag("payment", "card", "cash"), perRoute: true).For("card");
        gauge = factory.CreateGauge("queue_length", "Queue.");
        histogram = factory.CreateHistogram("checkout_seconds", "Checkout.");
        outer = CurrentRoute.Enter(route);
        perRoute.Add(); // The route's cells are created once, on its first record.
    }

    [Benchmark(Description = "custom counter Add (application-wide)")]
    public void CounterAdd() => counter.Add();

    [Benchmark(Description = "custom counter Add (tag kept in a field)")]
    public void TaggedCounterAdd() => taggedCash.Add();

    [Benchmark(Description = "custom counter For(value).Add (tag looked up)")]
    public void TaggedLookupAdd() => tagged.For("voucher").Add();

    [Benchmark(Description = "custom counter Add (per route)")]
    public void PerRouteAdd() => perRoute.Add();

    [Benchmark(Description = "custom gauge Add")]
    public void GaugeAdd() => gauge.Add(1);

    [Benchmark(Description = "custom histogram Record (11 buckets)")]
    public void HistogramRecord()
    {
        value = value > 10 ? 0.001 : value * 1.7;
        histogram.Record(value);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (outer is not null)
        {
            CurrentRoute.Leave(outer);
        }
    }
}
