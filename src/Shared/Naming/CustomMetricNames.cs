using System.Collections.Generic;

namespace Instrumentation.Naming;

/// <summary>
/// The rules a custom metric's name must meet in every backend (docs/custom-metrics.md), shared by the analyzer that
/// checks constant names at build time and the runtime that checks them when a metric is declared. A custom metric
/// keeps one name everywhere, so a name is accepted only if each backend takes it unchanged.
/// </summary>
internal static class CustomMetricNames
{
    /// <summary>The tag value every value outside a metric's declared set folds into.</summary>
    public const string Other = "other";

    /// <summary>The most characters a custom metric name may hold.</summary>
    public const int MaxLength = 200;

    // Prometheus families the built-in sinks expose (both name sets); a custom family equal to one of them, or one whose
    // samples (_total, _bucket, _sum, _count) would land in one, collides.
    private static readonly string[] BuiltInFamilies =
    [
        "request_seconds", "response_size_bytes", "requests_inflight", "dependency_up", "application_info",
        "http_server_request_duration_seconds", "http_server_active_requests", "http_server_response_body_size_bytes",
    ];

    // First nodes of built-in Wavefront names after the prefix, and Graphite suffixes after a route.
    // (OpenMetrics names the info family "application".)
    private static readonly string[] BuiltInNodes = ["application", "request", "response", "total_requests", "count", "size", "pt", "status_code", "status_type"];

    /// <summary>
    /// What is wrong with <paramref name="name"/> as a custom metric name, one entry per backend that would not take it
    /// unchanged (<c>"Prometheus: ..."</c>); empty when every backend takes it.
    /// </summary>
    public static List<string> Problems(string? name)
    {
        var problems = new List<string>();
        if (name is null || name.Length == 0)
        {
            problems.Add("the name is empty");
            return problems;
        }

        if (name.Length > MaxLength)
        {
            problems.Add($"the name is longer than {MaxLength} characters");
        }

        if (!IsPrometheusName(name))
        {
            problems.Add("Prometheus: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*");
        }

        if (!AllOf(name, c => WavefrontNames.IsNameCharacter(c)))
        {
            problems.Add("Wavefront: a metric name holds only a-z A-Z 0-9 . _ - ,");
        }

        if (!AllOf(name, c => c != '.' && default(GraphiteNodeCharacters).Contains(c)))
        {
            problems.Add("Graphite: the name is one node of A-Z a-z 0-9 _ - (a dot would split it)");
        }

        if (!IsAsciiLetter(name[0]))
        {
            problems.Add("OpenTelemetry: an instrument name starts with a letter");
        }

        return problems;
    }

    /// <summary>The built-in metric family <paramref name="name"/> collides with, or null.</summary>
    public static string? BuiltInCollision(string name)
    {
        foreach (var family in BuiltInFamilies)
        {
            if (name == family || name.StartsWith(family + "_", System.StringComparison.Ordinal)
                || family.StartsWith(name + "_", System.StringComparison.Ordinal))
            {
                return family;
            }
        }

        foreach (var node in BuiltInNodes)
        {
            if (name == node)
            {
                return node;
            }
        }

        return name.StartsWith("http_server_", System.StringComparison.Ordinal) ? "http_server_*" : null;
    }

    /// <summary>
    /// What is wrong with a tag key: a Prometheus label name that none of the labels every series already carries
    /// uses; null when fine.
    /// </summary>
    public static string? TagKeyProblem(string? key)
    {
        if (key is null || key.Length == 0 || !IsAsciiLetter(key[0]) || !AllOf(key, c => IsAsciiLetter(c) || c is (>= '0' and <= '9') or '_'))
        {
            return "a tag key is [a-zA-Z][a-zA-Z0-9_]*";
        }

        foreach (var reserved in ReservedTagKeys)
        {
            if (key == reserved)
            {
                return $"'{key}' is a tag every series already carries";
            }
        }

        return null;
    }

    /// <summary>What is wrong with a declared tag value: one Graphite node, so every backend shows it unchanged; null when fine.</summary>
    public static string? TagValueProblem(string? value)
    {
        if (value is null || value.Length == 0 || !AllOf(value, c => c != '.' && default(GraphiteNodeCharacters).Contains(c)))
        {
            return $"'{value}' is not one node of A-Z a-z 0-9 _ -";
        }

        return value == Other ? $"'{Other}' is where undeclared values fold; it is always there" : null;
    }

    private static readonly string[] ReservedTagKeys =
    [
        "application", "service", "cluster", "shard", "source", "addr", "method", "le", "status", "type", "isError", "quantile", "route",
    ];

    private static bool IsPrometheusName(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool AllOf(string text, System.Func<char, bool> test)
    {
        foreach (var c in text)
        {
            if (!test(c))
            {
                return false;
            }
        }

        return true;
    }
}
