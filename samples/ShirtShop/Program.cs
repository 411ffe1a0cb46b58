using Instrumentation;
using ShirtShop;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllers();
// Every health check becomes a dependency_up series on /metrics.
builder.Services.AddHealthChecks().AddCheck("catalog-db", () => HealthCheckResult.Healthy("the catalog answers"));
builder.Services.AddInstrumentation();
builder.Services.AddCustomMetrics<ShopMetrics>();

var app = builder.Build();
app.UseInstrumentation();
app.MapControllers();
app.MapControllerRoute("legacy", "legacy/{controller=LegacyOrders}/{action=Index}/{id?}");

app.MapGet("/healthz", [NotInstrumented] () => "ok");
app.MapGet("/style/{id}/price", (string id) => 42).Instrumented();

var catalog = app.MapGroup("/catalog").Instrumented();
catalog.MapGet("/", () => new[] { "tee", "polo" });
catalog.MapGet("/{sku:int}", (int sku) => new { sku, name = "tee" });
catalog.MapGet("/files/{**path}", (string path) => $"file {path}");
catalog.MapPost("/refresh", ThrowingRefresh);

app.MapGet("/", () => "ShirtShop: try /style/42/make, /metrics and /instrumentation").Instrumented();

// The live dashboard (its own requests are not measured); in production add .RequireAuthorization(...).
app.MapInstrumentationDashboard("/instrumentation");

// A pattern only known at run time: named once at startup instead of at build time (INSTR002).
var promotions = app.Configuration["ShirtShop:PromotionsPath"] ?? "/promotions/{code}";
app.MapGet(promotions, (string code) => $"Promotion {code}").Instrumented();

app.Run();

static string ThrowingRefresh() => throw new InvalidOperationException("the catalog backend is down");

/// <summary>Lets tests start the sample in memory.</summary>
public partial class Program;
