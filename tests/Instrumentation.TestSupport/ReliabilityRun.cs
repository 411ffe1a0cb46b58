namespace Instrumentation.TestSupport;

/// <summary>
/// How long the sustained fault scenarios run: a few seconds in build/test.sh, and what <c>RELIABILITY_SECONDS</c> says
/// when build/measure-long-faults.sh runs them for a minute (docs/reliability.md).
/// </summary>
public static class ReliabilityRun
{
    public static TimeSpan Length { get; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SECONDS"), out var seconds) && seconds > 0 ? seconds : 4);
}
