using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// One set of <c>request_seconds</c> bucket bounds, converted once: the bounds in nanoseconds for the log histogram
/// and where they cut its bins, and the <c>le</c> label values as UTF-8, alone and as the end of a bucket's labels.
/// </summary>
internal sealed class BucketLayout
{
    private static readonly byte[] PlusInfinity = "+Inf"u8.ToArray();

    public BucketLayout(IReadOnlyList<double> bounds)
    {
        if (Problem(bounds) is { } problem)
        {
            throw new ArgumentException($"Bucket bounds {problem}", nameof(bounds));
        }

        Bounds = [.. bounds];
        Nanoseconds = new long[Bounds.Length];
        LabelValues = new byte[Bounds.Length + 1][];
        for (var i = 0; i < Bounds.Length; i++)
        {
            Nanoseconds[i] = (long)Math.Round(Bounds[i] * 1e9);
            LabelValues[i] = Encoding.UTF8.GetBytes(FormatBound(Bounds[i]));
        }

        LabelValues[^1] = PlusInfinity;
        LongestLabelValue = LabelValues.Max(v => v.Length);
        Cuts = Instruments.LogHistogram.FlatCuts(Nanoseconds);
        BucketLabelEnds = [.. LabelValues.Select(value => (byte[])[.. ",le=\""u8, .. value, .. "\"} "u8])];
        BucketLabelEndsLength = BucketLabelEnds.Sum(end => end.Length);
    }

    /// <summary>The upper bounds in seconds, without +Inf.</summary>
    public double[] Bounds { get; }

    /// <summary>The upper bounds in nanoseconds.</summary>
    public long[] Nanoseconds { get; }

    /// <summary>The <c>le</c> values, the last being <c>+Inf</c>.</summary>
    public byte[][] LabelValues { get; }

    public int LongestLabelValue { get; }

    /// <summary>Where each bound cuts the log histogram's bins (<see cref="Instruments.LogHistogram.FlatCuts"/>).</summary>
    public int[] Cuts { get; }

    /// <summary>What follows a series' labels on each bucket's line, up to the count: <c>,le="0.1"} </c>.</summary>
    public byte[][] BucketLabelEnds { get; }

    /// <summary>The length of every <see cref="BucketLabelEnds"/> together.</summary>
    public int BucketLabelEndsLength { get; }

    /// <summary>The bucket (index into <see cref="LabelValues"/>) an exact value belongs to.</summary>
    public int BucketOf(long nanoseconds)
    {
        for (var i = 0; i < Nanoseconds.Length; i++)
        {
            if (nanoseconds <= Nanoseconds[i])
            {
                return i;
            }
        }

        return Nanoseconds.Length;
    }

    /// <summary>What is wrong with a set of bounds, or null; phrased to follow the key or endpoint it belongs to.</summary>
    public static string? Problem(IReadOnlyList<double> bounds)
    {
        if (bounds.Count == 0)
        {
            return "must list at least one bound.";
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (BucketRules.Problem(bounds[i], i > 0 ? bounds[i - 1] : null) is { } problem)
            {
                return problem + ".";
            }
        }

        return null;
    }

    /// <summary>Fails the application's start when an endpoint declares bucket bounds that cannot be used.</summary>
    public static void ValidateEndpoints(ICollection<EndpointDataSource> sources)
    {
        List<string>? failures = null;
        foreach (var source in sources)
        {
            foreach (var endpoint in source.Endpoints)
            {
                if (endpoint.Metadata.GetMetadata<IInstrumentationMetadata>()?.Buckets is { Length: > 0 } buckets && Problem(buckets) is { } problem)
                {
                    (failures ??= []).Add($"[Instrumented(...)] buckets of endpoint '{endpoint.DisplayName}' {problem}");
                }
            }
        }

        if (failures is not null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, failures));
        }
    }

    /// <summary>
    /// The <c>le</c> text: the shortest round-trip form, with <c>.0</c> on whole numbers as OpenMetrics writes them, so
    /// both formats name the same series.
    /// </summary>
    internal static string FormatBound(double bound)
    {
        var text = bound.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text;
    }
}

/// <summary>
/// The bucket layout of each route: the application's, or the route's own bounds (laid out once per distinct array).
/// One per family of histograms, so the Big Brother and the OpenTelemetry names each keep their own defaults.
/// </summary>
internal sealed class RouteBucketLayouts(BucketLayout application, Microsoft.Extensions.Logging.ILogger logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<double[], BucketLayout> byBounds = new(ReferenceEqualityComparer.Instance);

    public BucketLayout For(Instruments.RouteInstruments route)
    {
        if (route.Buckets is not { Length: > 0 } bounds)
        {
            return application;
        }

        return byBounds.GetOrAdd(bounds, b =>
        {
            if (BucketLayout.Problem(b) is { } problem)
            {
                // Startup rejects these for mapped endpoints; never fail a scrape over them.
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(
                    logger, "Buckets of {Route} {Problem} Using the application's buckets.", route.Descriptor.Template, problem);
                return application;
            }

            return new BucketLayout(b);
        });
    }
}
