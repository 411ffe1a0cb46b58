namespace Instrumentation.Package.Tests;

/// <summary>
/// The analyzers as users meet them: a project referencing only the packed package gets INSTR001, with file and line,
/// in its plain <c>dotnet build</c> output, and loses it once the endpoint is instrumented.
/// </summary>
public sealed class AnalyzerConsumerTests
{
    private const string Controller = """
        using Microsoft.AspNetCore.Mvc;

        [Route("api/[controller]")]
        public class OrdersController : ControllerBase
        {
            [HttpGet("{id:int}")]
            public IActionResult Get(int id) => Ok();
        }
        """;

    [Fact]
    public void Dotnet_build_prints_INSTR001_with_file_and_line_until_the_endpoint_is_instrumented()
    {
        using var project = ConsumerProject.Create("Analyzed", string.Empty, new Dictionary<string, string>
        {
            ["Program.cs"] = """
                var builder = WebApplication.CreateBuilder(args);
                builder.Services.AddControllers();
                builder.Services.AddInstrumentation();
                var app = builder.Build();
                app.UseInstrumentation();
                app.MapControllers();
                app.MapGet("/healthz", () => "ok");
                app.Run();
                """,
            ["Controllers/OrdersController.cs"] = Controller,
        });

        var (exitCode, output) = project.Dotnet("build", "-nologo", "-v", "minimal");
        Assert.True(exitCode == 0, output);
        Assert.Contains(
            "Controllers/OrdersController.cs(7,26): warning INSTR001: Action 'OrdersController.Get' (GET /api/Orders/{id:int}) is not instrumented",
            output,
            StringComparison.Ordinal);
        Assert.Contains("Program.cs(7,5): warning INSTR001: Endpoint 'GET /healthz' is not instrumented", output, StringComparison.Ordinal);
        Assert.Contains("docs/diagnostics/INSTR001.md", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS9057", output, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(project.Directory, "Controllers", "OrdersController.cs"), "using Instrumentation;\n" + Controller.Replace("[Route(", "[Instrumented]\n[Route(", StringComparison.Ordinal));
        var program = Path.Combine(project.Directory, "Program.cs");
        File.WriteAllText(program, "using Instrumentation;\n" + File.ReadAllText(program).Replace("() => \"ok\");", "() => \"ok\").NotInstrumented();", StringComparison.Ordinal));

        (exitCode, output) = project.Dotnet("build", "-nologo", "-v", "minimal");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("INSTR001", output, StringComparison.Ordinal);
        Assert.Contains("0 Warning(s)", output, StringComparison.Ordinal);
    }
}
