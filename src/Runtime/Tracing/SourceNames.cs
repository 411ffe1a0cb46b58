namespace Instrumentation.Tracing;

/// <summary>
/// The application's own <see cref="System.Diagnostics.ActivitySource"/> names under
/// <c>Instrumentation:Tracing:Sources</c>, as OpenTelemetry's <c>AddSource</c> takes them: exact names or patterns
/// where <c>*</c> stands for any run of characters and <c>?</c> for one, compared without regard to case. Asked once
/// per source (when it is created or the listener is added), never per Activity.
/// </summary>
internal sealed class SourceNames
{
    private readonly string[] patterns;

    public SourceNames(IEnumerable<string> patterns) =>
        this.patterns = [.. patterns.Select(p => p.Trim()).Where(p => p.Length > 0)];

    public bool IsEmpty => patterns.Length == 0;

    /// <summary>
    /// The sources whose spans are exported besides hosting's and HttpClient's: the application's own
    /// (<c>Instrumentation:Tracing:Sources</c>) and this library's, whose spans are the measured units of work that have
    /// no HTTP request of their own (hub method invocations).
    /// </summary>
    public static SourceNames Exported(IEnumerable<string> applicationSources) =>
        new([.. applicationSources, Kinds.Hubs.InstrumentationHubFilter.ActivitySourceName]);

    /// <summary>What is wrong with one configured entry, or null.</summary>
    public static string? Problem(string? pattern) =>
        string.IsNullOrWhiteSpace(pattern) ? "must name an ActivitySource (a name, or a pattern with * and ?)" : null;

    public bool Matches(string sourceName)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, sourceName))
            {
                return true;
            }
        }

        return false;
    }

    // Iterative glob matching with one backtrack point (the last '*'): linear for the patterns people write.
    internal static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(name[n])))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
