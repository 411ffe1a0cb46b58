using Instrumentation;
using Instrumentation.EndpointKinds.App;
using Instrumentation.EndpointKinds.App.Components;
using Instrumentation.EndpointKinds.App.Rpc;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.FileProviders;

// Every kind is covered by the assembly's choice; the few exclusions below are deliberate and named. Kestrel's
// endpoints (HTTP/1.1 for the web kinds and SignalR, h2c for gRPC) come from configuration, as the test starts it.
[assembly: Instrumented]

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddInstrumentation();
builder.Services.AddControllers();
builder.Services.AddRazorPages();
builder.Services.AddRazorComponents();
builder.Services.AddHealthChecks();
builder.Services.AddOpenApi();
builder.Services.AddIdentityApiEndpoints<IdentityUser>().AddUserStore<EmptyUserStore>();
builder.Services.AddGrpc();
builder.Services.AddSignalR();

var app = builder.Build();
app.UseInstrumentation();

// Clears the endpoint to answer, as exception handlers do: the request still belongs to the endpoint that failed.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandler = context => context.Response.WriteAsync("failed"),
});

// Files without an endpoint: as many as the test writes into the folder it names.
if (app.Configuration["Kinds:ExtraFiles"] is { Length: > 0 } extra)
{
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(extra), RequestPath = "/extra" });
}

app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorPages();
app.MapRazorComponents<App>();
app.MapControllers();
app.MapGrpcService<GreeterService>();
app.MapHub<ChatHub>("/chat");
app.MapHealthChecks("/healthz");
app.MapOpenApi();
app.MapGroup("/account").MapIdentityApi<IdentityUser>();
app.MapGet("/api/hello", () => "hello");
app.MapGet("/api/quiet", () => "quiet").DisableHttpMetrics();
app.MapFallbackToFile("/app/{*path}", "index.html");
app.MapFallbackToPage("/old-pages/{*path}", "/Moved");
app.MapFallbackToController("/legacy/{*path}", "Serve", "Legacy");
app.MapFallback("/api/{*path}", () => Results.NotFound("no such api"));
app.MapTestWindow();

app.Run();
