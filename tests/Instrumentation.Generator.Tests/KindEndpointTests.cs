using Instrumentation.Generator.Model;

namespace Instrumentation.Generator.Tests;

/// <summary>
/// The web kinds the generator finds besides controllers and minimal APIs: Razor Pages and components from their Razor
/// files and classes, and the framework's own mapping calls (docs/naming.md, "Kinds").
/// </summary>
public class KindEndpointTests
{
    private const string Project = "/src/Shop/";

    private static readonly string[] Standard = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    private const string PageModels = """
        using Microsoft.AspNetCore.Mvc.RazorPages;

        namespace Shop.Pages
        {
            public class IndexModel : PageModel
            {
                public void OnGet() { }
            }
        }

        namespace Shop.Pages.Orders
        {
            public class IndexModel : PageModel
            {
                public Task OnGetAsync() => Task.CompletedTask;
            }

            [Instrumented]
            public class DetailsModel : PageModel
            {
                public Task OnGetAsync(int id) => Task.CompletedTask;
                public void OnPost(int id) { }
                public void OnPostCancel(int id) { }
            }
        }
        """;

    // Microsoft.AspNetCore.OpenApi is a package, not in the reference packs: its one mapping method, as it declares it.
    private const string OpenApiPackage = """
        namespace Microsoft.AspNetCore.Builder
        {
            public static class OpenApiEndpointRouteBuilderExtensions
            {
                public static IEndpointConventionBuilder MapOpenApi(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints, string pattern = "/openapi/{documentName}.json") => null!;
            }
        }
        """;

    private static (string, string)[] Pages(params (string Path, string Text)[] files) =>
        files.Select(file => (Project + file.Path, file.Text)).ToArray();

    [Fact]
    public void A_page_is_named_by_its_folder_path_and_directive_with_one_handler_per_method()
    {
        var result = GeneratorHarness.Run(
            Pages(
                ("Pages/Index.cshtml", "@page\n@model IndexModel\n<p>home</p>"),
                ("Pages/Orders/Index.cshtml", "@page\n@model IndexModel\n"),
                ("Pages/Orders/Details.cshtml", "@page \"{id:int}\"\n@model DetailsModel\n"),
                ("Pages/Orders/Edit.cshtml", "@page \"{handler?}\"\n"),
                ("Pages/_ViewImports.cshtml", "@namespace Shop.Pages\n"),
                ("Pages/Shared/_Layout.cshtml", "<html>@RenderBody()</html>"),
                ("Areas/Admin/Pages/Users.cshtml", "@page\n"),
                ("Pages/About.cshtml", "@page \"/about-us\"\n")),
            PageModels);

        // Index pages are one page under the shorter of their two routes; a page path and handler method name the handler.
        Assert.True(result.Has("root", "/", "GET", "/Index:OnGet"));
        Assert.True(result.Has("root", "/", "HEAD", "/Index:OnGet"));
        Assert.True(result.Has("root", "/", "POST", "/Index"));
        Assert.True(result.Has("Orders", "/Orders", "GET", "/Orders/Index:OnGetAsync"));
        Assert.True(result.Has("Orders.Details.int:id", "/Orders/Details/{id:int}", "GET", "/Orders/Details:OnGetAsync"));
        Assert.True(result.Has("Orders.Details.int:id", "/Orders/Details/{id:int}", "POST", "/Orders/Details:OnPost"));
        Assert.True(result.Has("Orders.Edit.handler", "/Orders/Edit/{handler?}", "GET", "/Orders/Edit"));
        Assert.True(result.Has("Admin.Users", "/Admin/Users", "GET", "/Admin/Users"));
        Assert.True(result.Has("about_us", "/about-us", "GET", "/About"));
        Assert.All(result.Entries.Where(entry => entry.Names.Template == "/Orders/Details/{id:int}"), entry => Assert.Equal("page", entry.Names.Kind));
        Assert.Equal(Standard.Order(), result.Entries.Where(entry => entry.Names.Template == "/Orders/Edit/{handler?}").Select(entry => entry.Names.Method).Order());
        Assert.DoesNotContain(result.Entries, entry => entry.Names.Template.Contains("Index", StringComparison.Ordinal) || entry.Names.Template.Contains("Layout", StringComparison.Ordinal));
    }

    [Fact]
    public void A_page_model_marker_decides_for_its_page()
    {
        var result = GeneratorHarness.Run(
            Pages(("Pages/Orders/Details.cshtml", "@page \"{id:int}\"\n@model DetailsModel\n"), ("Pages/Plain.cshtml", "@page\n")),
            PageModels);

        var details = Assert.Single(result.Endpoints, endpoint => endpoint.Template == "/Orders/Details/{id:int}" && endpoint.HandlerName == "/Orders/Details:OnGetAsync");
        Assert.True(details.IsInstrumented);
        Assert.All(result.Endpoints.Where(endpoint => endpoint.Template == "/Plain"), endpoint => Assert.False(endpoint.IsInstrumented));
    }

