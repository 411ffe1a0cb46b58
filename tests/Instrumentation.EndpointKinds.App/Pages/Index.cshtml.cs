using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Instrumentation.EndpointKinds.App.Pages;

public class IndexModel : PageModel
{
    public string Greeting { get; private set; } = "";

    public void OnGet() => Greeting = "hello";
}
