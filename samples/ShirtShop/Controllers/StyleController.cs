using Instrumentation;
using Microsoft.AspNetCore.Mvc;

namespace ShirtShop.Controllers;

/// <summary>The seed's example: <c>style/{id}/make</c> makes shirts.</summary>
[Instrumented]
[ApiController]
[Route("style")]
public class StyleController : ControllerBase
{
    [HttpGet("{id}/make")]
    public string MakeShirts(string id) => $"Shirts {id} made.";

    [HttpPost("{id:int}/order")]
    public IActionResult OrderShirts(int id, [FromQuery] int count = 1) => Accepted(new { id, count });

    [HttpGet("{id}/stock")]
    public IActionResult Stock(string id) => id == "missing" ? NotFound() : Ok(new { id, inStock = 12 });

    [HttpDelete("{id}")]
    [NotInstrumented]
    public IActionResult Discontinue(string id) => NoContent();
}
