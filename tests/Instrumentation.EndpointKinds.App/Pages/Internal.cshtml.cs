using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Instrumentation.EndpointKinds.App.Pages;

// A deliberate exclusion: the proof checks it is served and not measured.
[Instrumentation.NotInstrumented]
public class InternalModel : PageModel
{
    public void OnGet()
    {
    }
}
