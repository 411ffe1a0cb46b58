namespace Instrumentation.Generator.Tests;

public class ConventionalRouteTests
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    private const string Controllers = """
        public class HomeController : Controller
        {
            public IActionResult Index() => View();

            [HttpPost]
            public IActionResult Contact() => View();

            [HttpGet("/about")]
            public IActionResult About() => View();
        }

        public class BlogController : Controller
        {
            [HttpGet]
            public IActionResult Article(int id) => View();
        }

        [Area("Admin")]
        public class UsersController : Controller
        {
            [HttpGet]
            public Task<IActionResult> ListAsync() => Task.FromResult<IActionResult>(View());
        }
        """;

    [Fact]
    public void Default_route_gives_each_action_without_area_its_own_template()
    {
        var result = GeneratorHarness.Run(Controllers, """
            public static class Routes
            {
                public static void Map(WebApplication app) => app.MapDefaultControllerRoute();
            }
            """);

        result.AssertLines(
        [
            .. AllMethods.Select(method => $"Home.Index.id {method} /Home/Index/{{id?}} Index"),
            "Home.Contact.id POST /Home/Contact/{id?} Contact",
            "Blog.Article.id GET /Blog/Article/{id?} Article",
            "about GET /about About",
        ]);
    }

    [Fact]
    public void Custom_and_area_routes_apply_their_defaults_and_areas()
    {
        var result = GeneratorHarness.Run(Controllers, """
            public static class Routes
            {
                public static void Map(WebApplication app)
                {
                    app.MapControllerRoute("blog", "blog/{action}/{id:int}", defaults: new { controller = "Blog" });
                    app.MapAreaControllerRoute("admin", "Admin", "manage/{controller}/{action=List}");
                    app.MapControllerRoute("areas", "{area:exists}/{controller}/{action}");
                }
            }
            """);

        result.AssertLines(
        [
            "blog.Article.int:id GET /blog/Article/{id:int} Article",
            "manage.Users.List GET /manage/Users/List ListAsync",
            "Admin.Users.List GET /Admin/Users/List ListAsync",
            "about GET /about About",
        ]);
    }

    [Fact]
    public void Non_constant_conventional_patterns_leave_actions_in_the_model_without_entries()
    {
        var result = GeneratorHarness.Run(Controllers, """
            public static class Routes
            {
                public static void Map(WebApplication app, string pattern) => app.MapControllerRoute("dynamic", pattern);
            }
            """);

        result.AssertLines(["about GET /about About"]);
        Assert.Equal(
            ["Article", "Contact", "Index", "ListAsync"],
            result.Endpoints.Where(endpoint => endpoint.Status == Model.TemplateStatus.NonConstantPattern)
                .Select(endpoint => endpoint.HandlerName!).Order(StringComparer.Ordinal));
    }
}
