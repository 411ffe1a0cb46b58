using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Generator.Parsing;

/// <summary>Where a mapping call stands among the calls of its sort in its file: whose convention applies last.</summary>
internal static class MappingOrders
{
    /// <summary>
    /// The call's index among the file's calls that <paramref name="isCandidate"/> accepts, counted on syntax alone.
    /// Applications make a handful of these calls, so walking the file once per call costs nothing noticeable.
    /// </summary>
    public static MappingOrder Of(SyntaxNode call, Func<SyntaxNode, CancellationToken, bool> isCandidate, CancellationToken cancellationToken)
    {
        var index = 0;
        foreach (var node in call.SyntaxTree.GetRoot(cancellationToken).DescendantNodes())
        {
            if (node == call)
            {
                break;
            }

            if (isCandidate(node, cancellationToken))
            {
                index++;
            }
        }

        return new MappingOrder(call.SyntaxTree.FilePath, index);
    }

    /// <summary>The mappings in the order their conventions apply: by file, then by place in the file.</summary>
    public static List<T> InApplyOrder<T>(IEnumerable<T> mappings, Func<T, MappingOrder> order) =>
        mappings
            .OrderBy(mapping => order(mapping).FilePath, StringComparer.Ordinal)
            .ThenBy(mapping => order(mapping).Index)
            .ToList();
}
