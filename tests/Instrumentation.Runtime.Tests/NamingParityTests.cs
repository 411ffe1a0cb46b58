extern alias buildtime;

using Instrumentation.Model;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Routing.Patterns;
using BuildTimeNames = buildtime::Instrumentation.Naming.EndpointNames;
using BuildTimeRouteNaming = buildtime::Instrumentation.Generator.Parsing.RouteNaming;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// The naming model is one set of rules compiled into the generator and the runtime. This runs the whole naming corpus
/// through both paths (the generator's template parser at build time, ASP.NET Core's <c>RoutePattern</c> at startup) and
/// requires the same name for every sink.
/// </summary>
public class NamingParityTests
{
    private static readonly string[] Methods = ["GET", "POST", "OTHER", "brew"];

    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        foreach (var row in NamingCorpus.Entities)
        {
            data.Add((string)row[0]);
        }

        foreach (var template in NamingCorpus.MoreTemplates)
        {
            data.Add(template);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Build_time_and_startup_name_every_template_alike_for_every_sink(string template)
    {
        var buildTimeParts = BuildTimeRouteNaming.Parts(template);
        Assert.NotNull(buildTimeParts);
        var startupParts = RoutePatternParts.Of(RoutePatternFactory.Parse(template));
        foreach (var method in Methods)
        {
            foreach (var handler in new[] { null, "MakeShirts", "<Main>b__0_1", "<Main>g__Price|0_2" })
            {
                var buildTime = BuildTimeNames.For(buildTimeParts, method, handler);
                var startup = EndpointNames.For(startupParts, method, handler);
                Assert.Equal(
                    (buildTime.Entity, buildTime.Template, buildTime.Method, buildTime.Handler, buildTime.WavefrontEntity, buildTime.GraphiteRoute),
                    (startup.Entity, startup.Template, startup.Method, startup.Handler, startup.WavefrontEntity, startup.GraphiteRoute));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void The_template_users_see_parses_back_to_the_same_names(string template)
    {
        var names = EndpointNames.For(RoutePatternParts.Of(RoutePatternFactory.Parse(template)), "GET", null);
        var again = EndpointNames.For(RoutePatternParts.Of(RoutePatternFactory.Parse(names.Template)), "GET", null);
        Assert.Equal(names, again);
    }

    [Fact]
    public void The_request_path_method_index_follows_the_shared_method_order()
    {
        Assert.Equal([.. HttpMethodNames.Standard, HttpMethodNames.Other], Instruments.HttpMethodIndex.Names);
        Assert.Equal(Instruments.HttpMethodIndex.Other, HttpMethodNames.Standard.Count);
    }

    [Fact]
    public void Conventional_required_values_become_literal_text_in_every_name()
    {
        var pattern = RoutePatternFactory.Parse(
            "legacy/{controller=Home}/{action=Index}/{id?}",
            defaults: null,
            parameterPolicies: null,
            requiredValues: new { controller = "LegacyOrders", action = "Details" });
        var names = EndpointNames.For(RoutePatternParts.Of(pattern), "GET", "Details");
        Assert.Equal(
            new EndpointNames("legacy.LegacyOrders.Details.id", "/legacy/LegacyOrders/Details/{id?}", "GET", "Details", "legacy.LegacyOrders.Details.id", "legacy.LegacyOrders.Details.id"),
            names);
    }
}
