namespace Instrumentation.TestSupport.Wavefront;

/// <summary>One line of the Wavefront protocol, parsed and checked by <see cref="WavefrontLineParser"/>.</summary>
/// <param name="Line">The line as received, without its terminating newline.</param>
public abstract record WavefrontRecord(string Line);

/// <summary>Tag helpers shared by every record that carries tags.</summary>
public interface IWavefrontTagged
{
    /// <summary>The tags in wire order; a key may repeat on spans.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Tags { get; }
}

/// <summary>Lookups over <see cref="IWavefrontTagged.Tags"/>.</summary>
public static class WavefrontTagExtensions
{
    /// <summary>The value of a tag that occurs at most once, or null when absent.</summary>
    public static string? Tag(this IWavefrontTagged record, string key)
    {
        string? found = null;
        foreach (var (k, v) in record.Tags)
        {
            if (k == key)
            {
                if (found is not null)
                {
                    throw new InvalidOperationException($"tag '{key}' occurs more than once");
                }

                found = v;
            }
        }

        return found;
    }

    /// <summary>The tag keys in wire order.</summary>
    public static IReadOnlyList<string> TagKeys(this IWavefrontTagged record) => record.Tags.Select(t => t.Key).ToList();
}

/// <summary>A metric point or a delta counter point.</summary>
/// <param name="Name">The metric name as sent (a delta counter's name starts with ∆ or Δ).</param>
/// <param name="Value">The value.</param>
/// <param name="Timestamp">Epoch seconds or milliseconds, when sent.</param>
/// <param name="Source">The <c>source=</c> value.</param>
/// <param name="Tags">The point tags in wire order.</param>
/// <param name="IsDelta">Whether the name marks a delta counter.</param>
public sealed record WavefrontPoint(
    string Line, string Name, double Value, long? Timestamp, string Source, IReadOnlyList<KeyValuePair<string, string>> Tags, bool IsDelta)
    : WavefrontRecord(Line), IWavefrontTagged
{
    /// <summary>The name without the delta marker.</summary>
    public string BaseName => IsDelta ? Name[1..] : Name;

    /// <summary>The source the proxy stores: a <c>"source"</c> tag overrides <c>source=</c>.</summary>
    public string EffectiveSource => this.Tag("source") ?? Source;
}

/// <summary>One centroid of a histogram distribution.</summary>
public readonly record struct WavefrontCentroid(double Value, long Count);

/// <summary>A histogram distribution line (<c>!M</c>, <c>!H</c> or <c>!D</c>).</summary>
/// <param name="Granularity">'M', 'H' or 'D'.</param>
/// <param name="Timestamp">The start of the bin, epoch seconds or milliseconds, when sent.</param>
public sealed record WavefrontDistribution(
    string Line, char Granularity, long? Timestamp, IReadOnlyList<WavefrontCentroid> Centroids, string Name, string Source,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
    : WavefrontRecord(Line), IWavefrontTagged
{
    /// <summary>The number of values the distribution holds.</summary>
    public long Count => Centroids.Sum(c => c.Count);
}

/// <summary>A tracing span line.</summary>
public sealed record WavefrontSpan(
    string Line, string Operation, string Source, Guid TraceId, Guid SpanId, IReadOnlyList<Guid> Parents, IReadOnlyList<Guid> FollowsFrom,
    IReadOnlyList<KeyValuePair<string, string>> Tags, long StartMillis, long DurationMillis)
    : WavefrontRecord(Line), IWavefrontTagged;

/// <summary>One log entry of a span.</summary>
/// <param name="TimestampMicros">Epoch microseconds.</param>
public sealed record WavefrontSpanLogEntry(long TimestampMicros, IReadOnlyList<KeyValuePair<string, string>> Fields);

/// <summary>A span-log JSON line.</summary>
/// <param name="Span">The span line it carries, parsed, or null.</param>
public sealed record WavefrontSpanLog(string Line, Guid TraceId, Guid SpanId, IReadOnlyList<WavefrontSpanLogEntry> Logs, WavefrontSpan? Span)
    : WavefrontRecord(Line);

/// <summary>A line that breaks the protocol; the message says how.</summary>
public sealed class WavefrontFormatException(string message, string line) : FormatException($"{message} in line: {line}")
{
    /// <summary>The offending line.</summary>
    public string Line { get; } = line;

    /// <summary>What is wrong, without the line.</summary>
    public string Reason { get; } = message;
}
