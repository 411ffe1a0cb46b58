using Instrumentation.Tests.Shared;

namespace Instrumentation.Generator.Tests;

/// <summary>
/// The generated catalog, compared as text with reviewed files in Baselines/. After an intended change, run the tests
/// with INSTR_REGENERATE_BASELINES=1 to rewrite them, then review the diff.
/// </summary>
public class BaselineTests
{
    private const string MinimalApis = """
        public static class ShirtEndpoints
        {
            public static string MakeShirts(string id) => id;

            public static void Map(WebApplication app)
            {
                app.MapGet("/style/{id}/make", MakeShirts);
                app.MapGet("/style/{id}/price", (string id) => 9.99m);
                app.MapGet("/", () => "home");
                app.MapGet("/shirt-sizes", () => new[] { "S", "M", "L" });
                app.MapMethods("/orders/{id:int}", ["GET", "PUT"], (int id) => id);
                app.Map("/files/{**path}", (string path) => path);

                var api = app.MapGroup("/api").Instrumented();
                api.MapPost("/orders", () => "created");
                api.MapGroup("v2").MapDelete("/orders/{id:min(1)}", (int id) => id);
                api.MapGet("/download/{name}.{ext?}", (string name, string? ext) => name);
                api.MapGet("/a-b", () => "collides with a_b by field name");
                api.MapGet("/a_b", () => "collides with a-b by field name");
            }
        }
        """;

    private const string Controllers = """
        [ApiController]
        [Route("api/[controller]")]
        public class OrdersController : ControllerBase
        {
            [HttpGet]
            public IActionResult List() => Ok();

            [HttpGet("{id:int}")]
            public IActionResult Get(int id) => Ok();

            [AcceptVerbs("POST", "PUT", Route = "{id:int}/save")]
            public IActionResult Save(int id) => Ok();

            [HttpGet("/legacy/\"quoted\"/{id}")]
            public IActionResult Legacy(string id) => Ok();
        }

        [Area("Admin")]
        [Route("[area]/[controller]/[action]")]
        public class UsersController : Controller
        {
            [HttpGet]
            public Task<IActionResult> IndexAsync() => Task.FromResult<IActionResult>(View());
        }

        public class HomeController : Controller
        {
            public IActionResult Index() => View();

            [HttpPost]
            public IActionResult Contact() => View();
        }

        public static class Routes
        {
            public static void Map(WebApplication app)
            {
                app.MapControllers();
                app.MapDefaultControllerRoute();
            }
        }
        """;

    [Theory]
    [InlineData(nameof(MinimalApis), MinimalApis)]
    [InlineData(nameof(Controllers), Controllers)]
    public void Generated_catalog_matches_its_baseline(string name, string source)
    {
        var generated = GeneratorHarness.Run(source).Catalog;
        Assert.NotNull(generated);

        var baseline = Path.Combine(BaselineDirectory(), name + ".g.cs");
        if (Environment.GetEnvironmentVariable("INSTR_REGENERATE_BASELINES") == "1")
        {
            File.WriteAllText(baseline, generated);
            return;
        }

        Assert.True(File.Exists(baseline), $"No baseline at {baseline}; run with INSTR_REGENERATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(baseline).ReplaceLineEndings("\n"), generated);
    }

    [Fact]
    public void Generation_is_deterministic_whatever_the_order_of_files()
    {
        var forward = GeneratorHarness.Run(MinimalApis, Controllers).Catalog;
        var backward = GeneratorHarness.Run(Controllers, MinimalApis).Catalog;

        Assert.Equal(forward, backward);
    }

    private static string BaselineDirectory() =>
        RepositoryPaths.Combine("tests", "Instrumentation.Generator.Tests", "Baselines");
}
