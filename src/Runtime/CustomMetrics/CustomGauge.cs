using Instrumentation.CustomMetrics;

namespace Instrumentation;

/// <summary>
/// A custom gauge, declared once through <see cref="CustomMetricFactory"/>: a value that is set, or moved up and down
/// (items in a queue). Recording is one interlocked operation on a preallocated cell. Keep the instance in a field.
/// </summary>
public sealed class CustomGauge
{
    private readonly CustomMetric metric;
    private readonly int slot;
    private readonly CustomGauge[] bySlot;

    private CustomGauge(CustomMetric metric, int slot, CustomGauge[] bySlot)
    {
        this.metric = metric;
        this.slot = slot;
        this.bySlot = bySlot;
    }

    /// <summary>The metric's name.</summary>
    public string Name => metric.Name;

    internal CustomMetric Metric => metric;

    /// <summary>The gauge of one tag value: a declared value, or <c>other</c> for anything else.</summary>
    public CustomGauge For(string? tagValue) => bySlot[metric.SlotOf(tagValue)];

    /// <summary>Sets the value (of the current route's series for a per-route gauge).</summary>
    public void Set(double value) => Interlocked.Exchange(ref metric.Cells()[slot], BitConverter.DoubleToInt64Bits(value));

    /// <summary>Moves the value by <paramref name="delta"/>, which may be negative.</summary>
    public void Add(double delta) => CellMath.AddDouble(ref metric.Cells()[slot], delta);

    internal static CustomGauge Create(CustomMetric metric)
    {
        var bySlot = new CustomGauge[metric.TagValues.Length];
        for (var i = 0; i < bySlot.Length; i++)
        {
            bySlot[i] = new CustomGauge(metric, i, bySlot);
        }

        return bySlot[^1];
    }
}
