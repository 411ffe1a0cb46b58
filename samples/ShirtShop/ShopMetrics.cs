using Instrumentation;

namespace ShirtShop;

/// <summary>
/// The shop's own metrics, declared once at startup (<c>AddCustomMetrics&lt;ShopMetrics&gt;()</c>) and reported with the
/// built-in ones to every sink: docs/custom-metrics.md.
/// </summary>
public sealed class ShopMetrics(CustomMetricFactory metrics)
{
    /// <summary>Shirts ordered, per route, by payment method; any other payment folds into <c>other</c>.</summary>
    public CustomCounter ShirtsOrdered { get; } = metrics.CreateCounter(
        "shirts_ordered", "Shirts ordered, by payment method.", new CustomMetricTag("payment", "card", "cash"), perRoute: true);
}
