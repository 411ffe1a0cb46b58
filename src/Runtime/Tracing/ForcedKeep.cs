using System.Diagnostics;
using System.Globalization;

namespace Instrumentation.Tracing;

/// <summary>
/// Wavefront keeps spans tagged <c>debug=true</c> or <c>sampling.priority</c> above zero whatever the samplers say;
/// handler code sets them to ask for its span to be kept.
/// </summary>
internal static class ForcedKeep
{
    public const string DebugTag = "debug";
    public const string SamplingPriorityTag = "sampling.priority";

    /// <summary>Whether the span carries a tag that forces keeping it.</summary>
    public static bool IsForced(Activity activity) =>
        ForcesDebug(activity.GetTagItem(DebugTag)) || ForcesPriority(activity.GetTagItem(SamplingPriorityTag));

    public static bool ForcesDebug(object? value) =>
        value is true || (value is string text && text.Equals("true", StringComparison.OrdinalIgnoreCase));

    public static bool ForcesPriority(object? value) => value switch
    {
        int i => i > 0,
        long l => l > 0,
        double d => d > 0,
        string text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0,
        _ => false,
    };
}
