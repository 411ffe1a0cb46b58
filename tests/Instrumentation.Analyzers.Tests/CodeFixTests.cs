using Instrumentation.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Instrumentation.Analyzers.Tests;

/// <summary>The INSTR001 fixes, applied through a workspace and compared as text.</summary>
public class CodeFixTests
{
    private const string Program = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapControllers();
        app.Run();

        """;

    private const string Orders = """
        using Microsoft.AspNetCore.Mvc;

        namespace Shop;

        /// <summary>Orders.</summary>
        [Route("orders")]
        public class OrdersController : ControllerBase
        {
            [HttpGet("{id:int}")]
            public IActionResult Get(int id) => Ok();

            // Creates an order.
            [HttpPost]
            public IActionResult Create() => Ok();
        }

        """;

    [Fact]
    public async Task Offers_the_controller_first_and_the_action_second()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, Orders);
        var diagnostic = (await CodeFixHarness.DiagnosticsAsync(project)).First();

        var actions = await CodeFixHarness.ActionsAsync(project, diagnostic);

        Assert.Equal(["Add [Instrumented] to OrdersController", "Add [Instrumented] to Get"], actions.Select(action => action.Title));
        Assert.Equal([InstrumentEndpointCodeFix.ControllerKey, InstrumentEndpointCodeFix.ActionKey], actions.Select(action => action.EquivalenceKey));
    }

    [Fact]
    public async Task Instruments_the_controller_adding_the_using_and_keeping_its_comments()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, Orders);
        var diagnostic = (await CodeFixHarness.DiagnosticsAsync(project)).First();

        var fixedSolution = await CodeFixHarness.ApplyAsync(project, diagnostic, InstrumentEndpointCodeFix.ControllerKey);

        Assert.Equal("""
            using Instrumentation;
            using Microsoft.AspNetCore.Mvc;

            namespace Shop;

            /// <summary>Orders.</summary>
            [Instrumented]
            [Route("orders")]
            public class OrdersController : ControllerBase
            {
                [HttpGet("{id:int}")]
                public IActionResult Get(int id) => Ok();

                // Creates an order.
                [HttpPost]
                public IActionResult Create() => Ok();
            }

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source1.cs"));
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
    }

    [Fact]
    public async Task Instruments_the_single_action()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, Orders);
        var create = (await CodeFixHarness.DiagnosticsAsync(project)).Single(d => d.GetMessage().Contains("Create", StringComparison.Ordinal));

        var fixedSolution = await CodeFixHarness.ApplyAsync(project, create, InstrumentEndpointCodeFix.ActionKey);

        Assert.Equal("""
            using Instrumentation;
            using Microsoft.AspNetCore.Mvc;

            namespace Shop;

            /// <summary>Orders.</summary>
            [Route("orders")]
            public class OrdersController : ControllerBase
            {
                [HttpGet("{id:int}")]
                public IActionResult Get(int id) => Ok();

                // Creates an order.
                [Instrumented]
                [HttpPost]
                public IActionResult Create() => Ok();
            }

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source1.cs"));
        var left = Assert.Single(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
        Assert.Contains("OrdersController.Get", left.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Appends_Instrumented_to_a_minimal_api_call_inside_a_chain_without_duplicating_a_present_using()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, """
            using Instrumentation;

            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/orders/{id}", (int id) => id)
                .WithName("order");
            app.Run();

            """);
        var diagnostic = Assert.Single(await CodeFixHarness.DiagnosticsAsync(project));

        var actions = await CodeFixHarness.ActionsAsync(project, diagnostic);
        Assert.Equal(["Append .Instrumented()"], actions.Select(action => action.Title));
        var fixedSolution = await CodeFixHarness.ApplyAsync(project, diagnostic, InstrumentEndpointCodeFix.EndpointKey);

        Assert.Equal("""
            using Instrumentation;

            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/orders/{id}", (int id) => id).Instrumented()
                .WithName("order");
            app.Run();

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source0.cs"));
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
    }

    [Fact]
    public async Task Fix_all_in_a_document_instruments_every_controller_once()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, """
            using Microsoft.AspNetCore.Mvc;

            [Route("a")]
            public class AController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
                [HttpPost] public IActionResult Post() => Ok();
            }

            [Route("b")]
            public class BController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            """);
        Assert.Equal(3, (await CodeFixHarness.DiagnosticsAsync(project)).Length);

        var fixedSolution = await CodeFixHarness.FixAllAsync(project, FixAllScope.Document, InstrumentEndpointCodeFix.ControllerKey);

        Assert.Equal("""
            using Instrumentation;
            using Microsoft.AspNetCore.Mvc;

            [Instrumented]
            [Route("a")]
            public class AController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
                [HttpPost] public IActionResult Post() => Ok();
            }

            [Instrumented]
            [Route("b")]
            public class BController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source1.cs"));
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
    }

    [Fact]
    public async Task Fix_all_in_the_project_appends_Instrumented_to_every_endpoint_of_every_document()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, """
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => "a");
            app.MapPost("/b", () => "b");
            Routes.Map(app);
            app.Run();

            """, """
            static class Routes
            {
                public static void Map(WebApplication app)
                {
                    var api = app.MapGroup("/api");
                    api.MapGet("/c", () => "c");
                }
            }

            """);
        Assert.Equal(3, (await CodeFixHarness.DiagnosticsAsync(project)).Length);

        var fixedSolution = await CodeFixHarness.FixAllAsync(project, FixAllScope.Project, InstrumentEndpointCodeFix.EndpointKey);

        Assert.Equal("""
            using Instrumentation;

            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => "a").Instrumented();
            app.MapPost("/b", () => "b").Instrumented();
            Routes.Map(app);
            app.Run();

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source0.cs"));
        Assert.Equal("""
            using Instrumentation;

            static class Routes
            {
                public static void Map(WebApplication app)
                {
                    var api = app.MapGroup("/api");
                    api.MapGet("/c", () => "c").Instrumented();
                }
            }

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source1.cs"));
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
    }

    [Fact]
    public async Task Fix_all_in_the_solution_reaches_every_project()
    {
        using var workspace = new AdhocWorkspace();
        const string Endpoints = """
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => "a");
            app.Run();

            """;
        var first = CodeFixHarness.CreateNamedProject(workspace, "First", Endpoints);
        CodeFixHarness.CreateNamedProject(workspace, "Second", Endpoints);
        first = workspace.CurrentSolution.GetProject(first.Id)!;

        var fixedSolution = await CodeFixHarness.FixAllAsync(first, FixAllScope.Solution, InstrumentEndpointCodeFix.EndpointKey);

        foreach (var project in fixedSolution.Projects)
        {
            Assert.Contains("app.MapGet(\"/a\", () => \"a\").Instrumented();", await CodeFixHarness.TextAsync(fixedSolution, "Source0.cs", project.Name), StringComparison.Ordinal);
            Assert.Empty(await CodeFixHarness.DiagnosticsAsync(project));
        }
    }
}
