using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Instrumentation.EndpointKinds.App.Pages.Orders;

public class EditModel : PageModel
{
    public void OnGet()
    {
    }

    public void OnGetPreview()
    {
    }
}
