using System.Text.Json;
using Instrumentation;
using Instrumentation.EndpointKinds.App;
using Instrumentation.EndpointKinds.App.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.FileProviders;

// Every kind is covered by the assembly's choice; the few exclusions below are deliberate and named.
[assembly: Instrumented]

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddInstrumentation();
builder.Services.AddRazorPages();
builder.Services.AddRazorComponents();
builder.Services.AddHealthChecks();
builder.Services.AddOpenApi();
builder.Services.AddIdentityApiEndpoints<IdentityUser>().AddUserStore<EmptyUserStore>();

var app = builder.Build();
app.UseInstrumentation();

// Files without an endpoint: as many as the test writes into the folder it names.
if (app.Configuration["Kinds:ExtraFiles"] is { Length: > 0 } extra)
{
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(extra), RequestPath = "/extra" });
}

app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorPages();
app.MapRazorComponents<App>();
app.MapHealthChecks("/healthz");
app.MapOpenApi();
app.MapGroup("/account").MapIdentityApi<IdentityUser>();
app.MapGet("/api/hello", () => "hello");
app.MapGet("/api/quiet", () => "quiet").DisableHttpMetrics();
app.MapFallbackToFile("/app/{*path}", "index.html");
app.MapFallback("/api/{*path}", () => Results.NotFound("no such api"));

// The runtime endpoint table as the test compares it: every endpoint, whether it was bound to instruments.
app.MapGet("/_kinds/endpoints", [NotInstrumented] (EndpointDataSource endpoints) => Results.Text(
    JsonSerializer.Serialize(endpoints.Endpoints.OfType<RouteEndpoint>().Select(endpoint => new EndpointRow(
        endpoint.DisplayName ?? "",
        endpoint.RoutePattern.RawText ?? "",
        endpoint.RequestDelegate?.Target?.GetType().Name == "InstrumentedEndpoint"))),
    "application/json"));

app.Run();

internal sealed record EndpointRow(string DisplayName, string Pattern, bool Instrumented);
