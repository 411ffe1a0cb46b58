using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// A reusing reader (the Wavefront reporter's) overwrites its readings in place and lists a route's series again only
/// when the route gains one: what it reads must be what a reader making fresh readings reads.
/// </summary>
public class InstrumentReaderTests
{
    [Fact]
    public void A_reusing_reader_reads_what_a_fresh_reader_reads_as_series_and_bins_appear()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400), measureCpu: true);
        var routes = Enumerable.Range(0, 6)
            .Select(i => registry.GetOrCreate(RouteDescriptor.For($"/r{i}/{{id}}", "GET", $"H{i}"), null, traced: false, declared: true))
            .ToList();
        var reusing = registry.CreateReader(reuse: true);
        var fresh = registry.CreateReader();
        var random = new Random(20261128);
        int[] statuses = [200, 404, 201, 500, 302];
        for (var round = 0; round < 12; round++)
        {
            // Each round: recordings into series already read, into new bins of them, and (every third round) into a
            // status a route has not had before; one round records nothing.
            for (var i = 0; round != 5 && i < 40; i++)
            {
                var route = routes[random.Next(routes.Count)];
                var status = statuses[random.Next(1 + Math.Min(round / 3, statuses.Length - 1))];
                var series = route.ForStatus(status);
                series.Record((long)Math.Exp(random.NextDouble() * Math.Log(20e9)), bytes: random.Next(0, 500));
                series.CpuTime!.Record(random.Next(1_000, 5_000_000));
            }

            var expected = Describe(fresh.Read());
            var actual = Describe(reusing.Read());
            Assert.Equal(expected, actual);
        }

        // Every series of every route was read, the later ones included.
        Assert.Equal(registry.Routes.Sum(route => route.Statuses.Length), reusing.Read().Routes.Sum(route => route.Series.Count));
    }

    private static string Describe(InstrumentReading reading) =>
        $"{reading.Completed} {reading.CompletedDelta} {reading.Errors} {reading.ErrorsDelta}\n" + string.Join(
            "\n",
            reading.Routes.SelectMany(route => route.Series.Select(series =>
                $"{route.Route.Descriptor.Template} {series.Series.StatusCode}: {series.Count} {series.CountDelta} " +
                $"{series.ResponseBytes} {series.ResponseBytesDelta} | {Describe(series.Latency)} | {Describe(series.LatencyInterval)} | " +
                $"{Describe(series.CpuTime!)} | {Describe(series.CpuTimeInterval!)}")));

    private static string Describe(HistogramSnapshot snapshot) =>
        $"{snapshot.Count} {snapshot.Sum}: " + string.Join(",", snapshot.Bins.Select(b => $"{b.LowerBound}x{b.Count}"));
}
