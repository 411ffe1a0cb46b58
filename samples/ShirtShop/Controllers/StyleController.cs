using Instrumentation;
using Microsoft.AspNetCore.Mvc;

namespace ShirtShop.Controllers;

/// <summary>The seed's example: <c>style/{id}/make</c> makes shirts.</summary>
[Instrumented]
[ApiController]
[Route("style")]
public class StyleController(ShopMetrics metrics) : ControllerBase
{
    [HttpGet("{id}/make")]
    public string MakeShirts(string id) => $"Shirts {id} made.";

    [HttpPost("{id:int}/order")]
    public IActionResult OrderShirts(int id, [FromQuery] int count = 1, [FromQuery] string? payment = null)
    {
        // The route and method tags come from the endpoint; the payment value outside card and cash is counted as other.
        metrics.ShirtsOrdered.For(payment).Add(Math.Max(count, 0));
        return Accepted(new { id, count });
    }

    [HttpGet("{id}/stock")]
    public IActionResult Stock(string id) => id == "missing" ? NotFound() : Ok(new { id, inStock = 12 });

    [HttpDelete("{id}")]
    [NotInstrumented]
    public IActionResult Discontinue(string id) => NoContent();
}
