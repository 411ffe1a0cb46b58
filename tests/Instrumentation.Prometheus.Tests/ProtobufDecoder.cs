using System.Buffers.Binary;
using System.Text;

namespace Instrumentation.Prometheus.Tests;

/// <summary>A decoded <c>io.prometheus.client.MetricFamily</c>.</summary>
public sealed record DecodedFamily(string Name, string Help, int Type, IReadOnlyList<DecodedMetric> Metrics);

/// <summary>A decoded <c>Metric</c>: its labels and whichever value it carries.</summary>
public sealed record DecodedMetric(IReadOnlyDictionary<string, string> Labels, double? Gauge, double? Counter, DecodedHistogram? Histogram);

/// <summary>A decoded <c>Histogram</c>: classic buckets and the native fields.</summary>
public sealed record DecodedHistogram(
    ulong Count, double Sum, IReadOnlyList<(ulong CumulativeCount, double UpperBound)> Buckets, int? Schema, double ZeroThreshold,
    ulong ZeroCount, IReadOnlyList<(int Offset, uint Length)> PositiveSpans, IReadOnlyList<long> PositiveDeltas, int NegativeFields)
{
    /// <summary>The native buckets' absolute counts by index, rebuilt from spans and deltas as the format defines them.</summary>
    public IReadOnlyDictionary<int, long> NativeBuckets()
    {
        var buckets = new Dictionary<int, long>();
        var index = 0;
        var delta = 0;
        long count = 0;
        foreach (var (offset, length) in PositiveSpans)
        {
            index += offset;
            for (var i = 0; i < length; i++)
            {
                count += PositiveDeltas[delta++];
                buckets.Add(index++, count);
            }
        }

        Assert.Equal(PositiveDeltas.Count, delta);
        return buckets;
    }
}

/// <summary>
/// A small protobuf reader for the Prometheus exposition, written from metrics.proto's field numbers and the wire
/// format (varints, zigzag, fixed64, length-delimited), independent of the writer; strict about what it meets.
/// </summary>
internal static class ProtobufDecoder
{
    public static IReadOnlyList<DecodedFamily> Decode(byte[] delimited)
    {
        var families = new List<DecodedFamily>();
        var position = 0;
        while (position < delimited.Length)
        {
            var length = (int)ReadVarint(delimited, ref position);
            families.Add(Family(delimited.AsSpan(position, length).ToArray()));
            position += length;
        }

        return families;
    }

    private static DecodedFamily Family(byte[] message)
    {
        string name = "", help = "";
        var type = -1;
        var metrics = new List<DecodedMetric>();
        foreach (var (field, wire, value, bytes) in Fields(message))
        {
            switch (field)
            {
                case 1: name = Encoding.UTF8.GetString(bytes!); break;
                case 2: help = Encoding.UTF8.GetString(bytes!); break;
                case 3: type = (int)value; break;
                case 4: metrics.Add(Metric(bytes!)); break;
                default: Assert.Fail($"unexpected MetricFamily field {field} (wire type {wire})"); break;
            }
        }

        return new DecodedFamily(name, help, type, metrics);
    }

    private static DecodedMetric Metric(byte[] message)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        double? gauge = null, counter = null;
        DecodedHistogram? histogram = null;
        foreach (var (field, _, _, bytes) in Fields(message))
        {
            switch (field)
            {
                case 1:
                    string labelName = "", labelValue = "";
                    foreach (var (f, _, _, b) in Fields(bytes!))
                    {
                        if (f == 1)
                        {
                            labelName = Encoding.UTF8.GetString(b!);
                        }
                        else if (f == 2)
                        {
                            labelValue = Encoding.UTF8.GetString(b!);
                        }
                    }

                    Assert.True(labels.TryAdd(labelName, labelValue), $"label {labelName} twice");
                    break;
                case 2: gauge = SingleDouble(bytes!); break;
                case 3: counter = SingleDouble(bytes!); break;
                case 7: histogram = Histogram(bytes!); break;
                default: Assert.Fail($"unexpected Metric field {field}"); break;
            }
        }

        return new DecodedMetric(labels, gauge, counter, histogram);
    }

    private static double SingleDouble(byte[] message)
    {
        var (field, wire, value, _) = Assert.Single(Fields(message));
        Assert.Equal((1, 1), (field, wire));
        return BitConverter.Int64BitsToDouble((long)value);
    }

    private static DecodedHistogram Histogram(byte[] message)
    {
        ulong count = 0, zeroCount = 0;
        double sum = 0, zeroThreshold = 0;
        int? schema = null;
        var negative = 0;
        var buckets = new List<(ulong, double)>();
        var spans = new List<(int, uint)>();
        var deltas = new List<long>();
        foreach (var (field, wire, value, bytes) in Fields(message))
        {
            switch (field)
            {
                case 1: count = value; break;
                case 2: sum = BitConverter.Int64BitsToDouble((long)value); break;
                case 3:
                    ulong cumulative = 0;
                    var upper = double.NaN;
                    foreach (var (f, _, v, _) in Fields(bytes!))
                    {
                        if (f == 1)
                        {
                            cumulative = v;
                        }
                        else if (f == 2)
                        {
                            upper = BitConverter.Int64BitsToDouble((long)v);
                        }
                    }

                    buckets.Add((cumulative, upper));
                    break;
                case 5: schema = (int)ZigZag(value); break;
                case 6: zeroThreshold = BitConverter.Int64BitsToDouble((long)value); break;
                case 7: zeroCount = value; break;
                case 9 or 10 or 11: negative++; break;
                case 12:
                    int offset = 0;
                    uint length = 0;
                    foreach (var (f, _, v, _) in Fields(bytes!))
                    {
                        if (f == 1)
                        {
                            offset = (int)ZigZag(v);
                        }
                        else if (f == 2)
                        {
                            length = (uint)v;
                        }
                    }

                    spans.Add((offset, length));
                    break;
                case 13 when wire == 0: deltas.Add(ZigZag(value)); break;
                case 13 when wire == 2:
                    // Packed: the deltas one after another.
                    var p = 0;
                    while (p < bytes!.Length)
                    {
                        deltas.Add(ZigZag(ReadVarint(bytes, ref p)));
                    }

                    break;
                default: Assert.Fail($"unexpected Histogram field {field}"); break;
            }
        }

        return new DecodedHistogram(count, sum, buckets, schema, zeroThreshold, zeroCount, spans, deltas, negative);
    }

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static List<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, int, ulong, byte[]?)>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    fields.Add((field, wire, ReadVarint(message, ref position), null));
                    break;
                case 1:
                    fields.Add((field, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(position, 8)), null));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    Assert.InRange(length, 0, message.Length - position);
                    fields.Add((field, wire, 0, message.AsSpan(position, length).ToArray()));
                    position += length;
                    break;
                default:
                    Assert.Fail($"unexpected wire type {wire} for field {field}");
                    break;
            }
        }

        Assert.Equal(message.Length, position);
        return fields;
    }

    private static ulong ReadVarint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            Assert.True(shift < 64, "varint longer than 10 bytes");
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
