using Instrumentation.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR001 on an unmarked gRPC service and hub, and its fix: [Instrumented] on the class.</summary>
public class RpcKindsTests
{
    private const string Program = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapGrpcService<Shop.GreeterService>();
        app.MapHub<Shop.ChatHub>("/chat");
        app.Run();

        """;

    // The shape Grpc.Tools generates and the extension Grpc.AspNetCore declares, reduced to what the parser reads: the
    // reference packs the tests compile against have no gRPC.
    private const string GrpcStubs = """
        namespace Grpc.Core
        {
            [System.AttributeUsage(System.AttributeTargets.Class)]
            public sealed class BindServiceMethodAttribute(System.Type bindType, string bindMethodName) : System.Attribute;
        }

        namespace Microsoft.AspNetCore.Builder
        {
            public static class GrpcEndpointRouteBuilderExtensions
            {
                public static IEndpointConventionBuilder MapGrpcService<TService>(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder builder)
                    where TService : class => null!;
            }
        }

        namespace Greet
        {
            public static partial class Greeter
            {
                static readonly string __ServiceName = "greet.Greeter";

                [global::Grpc.Core.BindServiceMethod(typeof(Greeter), "BindService")]
                public abstract partial class GreeterBase
                {
                    public virtual Task<string> SayHello(string request) => throw new NotImplementedException();
                }
            }
        }

        """;

    private const string Services = """
        using Microsoft.AspNetCore.SignalR;

        namespace Shop;

        public class GreeterService : Greet.Greeter.GreeterBase
        {
            public override Task<string> SayHello(string request) => Task.FromResult(request);
        }

        public class ChatHub : Hub
        {
            public string Send(string message) => message;
        }

        """;

    [Fact]
    public async Task An_unmarked_gRPC_service_and_hub_each_get_INSTR001_on_their_class()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, GrpcStubs, Services);

        var diagnostics = await CodeFixHarness.DiagnosticsAsync(project);

        Assert.Equal(
            ["gRPC service 'GreeterService' (greet.Greeter)", "Hub 'ChatHub' (/chat)"],
            diagnostics.Select(d => d.GetMessage().Split(" is not instrumented", StringSplitOptions.None)[0]));
        Assert.All(diagnostics, d => Assert.EndsWith("Source2.cs", d.Location.SourceTree!.FilePath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_fix_puts_Instrumented_on_the_class_and_the_diagnostics_go()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Program, GrpcStubs, Services);
        var diagnostics = await CodeFixHarness.DiagnosticsAsync(project);
        Assert.Equal(
            ["Add [Instrumented] to GreeterService", "Add [Instrumented] to ChatHub"],
            (await Task.WhenAll(diagnostics.Select(d => CodeFixHarness.ActionsAsync(project, d)))).Select(actions => Assert.Single(actions).Title));

        var fixedSolution = await CodeFixHarness.FixAllAsync(project, Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Document, InstrumentEndpointCodeFix.ClassKey);

        Assert.Equal("""
            using Instrumentation;
            using Microsoft.AspNetCore.SignalR;

            namespace Shop;

            [Instrumented]
            public class GreeterService : Greet.Greeter.GreeterBase
            {
                public override Task<string> SayHello(string request) => Task.FromResult(request);
            }

            [Instrumented]
            public class ChatHub : Hub
            {
                public string Send(string message) => message;
            }

            """, await CodeFixHarness.TextAsync(fixedSolution, "Source2.cs"));
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(fixedSolution.Projects.Single()));
    }

    [Fact]
    public async Task A_class_excluded_on_purpose_or_covered_by_the_assembly_is_not_reported()
    {
        using var workspace = new AdhocWorkspace();
        var excluded = Services.Replace("public class ChatHub", "[Instrumentation.NotInstrumented]\npublic class ChatHub", StringComparison.Ordinal)
            .Replace("public class GreeterService", "[Instrumentation.NotInstrumented]\npublic class GreeterService", StringComparison.Ordinal);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateProject(workspace, Program, GrpcStubs, excluded)));

        using var second = new AdhocWorkspace();
        var assembly = "[assembly: Instrumentation.Instrumented]\n" + Program;
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateProject(second, assembly, GrpcStubs, Services)));
    }
}
