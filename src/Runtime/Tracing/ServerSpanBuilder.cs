using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Tracing;

/// <summary>
/// Turns ASP.NET Core's own request <see cref="Activity"/> into the request's server span: the middleware calls
/// <see cref="Start"/> and <see cref="Stop"/> around each request. Every tag is added once, when the request completes
/// and only for spans that are kept; a span sampled out costs the Activity hosting creates and nothing more. When no span
/// is exported, only a span another listener records (the OpenTelemetry SDK) is tagged, once, with the same tags; every
/// other request costs one check.
/// </summary>
/// <remarks>
/// A kept server span carries its tracer's own <c>component</c> string instance: that is how the export queue, whose
/// stop callback every listener in the process receives, recognises the spans it exports (and a client span the server
/// span it belongs to) without any per-request state. The tag is added when the request starts if the span is sampled
/// then, so client spans that end before their server span can find their owner.
/// </remarks>
internal sealed partial class ServerSpanBuilder : IRequestObserver
{
    private const string MethodTag = "http.method";
    private const string UrlTag = "http.url";
    private const string StatusCodeTag = "http.status_code";
    private const string ErrorTag = "error";

    // The OpenTelemetry HTTP server conventions' attributes, so an SDK recording the span sees them whether or not
    // OpenTelemetry.Instrumentation.AspNetCore runs too (it sets the same keys; each is then replaced, never doubled).
    /// <summary>The custom property holding the server span's name as this library chose it.</summary>
    internal const string OperationNameProperty = "Instrumentation.OperationName";

    private const string RequestMethodTag = "http.request.method";
    private const string SchemeTag = "url.scheme";
    private const string RouteTag = "http.route";
    private const string ResponseStatusTag = "http.response.status_code";
    private const string ErrorTypeTag = "error.type";

