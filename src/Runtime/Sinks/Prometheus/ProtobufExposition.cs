using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Instrumentation.Instruments;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Writes the same families as the text formats in the Prometheus protobuf exposition (<c>io.prometheus.client</c>
/// <c>MetricFamily</c> messages, each preceded by its length), the one format in which Prometheus scrapes native
/// histograms. Each latency histogram carries its classic buckets and, next to them, its bins as a native histogram
/// of schema 6: the log histogram's bins are that schema's buckets, so every native bucket count is the bin's own.
/// </summary>
/// <remarks>
/// The label pairs are decoded once per series from the text formats' label bytes (cached by that array), so a series'
/// labels are defined in one place whatever the format. Families with no series are left out: Prometheus 2.42 reads a
/// histogram family's first metric to tell native from classic and fails on an empty one.
/// </remarks>
internal sealed class ProtobufExposition(PrometheusExposition exposition)
{
    public const string ContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private const int FlushThreshold = 64 * 1024;

    private readonly ConditionalWeakTable<byte[], byte[]> pairs = new();
    private long[]? idleBins;

    public async Task WriteAsync(PipeWriter writer, CancellationToken cancellationToken = default)
    {
        var bins = Interlocked.Exchange(ref idleBins, null) ?? new long[LogHistogram.FlatLength];
        using var buffer = new ProtobufBuffer();
        try
        {
            List<RouteInstruments> routes = [.. exposition.Registry.Routes];
            List<StatusInstruments> statuses = [.. routes.SelectMany(r => r.Statuses)];
            if (exposition.Options.ServesBigBrotherNames)
            {
                if (statuses.Count > 0)
                {
                    var family = BeginFamily(buffer, PrometheusExposition.LatencyFamily, PrometheusExposition.HistogramHelp, MetricType.Histogram);
                    foreach (var status in statuses)
                    {
                        var labels = exposition.LabelsOf(status);
                        var metric = BeginMetric(buffer, labels.Labels);
                        var sum = status.Latency.Sum;
                        var present = status.Latency.AddBinsTo(bins);
                        WriteHistogram(buffer, bins, present, sum, labels.Buckets);
                        buffer.EndMessage(metric);
                    }

                    buffer.EndDelimited(family);
                    await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);

                    family = BeginFamily(buffer, PrometheusExposition.SizeFamily, PrometheusExposition.SizeHelp, MetricType.Counter);
                    foreach (var status in statuses)
                    {
                        WriteValue(buffer, exposition.LabelsOf(status).Labels, MetricField.Counter, status.ResponseBytes);
                    }

                    buffer.EndDelimited(family);
                }

                if (routes.Count > 0)
                {
                    var family = BeginFamily(buffer, PrometheusExposition.InFlightFamily, PrometheusExposition.InFlightHelp, MetricType.Gauge);
                    foreach (var route in routes)
                    {
                        WriteValue(buffer, exposition.LabelsOf(route), MetricField.Gauge, route.InFlight);
                    }

                    buffer.EndDelimited(family);
                }

                await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);
            }

            if (exposition.OpenTelemetry is { } openTelemetry)
            {
                WriteOpenTelemetry(buffer, openTelemetry, routes, bins);
                await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);
            }

            var dependencies = exposition.Dependencies?.States.Where(d => d.Up is not null).ToList();
            if (dependencies is { Count: > 0 })
            {
                var family = BeginFamily(buffer, PrometheusExposition.DependencyFamily, PrometheusExposition.DependencyHelp, MetricType.Gauge);
                foreach (var dependency in dependencies)
                {
                    WriteValue(buffer, dependency.Labels, MetricField.Gauge, dependency.Up == true ? 1 : 0);
                }

                buffer.EndDelimited(family);
            }

            var info = BeginFamily(buffer, PrometheusExposition.InfoFamily, PrometheusExposition.InfoHelp, MetricType.Gauge);
            WriteValue(buffer, exposition.InfoLabels, MetricField.Gauge, 1);
            buffer.EndDelimited(info);

            await writer.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            idleBins = bins;
        }
    }

    private void WriteOpenTelemetry(ProtobufBuffer buffer, OpenTelemetryExposition openTelemetry, List<RouteInstruments> routes, long[] bins)
    {
        var series = new List<(SemanticLabels Labels, SemanticSeries Series)>();
        openTelemetry.Collect(routes, series);
        if (series.Count > 0)
        {
            var family = BeginFamily(buffer, OpenTelemetryExposition.Duration, OpenTelemetryExposition.DurationHelp, MetricType.Histogram);
            for (var first = 0; first < series.Count;)
            {
                var end = OpenTelemetryExposition.GroupEnd(series, first);
                var metric = BeginMetric(buffer, series[first].Labels.Utf8);
                long sum = 0;
                ulong present = 0;
                for (var i = first; i < end; i++)
                {
                    sum += series[i].Series.Latency.Sum;
                    present |= series[i].Series.Latency.AddBinsTo(bins);
                }

                WriteHistogram(buffer, bins, present, sum, series[first].Labels.Buckets);
                buffer.EndMessage(metric);
                first = end;
            }

            buffer.EndDelimited(family);

            // No bucket advice for body sizes and only their sum per series: a classic histogram of one bucket, +Inf.
            family = BeginFamily(buffer, OpenTelemetryExposition.BodySize, OpenTelemetryExposition.BodySizeHelp, MetricType.Histogram);
            for (var first = 0; first < series.Count;)
            {
                var end = OpenTelemetryExposition.GroupEnd(series, first);
                long bytes = 0;
                long count = 0;
                for (var i = first; i < end; i++)
                {
                    bytes += series[i].Series.ResponseBytes;
                    count += series[i].Series.Latency.Count;
                }

                var metric = BeginMetric(buffer, series[first].Labels.Utf8);
                var histogram = buffer.BeginMessage(MetricField.Histogram);
                buffer.UInt64(HistogramField.SampleCount, (ulong)count);
                buffer.Double(HistogramField.SampleSum, bytes);
                buffer.EndMessage(histogram);
                buffer.EndMessage(metric);
                first = end;
            }

            buffer.EndDelimited(family);
        }

        var active = openTelemetry.Semantic?.Active.ToList();
        if (active is { Count: > 0 })
        {
            var family = BeginFamily(buffer, OpenTelemetryExposition.Active, OpenTelemetryExposition.ActiveHelp, MetricType.Gauge);
            foreach (var (method, scheme, value) in active)
            {
                var metric = buffer.BeginMessage(MetricFamilyField.Metric);
                buffer.Raw(LabelPairs(Encoding.UTF8.GetBytes(OpenTelemetryExposition.ActiveLabels(method, scheme))));
                var gauge = buffer.BeginMessage(MetricField.Gauge);
                buffer.Double(ValueField, value);
                buffer.EndMessage(gauge);
                buffer.EndMessage(metric);
            }

            buffer.EndDelimited(family);
        }
    }

    /// <summary>
    /// One histogram from its bins (the flat layout of <see cref="LogHistogram.AddBinsTo"/>, cleared again here): the
    /// count, the sum, the classic buckets and the native buckets, all from that one read, so they agree.
    /// </summary>
    internal static void WriteHistogram(ProtobufBuffer buffer, Span<long> bins, ulong present, long sumNanoseconds, BucketLayout layout)
    {
        var histogram = buffer.BeginMessage(MetricField.Histogram);
        long total = 0;
        foreach (var k in PresentBins(present))
        {
            total += bins[k];
        }

        buffer.UInt64(HistogramField.SampleCount, (ulong)total);
        buffer.Double(HistogramField.SampleSum, sumNanoseconds / 1e9);

        // Classic buckets (cumulative, without +Inf, which is the count): a bin counts below a bound when all of it is.
        var bounds = layout.Nanoseconds;
        var next = 0;
        long cumulative = 0;
        foreach (var k in PresentBins(present))
        {
            while (next < bounds.Length && LogHistogram.LargestValueInFlatBin(k) > bounds[next])
            {
                WriteClassicBucket(buffer, cumulative, layout.Bounds[next++]);
            }

            cumulative += bins[k];
        }

        while (next < bounds.Length)
        {
            WriteClassicBucket(buffer, cumulative, layout.Bounds[next++]);
        }

        buffer.SInt64(HistogramField.Schema, LogHistogram.NativeSchema);
        buffer.Double(HistogramField.ZeroThreshold, LogHistogram.ZeroThresholdSeconds);
        buffer.UInt64(HistogramField.ZeroCount, (ulong)bins[0]);

        // Spans of consecutive non-empty buckets: the first at its index, each next one after a gap from the last.
        var spanStart = 0;
        var spanLength = 0;
        int? previousEnd = null;
        foreach (var k in PresentBins(present))
        {
            if (k == 0 || bins[k] == 0)
            {
                continue;
            }

            var index = LogHistogram.FirstIndex + k - 1;
            if (spanLength > 0 && index == spanStart + spanLength)
            {
                spanLength++;
                continue;
            }

            if (spanLength > 0)
            {
                WriteSpan(buffer, spanStart - (previousEnd ?? 0), spanLength);
                previousEnd = spanStart + spanLength;
            }

            spanStart = index;
            spanLength = 1;
        }

        if (spanLength > 0)
        {
            WriteSpan(buffer, spanStart - (previousEnd ?? 0), spanLength);
        }

        // Each bucket's count as the difference from the one before it, across spans.
        long previous = 0;
        foreach (var k in PresentBins(present))
        {
            if (k != 0 && bins[k] != 0)
            {
                buffer.SInt64(HistogramField.PositiveDelta, bins[k] - previous);
                previous = bins[k];
            }
        }

        buffer.EndMessage(histogram);
        for (var c = 0; c < LogHistogram.ChunkCount; c++)
        {
            if ((present & (1UL << c)) != 0)
            {
                bins.Slice(LogHistogram.FlatOffset(c), c == 0 ? 1 : LogHistogram.BinsPerChunk).Clear();
            }
        }
    }

    /// <summary>The <c>label</c> fields of a <c>Metric</c>, from a series' text-format label bytes.</summary>
    internal static byte[] EncodeLabelPairs(ReadOnlySpan<byte> text)
    {
        using var buffer = new ProtobufBuffer(256);
        var value = new List<byte>();
        var i = 0;
        while (i < text.Length)
        {
            var equals = text[i..].IndexOf((byte)'=');
            var name = text.Slice(i, equals);
            i += equals + 2;
            value.Clear();
            while (text[i] != (byte)'"')
            {
                if (text[i] == (byte)'\\')
                {
                    i++;
                    value.Add(text[i] == (byte)'n' ? (byte)'\n' : text[i]);
                }
                else
                {
                    value.Add(text[i]);
                }

                i++;
            }

            i++;
            if (i < text.Length && text[i] == (byte)',')
            {
                i++;
            }

            var pair = buffer.BeginMessage(MetricField.Label);
            buffer.Bytes(LabelPairField.Name, name);
            buffer.Bytes(LabelPairField.Value, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(value));
            buffer.EndMessage(pair);
        }

        return buffer.Written.ToArray();
    }

    private static IEnumerable<int> PresentBins(ulong present)
    {
        for (var c = 0; c < LogHistogram.ChunkCount; c++)
        {
            if ((present & (1UL << c)) == 0)
            {
                continue;
            }

            var offset = LogHistogram.FlatOffset(c);
            var length = c == 0 ? 1 : LogHistogram.BinsPerChunk;
            for (var k = offset; k < offset + length; k++)
            {
                yield return k;
            }
        }
    }

    private static void WriteClassicBucket(ProtobufBuffer buffer, long cumulative, double upperBound)
    {
        var bucket = buffer.BeginMessage(HistogramField.Bucket);
        buffer.UInt64(BucketField.CumulativeCount, (ulong)cumulative);
        buffer.Double(BucketField.UpperBound, upperBound);
        buffer.EndMessage(bucket);
    }

    private static void WriteSpan(ProtobufBuffer buffer, int offset, int length)
    {
        var span = buffer.BeginMessage(HistogramField.PositiveSpan);
        buffer.SInt64(SpanField.Offset, offset);
        buffer.UInt64(SpanField.Length, (ulong)length);
        buffer.EndMessage(span);
    }

    private static int BeginFamily(ProtobufBuffer buffer, string name, string help, MetricType type)
    {
        var family = buffer.BeginDelimited();
        buffer.String(MetricFamilyField.Name, name);
        buffer.String(MetricFamilyField.Help, help);
        buffer.UInt64(MetricFamilyField.Type, (ulong)type);
        return family;
    }

    private int BeginMetric(ProtobufBuffer buffer, byte[] textLabels)
    {
        var metric = buffer.BeginMessage(MetricFamilyField.Metric);
        buffer.Raw(LabelPairs(textLabels));
        return metric;
    }

    private void WriteValue(ProtobufBuffer buffer, byte[] textLabels, int field, double value)
    {
        var metric = BeginMetric(buffer, textLabels);
        var inner = buffer.BeginMessage(field);
        buffer.Double(ValueField, value);
        buffer.EndMessage(inner);
        buffer.EndMessage(metric);
    }

    private byte[] LabelPairs(byte[] textLabels) => pairs.GetValue(textLabels, static t => EncodeLabelPairs(t));

    private static async ValueTask FlushIfFull(ProtobufBuffer buffer, PipeWriter writer, CancellationToken cancellationToken)
    {
        if (buffer.Length >= FlushThreshold)
        {
            await writer.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
            buffer.Clear();
        }
    }

    // Field numbers and enum values of io.prometheus.client's metrics.proto.
    private enum MetricType
    {
        Counter = 0,
        Gauge = 1,
        Histogram = 4,
    }

    // Gauge.value and Counter.value.
    private const int ValueField = 1;

    private static class MetricFamilyField
    {
        public const int Name = 1;
        public const int Help = 2;
        public const int Type = 3;
        public const int Metric = 4;
    }

    private static class MetricField
    {
        public const int Label = 1;
        public const int Gauge = 2;
        public const int Counter = 3;
        public const int Histogram = 7;
    }

    private static class LabelPairField
    {
        public const int Name = 1;
        public const int Value = 2;
    }

    private static class HistogramField
    {
        public const int SampleCount = 1;
        public const int SampleSum = 2;
        public const int Bucket = 3;
        public const int Schema = 5;
        public const int ZeroThreshold = 6;
        public const int ZeroCount = 7;
        public const int PositiveSpan = 12;
        public const int PositiveDelta = 13;
    }

    private static class BucketField
    {
        public const int CumulativeCount = 1;
        public const int UpperBound = 2;
    }

    private static class SpanField
    {
        public const int Offset = 1;
        public const int Length = 2;
    }
}
