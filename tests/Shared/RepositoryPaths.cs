using System.Reflection;

namespace Instrumentation.Tests.Shared;

/// <summary>
/// The repository's folder, as MSBuild saw it when the test assembly was built. Stored as assembly metadata rather
/// than taken from <c>[CallerFilePath]</c>, because CI builds (CI=true) map source paths to <c>/_/</c> for
/// deterministic output, which leaves compile-time file paths pointing nowhere.
/// </summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "RepositoryRoot")?.Value;
        if (string.IsNullOrEmpty(recorded) || !File.Exists(Path.Combine(recorded, "Instrumentation.sln")))
        {
            throw new InvalidOperationException(
                $"The test assembly records repository root '{recorded}', which holds no Instrumentation.sln; rebuild the tests from the repository.");
        }

        return Path.GetFullPath(recorded);
    }
}
