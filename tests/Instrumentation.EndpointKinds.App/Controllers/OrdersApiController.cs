using Microsoft.AspNetCore.Mvc;

namespace Instrumentation.EndpointKinds.App.Controllers;

/// <summary>A controller with an attribute route: the kind every version of the library measured.</summary>
[ApiController]
[Route("api/orders")]
public sealed class OrdersApiController : ControllerBase
{
    [HttpGet("{id:int}")]
    public string Get(int id) => $"order {id}";
}
