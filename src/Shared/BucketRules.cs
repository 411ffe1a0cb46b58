using System.Globalization;

namespace Instrumentation;

/// <summary>
/// What makes a Prometheus bucket bound unusable. Compiled into both the runtime (which refuses to start with a bad
/// bound) and the analyzers (which report it at build time, INSTR005), so the two can never disagree.
/// </summary>
internal static class BucketRules
{
    /// <summary>The histogram does not resolve below 512 ns, so a sub-microsecond bound would only ever read 0.</summary>
    public const double SmallestBound = 1e-6;

    /// <summary>What is wrong with one bound given the one before it, or null; phrased to follow its key or argument.</summary>
    public static string? Problem(double bound, double? previous)
    {
        if (double.IsNaN(bound) || double.IsInfinity(bound) || bound <= 0)
        {
            return $"must be positive finite numbers of seconds (got {Format(bound)})";
        }

        if (bound < SmallestBound)
        {
            return $"must be at least 0.000001 s (got {Format(bound)})";
        }

        return previous is { } before && bound <= before
            ? $"must be strictly increasing ({Format(before)} is followed by {Format(bound)})"
            : null;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
