using System.Diagnostics.Metrics;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>The kinds of data Wavefront accepts, each with its own buffer, port and ingestion format.</summary>
internal enum WavefrontDataKind
{
    /// <summary>Metric points and delta counters (<c>f=wavefront</c>, proxy metrics port).</summary>
    Metric,

    /// <summary>Histogram distributions (<c>f=histogram</c>, proxy histograms port).</summary>
    Histogram,

    /// <summary>Tracing spans (<c>f=trace</c>, proxy tracing port).</summary>
    Span,

    /// <summary>Span logs, JSON (<c>f=spanLogs</c>, proxy tracing port).</summary>
    SpanLog,
}

/// <summary>
/// Hands lines to Wavefront without waiting: the line is buffered and sent by a background loop. Metrics reporting
/// and tracing's span export share the one sender.
/// </summary>
internal interface IWavefrontSender
{
    /// <summary>
    /// Buffers one line (without its newline; see <see cref="WavefrontFormat"/>). False when the buffer of that kind is
    /// full: the line is dropped and counted in the health metrics.
    /// </summary>
    bool TryEnqueue(WavefrontDataKind kind, ReadOnlySpan<char> line);

    /// <summary>
    /// The writer of lines formatted in place into the buffer of one kind (<see cref="LineWriter"/>), for the metrics
    /// reporter's loop; a report flushes it when it is done.
    /// </summary>
    LineWriter Writer(WavefrontDataKind kind);
}

/// <summary>The shared line sender, one channel per <see cref="WavefrontDataKind"/>.</summary>
internal sealed class WavefrontSender(
    ILineTransport<WavefrontDataKind> transport, LineSenderSettings settings, ILogger logger, TimeProvider time, IMeterFactory? meters = null)
    : LineSender<WavefrontDataKind>(transport, settings, logger, time, meters), IWavefrontSender;
