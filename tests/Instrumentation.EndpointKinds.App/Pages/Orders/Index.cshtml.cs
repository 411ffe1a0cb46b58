using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Instrumentation.EndpointKinds.App.Pages.Orders;

public class IndexModel : PageModel
{
    public Task OnGetAsync() => Task.CompletedTask;
}
