using Instrumentation.Instruments;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// One latency histogram as a protobuf <c>Histogram</c>: classic buckets and, next to them, the native histogram that
/// the log histogram's bins are (schema 6, zero threshold 2^-21 s, positive spans and bucket deltas).
/// </summary>
internal static class ProtobufHistogram
{
    /// <summary>
    /// One histogram from its bins (the flat layout of <see cref="LogHistogram.AddBinsTo"/>, cleared again here): the
    /// count, the sum, the classic buckets and the native buckets, all from that one read, so they agree.
    /// </summary>
    public static void Write(ProtobufBuffer buffer, Span<long> bins, ulong present, long sumNanoseconds, BucketLayout layout)
    {
        var histogram = buffer.BeginMessage(ProtobufFields.MetricField.Histogram);
        long total = 0;
        foreach (var k in new PresentBins(present))
        {
            total += bins[k];
        }

        buffer.UInt64(ProtobufFields.HistogramField.SampleCount, (ulong)total);
        buffer.Double(ProtobufFields.HistogramField.SampleSum, sumNanoseconds / 1e9);

        // Classic buckets (cumulative, without +Inf, which is the count): a bin counts below a bound when all of it is.
        var bounds = layout.Nanoseconds;
        var next = 0;
        long cumulative = 0;
        foreach (var k in new PresentBins(present))
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

        buffer.SInt64(ProtobufFields.HistogramField.Schema, LogHistogram.NativeSchema);
        buffer.Double(ProtobufFields.HistogramField.ZeroThreshold, LogHistogram.ZeroThresholdSeconds);
        buffer.UInt64(ProtobufFields.HistogramField.ZeroCount, (ulong)bins[0]);

        // Spans of consecutive non-empty buckets: the first at its index, each next one after a gap from the last.
        var spanStart = 0;
        var spanLength = 0;
        int? previousEnd = null;
        foreach (var k in new PresentBins(present))
        {
            if (k == 0 || bins[k] == 0)
            {
                continue;
            }

            var index = LogHistogram.NativeIndexOfFlatBin(k);
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
        foreach (var k in new PresentBins(present))
        {
            if (k != 0 && bins[k] != 0)
            {
                buffer.SInt64(ProtobufFields.HistogramField.PositiveDelta, bins[k] - previous);
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


    /// <summary>The flat positions of the bins of the chunks that exist, in order, without allocating.</summary>
    private struct PresentBins(ulong present)
    {
        private int chunk = -1;
        private int end;

        public int Current { get; private set; }

        public readonly PresentBins GetEnumerator() => this;

        public bool MoveNext()
        {
            if (++Current < end)
            {
                return true;
            }

            while (++chunk < LogHistogram.ChunkCount)
            {
                if ((present & (1UL << chunk)) != 0)
                {
                    Current = LogHistogram.FlatOffset(chunk);
                    end = Current + (chunk == 0 ? 1 : LogHistogram.BinsPerChunk);
                    return true;
                }
            }

            return false;
        }
    }

    private static void WriteClassicBucket(ProtobufBuffer buffer, long cumulative, double upperBound)
    {
        var bucket = buffer.BeginMessage(ProtobufFields.HistogramField.Bucket);
        buffer.UInt64(ProtobufFields.BucketField.CumulativeCount, (ulong)cumulative);
        buffer.Double(ProtobufFields.BucketField.UpperBound, upperBound);
        buffer.EndMessage(bucket);
    }

    private static void WriteSpan(ProtobufBuffer buffer, int offset, int length)
    {
        var span = buffer.BeginMessage(ProtobufFields.HistogramField.PositiveSpan);
        buffer.SInt64(ProtobufFields.SpanField.Offset, offset);
        buffer.UInt64(ProtobufFields.SpanField.Length, (ulong)length);
        buffer.EndMessage(span);
    }
}
