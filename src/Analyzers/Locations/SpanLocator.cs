using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers.Locations;

/// <summary>Turns recorded spans back into locations for diagnostics, finding each one's tree by path.</summary>
internal sealed class SpanLocator(Compilation compilation)
{
    private Dictionary<string, SyntaxTree>? treesByPath;

    public Location Locate(SourceSpan span)
    {
        var trees = Volatile.Read(ref treesByPath);
        if (trees is null)
        {
            trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (!trees.ContainsKey(tree.FilePath))
                {
                    trees[tree.FilePath] = tree;
                }
            }

            // Concurrent callers may each build one; they are equal, and the one published is never changed.
            Volatile.Write(ref treesByPath, trees);
        }

        return span.ToLocation(trees.TryGetValue(span.FilePath, out var found) ? found : null);
    }
}
