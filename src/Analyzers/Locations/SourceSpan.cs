using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers.Locations;

/// <summary>
/// Where the analyzers found an endpoint, as plain values that compare equal for the same place (a key across the
/// concurrent callbacks of one analysis). Analyzers only: the generator's specs carry no position, so edits that only
/// move code leave its cache intact.
/// </summary>
internal sealed record SourceSpan(string FilePath, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static readonly SourceSpan None = new(string.Empty, 0, 0, 0, 0);

    public static SourceSpan From(Location location)
    {
        var span = location.GetLineSpan();
        return new SourceSpan(
            span.Path ?? string.Empty,
            span.StartLinePosition.Line,
            span.StartLinePosition.Character,
            span.EndLinePosition.Line,
            span.EndLinePosition.Character);
    }

    /// <summary>Rebuilds a location for a diagnostic, given the compilation's tree for <see cref="FilePath"/>.</summary>
    public Location ToLocation(SyntaxTree? tree)
    {
        var lines = new Microsoft.CodeAnalysis.Text.LinePositionSpan(
            new Microsoft.CodeAnalysis.Text.LinePosition(StartLine, StartColumn),
            new Microsoft.CodeAnalysis.Text.LinePosition(EndLine, EndColumn));
        if (tree is null)
        {
            return Location.Create(FilePath, default, lines);
        }

        var text = tree.GetText();
        var start = text.Lines.GetPosition(lines.Start);
        var end = text.Lines.GetPosition(lines.End);
        return Location.Create(tree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end));
    }
}
