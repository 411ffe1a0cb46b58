using Instrumentation.TestSupport;

namespace Instrumentation.Package.Tests;

/// <summary>
/// The packed .nupkg in a fresh web project: it restores, the generator runs, the app serves its endpoints and they
/// are instrumented. Once with interception-free defaults and once with ASP.NET Core's Request Delegate Generator on.
/// </summary>
public sealed class PackageConsumerTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["Program.cs"] = """
            using Instrumentation;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddControllers();
            builder.Services.AddInstrumentation();
            var app = builder.Build();
            app.UseInstrumentation();
            app.MapControllers();
            app.MapGet("/healthz", [NotInstrumented] () => "ok");
            app.MapGet("/style/{id}/price", (string id) => 42).Instrumented();
            var orders = app.MapGroup("/api/orders").Instrumented();
            orders.MapGet("/{id:int}", (int id) => new { id });
            app.Run();
            """,
        ["StyleController.cs"] = """
            using Instrumentation;
            using Microsoft.AspNetCore.Mvc;

            [Instrumented]
            [Route("style")]
            public class StyleController : ControllerBase
            {
                [HttpGet("{id}/make")]
                public string MakeShirts(string id) => $"Shirts {id} made.";
            }
            """,
    };

    [Theory]
    [InlineData("Plain", "")]
    [InlineData("Rdg", "<EnableRequestDelegateGenerator>true</EnableRequestDelegateGenerator>")]
    public async Task A_fresh_project_referencing_only_the_package_is_instrumented(string name, string properties)
    {
        using var project = ConsumerProject.Create(name, properties, Files);
        var (exitCode, output) = project.Dotnet("build", "-c", "Release", "-nologo", "-v", "minimal");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("CS9153", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS9057", output, StringComparison.Ordinal);

        // The generator ran inside the consumer's build and named the endpoints as constants.
        var catalog = project.GeneratedSource("InstrumentationCatalog.g.cs");
        Assert.Contains("\"style.id.make\", \"/style/{id}/make\", \"GET\", \"MakeShirts\"", catalog, StringComparison.Ordinal);
        Assert.Contains("\"api.orders.int:id\"", catalog, StringComparison.Ordinal);

        var port = FreePort.Next();
        using var app = project.Run(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await ExternalProcess.WaitUntil(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the consumer app did not start");
            Assert.Equal("Shirts 7 made.", await http.GetStringAsync("/style/7/make"));
            Assert.Equal("Shirts 8 made.", await http.GetStringAsync("/style/8/make"));
            Assert.Equal("42", await http.GetStringAsync("/style/1/price"));
            await http.GetStringAsync("/api/orders/5");

            string metrics = "";
            await ExternalProcess.WaitUntil(
                async () => (metrics = await http.GetStringAsync("/metrics")).Contains("request_seconds_count", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10),
                "no request_seconds_count in /metrics");
            Assert.Equal(2, Exposition.Count(metrics, "/style/{id}/make"));
            Assert.Equal(1, Exposition.Count(metrics, "/style/{id}/price"));
            Assert.Equal(1, Exposition.Count(metrics, "/api/orders/{id:int}"));
            Assert.DoesNotContain("healthz", metrics, StringComparison.Ordinal);
        }
        finally
        {
            app.Kill(entireProcessTree: true);
        }
    }
}
