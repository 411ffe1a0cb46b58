using Instrumentation.Sinks.Shared;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The one backoff policy every sink's sender uses (docs/wavefront.md, "Reliability").</summary>
public class BackoffTests
{
    [Fact]
    public void Waits_double_from_one_second_up_to_thirty_each_between_half_and_all_of_it_and_a_reset_starts_over()
    {
        var backoff = new Backoff();
        double[] nominal = [1, 2, 4, 8, 16, 30, 30, 30];
        foreach (var seconds in nominal)
        {
            Assert.InRange(backoff.Next().TotalSeconds, seconds / 2, seconds);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 0.5, 1);
    }
}
