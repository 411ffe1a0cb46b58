using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Instrumentation.Hosting.Kinds;

/// <summary>
/// <c>MapFallbackToPage</c> and <c>MapFallbackToController</c> map a fallback that routing replaces, while it matches,
/// with the page or action it names (a dynamic endpoint: MVC's own matcher policies do the replacing). The replacement
/// comes from MVC's page loader or its controller selector, never from a data source this library binds, so its
/// requests would go unmeasured. Two matcher policies on either side of MVC's put the instruments of the endpoint that
/// matched around the one that replaced it: a fallback's requests stay its one series whatever page, action or path
/// they serve, and, being bound like any fallback, stay so when the pipeline clears the endpoint (docs/naming.md).
/// </summary>
internal static class DynamicEndpoints
{
    // MVC's dynamic page and controller policies run at this order; ours run just before and just after them.
    private const int DynamicPolicyOrder = int.MinValue + 100;

    public static void Add(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, BeforeReplacement>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, AfterReplacement>());
    }

    private static bool IsDynamic(Endpoint endpoint) => endpoint.Metadata.GetMetadata<IDynamicEndpointMetadata>()?.IsDynamic == true;

    private static bool IsInstrumentedDynamic(Endpoint endpoint) =>
        endpoint is RouteEndpoint && endpoint.RequestDelegate?.Target is InstrumentedEndpoint && IsDynamic(endpoint);

    /// <summary>
    /// Where the one instrumented dynamic candidate of a request stands before MVC replaces it: the replacements take its
    /// place, so they are found by position afterwards. Cached per (position, count, endpoint): no allocation per request.
    /// </summary>
    private sealed record Replaced(int Index, int CandidateCount, RouteEndpoint Matched);

    private sealed class BeforeReplacement : MatcherPolicy, IEndpointSelectorPolicy
    {
        private readonly ConcurrentDictionary<(int, int, RouteEndpoint), Replaced> positions = new();

        public override int Order => DynamicPolicyOrder - 1;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(IsInstrumentedDynamic);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            var dynamic = 0;
            (int Index, RouteEndpoint Matched)? found = null;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i) && IsDynamic(candidates[i].Endpoint))
                {
                    dynamic++;
                    if (IsInstrumentedDynamic(candidates[i].Endpoint))
                    {
                        found = (i, (RouteEndpoint)candidates[i].Endpoint);
                    }
                }
            }

            // With several dynamic candidates (a dynamic route besides the fallback) positions after MVC's expansion
            // are ambiguous: the request is then recorded as the endpoint routing chose says, as before.
            if (dynamic == 1 && found is { } match)
            {
                httpContext.Features.Set(positions.GetOrAdd((match.Index, candidates.Count, match.Matched), key => new Replaced(key.Item1, key.Item2, key.Item3)));
            }

            return Task.CompletedTask;
        }
    }

    private sealed class AfterReplacement : MatcherPolicy, IEndpointSelectorPolicy
    {
        // One per (dynamic endpoint, endpoint it became): bounded by the pages and actions fallbacks name.
        private readonly ConcurrentDictionary<(RouteEndpoint, Endpoint), RouteEndpoint> replacements = new();

        public override int Order => DynamicPolicyOrder + 1;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(IsInstrumentedDynamic);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            if (httpContext.Features.Get<Replaced>() is not { } replaced)
            {
                return Task.CompletedTask;
            }

            httpContext.Features.Set<Replaced>(null);

            // MVC put its endpoints where the dynamic one was (one page, or as many actions as it selected).
            var added = candidates.Count - replaced.CandidateCount;
            for (var i = replaced.Index; i <= replaced.Index + added && i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i) && candidates[i].Endpoint is { RequestDelegate: not null } served
                    && !ReferenceEquals(served, replaced.Matched))
                {
                    candidates.ReplaceEndpoint(i, replacements.GetOrAdd((replaced.Matched, served), key => Wrap(key.Item1, key.Item2)), candidates[i].Values);
                }
            }

            return Task.CompletedTask;
        }

        private static RouteEndpoint Wrap(RouteEndpoint matched, Endpoint served)
        {
            var wrapper = ((InstrumentedEndpoint)matched.RequestDelegate!.Target!).Around(served.RequestDelegate!);

            // The middleware takes only a RouteEndpoint for an application's endpoint; a selected action is a plain one,
            // reached through the pattern that matched.
            var route = served as RouteEndpoint ?? matched;
            var bound = new RouteEndpoint(wrapper.Invoke, route.RoutePattern, route.Order, served.Metadata, served.DisplayName);
            wrapper.RestoreWhenCleared = bound;
            return bound;
        }
    }
}
