namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// The Graphite sink's delivery counters: resolve it from the services. All zero while
/// <c>Instrumentation:Graphite:Enabled</c> is false.
/// </summary>
internal sealed class GraphiteReporter
{
    private readonly GraphiteIntervalReporter reporting;

    internal GraphiteReporter(GraphiteIntervalReporter reporting) => this.reporting = reporting;

    /// <summary>Points dropped since start: they did not fit in the buffer while carbon was unreachable, or shutdown came first.</summary>
    public long DroppedPoints => reporting.Stats.Dropped;

    /// <summary>Points written to carbon since start.</summary>
    public long SentPoints => reporting.Stats.Sent;

    /// <summary>Points waiting for carbon right now.</summary>
    public int BufferedPoints => reporting.Stats.QueueSize;
}