    [Fact]
    public void Routable_components_come_from_page_directives_and_route_attributes()
    {
        var result = GeneratorHarness.Run(
            [
                ("/src/Shop/Components/Pages/Counter.razor", "@page \"/counter\"\n@page \"/counter/{start:int}\"\n@attribute [Instrumented]\n<p>x</p>"),
                ("/src/Shop/Components/App.razor", "<Router />"),
            ],
            """
            using Microsoft.AspNetCore.Components;

            [Microsoft.AspNetCore.Components.Route("/routed")]
            public sealed class Routed : ComponentBase { }
            """);

        result.AssertLines(
        [
            "counter GET /counter Counter",
            "counter POST /counter Counter",
            "counter.int:start GET /counter/{start:int} Counter",
            "counter.int:start POST /counter/{start:int} Counter",
            "routed GET /routed Routed",
            "routed POST /routed Routed",
        ]);
        Assert.All(result.Entries, entry => Assert.Equal("component", entry.Names.Kind));
        Assert.All(result.Endpoints.Where(endpoint => endpoint.HandlerName == "Counter"), endpoint => Assert.True(endpoint.IsInstrumented));
        Assert.All(result.Endpoints.Where(endpoint => endpoint.HandlerName == "Routed"), endpoint => Assert.False(endpoint.IsInstrumented));
    }

    [Fact]
    public void Framework_mappings_have_their_own_names_and_fallbacks_and_static_files_one_series()
    {
        var result = GeneratorHarness.Run("""
            public static class Setup
            {
                public static void Map(WebApplication app)
                {
                    app.UseStaticFiles();
                    app.MapStaticAssets();
                    app.MapHealthChecks("/healthz");
                    app.MapGroup("/internal").MapHealthChecks("/ready").Instrumented();
                    app.MapOpenApi();
                    app.MapFallbackToFile("index.html");
                    app.MapFallback("/api/{*path}", () => "none");
                    app.MapFallback(() => "fallback");
                }
            }
            """,
            OpenApiPackage);

        var lines = result.Lines;
        Assert.Contains("healthz GET /healthz health", lines);
        Assert.Contains("internal.ready GET /internal/ready health", lines);
        Assert.Contains("openapi.documentName.json GET /openapi/{documentName}.json openapi", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("openapi", StringComparison.Ordinal) && !line.Contains(" GET ", StringComparison.Ordinal));
        Assert.Equal(["static GET /{static} static", "static HEAD /{static} static"], lines.Where(line => line.StartsWith("static ", StringComparison.Ordinal)));
        Assert.Equal(Standard.Length, lines.Count(line => line.StartsWith("fallback ", StringComparison.Ordinal)));
        Assert.All(lines.Where(line => line.StartsWith("fallback ", StringComparison.Ordinal)), line => Assert.EndsWith(" /{fallback} fallback", line, StringComparison.Ordinal));
        Assert.Equal(
            ["fallback", "health", "openapi", "static"],
            result.Entries.Select(entry => entry.Names.Kind).Distinct().Order(StringComparer.Ordinal));

        // UseStaticFiles has no place for a marker: static files are always measured, as unmatched requests are.
        Assert.Contains(result.Endpoints, endpoint => endpoint.Template == "/{static}" && endpoint.IsInstrumented);
        Assert.Contains(result.Endpoints, endpoint => endpoint.Template == "/internal/ready" && endpoint.IsInstrumented);
        Assert.Contains(result.Endpoints, endpoint => endpoint.Template == "/healthz" && !endpoint.IsInstrumented);
    }

    [Fact]
    public void AspNetCores_own_opt_out_of_http_metrics_counts_as_not_instrumented()
    {
        var result = GeneratorHarness.Run("""
            [assembly: Instrumented]

            public static class Setup
            {
                [Microsoft.AspNetCore.Http.DisableHttpMetrics]
                public static string Quiet() => "quiet";

                public static void Map(WebApplication app)
                {
                    app.MapGet("/by-attribute", Quiet);
                    app.MapGet("/by-convention", () => "quiet").DisableHttpMetrics();
                    app.MapGet("/measured", () => "loud");
                }
            }
            """);

        Assert.False(Assert.Single(result.Endpoints, endpoint => endpoint.Template == "/by-attribute").IsInstrumented);
        Assert.False(Assert.Single(result.Endpoints, endpoint => endpoint.Template == "/by-convention").IsInstrumented);
        Assert.True(Assert.Single(result.Endpoints, endpoint => endpoint.Template == "/measured").IsInstrumented);
    }

