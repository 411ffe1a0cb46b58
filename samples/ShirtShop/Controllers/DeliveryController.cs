using Instrumentation;
using Microsoft.AspNetCore.Mvc;

namespace ShirtShop.Controllers;

/// <summary>Token replacement and an action that fails upstream (502), as in the seed's span table.</summary>
[Instrumented]
[ApiController]
[Route("api/[controller]")]
public class DeliveryController : ControllerBase
{
    [HttpGet("[action]/{orderId:int}")]
    public IActionResult Track(int orderId) => Ok(new { orderId, status = "in transit" });

    [HttpGet("carrier")]
    public IActionResult Carrier() => StatusCode(StatusCodes.Status502BadGateway, "carrier unreachable");
}
