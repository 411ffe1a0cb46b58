using System.Globalization;
using System.Text.RegularExpressions;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>One scrape of <c>/metrics</c>, read by family and labels.</summary>
internal sealed partial class MetricsScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<MetricsScrape> ReadAsync(Uri http1)
    {
        using var client = new HttpClient { BaseAddress = http1 };
        return new MetricsScrape(await client.GetStringAsync("/metrics"));
    }

    /// <summary>The samples of a family whose labels include every given pair.</summary>
    public IEnumerable<(Dictionary<string, string> Labels, double Value)> Samples(string family, params (string Name, string Value)[] labels)
    {
        foreach (var line in Text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["family"].Value != family)
            {
                continue;
            }

            var parsed = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(label => parsed.TryGetValue(label.Name, out var value) && value == label.Value))
            {
                yield return (parsed, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>The one sample of a family with these labels.</summary>
    public double Single(string family, params (string Name, string Value)[] labels)
    {
        var found = Samples(family, labels).ToList();
        Assert.True(found.Count == 1, $"{found.Count} samples of {family} with {string.Join(",", labels)} in:\n{string.Join("\n", Text.Split('\n').Where(l => l.StartsWith(family, StringComparison.Ordinal)))}");
        return found[0].Value;
    }

    [GeneratedRegex(@"^(?<family>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>.*)\} (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();
}
