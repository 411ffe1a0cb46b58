using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Generator.Tests;

public class MinimalApiEndpointTests
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    private static string InMethod(string body) => $$"""
        public static class Endpoints
        {
            public static string MakeShirts(string id) => id;

            public static void Map(WebApplication app)
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public void Each_mapping_method_gives_its_methods_and_handler_names()
    {
        var result = GeneratorHarness.Run(InMethod("""
                    app.MapGet("/style/{id}/make", MakeShirts);
                    app.MapPost("/style", (string body) => body);
                    app.MapPut("/style/{id:int}", (int id) => id);
                    app.MapDelete("style/{id:int}", (int id) => id);
                    app.MapPatch("/style/{id:int}/", (int id) => id);
                    app.MapMethods("/both", new[] { "GET", HttpMethods.Post }, () => "x");
                    app.MapMethods("/custom", ["purge"], () => "x");
                    app.MapGet("/", Root);
                    app.MapGet("/delegate", (RequestDelegate)(context => Task.CompletedTask));

                    static string Root() => "root";
            """));

        result.AssertLines(
        [
            "style.id.make GET /style/{id}/make MakeShirts",
            "style POST /style POST /style",
            "style.int:id PUT /style/{id:int} PUT /style/{id:int}",
            "style.int:id DELETE /style/{id:int} DELETE /style/{id:int}",
            "style.int:id PATCH /style/{id:int} PATCH /style/{id:int}",
            "both GET /both GET /both",
            "both POST /both POST /both",
            "custom OTHER /custom OTHER /custom",
            "root GET / Root",
            "delegate GET /delegate GET /delegate",
        ]);
    }

    [Fact]
    public void Map_accepts_every_standard_method_including_RequestDelegate_overloads()
    {
        var result = GeneratorHarness.Run(InMethod("""
                    app.Map("/any", () => "x");
                    app.Map("/raw", async context => await context.Response.WriteAsync("x"));
            """));

        result.AssertLines(AllMethods.SelectMany(method => new[]
        {
            $"any {method} /any {method} /any",
            $"raw {method} /raw {method} /raw",
        }));
    }

    [Fact]
    public void Group_prefixes_apply_through_locals_nesting_and_fluent_chains()
    {
        var result = GeneratorHarness.Run(InMethod("""
                    var api = app.MapGroup("/api");
                    api.MapGet("/orders", () => "list");
                    var v1 = api.MapGroup("v1/").WithTags("v1");
                    v1.MapGet("/orders/{id:int}", (int id) => id);
                    v1.MapGroup("/admin").MapGroup("users").Instrumented().MapDelete("/{id}", (string id) => id);
                    app.MapGroup("/a").RequireAuthorization().MapGroup("/b").MapGet("/", () => "ab");
                    api.MapGet("/", () => "api root");
            """));

        result.AssertLines(
        [
            "api.orders GET /api/orders GET /api/orders",
            "api.v1.orders.int:id GET /api/v1/orders/{id:int} GET /api/v1/orders/{id:int}",
            "api.v1.admin.users.id DELETE /api/v1/admin/users/{id} DELETE /api/v1/admin/users/{id}",
            "a.b GET /a/b GET /a/b",
            "api GET /api GET /api",
        ]);
    }

    [Fact]
    public void Top_level_statements_are_found()
    {
        var compilation = GeneratorHarness.Compile(OutputKind.ConsoleApplication, """
            var app = WebApplication.Create(args);
            var shop = app.MapGroup("/shop");
            shop.MapGet("/shirt-sizes", GetSizes);
            app.Run();

            static string[] GetSizes() => ["S", "M"];
            """);

        GeneratorHarness.Run(compilation).AssertLines(["shop.shirt_sizes GET /shop/shirt-sizes GetSizes"]);
    }

    [Fact]
    public void Patterns_and_prefixes_unknown_at_build_time_are_kept_in_the_model_without_entries()
    {
        var result = GeneratorHarness.Run("""
            public static class Endpoints
            {
                private static readonly string FromField = "/field";
                private const string Constant = "/constant";

                public static void Map(WebApplication app, string fromParameter, RouteGroupBuilder passedIn)
                {
                    app.MapGet(fromParameter, () => "x");
                    app.MapGet(FromField, () => "x");
                    app.MapGet(Constant + "/{id}", (string id) => id);
                    passedIn.MapGet("/child", () => "x");
                    app.MapGroup(fromParameter).MapGet("/grandchild", () => "x");
                    var reassigned = app.MapGroup("/one");
                    reassigned = app.MapGroup("/two");
                    reassigned.MapGet("/where", () => "x");
                }
            }
            """);

        result.AssertLines(["constant.id GET /constant/{id} GET /constant/{id}"]);
        var statuses = result.Endpoints.Where(endpoint => endpoint.Template is null).Select(endpoint => endpoint.Status).Order().ToList();
        Assert.Equal(
            [
                TemplateStatus.NonConstantPattern, TemplateStatus.NonConstantPattern,
                TemplateStatus.UnresolvedGroupPrefix, TemplateStatus.UnresolvedGroupPrefix, TemplateStatus.UnresolvedGroupPrefix,
            ],
            statuses);
        // Where each of them is mapped is the analyzers' concern now (RouteTemplateTests): specs carry no position.
    }

    [Fact]
    public void Methods_that_are_not_the_ASP_NET_Core_extensions_are_ignored()
    {
        var result = GeneratorHarness.Run("""
            public class Router
            {
                public void MapGet(string pattern, Delegate handler) { }
                public void Map(string pattern, Delegate handler) { }
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app, Router router)
                {
                    router.MapGet("/fake", () => "x");
                    router.Map("/fake2", () => "x");
                    app.Map("/branch", (IApplicationBuilder branch) => { });
                    app.MapGet("/real", () => "x");
                }
            }
            """);

        result.AssertLines(["real GET /real GET /real"]);
    }

    [Fact]
    public void No_endpoints_means_no_generated_file()
    {
        var result = GeneratorHarness.Run("public static class Nothing { public static int Value => 1; }");

        Assert.Null(result.Catalog);
        Assert.Empty(result.Run.Results[0].GeneratedSources);
    }
}
