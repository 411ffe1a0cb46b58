using System.Diagnostics;

namespace Instrumentation.Tracing.Tests;

public sealed class SamplerTests
{
    [Fact]
    public void The_low_bits_are_the_ids_last_eight_bytes_read_big_endian()
    {
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 10_000; i++)
        {
            var id = ActivityTraceId.CreateRandom();
            id.CopyTo(bytes);
            Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes[8..]), TraceIds.LowBits(id));
        }

        Assert.Equal(-1L, TraceIds.LowBits(ActivityTraceId.CreateFromString("0123456789abcdefffffffffffffffff")));
        Assert.Equal(0x0123456789abcdefL, TraceIds.LowBits(ActivityTraceId.CreateFromString("ffffffffffffffff0123456789abcdef")));
    }

    [Theory]
    [InlineData("0000000000002710", 0.0, true)] // low bits 10000: 0 mod 10000, kept even at rate 0
    [InlineData("0000000000001388", 0.5, true)] // 5000 <= 5000
    [InlineData("0000000000001388", 0.4999, false)]
    [InlineData("000000000000270f", 0.9999, true)] // 9999
    [InlineData("000000000000270f", 0.9998, false)]
    [InlineData("ffffffffffffffff", 0.0001, true)] // -1 as a signed long: |-1 mod 10000| = 1
    [InlineData("ffffffffffffffff", 0.0, false)]
    public void RateSamplerKeysOnTheLow64BitsOfTheTraceId(string low, double rate, bool kept)
    {
        // The high half must not matter.
        foreach (var high in new[] { "0000000000000000", "fedcba9876543210" })
        {
            var sampler = new SpanSampler(rate, durationMs: null);
            Assert.Equal(kept, sampler.SampleTrace(ActivityTraceId.CreateFromString(high + low)));
        }
    }

    [Fact]
    public void Without_samplers_everything_is_kept()
    {
        var sampler = new SpanSampler(null, null);
        Assert.True(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        Assert.False(sampler.IsSlow(long.MaxValue - 1));
    }

    [Fact]
    public void Duration_sampler_alone_keeps_only_slow_spans()
    {
        var sampler = new SpanSampler(null, 250);
        Assert.False(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        Assert.False(sampler.IsSlow(250_000_000));
        Assert.True(sampler.IsSlow(250_000_001));
    }

    [Fact]
    public void Rate_one_keeps_every_trace()
    {
        var sampler = new SpanSampler(1.0, null);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        }
    }
}
