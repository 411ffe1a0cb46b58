namespace Instrumentation.Generator;

/// <summary>Names of the incremental pipeline steps, so tests can check each step's caching.</summary>
internal static class TrackingNames
{
    public const string MinimalApiCandidates = nameof(MinimalApiCandidates);
    public const string MinimalApiMatches = nameof(MinimalApiMatches);
    public const string MinimalApiEndpoints = nameof(MinimalApiEndpoints);
    public const string AllMinimalApiEndpoints = nameof(AllMinimalApiEndpoints);
    public const string ControllerCandidates = nameof(ControllerCandidates);
    public const string ControllerMatches = nameof(ControllerMatches);
    public const string Controllers = nameof(Controllers);
    public const string AllControllers = nameof(AllControllers);
    public const string ControllerMappingCandidates = nameof(ControllerMappingCandidates);
    public const string ControllerMappingMatches = nameof(ControllerMappingMatches);
    public const string ControllerMappings = nameof(ControllerMappings);
    public const string AllControllerMappings = nameof(AllControllerMappings);
    public const string AssemblyInstrumented = nameof(AssemblyInstrumented);
    public const string MinimalApisWithControllers = nameof(MinimalApisWithControllers);
    public const string WithControllerMappings = nameof(WithControllerMappings);
    public const string WithAssemblyInstrumented = nameof(WithAssemblyInstrumented);
    public const string Endpoints = nameof(Endpoints);
    public const string Catalog = nameof(Catalog);

    public static readonly string[] All =
    [
        MinimalApiCandidates, MinimalApiMatches, MinimalApiEndpoints, AllMinimalApiEndpoints,
        ControllerCandidates, ControllerMatches, Controllers, AllControllers,
        ControllerMappingCandidates, ControllerMappingMatches, ControllerMappings, AllControllerMappings,
        AssemblyInstrumented, MinimalApisWithControllers, WithControllerMappings, WithAssemblyInstrumented,
        Endpoints, Catalog,
    ];
}
