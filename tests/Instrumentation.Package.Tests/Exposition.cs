using System.Globalization;
using System.Text.RegularExpressions;

namespace Instrumentation.Package.Tests;

/// <summary>Reads counts out of a consumer's Prometheus exposition.</summary>
internal static class Exposition
{
    /// <summary>The request count of the 200 responses of one route.</summary>
    public static long Count(string exposition, string addr)
    {
        var line = exposition.Split('\n').Single(l =>
            l.StartsWith("request_seconds_count{", StringComparison.Ordinal) && l.Contains($"addr=\"{addr}\"", StringComparison.Ordinal)
            && l.Contains("status=\"200\"", StringComparison.Ordinal));
        return long.Parse(Regex.Match(line, @"\s(\d+)(\s\d+)?$").Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
