using System.IO.Pipelines;
using System.Runtime.CompilerServices;
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
/// histogram family's first metric to tell native from classic and fails on an empty one. A family added to the text
/// formats has to be added here as well (ProtobufExpositionTests compares the two scrapes' families).
/// </remarks>
internal sealed class ProtobufExposition(PrometheusExposition exposition)
{
    public const string ContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private const int FlushThreshold = 64 * 1024;

    private readonly ConditionalWeakTable<byte[], byte[]> pairs = new();
    private Scratch? idleScratch;

    public async Task WriteAsync(PipeWriter writer, CancellationToken cancellationToken = default)
    {
        var scratch = Interlocked.Exchange(ref idleScratch, null) ?? new Scratch();
        var bins = scratch.Bins;

        // Each histogram clears what it used, but a scrape that failed half-way may have left counts behind.
        Array.Clear(bins);
        using var buffer = new ProtobufBuffer();
        try
        {
            var routes = scratch.Routes;
            var statuses = scratch.Statuses;
            foreach (var route in exposition.Registry.Routes)
            {
                routes.Add(route);
                foreach (var status in route.Statuses)
                {
                    statuses.Add(status);
                }
            }

            if (exposition.Options.ServesBigBrotherNames)
            {
                if (statuses.Count > 0)
                {
                    var family = BeginFamily(buffer, PrometheusExposition.LatencyFamily, PrometheusExposition.HistogramHelp, ProtobufFields.MetricType.Histogram);
                    foreach (var status in statuses)
                    {
                        var labels = exposition.LabelsOf(status);
                        var metric = BeginMetric(buffer, labels.Labels);
                        var sum = status.Latency.Sum;
                        var present = status.Latency.AddBinsTo(bins);
                        ProtobufHistogram.Write(buffer, bins, present, sum, labels.Buckets);
                        buffer.EndMessage(metric);
                    }

                    buffer.EndDelimited(family);
                    await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);

                    family = BeginFamily(buffer, PrometheusExposition.SizeFamily, PrometheusExposition.SizeHelp, ProtobufFields.MetricType.Counter);
                    foreach (var status in statuses)
                    {
                        WriteValue(buffer, exposition.LabelsOf(status).Labels, ProtobufFields.MetricField.Counter, status.ResponseBytes);
                    }

                    buffer.EndDelimited(family);
                }

                if (routes.Count > 0)
                {
                    var family = BeginFamily(buffer, PrometheusExposition.InFlightFamily, PrometheusExposition.InFlightHelp, ProtobufFields.MetricType.Gauge);
                    foreach (var route in routes)
                    {
                        WriteValue(buffer, exposition.LabelsOf(route), ProtobufFields.MetricField.Gauge, route.InFlight);
                    }

                    buffer.EndDelimited(family);
                }

                await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);
            }

            if (exposition.OpenTelemetry is { } openTelemetry)
            {
                WriteOpenTelemetry(buffer, openTelemetry, routes, bins, scratch.Semantic);
                await FlushIfFull(buffer, writer, cancellationToken).ConfigureAwait(false);
            }

            var dependencies = exposition.Dependencies?.States.Where(d => d.Up is not null).ToList();
            if (dependencies is { Count: > 0 })
            {
                var family = BeginFamily(buffer, PrometheusExposition.DependencyFamily, PrometheusExposition.DependencyHelp, ProtobufFields.MetricType.Gauge);
                foreach (var dependency in dependencies)
                {
                    WriteValue(buffer, dependency.Labels, ProtobufFields.MetricField.Gauge, dependency.Up == true ? 1 : 0);
                }

                buffer.EndDelimited(family);
            }

            var info = BeginFamily(buffer, PrometheusExposition.InfoFamily, PrometheusExposition.InfoHelp, ProtobufFields.MetricType.Gauge);
            WriteValue(buffer, exposition.InfoLabels, ProtobufFields.MetricField.Gauge, 1);
            buffer.EndDelimited(info);