    [Fact]
    public void The_identity_api_is_catalogued_endpoint_by_endpoint_under_its_group()
    {
        var result = GeneratorHarness.Run("""
            public static class Setup
            {
                public static void Map(WebApplication app) =>
                    app.MapGroup("/account").MapIdentityApi<Microsoft.AspNetCore.Identity.IdentityUser>().Instrumented();
            }
            """);

        result.AssertLines(
        [
            "account.confirmEmail GET /account/confirmEmail identity",
            "account.forgotPassword POST /account/forgotPassword identity",
            "account.login POST /account/login identity",
            "account.manage.2fa POST /account/manage/2fa identity",
            "account.manage.info GET /account/manage/info identity",
            "account.manage.info POST /account/manage/info identity",
            "account.refresh POST /account/refresh identity",
            "account.register POST /account/register identity",
            "account.resendConfirmationEmail POST /account/resendConfirmationEmail identity",
            "account.resetPassword POST /account/resetPassword identity",
        ]);
        Assert.All(result.Entries, entry => Assert.Equal("identity", entry.Names.Kind));
        Assert.True(Assert.Single(result.Endpoints).IsInstrumented);
    }

    [Fact]
    public void A_convention_on_MapRazorPages_or_MapRazorComponents_reaches_every_page_or_component_and_wins_over_the_classes()
    {
        var files = Pages(
            ("Pages/Orders/Details.cshtml", "@page \"{id:int}\"\n@model DetailsModel\n"),
            ("Pages/Plain.cshtml", "@page\n"),
            ("Components/Pages/Counter.razor", "@page \"/counter\"\n@attribute [Instrumented]\n"),
            ("Components/Pages/Other.razor", "@page \"/other\"\n"));
        static string Mapping(string pages, string components) => $$"""
            namespace Shop
            {
                public sealed class App : Microsoft.AspNetCore.Components.ComponentBase { }

                public static class Setup
                {
                    public static void Map(WebApplication app)
                    {
                        app.MapRazorPages(){{pages}};
                        var components = app.MapRazorComponents<App>();
                        components{{components}};
                    }
                }
            }
            """;
        static bool Instrumented(GeneratorHarness.Result result, string template) =>
            result.Endpoints.Where(endpoint => endpoint.Template == template).Select(endpoint => endpoint.IsInstrumented).Distinct().Single();

        // Unmarked: only the classes decide (DetailsModel and Counter are marked).
        var unmarked = GeneratorHarness.Run(files, PageModels, Mapping("", ".WithOrder(1)"));
        Assert.Equal((true, false, true, false), (Instrumented(unmarked, "/Orders/Details/{id:int}"), Instrumented(unmarked, "/Plain"), Instrumented(unmarked, "/counter"), Instrumented(unmarked, "/other")));

        // .Instrumented() on the calls (the components' through the local they are stored in) reaches every page and component.
        var opted = GeneratorHarness.Run(files, PageModels, Mapping(".Instrumented()", ".Instrumented()"));
        Assert.All(opted.Endpoints, endpoint => Assert.True(endpoint.IsInstrumented, endpoint.Template));

        // .NotInstrumented() is applied after the classes' attributes, as at run time: it wins over [Instrumented].
        var excluded = GeneratorHarness.Run(files, PageModels, Mapping(".NotInstrumented()", ".NotInstrumented()"));
        Assert.All(excluded.Endpoints, endpoint => Assert.False(endpoint.IsInstrumented, endpoint.Template));
        Assert.All(
            GeneratorHarness.Run(files, PageModels, "[assembly: Instrumented]", Mapping(".DisableHttpMetrics()", ".WithOrder(2)")).Endpoints.Where(endpoint => endpoint.Kind == EndpointKind.Page),
            endpoint => Assert.False(endpoint.IsInstrumented, endpoint.Template));
    }

    [Fact]
    public void Fallbacks_to_a_page_or_a_controller_are_the_one_fallback_series()
    {
        var result = GeneratorHarness.Run("""
            [Instrumented]
            public class LegacyController : Controller
            {
                public IActionResult Fallback() => Ok();
            }

            public static class Setup
            {
                public static void Map(WebApplication app)
                {
                    app.MapFallbackToPage("/legacy/{*path}", "/Orders/Index").Instrumented();
                    app.MapFallbackToController("/old/{*path}", "Fallback", "Legacy").Instrumented();
                }
            }
            """);

        Assert.Equal(Standard.Length, result.Lines.Count(line => line.StartsWith("fallback ", StringComparison.Ordinal)));
        Assert.All(result.Lines.Where(line => line.StartsWith("fallback ", StringComparison.Ordinal)), line => Assert.EndsWith(" /{fallback} fallback", line, StringComparison.Ordinal));
        Assert.Equal(2, result.Endpoints.Count(endpoint => endpoint.Kind == EndpointKind.Fallback && endpoint.IsInstrumented));
    }
}
