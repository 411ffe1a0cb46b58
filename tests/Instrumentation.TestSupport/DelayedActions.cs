using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.TestSupport;

/// <summary>
/// Makes any MVC action of the sample wait the milliseconds its request's <see cref="Header"/> asks for, inside the
/// endpoint where the instrumentation measures it: a known processing time without a test-only endpoint in the sample.
/// </summary>
public static class DelayedActions
{
    public const string Header = "X-Test-Delay-Ms";

    /// <summary>Pass as the services callback of <see cref="SampleServer.Start"/>.</summary>
    public static void Add(IServiceCollection services) =>
        services.Configure<MvcOptions>(options => options.Filters.Add(new DelayFilter()));

    private sealed class DelayFilter : IAsyncActionFilter
    {
        public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
        {
            if (int.TryParse(context.HttpContext.Request.Headers[Header], out var milliseconds))
            {
                await Task.Delay(milliseconds);
            }

            await next();
        }
    }
}
