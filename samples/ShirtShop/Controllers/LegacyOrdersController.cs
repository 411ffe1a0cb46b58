using Instrumentation;
using Microsoft.AspNetCore.Mvc;

namespace ShirtShop.Controllers;

/// <summary>
/// Reached through a conventional route (<c>legacy/{controller}/{action}/{id?}</c>): each action gets its own
/// instrument, not one for the whole pattern.
/// </summary>
[Instrumented]
public class LegacyOrdersController : ControllerBase
{
    [HttpGet]
    public IActionResult Index() => Ok(new[] { 1, 2, 3 });

    [HttpGet]
    public IActionResult Details(int id) => id > 0 ? Ok(new { id }) : NotFound();
}
