using Microsoft.AspNetCore.Mvc;

namespace Instrumentation.EndpointKinds.App.Controllers;

/// <summary>
/// What <c>MapFallbackToController</c> hands old paths to. It has no route of its own: only the fallback reaches it.
/// One path throws, so the exception handler clears the endpoint to answer.
/// </summary>
public sealed class LegacyController : Controller
{
    public IActionResult Serve(string? path) =>
        path == "boom" ? throw new InvalidOperationException("the legacy path failed") : Content("legacy " + path);
}
