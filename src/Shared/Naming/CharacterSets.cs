using System.Text;

namespace Instrumentation.Naming;

/// <summary>A set of characters a backend accepts in a name; a struct so the replacing loop is specialised per set.</summary>
internal interface ICharacterSet
{
    bool Contains(char c);
}

/// <summary>Wavefront metric names and tag keys: <c>a-z A-Z 0-9 . _ - ,</c>.</summary>
internal readonly struct WavefrontNameCharacters : ICharacterSet
{
    public bool Contains(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or ',';
}

/// <summary>One Graphite node: <c>A-Z a-z 0-9 _ -</c> (a dot would split the node).</summary>
internal readonly struct GraphiteNodeCharacters : ICharacterSet
{
    public bool Contains(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';
}

internal static class CharacterSets
{
    /// <summary>
    /// <paramref name="text"/> with every character outside <typeparamref name="TSet"/> replaced by
    /// <paramref name="replacement"/>; the same instance when nothing needs replacing, so clean names cost no allocation.
    /// </summary>
    public static string ReplaceOutside<TSet>(string text, char replacement)
        where TSet : struct, ICharacterSet
    {
        var set = default(TSet);
        StringBuilder? replaced = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (!set.Contains(text[i]))
            {
                replaced ??= new StringBuilder(text);
                replaced[i] = replacement;
            }
        }

        return replaced?.ToString() ?? text;
    }
}
