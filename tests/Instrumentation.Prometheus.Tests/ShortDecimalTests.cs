using System.Globalization;
using System.Text;
using Instrumentation.Sinks.Shared;
using Xunit;

namespace Instrumentation.Prometheus.Tests;

/// <summary>The short-decimal path writes what <c>ToString("R")</c> writes, or declines and leaves it to that.</summary>
public class ShortDecimalTests
{
    [Theory]
    [InlineData(0.0001)]
    [InlineData(0.00009999)]
    [InlineData(0.5)]
    [InlineData(-0.5)]
    [InlineData(1.0)]
    [InlineData(42.0)]
    [InlineData(0.123456789)]
    [InlineData(999999.999999999)]
    [InlineData(123456.000000001)]
    [InlineData(0.1 + 0.2)]
    [InlineData(1e6)]
    [InlineData(1e-9)]
    [InlineData(0.0)]
    [InlineData(3.14159265358979)]
    public void Writes_what_round_trip_formatting_writes(double value) => AssertSame(value);

    [Fact]
    public void Nanosecond_sums_read_as_seconds_format_as_round_trip_does()
    {
        var random = new Random(12);
        var shortened = 0;
        for (var i = 0; i < 200_000; i++)
        {
            // Sums of nanoseconds at every magnitude, from a microsecond to past where the short path stops.
            var nanoseconds = (long)Math.Pow(10, random.NextDouble() * 16);
            shortened += AssertSame(nanoseconds / 1e9) ? 1 : 0;
            AssertSame(random.NextDouble() * Math.Pow(10, random.Next(-6, 8)));
        }

        Assert.True(shortened > 100_000, $"only {shortened} sums took the short path");
    }

    private static bool AssertSame(double value)
    {
        Span<byte> destination = stackalloc byte[32];
        if (!ShortDecimal.TryFormat(value, destination, out var written))
        {
            return false;
        }

        Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), Encoding.ASCII.GetString(destination[..written]));
        return true;
    }
}
