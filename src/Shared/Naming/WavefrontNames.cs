namespace Instrumentation.Naming;

/// <summary>
/// Wavefront's naming rules (docs/wavefront.md, "Wire format"): which characters a metric name or tag key may hold,
/// how long a tag may be, and the tags every route carries.
/// </summary>
internal static class WavefrontNames
{
    /// <summary>The most characters a tag key plus its value may hold before the server rejects the point.</summary>
    public const int MaxTagLength = 254;

    /// <summary>The first segment of every Wavefront metric name unless configured otherwise.</summary>
    public const string DefaultPrefix = "aspnetcore";

    /// <summary>
    /// The handler tag under the default prefix: what the request's Activity carries (every listener sees it) and
    /// what build-time checks measure tag lengths with. Wavefront lines use <see cref="HandlerTagFor"/>.
    /// </summary>
    public const string HandlerTag = DefaultPrefix + HandlerTagSuffix;

    /// <summary>The <c>component</c> tag's value under the default prefix.</summary>
    public const string Component = DefaultPrefix;

    private const string HandlerTagSuffix = ".func";

    /// <summary>The delta counter marker, U+2206.</summary>
    public const char DeltaMark = '\u2206';

    /// <summary>The alternative delta marker the protocol accepts, U+0394.</summary>
    public const char GreekDelta = '\u0394';

    /// <summary>
    /// The handler tag's key on Wavefront lines: the prefix's, as the Flask SDK's <c>flask.func</c> goes with its
    /// <c>flask.</c> names, so one prefix setting reproduces both.
    /// </summary>
    public static string HandlerTagFor(string prefix) => prefix + HandlerTagSuffix;

    /// <summary>The <c>component</c> tag's value on Wavefront lines (heartbeat, server spans, RED metrics): the prefix.</summary>
    public static string ComponentFor(string prefix) => prefix;

    /// <summary>Whether a character may stand anywhere in a metric name or tag key: <c>a-z A-Z 0-9 . _ - ,</c>.</summary>
    public static bool IsNameCharacter(char c) => default(WavefrontNameCharacters).Contains(c);

    /// <summary>
    /// A metric name with every character outside <c>a-z A-Z 0-9 . _ - ,</c> replaced by <c>-</c>, except a leading
    /// <c>~</c>, <c>∆</c> or <c>Δ</c> and a <c>~</c> right after a leading delta marker. Null when blank.
    /// </summary>
    public static string? SanitizeName(string name) => Sanitize(name, allowDelta: true);

    /// <summary>A tag key sanitized like a metric name (a leading <c>~</c> kept, no delta marker). Null when blank.</summary>
    public static string? SanitizeTagKey(string key) => Sanitize(key, allowDelta: false);

    /// <summary>
    /// A piece that stands inside a metric name, never at its start (an entity after the prefix): every character
    /// outside <c>a-z A-Z 0-9 . _ - ,</c> becomes <c>-</c>.
    /// </summary>
    public static string SanitizeInner(string text) => CharacterSets.ReplaceOutside<WavefrontNameCharacters>(text, '-');

    private static string? Sanitize(string name, bool allowDelta)
    {
        var trimmed = name.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        // Characters at the start that the protocol allows there only.
        var keep = 0;
        if (allowDelta && trimmed[0] is DeltaMark or GreekDelta)
        {
            keep = trimmed.Length > 1 && trimmed[1] == '~' ? 2 : 1;
        }
        else if (trimmed[0] == '~')
        {
            keep = 1;
        }

        if (keep == 0)
        {
            return SanitizeInner(trimmed);
        }

        var rest = trimmed.Substring(keep);
        var sanitized = SanitizeInner(rest);
        return ReferenceEquals(sanitized, rest) ? trimmed : trimmed.Substring(0, keep) + sanitized;
    }
}
