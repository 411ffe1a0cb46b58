namespace Instrumentation.Generator;

/// <summary>
/// Names of the pipeline steps that do work worth caching, so tests can check that each is reused across edits. The
/// plumbing between them (filtering nulls, collecting, combining) is left unnamed.
/// </summary>
internal static class TrackingNames
{
    /// <summary>Each <c>MapX</c> call parsed (null for calls that turn out not to map an endpoint).</summary>
    public const string MinimalApis = nameof(MinimalApis);

    /// <summary>Each class parsed as a controller (null for classes MVC would not discover).</summary>
    public const string Controllers = nameof(Controllers);

    /// <summary>Each <c>MapControllers</c>-style call parsed.</summary>
    public const string ControllerMappings = nameof(ControllerMappings);

    /// <summary>The <c>.cshtml</c>/<c>.razor</c> files with a <c>@page</c>, collected (named after collecting, so it exists without any).</summary>
    public const string RazorFiles = nameof(RazorFiles);

    /// <summary>The page model and component classes, collected.</summary>
    public const string RazorClasses = nameof(RazorClasses);

    /// <summary>
    /// Each <c>MapGrpcService</c> / <c>MapHub</c> call parsed. Not in <see cref="All"/>, which lists the steps every
    /// project runs: this one runs only where such a call exists (RpcKindsTests cover it).
    /// </summary>
    public const string RpcServices = nameof(RpcServices);

    /// <summary>Whether <c>[assembly: Instrumented]</c> is present.</summary>
    public const string AssemblyInstrumented = nameof(AssemblyInstrumented);

    /// <summary>Every endpoint, resolved.</summary>
    public const string Endpoints = nameof(Endpoints);

    /// <summary>What the catalog will hold.</summary>
    public const string Catalog = nameof(Catalog);

    public static readonly string[] All = [MinimalApis, Controllers, ControllerMappings, RazorFiles, RazorClasses, AssemblyInstrumented, Endpoints, Catalog];
}
