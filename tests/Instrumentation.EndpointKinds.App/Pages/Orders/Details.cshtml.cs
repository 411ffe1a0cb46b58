using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Instrumentation.EndpointKinds.App.Pages.Orders;

public class DetailsModel : PageModel
{
    public int Id { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        await Task.Yield();
        Id = id;
        return id == 404 ? NotFound() : Page();
    }

    public IActionResult OnPost(int id) => RedirectToPage(new { id });
}
