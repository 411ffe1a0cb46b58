using System.Diagnostics.Metrics;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Graphite;

/// <summary>Carbon takes one kind of data, on one port.</summary>
internal enum GraphiteChannel
{
    /// <summary>Plaintext points, <c>name value timestamp</c>.</summary>
    Points,
}

/// <summary>
/// The shared line sender with carbon's one channel. Points keep their timestamps however late they are delivered;
/// points that do not fit are dropped, counted and logged.
/// </summary>
internal sealed partial class GraphiteSender(
    ILineTransport<GraphiteChannel> transport, LineSenderSettings settings, ILogger logger, TimeProvider time, IMeterFactory? meters = null)
    : LineSender<GraphiteChannel>(transport, settings, logger, time, meters)
{
    /// <summary>Buffers points in order and asks for them to be sent now; returns how many did not fit.</summary>
    public int Enqueue(IReadOnlyList<GraphitePoint> points)
    {
        var lost = 0;
        foreach (var point in points)
        {
            var line = point.ToLine();
            if (!TryEnqueue(GraphiteChannel.Points, line.AsSpan(0, line.Length - 1)))
            {
                lost++;
            }
        }

        if (lost > 0)
        {
            var stats = Stats(GraphiteChannel.Points);
            LogDropped(Logger, lost, Settings.Capacity, stats.DroppedFull);
        }

        RequestFlush();
        return lost;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Graphite buffer full ({Capacity} points): dropped {Count} points; {Total} dropped since start.")]
    private static partial void LogDropped(ILogger logger, int count, int capacity, long total);
}
