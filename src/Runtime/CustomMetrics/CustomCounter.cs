using Instrumentation.CustomMetrics;

namespace Instrumentation;

/// <summary>
/// A custom counter, declared once through <see cref="CustomMetricFactory"/>. <see cref="Add"/> is one interlocked
/// addition into a preallocated cell: no lookup, no allocation. Keep the instance (and the ones <see cref="For"/>
/// returns) in fields.
/// </summary>
public sealed class CustomCounter
{
    private readonly CustomMetric metric;
    private readonly int slot;
    private readonly CustomCounter[] bySlot;

    private CustomCounter(CustomMetric metric, int slot, CustomCounter[] bySlot)
    {
        this.metric = metric;
        this.slot = slot;
        this.bySlot = bySlot;
    }

    /// <summary>The metric's name.</summary>
    public string Name => metric.Name;

    internal CustomMetric Metric => metric;

    /// <summary>
    /// The counter of one tag value: a declared value, or <c>other</c> for anything else. Compares against the declared
    /// values; keep the result in a field when the value is known in advance.
    /// </summary>
    public CustomCounter For(string? tagValue) => bySlot[metric.SlotOf(tagValue)];

    /// <summary>
    /// Adds <paramref name="value"/> (not negative), to the current route's series for a per-route counter. On a
    /// tagged counter, the instance the factory returned records under <c>other</c>: use <see cref="For"/>.
    /// </summary>
    public void Add(long value = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Interlocked.Add(ref metric.Cells()[slot], value);
    }

    /// <summary>The counters of every slot; the last one (<c>other</c>, or the only one) is the one handed out.</summary>
    internal static CustomCounter Create(CustomMetric metric)
    {
        var bySlot = new CustomCounter[metric.TagValues.Length];
        for (var i = 0; i < bySlot.Length; i++)
        {
            bySlot[i] = new CustomCounter(metric, i, bySlot);
        }

        return bySlot[^1];
    }
}
