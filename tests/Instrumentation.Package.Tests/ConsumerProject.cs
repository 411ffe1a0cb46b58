using Instrumentation.Tests.Shared;
using System.Diagnostics;
using System.Text;

namespace Instrumentation.Package.Tests;

/// <summary>
/// A fresh web project in a temporary folder that references only the packed Instrumentation.AspNetCore .nupkg from a
/// local folder, the way users get the product.
/// </summary>
internal sealed class ConsumerProject : IDisposable
{
    private ConsumerProject(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    public string Directory { get; }

    public static string PackageFolder()
    {
        var folder = Environment.GetEnvironmentVariable("INSTR_PACKAGES") ?? Path.Combine(RepositoryRoot(), "artifacts", "packages");
        if (!System.IO.Directory.Exists(folder) || System.IO.Directory.GetFiles(folder, "Instrumentation.AspNetCore.*.nupkg").Length == 0)
        {
            throw new InvalidOperationException($"No Instrumentation.AspNetCore .nupkg in {folder}: run build/test.sh, which packs it first.");
        }

        return folder;
    }

    public static ConsumerProject Create(string name, string extraProperties, IReadOnlyDictionary<string, string> files)
    {
        var packages = PackageFolder();
        var version = Path.GetFileNameWithoutExtension(System.IO.Directory.GetFiles(packages, "Instrumentation.AspNetCore.*.nupkg").Single())
            ["Instrumentation.AspNetCore.".Length..];
        var directory = System.IO.Directory.CreateTempSubdirectory($"instr-consumer-{name}-").FullName;
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, $"{name}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <RestorePackagesPath>$(MSBuildProjectDirectory)/packages</RestorePackagesPath>
                <DefaultItemExcludes>$(DefaultItemExcludes);packages/**</DefaultItemExcludes>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Instrumentation.AspNetCore" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(directory, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        return new ConsumerProject(name, directory);
    }

    /// <summary>Runs dotnet with arguments in the project folder; returns exit code and all output.</summary>
    public (int ExitCode, string Output) Dotnet(params string[] arguments) => Dotnet(TimeSpan.FromMinutes(4), arguments);

    /// <summary>Runs dotnet with a longer limit, for a Native AOT publish.</summary>
    public (int ExitCode, string Output) Dotnet(TimeSpan limit, params string[] arguments) => Execute("dotnet", Directory, limit, arguments);

    /// <summary>Runs a program to its end (a published app that should fail at startup); returns exit code and all output.</summary>
    public static (int ExitCode, string Output) RunToExit(string executable, TimeSpan limit, params string[] arguments) =>
        Execute(executable, Path.GetDirectoryName(executable)!, limit, arguments);

    /// <summary>Starts the built app on a loopback port; the caller disposes the process.</summary>
    public Process Run(int port)
    {
        var dll = System.IO.Directory.GetFiles(Path.Combine(Directory, "bin"), "*.dll", SearchOption.AllDirectories)
            .Single(f => Path.GetFileName(f) == Name + ".dll" && !f.Contains("/obj/", StringComparison.Ordinal));
        return Start("dotnet", Path.GetDirectoryName(dll)!, [dll, "--urls", $"http://127.0.0.1:{port}"]);
    }

    /// <summary>Starts a published native executable on a loopback port, with more command-line arguments; the caller disposes the process.</summary>
    public static Process RunNative(string executable, int port, params string[] arguments) =>
        Start(executable, Path.GetDirectoryName(executable)!, [.. arguments, "--urls", $"http://127.0.0.1:{port}"]);

    private static Process Start(string fileName, string workingDirectory, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static (int ExitCode, string Output) Execute(string fileName, string workingDirectory, TimeSpan limit, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test runner's own build settings must not leak into the consumer's build.
        info.Environment.Remove("INSTR_ARTIFACTS");
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");
        info.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} took over {limit.TotalMinutes} minutes:\n{output}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    public string GeneratedSource(string fileName) =>
        File.ReadAllText(System.IO.Directory.GetFiles(Path.Combine(Directory, "obj"), fileName, SearchOption.AllDirectories).Single());

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static string RepositoryRoot() => RepositoryPaths.Root;
}
