using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace Instrumentation.Package.Tests;

/// <summary>
/// What a .NET user checks on a package page before adding it: readme, icon, a symbols package, the commit it was built
/// from, and an assembly that says it can be trimmed.
/// </summary>
public sealed class PackageContentsTests
{
    private const string Library = "lib/net10.0/Instrumentation.AspNetCore";

    [Fact]
    public void The_package_carries_readme_icon_docs_analyzers_and_the_commit()
    {
        using var package = ZipFile.OpenRead(PackagePath(".nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "README.md", "icon.png", Library + ".dll", Library + ".xml",
                "analyzers/dotnet/cs/Instrumentation.Generator.dll", "analyzers/dotnet/cs/Instrumentation.Analyzers.dll",
            },
            entries);

        var nuspec = Read(package, "Instrumentation.AspNetCore.nuspec");
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<icon>icon.png</icon>", nuspec, StringComparison.Ordinal);
        Assert.Matches(new Regex("<repository type=\"git\"[^>]* commit=\"[0-9a-f]{40}\""), nuspec);
    }

    [Fact]
    public void A_symbols_package_carries_the_pdb()
    {
        using var symbols = ZipFile.OpenRead(PackagePath(".snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == Library + ".pdb");
    }

    [Fact]
    public void The_assembly_is_marked_trimmable()
    {
        using var package = ZipFile.OpenRead(PackagePath(".nupkg"));
        using var image = new MemoryStream();
        using (var dll = package.GetEntry(Library + ".dll")!.Open())
        {
            dll.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        Assert.Contains(("IsTrimmable", "True"), AssemblyMetadata(pe.GetMetadataReader()));
    }

    private static string PackagePath(string extension) =>
        Directory.GetFiles(ConsumerProject.PackageFolder(), "Instrumentation.AspNetCore.*" + extension).Single();

    private static string Read(ZipArchive archive, string name)
    {
        using var reader = new StreamReader(archive.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    // The [assembly: AssemblyMetadata(key, value)] pairs, read from metadata without loading the assembly.
    private static IEnumerable<(string Key, string? Value)> AssemblyMetadata(MetadataReader reader)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind != HandleKind.TypeReference
                || reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name) != "AssemblyMetadataAttribute")
            {
                continue;
            }

            var blob = reader.GetBlobReader(attribute.Value);
            blob.ReadUInt16(); // prolog
            yield return (blob.ReadSerializedString()!, blob.ReadSerializedString());
        }
    }
}
