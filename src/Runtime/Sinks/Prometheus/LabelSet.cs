using System.Text;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Builds a series' label pairs (<c>a="x",b="y"</c>, without braces) once, escaped and encoded, so a scrape only
/// copies bytes.
/// </summary>
internal sealed class LabelSet
{
    private readonly StringBuilder text = new();

    public LabelSet Add(string name, string value)
    {
        if (text.Length > 0)
        {
            text.Append(',');
        }

        text.Append(name).Append("=\"");
        AppendEscaped(text, value);
        text.Append('"');
        return this;
    }

    public LabelSet Add(IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        foreach (var (name, value) in labels)
        {
            Add(name, value);
        }

        return this;
    }

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(text.ToString());

    public override string ToString() => text.ToString();

    /// <summary>Label-value escaping, the same in both formats: backslash, double quote and line feed.</summary>
    internal static void AppendEscaped(StringBuilder target, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    target.Append(@"\\");
                    break;
                case '"':
                    target.Append("\\\"");
                    break;
                case '\n':
                    target.Append(@"\n");
                    break;
                default:
                    target.Append(c);
                    break;
            }
        }
    }
}
