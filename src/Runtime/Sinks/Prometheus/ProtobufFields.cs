namespace Instrumentation.Sinks.Prometheus;

/// <summary>Field numbers and enum values of io.prometheus.client's metrics.proto, as the exposition writes them.</summary>
internal static class ProtobufFields
{
    internal enum MetricType
    {
        Counter = 0,
        Gauge = 1,
        Histogram = 4,
    }

    // Gauge.value and Counter.value.
    internal const int ValueField = 1;

    internal static class MetricFamilyField
    {
        public const int Name = 1;
        public const int Help = 2;
        public const int Type = 3;
        public const int Metric = 4;
    }

    internal static class MetricField
    {
        public const int Label = 1;
        public const int Gauge = 2;
        public const int Counter = 3;
        public const int Histogram = 7;
    }

    internal static class LabelPairField
    {
        public const int Name = 1;
        public const int Value = 2;
    }

    internal static class HistogramField
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

    internal static class BucketField
    {
        public const int CumulativeCount = 1;
        public const int UpperBound = 2;
    }

    internal static class SpanField
    {
        public const int Offset = 1;
        public const int Length = 2;
    }
}
