namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR006: with the Request Delegate Generator on, say once per MapX call that nothing changes for us.</summary>
public class RequestDelegateGeneratorTests
{
    private const string Program = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.{|INSTR006:MapGet|}("/a", () => 1).Instrumented();
        app.MapGroup("/g").{|INSTR006:MapPost|}("/b", () => 2);
        app.MapControllers();
        app.Run();
        """;

    [Theory]
    [InlineData("EnableRequestDelegateGenerator", "true")]
    [InlineData("PublishAot", "True")]
    public async Task Reports_every_minimal_api_call_when_the_generator_is_on(string property, string value)
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR006"], [Program], buildProperties: new Dictionary<string, string> { [property] = value });

        Assert.Equal(
            "The Request Delegate Generator owns this MapGet call site; Instrumentation binds the endpoint at startup through its endpoint data source, so it is instrumented the same way",
            diagnostics[0].GetMessage());
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, diagnostics[0].Severity);
    }

    [Theory]
    [InlineData("EnableRequestDelegateGenerator", "false")]
    [InlineData("PublishAot", "")]
    [InlineData("PublishTrimmed", "true")]
    public async Task Says_nothing_when_the_generator_is_off(string property, string value)
    {
        await AnalyzerHarness.VerifyAsync(["INSTR006"], [Program.Replace("{|INSTR006:", "").Replace("|}", "")], buildProperties: new Dictionary<string, string> { [property] = value });
    }
}
