using System.Text;

namespace Instrumentation.Generator.Emission;

/// <summary>Builds generated source with consistent indentation and '\n' line endings on every OS.</summary>
internal sealed class IndentedSourceWriter
{
    private const string IndentUnit = "    ";

    private readonly StringBuilder text = new();
    private int depth;

    public IndentedSourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < depth; i++)
            {
                text.Append(IndentUnit);
            }

            text.Append(line);
        }

        text.Append('\n');
        return this;
    }

    public IndentedSourceWriter OpenBlock(string opening = "{")
    {
        Line(opening);
        depth++;
        return this;
    }

    public IndentedSourceWriter CloseBlock(string closing = "}")
    {
        depth--;
        return Line(closing);
    }

    public override string ToString() => text.ToString();
}
