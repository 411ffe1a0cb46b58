using Instrumentation.Naming;

namespace Instrumentation;

/// <summary>
/// The one tag a custom metric may carry, with every value it may take. Each value gets its series when the metric is
/// declared; a value recorded outside the set folds into <c>other</c>, so clients can never create series.
/// </summary>
public sealed class CustomMetricTag
{
    /// <summary>Declares a tag key and its values (each one node of <c>A-Z a-z 0-9 _ -</c>, as in every backend).</summary>
    public CustomMetricTag(string key, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        Key = key;
        Values = [.. values];
    }

    /// <summary>The tag key (a Prometheus label name).</summary>
    public string Key { get; }

    /// <summary>The declared values, in declaration order; <c>other</c> is always there besides.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Every problem of this tag, for the declaration error; empty when fine.</summary>
    internal IEnumerable<string> Problems()
    {
        if (CustomMetricNames.TagKeyProblem(Key) is { } keyProblem)
        {
            yield return $"tag key '{Key}': {keyProblem}";
        }

        if (Values.Count == 0)
        {
            yield return $"tag '{Key}' declares no values";
        }

        foreach (var value in Values)
        {
            if (CustomMetricNames.TagValueProblem(value) is { } valueProblem)
            {
                yield return $"tag '{Key}': {valueProblem}";
            }
        }

        foreach (var duplicate in Values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"tag '{Key}': '{duplicate.Key}' is declared twice";
        }
    }
}
