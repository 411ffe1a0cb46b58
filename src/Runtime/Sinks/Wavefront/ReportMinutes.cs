namespace Instrumentation.Sinks.Wavefront;

/// <summary>When one report happens, in the units its lines use.</summary>
/// <param name="Timestamp">The report's time, Unix seconds: the timestamp of its points.</param>
/// <param name="NowMinute">The minute the report happens in (Unix minutes).</param>
/// <param name="IntervalMinute">The minute the values read now belong to (Unix minutes), never after <paramref name="NowMinute"/>.</param>
internal readonly record struct ReportTime(long Timestamp, long NowMinute, long IntervalMinute);

/// <summary>
/// Which minute a report's distributions belong to, for the built-in report and the custom metrics alike: values read
/// now were recorded since the previous read, so they belong to the minute around the middle of that span.
/// </summary>
internal sealed class ReportMinutes(DateTimeOffset start)
{
    private DateTimeOffset previousRead = start;

    /// <summary>The report read at <paramref name="now"/>; the next one's span starts there.</summary>
    public ReportTime Next(DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var nowMinute = timestamp / 60;
        var middle = previousRead + ((now - previousRead) / 2);
        previousRead = now;
        return new ReportTime(timestamp, nowMinute, Math.Min(middle.ToUnixTimeSeconds() / 60, nowMinute));
    }
}
