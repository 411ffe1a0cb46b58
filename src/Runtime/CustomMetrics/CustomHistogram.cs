using Instrumentation.CustomMetrics;

namespace Instrumentation;

/// <summary>
/// A custom histogram over declared bucket bounds, declared once through <see cref="CustomMetricFactory"/>. Recording
/// finds the bucket by binary search over the bounds and does two interlocked operations on preallocated cells.
/// </summary>
public sealed class CustomHistogram
{
    private readonly CustomMetric metric;
    private readonly int offset;
    private readonly CustomHistogram[] bySlot;

    private CustomHistogram(CustomMetric metric, int slot, CustomHistogram[] bySlot)
    {
        this.metric = metric;
        offset = slot * metric.Stride;
        this.bySlot = bySlot;
    }

    /// <summary>The metric's name.</summary>
    public string Name => metric.Name;

    internal CustomMetric Metric => metric;

    /// <summary>The histogram of one tag value: a declared value, or <c>other</c> for anything else.</summary>
    public CustomHistogram For(string? tagValue) => bySlot[metric.SlotOf(tagValue)];

    /// <summary>Records one value (NaN is ignored), in the current route's series for a per-route histogram.</summary>
    public void Record(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var bounds = metric.Bounds;
        var found = Array.BinarySearch(bounds, value);
        var bucket = found >= 0 ? found : ~found;
        var cells = metric.Cells();
        Interlocked.Increment(ref cells[offset + bucket]);
        CellMath.AddDouble(ref cells[offset + bounds.Length + 1], value);
    }

    internal static CustomHistogram Create(CustomMetric metric)
    {
        var bySlot = new CustomHistogram[metric.TagValues.Length];
        for (var i = 0; i < bySlot.Length; i++)
        {
            bySlot[i] = new CustomHistogram(metric, i, bySlot);
        }

        return bySlot[^1];
    }
}