            await writer.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scratch.Clear();
            idleScratch = scratch;
        }
    }

    private void WriteOpenTelemetry(
        ProtobufBuffer buffer, OpenTelemetryExposition openTelemetry, List<RouteInstruments> routes, long[] bins, List<(SemanticLabels Labels, SemanticSeries Series)> series)
    {
        openTelemetry.Collect(routes, series);
        if (series.Count > 0)
        {
            var family = BeginFamily(buffer, OpenTelemetryExposition.Duration, OpenTelemetryExposition.DurationHelp, ProtobufFields.MetricType.Histogram);
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

                ProtobufHistogram.Write(buffer, bins, present, sum, series[first].Labels.Buckets);
                buffer.EndMessage(metric);
                first = end;
            }

            buffer.EndDelimited(family);

            // No bucket advice for body sizes and only their sum per series: a classic histogram of one bucket, +Inf.
            family = BeginFamily(buffer, OpenTelemetryExposition.BodySize, OpenTelemetryExposition.BodySizeHelp, ProtobufFields.MetricType.Histogram);
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
                var histogram = buffer.BeginMessage(ProtobufFields.MetricField.Histogram);
                buffer.UInt64(ProtobufFields.HistogramField.SampleCount, (ulong)count);
                buffer.Double(ProtobufFields.HistogramField.SampleSum, bytes);
                buffer.EndMessage(histogram);
                buffer.EndMessage(metric);
                first = end;
            }

            buffer.EndDelimited(family);
        }

        var active = openTelemetry.Semantic?.Active.ToList();
        if (active is { Count: > 0 })
        {
            var family = BeginFamily(buffer, OpenTelemetryExposition.Active, OpenTelemetryExposition.ActiveHelp, ProtobufFields.MetricType.Gauge);
            foreach (var (method, scheme, value) in active)
            {
                var metric = buffer.BeginMessage(ProtobufFields.MetricFamilyField.Metric);
                buffer.Raw(LabelPairs(openTelemetry.ActiveLabelBytes(method, scheme)));
                var gauge = buffer.BeginMessage(ProtobufFields.MetricField.Gauge);
                buffer.Double(ProtobufFields.ValueField, value);
                buffer.EndMessage(gauge);
                buffer.EndMessage(metric);
            }

            buffer.EndDelimited(family);
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

            var pair = buffer.BeginMessage(ProtobufFields.MetricField.Label);
            buffer.Bytes(ProtobufFields.LabelPairField.Name, name);
            buffer.Bytes(ProtobufFields.LabelPairField.Value, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(value));
            buffer.EndMessage(pair);
        }

        return buffer.Written.ToArray();
    }




    private static int BeginFamily(ProtobufBuffer buffer, string name, string help, ProtobufFields.MetricType type)
    {
        var family = buffer.BeginDelimited();
        buffer.String(ProtobufFields.MetricFamilyField.Name, name);
        buffer.String(ProtobufFields.MetricFamilyField.Help, help);
        buffer.UInt64(ProtobufFields.MetricFamilyField.Type, (ulong)type);
        return family;
    }

    private int BeginMetric(ProtobufBuffer buffer, byte[] textLabels)
    {
        var metric = buffer.BeginMessage(ProtobufFields.MetricFamilyField.Metric);
        buffer.Raw(LabelPairs(textLabels));
        return metric;
    }

    private void WriteValue(ProtobufBuffer buffer, byte[] textLabels, int field, double value)
    {
        var metric = BeginMetric(buffer, textLabels);
        var inner = buffer.BeginMessage(field);
        buffer.Double(ProtobufFields.ValueField, value);
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

    /// <summary>What a scrape fills and the next one reuses, so that a scrape of many series allocates no list of them.</summary>
    private sealed class Scratch
    {
        public long[] Bins { get; } = new long[LogHistogram.FlatLength];

        public List<RouteInstruments> Routes { get; } = [];

        public List<StatusInstruments> Statuses { get; } = [];

        public List<(SemanticLabels Labels, SemanticSeries Series)> Semantic { get; } = [];

        public void Clear()
        {
            Routes.Clear();
            Statuses.Clear();
            Semantic.Clear();
        }
    }
}
