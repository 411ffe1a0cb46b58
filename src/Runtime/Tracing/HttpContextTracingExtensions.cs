using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Instrumentation;

/// <summary>Access to a request's span, as Flask-OpenTracing's <c>get_span(request)</c>.</summary>
public static class HttpContextTracingExtensions
{
    /// <summary>
    /// The request's span while the request runs: ASP.NET Core's request <see cref="Activity"/>, which tracing names and
    /// tags when the request completes. Add tags or events to it, or start child Activities under it. Null when no
    /// Activity was created for the request (tracing off and no other listener) or once it has ended.
    /// </summary>
    public static Activity? GetSpan(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IHttpActivityFeature>()?.Activity is { IsStopped: false } activity ? activity : null;
    }
}
