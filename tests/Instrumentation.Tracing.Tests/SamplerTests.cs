using System.Diagnostics;

namespace Instrumentation.Tracing.Tests;

public sealed class SamplerTests
{
    [Fact]
    public void TheLowBitsAreTheIdsLastEightBytesReadBigEndian()
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
    public void WithoutSamplersEverythingIsKept()
    {
        var sampler = new SpanSampler(null, null);
        Assert.True(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        Assert.False(sampler.IsSlow(long.MaxValue - 1));
    }

    [Fact]
    public void DurationSamplerAloneKeepsOnlySlowSpans()
    {
        var sampler = new SpanSampler(null, 250);
        Assert.False(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        Assert.False(sampler.IsSlow(250_000_000));
        Assert.True(sampler.IsSlow(250_000_001));
    }

    [Fact]
    public void RateOneKeepsEveryTrace()
    {
        var sampler = new SpanSampler(1.0, null);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(sampler.SampleTrace(ActivityTraceId.CreateRandom()));
        }
    }
}
