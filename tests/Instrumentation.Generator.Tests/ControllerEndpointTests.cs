namespace Instrumentation.Generator.Tests;

public class ControllerEndpointTests
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    [Fact]
    public void Class_and_action_routes_combine_with_and_without_templates()
    {
        var result = GeneratorHarness.Run("""
            [ApiController]
            [Route("api/[controller]")]
            public class OrdersController : ControllerBase
            {
                [HttpGet]
                public IActionResult List() => Ok();

                [HttpGet("{id:int}")]
                public IActionResult Get(int id) => Ok();

                [HttpPost]
                public IActionResult Create() => Ok();

                [HttpPut("{id:int}"), HttpPatch("{id:int}/patch")]
                public IActionResult Update(int id) => Ok();

                [HttpDelete("{id:int}", Name = "DeleteOrder", Order = 3)]
                public IActionResult Delete(int id) => Ok();

                [HttpHead("head"), HttpOptions("options")]
                public IActionResult Probe() => Ok();
            }
            """);

        result.AssertLines([
                "api.Orders GET /api/Orders List",
                "api.Orders POST /api/Orders Create",
                "api.Orders.int:id GET /api/Orders/{id:int} Get",
                "api.Orders.int:id PUT /api/Orders/{id:int} Update",
                "api.Orders.int:id DELETE /api/Orders/{id:int} Delete",
                "api.Orders.int:id.patch PATCH /api/Orders/{id:int}/patch Update",
                "api.Orders.head HEAD /api/Orders/head Probe",
                "api.Orders.options OPTIONS /api/Orders/options Probe",
            ]);
    }

    [Fact]
    public void AcceptVerbs_gives_one_entry_per_listed_method()
    {
        var result = GeneratorHarness.Run("""
            public class SearchController : ControllerBase
            {
                [AcceptVerbs("GET", "post", Route = "search/{term}")]
                public IActionResult Search(string term) => Ok();

                [Route("lookup")]
                [AcceptVerbs("PUT")]
                public IActionResult Lookup() => Ok();
            }
            """);

        result.AssertLines(["lookup PUT /lookup Lookup", "search.term GET /search/{term} Search", "search.term POST /search/{term} Search"]);
    }

    [Fact]
    public void Route_without_method_attribute_accepts_every_standard_method()
    {
        var result = GeneratorHarness.Run("""
            [Route("any")]
            public class AnyController : ControllerBase
            {
                [Route("thing")]
                public IActionResult Thing() => Ok();
            }
            """);

        result.AssertLines(AllMethods.Select(method => $"any.thing {method} /any/thing Thing"));
    }

    [Fact]
    public void Several_routes_per_action_and_per_controller_multiply()
    {
        var result = GeneratorHarness.Run("""
            [Route("v1/[controller]")]
            [Route("v2/[controller]")]
            public class ShirtsController : ControllerBase
            {
                [HttpGet("{id}")]
                [HttpGet("by-id/{id}")]
                public IActionResult MakeShirts(string id) => Ok();
            }
            """);

        result.AssertLines([
                "v1.Shirts.by_id.id GET /v1/Shirts/by-id/{id} MakeShirts",
                "v1.Shirts.id GET /v1/Shirts/{id} MakeShirts",
                "v2.Shirts.by_id.id GET /v2/Shirts/by-id/{id} MakeShirts",
                "v2.Shirts.id GET /v2/Shirts/{id} MakeShirts",
            ]);
    }

    [Fact]
    public void Tokens_are_replaced_with_escaping_action_names_and_areas()
    {
        var result = GeneratorHarness.Run("""
            [Area("Admin")]
            [Route("[area]/[controller]/[action]")]
            public class UsersController : Controller
            {
                [HttpGet]
                public IActionResult Index() => Ok();

                [HttpGet, ActionName("all-users")]
                public IActionResult ListEverything() => Ok();

                [HttpPost]
                public Task<IActionResult> SaveAsync() => Task.FromResult<IActionResult>(Ok());

                [HttpGet("~/raw/[[[controller]/x]]")]
                public IActionResult Escaped() => Ok();
            }
            """);

        result.AssertLines([
                "Admin.Users.Index GET /Admin/Users/Index Index",
                "Admin.Users.Save POST /Admin/Users/Save SaveAsync",
                "Admin.Users.all_users GET /Admin/Users/all-users ListEverything",
                "raw.[Users.x] GET /raw/[Users/x] Escaped",
            ]);
    }

    [Fact]
    public void Slash_and_tilde_action_templates_override_the_class_template()
    {
        var result = GeneratorHarness.Run("""
            [Route("api/style")]
            public class StyleController : ControllerBase
            {
                [HttpGet("/style/{id}/make")]
                public IActionResult MakeShirts(string id) => Ok();

                [HttpGet("~/style/{id}/price")]
                public IActionResult Price(string id) => Ok();

                [HttpGet("")]
                public IActionResult Index() => Ok();
            }
            """);

        result.AssertLines([
                "api.style GET /api/style Index",
                "style.id.make GET /style/{id}/make MakeShirts",
                "style.id.price GET /style/{id}/price Price",
            ]);
    }

    [Fact]
    public void Routes_are_inherited_from_an_abstract_base_controller_unless_redefined()
    {
        var result = GeneratorHarness.Run("""
            [ApiController]
            [Route("api/[controller]")]
            public abstract class ApiControllerBase : ControllerBase
            {
                [HttpGet("health")]
                public IActionResult Health() => Ok();

                [HttpGet("version")]
                public virtual IActionResult Version() => Ok();
            }

            public class CatalogController : ApiControllerBase
            {
                [HttpGet]
                public IActionResult List() => Ok();

                public override IActionResult Version() => Ok();
            }

            [Route("other")]
            public class RedefinedController : ApiControllerBase
            {
            }
            """);

        result.AssertLines([
                "api.Catalog GET /api/Catalog List",
                "api.Catalog.health GET /api/Catalog/health Health",
                "api.Catalog.version GET /api/Catalog/version Version",
                "other.health GET /other/health Health",
                "other.version GET /other/version Version",
            ]);
    }

    [Fact]
    public void Classes_and_methods_MVC_does_not_treat_as_actions_are_excluded()
    {
        var result = GeneratorHarness.Run("""
            [Route("kept")]
            public class KeptController : ControllerBase, IDisposable
            {
                [HttpGet]
                public IActionResult Visible() => Ok();

                [NonAction]
                public IActionResult Hidden() => Ok();

                [HttpGet("static")]
                public static IActionResult Static() => null!;

                [HttpGet("generic")]
                public IActionResult Generic<T>() => Ok();

                [HttpGet("internal")]
                internal IActionResult Internal() => Ok();

                public string Property { get; set; } = "";

                public override string ToString() => "";

                public void Dispose() { }
            }

            [NonController]
            [Route("nc")]
            public class NotAController : ControllerBase
            {
                [HttpGet]
                public IActionResult Get() => Ok();
            }

            [Route("abstract")]
            public abstract class AbstractController : ControllerBase
            {
                [HttpGet]
                public IActionResult Get() => Ok();
            }

            [Route("internal")]
            internal class InternalController : ControllerBase
            {
                [HttpGet]
                public IActionResult Get() => Ok();
            }

            [Route("generic")]
            public class GenericController<T> : ControllerBase
            {
                [HttpGet]
                public IActionResult Get() => Ok();
            }

            public class Outer
            {
                [Route("nested")]
                public class NestedController : ControllerBase
                {
                    [HttpGet]
                    public IActionResult Get() => Ok();
                }
            }

            [Route("plain")]
            public class PlainService
            {
                [HttpGet]
                public string Get() => "";
            }
            """);

        result.AssertLines(["kept GET /kept Visible"]);
    }

    [Fact]
    public void Classes_are_controllers_by_suffix_or_Controller_attribute_and_partial_classes_count_once()
    {
        var result = GeneratorHarness.Run(
            """
            [Route("poco")]
            public class PocoController
            {
                [HttpGet]
                public string Get() => "";
            }

            [Controller]
            [Route("marked")]
            public class Marked
            {
                [HttpGet]
                public string Get() => "";
            }

            [Route("split")]
            public partial class SplitController : ControllerBase
            {
                [HttpGet("one")]
                public IActionResult One() => Ok();
            }
            """,
            """
            public partial class SplitController
            {
                [HttpGet("two")]
                public IActionResult Two() => Ok();
            }

            public partial class LateMarked
            {
                [HttpGet("late")]
                public string Get() => "";
            }

            [Controller]
            public partial class LateMarked
            {
            }
            """);

        result.AssertLines(["late GET /late Get", "marked GET /marked Get", "poco GET /poco Get", "split.one GET /split/one One", "split.two GET /split/two Two"]);
    }

    [Fact]
    public void Invalid_attribute_templates_stay_in_the_model_without_catalog_entries()
    {
        var result = GeneratorHarness.Run("""
            [Route("api/[controller]")]
            public class BrokenController : ControllerBase
            {
                [HttpGet("[area]/x")]
                public IActionResult NoArea() => Ok();

                [HttpGet("ok")]
                public IActionResult Fine() => Ok();
            }
            """);

        result.AssertLines(["api.Broken.ok GET /api/Broken/ok Fine"]);
        var broken = Assert.Single(result.Endpoints, endpoint => endpoint.HandlerName == "NoArea");
        Assert.Equal(Model.TemplateStatus.InvalidTemplate, broken.Status);
        Assert.Null(broken.Template);
    }
}