    private static readonly object[] BoxedStatusCodes = CreateBoxedStatusCodes();
    private static readonly string[] ServerErrorTypes = [.. Enumerable.Range(500, 100).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    private static readonly object BoxedTrue = true;

    private readonly string component;
    private readonly HeadSampler sampler;
    private readonly ErrorRule errorRule;
    private readonly TracedProperty[] attributes;
    private readonly Action<Activity, HttpContext>? onStart;
    private readonly bool traceAll;
    private readonly bool namesByRoute;
    private readonly bool includeQuery;
    private readonly ILogger logger;

    // Whether this tracer exports spans; if not, it has no listener of its own and no sampling or keeping to do.
    private readonly bool exporting;

    // Named like hosting's source, so it has exactly the listeners that could record a request's Activity.
    private static readonly ActivitySource HostingActivities = new(RequestTracer.HostingSourceName);

    public ServerSpanBuilder(TracingOptions options, string component, HeadSampler sampler, ErrorRule errorRule, ILogger logger, bool exporting = true)
    {
        this.exporting = exporting;
        this.component = component;
        this.sampler = sampler;
        this.errorRule = errorRule;
        this.logger = logger;
        traceAll = options.TraceAllRequests;
        namesByRoute = options.OperationName == SpanNaming.Route;
        includeQuery = options.IncludeQueryString;
        onStart = options.OnStart;
        // Validation at startup has rejected anything that does not parse.
        attributes = TracedProperty.ParseAll(options.TracedAttributes);
    }

    /// <summary>The operation name of a route's spans.</summary>
    public string OperationName(RouteInstruments route) =>
        namesByRoute
            ? route.MethodAndTemplate
            : route.Descriptor.Handler;

    /// <summary>
    /// The request has reached the instrumentation middleware: returns its Activity, which the middleware hands back to
    /// <see cref="Stop"/>, or null when hosting created none.
    /// </summary>
    public Activity? Start(HttpContext context)
    {
        // Nothing exports and nothing could record: no span to build (an Activity hosting made to carry the context
        // downstream needs nothing from us).
        if (!exporting && onStart is null && !HostingActivities.HasListeners())
        {
            return null;
        }

        var activity = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpActivityFeature>()?.Activity;

        // Without a start callback, only a span sampled now has anything to do here (its kept mark). Not exporting, a
        // span nobody records is never kept later either.
        if (activity is null || (onStart is null && !activity.Recorded))
        {
            return exporting ? activity : null;
        }

        // With WebApplication, routing has already run here. If it has not (UseRouting after UseInstrumentation), only
        // TraceAllRequests can say yet whether the request is traced.
        switch (InstrumentedEndpoint.Find(context.GetEndpoint(), context.Request.Method, out var route))
        {
            case EndpointMatch.Instrumented when traceAll || route!.Traced:
            case EndpointMatch.Unmatched when traceAll:
                break;
            default:
                return activity;
        }

        if (onStart is not null)
        {
            RunOnStart(activity, context);
        }

        // The early mark only serves the export queue (client spans finding their server span).
        if (exporting && sampler.IsSampled(activity))
        {
            // Hosting's own tags never include it, so only a start callback could have set one to replace.
            if (onStart is null)
            {
                activity.AddTag(RequestTracer.ComponentTag, component);
            }
            else
            {
                activity.SetTag(RequestTracer.ComponentTag, component);
            }
        }

        return activity;
    }

    /// <summary>
    /// The request is complete: decides whether its span is kept and, if so, names it and adds its tags.
    /// </summary>
    public void Stop(HttpContext context, Activity span, in RequestOutcome outcome)
    {
        if (!exporting && !span.Recorded)
        {
            return;
        }

        if (outcome.Exception is { } thrown)
        {
            span.AddException(thrown);
        }

        // One pass over the tags (hosting alone puts half a dozen on every request's Activity) instead of a lookup per
        // question and per SetTag: a tag found here is replaced, any other appended.
        var (tagged, forced, present) = ReadTags(span);
        var route = outcome.Route;
        if (route is null || !(traceAll || route.Traced))
        {
            if (tagged)
            {
                span.SetTag(RequestTracer.ComponentTag, null);
            }

            return;
        }

        // An exception handler after this middleware may have turned an exception into the response.
        var threw = outcome.Exception is not null;
        var status = outcome.Status;
        var handled = !threw && status >= 500 ? context.Features.Get<IExceptionHandlerFeature>()?.Error : null;
        var grpcStatus = route.IsGrpc ? Kinds.Grpc.GrpcStatusCodes.Read(context, status) : -1;
        var isError = threw || handled is not null || (route.IsGrpc ? route.ForGrpcStatus(grpcStatus).IsError : errorRule.IsError(status));
        var keep = tagged || isError || sampler.Rules.IsSlow(outcome.ElapsedNanoseconds) || sampler.IsSampled(span) || forced;
        if (!span.Recorded)
        {
            if (!keep)
            {
                return;
            }

            // Kept after all: the stop callback must not pass it over as one that carries the context only.
            SpanQueue.MarkKeptLate(span);
        }

        // A span only another listener records (the OpenTelemetry SDK) gets the same tags, but the shared constant
        // rather than this tracer's own instance: it is not exported to Wavefront.
        if (!tagged)
        {
            Put(span, RequestTracer.ComponentTag, keep && exporting ? component : RequestTracer.ServerComponent, present & OwnTags.Component);
        }

        var request = context.Request;
        span.DisplayName = OperationName(route);
        if (route.IsGrpc)
        {
            Kinds.Grpc.GrpcSpans.Describe(span, route, grpcStatus);
        }

        // Kept beside the display name, which OpenTelemetry's ASP.NET Core instrumentation rewrites when hosting stops the
        // Activity (to its "{method} {route}"): Wavefront is sent the name OperationName chose, whoever else listens.
        span.SetCustomProperty(OperationNameProperty, span.DisplayName);

        Put(span, MethodTag, request.Method, present & OwnTags.Method);
        Put(span, UrlTag, Url(request, includeQuery), present & OwnTags.Url);
        Put(span, StatusCodeTag, (uint)status < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[status] : status, present & OwnTags.StatusCode);
        if (isError)
        {
            Put(span, ErrorTag, BoxedTrue, present & OwnTags.Error);
            span.SetStatus(ActivityStatusCode.Error);
        }

        if (handled is not null)
        {
            span.AddException(handled);
        }

        Put(span, RequestTracer.HandlerTag, route.Descriptor.Handler, present & OwnTags.Handler);
        Put(span, RequestMethodTag, HttpMethodIndex.Of(request.Method) == HttpMethodIndex.Other ? SemanticDimensions.Other : request.Method, present & OwnTags.RequestMethod);
        Put(span, SchemeTag, SemanticDimensions.Schemes[SemanticDimensions.SchemeOf(request.Scheme)], present & OwnTags.Scheme);
        if (route.HttpRoute is { } httpRoute)
        {
            Put(span, RouteTag, httpRoute, present & OwnTags.Route);
        }

        Put(span, ResponseStatusTag, (uint)status < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[status] : status, present & OwnTags.ResponseStatus);
        if ((outcome.Exception ?? handled) is { } error)
        {
            Put(span, ErrorTypeTag, error.GetType().FullName, present & OwnTags.ErrorType);
        }
        else if (status is >= 500 and < 600)
        {
            Put(span, ErrorTypeTag, ServerErrorTypes[status - 500], present & OwnTags.ErrorType);
        }

        AddTracedAttributes(span, context, attributes);
        AddTracedAttributes(span, context, route.TracedAttributes);
    }

    private static void AddTracedAttributes(Activity span, HttpContext context, TracedProperty[] attributes)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Read(context) is { } value)
            {
                span.SetTag(attribute.Key, value);
            }
        }
    }

    private static string Url(HttpRequest request, bool includeQuery)
    {
        var host = request.Host.Value ?? string.Empty;
        var path = request.Path.ToUriComponent();
        var pathBase = request.PathBase.ToUriComponent();
        return includeQuery && request.QueryString.HasValue
            ? string.Concat([request.Scheme, "://", host, pathBase, path, request.QueryString.Value])
            : string.Concat([request.Scheme, "://", host, pathBase, path]);
    }

    /// <summary>
    /// Whether this tracer tagged the span as kept, whether a tag forces keeping it (<see cref="ForcedKeep"/>), and
    /// which of the tags <see cref="Stop"/> writes are already there.
    /// </summary>
    private (bool Tagged, bool Forced, OwnTags Present) ReadTags(Activity activity)
    {
        var tagged = false;
        var forced = false;
        var present = OwnTags.None;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case RequestTracer.ComponentTag:
                    tagged |= ReferenceEquals(tag.Value, component);
                    present |= OwnTags.Component;
                    break;
                case ForcedKeep.DebugTag:
                    forced |= ForcedKeep.ForcesDebug(tag.Value);
                    break;
                case ForcedKeep.SamplingPriorityTag:
                    forced |= ForcedKeep.ForcesPriority(tag.Value);
                    break;
                case MethodTag:
                    present |= OwnTags.Method;
                    break;
                case UrlTag:
                    present |= OwnTags.Url;
                    break;
                case StatusCodeTag:
                    present |= OwnTags.StatusCode;
                    break;
                case ErrorTag:
                    present |= OwnTags.Error;
                    break;
                case RequestTracer.HandlerTag:
                    present |= OwnTags.Handler;
                    break;
                case RequestMethodTag:
                    present |= OwnTags.RequestMethod;
                    break;
                case SchemeTag:
                    present |= OwnTags.Scheme;
                    break;
                case RouteTag:
                    present |= OwnTags.Route;
                    break;
                case ResponseStatusTag:
                    present |= OwnTags.ResponseStatus;
                    break;
                case ErrorTypeTag:
                    present |= OwnTags.ErrorType;
                    break;
            }
        }

        return (tagged, forced, present);
    }

    // SetTag searches the tag list for the key to replace; AddTag appends. The search is only needed when the key is there.
    private static void Put(Activity activity, string key, object? value, OwnTags present)
    {
        if (present != OwnTags.None)
        {
            activity.SetTag(key, value);
        }
        else
        {
            activity.AddTag(key, value);
        }
    }

    private void RunOnStart(Activity activity, HttpContext context)
    {
        try
        {
            onStart!(activity, context);
        }
        catch (Exception e)
        {
            LogOnStartFailed(logger, e);
        }
    }

    private static object[] CreateBoxedStatusCodes()
    {
        var boxed = new object[600];
        for (var i = 0; i < boxed.Length; i++)
        {
            boxed[i] = i;
        }

        return boxed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Instrumentation:Tracing:OnStart threw; the request goes on without its tags.")]
    private static partial void LogOnStartFailed(ILogger logger, Exception exception);

    [Flags]
    private enum OwnTags
    {
        None = 0,
        Component = 1,
        Method = 2,
        Url = 4,
        StatusCode = 8,
        Error = 16,
        Handler = 32,
        RequestMethod = 64,
        Scheme = 128,
        Route = 256,
        ResponseStatus = 512,
        ErrorType = 1024,
    }
}
