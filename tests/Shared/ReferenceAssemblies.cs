using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Tests.Shared;

/// <summary>
/// The SDK's reference packs (.NET and ASP.NET Core) plus the runtime assembly: what a user's web project compiles
/// against, for tests that drive the generator and analyzers directly. Compile-linked into those test projects.
/// </summary>
internal static class ReferenceAssemblies
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Lazy = new(Load);

    public static ImmutableArray<MetadataReference> All => Lazy.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var packs = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs");
        var directories = new[] { "Microsoft.NETCore.App.Ref", "Microsoft.AspNetCore.App.Ref" }
            .Select(pack => ReferenceDirectory(Path.Combine(packs, pack)));
        return
        [
            .. directories.SelectMany(directory => Directory.GetFiles(directory, "*.dll"))
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)),
            MetadataReference.CreateFromFile(typeof(InstrumentedAttribute).Assembly.Location),
        ];
    }

    /// <summary>The reference assemblies of the pack version matching the running framework's major version.</summary>
    private static string ReferenceDirectory(string pack)
    {
        var major = Environment.Version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var version = Directory.GetDirectories(pack)
            .Where(directory => Path.GetFileName(directory).StartsWith(major + ".", StringComparison.Ordinal))
            .OrderBy(directory => Version.TryParse(Path.GetFileName(directory), out var parsed) ? parsed : new Version())
            .Last();
        return Path.Combine(version, "ref", "net" + major + ".0");
    }
}
