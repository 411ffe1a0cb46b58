using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Runtime.Tests;

/// <summary>The numbering readers index their per-series state by, and the table that holds it.</summary>
public class InstrumentTableTests
{
    [Fact]
    public void Routes_and_series_are_numbered_uniquely_and_each_addition_of_a_series_moves_the_generation()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var before = registry.SeriesGeneration;
        var routes = Enumerable.Range(0, 50)
            .Select(i => registry.GetOrCreate(RouteDescriptor.For($"/r{i}", "GET", $"H{i}"), null, traced: false, declared: true))
            .ToList();
        Assert.Equal(before, registry.SeriesGeneration);

        var series = routes.SelectMany(route => new[] { route.ForStatus(200), route.ForStatus(404) }).ToList();
        Assert.Equal(before + series.Count, registry.SeriesGeneration);
        Assert.Same(series[0], routes[0].ForStatus(200));
        Assert.Equal(before + series.Count, registry.SeriesGeneration);

        // Unmatched requests' routes are numbered too, apart from every declared route.
        var unmatched = registry.Unmatched("GET");
        Assert.Equal(routes.Count + 1, routes.Select(r => r.Index).Append(unmatched.Index).Distinct().Count());
        Assert.Equal(series.Count + 1, series.Select(s => s.Index).Append(unmatched.ForStatus(404).Index).Distinct().Count());
        Assert.All(series, s => Assert.InRange(s.Index, 0, series.Count + 1));
    }

    [Fact]
    public async Task Concurrent_additions_make_one_entry_per_index_and_every_entry_stays_found()
    {
        var table = new InstrumentTable<object>();
        var created = 0;
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5_000).Select(i => table.GetOrAdd(i, i, _ =>
            {
                Interlocked.Increment(ref created);
                return new object();
            })).ToArray())));

        Assert.Equal(5_000, created);
        for (var i = 0; i < 5_000; i++)
        {
            Assert.All(results, r => Assert.Same(results[0][i], r[i]));
            Assert.Same(results[0][i], table.Find(i));
        }

        Assert.Null(table.Find(5_000));
        Assert.Null(table.Find(-1));
    }
}
