using System.Diagnostics;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The per-thread CPU clock behind cpu_ns: it counts work on this thread, not waiting.</summary>
public class CpuTimeTests
{
    [Fact]
    public void Counts_this_threads_work_and_not_its_sleep()
    {
        Assert.True(ThreadCpuTime.IsSupported, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) should be available on Linux");

        var before = ThreadCpuTime.Now();
        Thread.Sleep(200);
        var slept = ThreadCpuTime.Now() - before;

        before = ThreadCpuTime.Now();
        var wall = Stopwatch.StartNew();
        var spin = 0L;
        while (wall.ElapsedMilliseconds < 100)
        {
            spin++;
        }

        var worked = ThreadCpuTime.Now() - before;
        Assert.True(spin > 0);
        Assert.True(slept < 20_000_000, $"sleeping 200 ms used {slept} ns of CPU");
        Assert.True(worked > 10_000_000, $"spinning 100 ms used only {worked} ns of CPU");
        Assert.True(worked <= (wall.Elapsed.Ticks * 100) + 5_000_000, $"spinning used {worked} ns, more than the wall time");
    }
}
