using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Instrumentation.Naming;

namespace Instrumentation.Tracing;

/// <summary>
/// Turns ASP.NET Core's own request <see cref="Activity"/> into the request's server span, and HttpClient's
/// Activities into client spans. It listens to both sources, which is what makes hosting and HttpClient create their
/// Activities at all, and samples them; the instrumentation middleware calls <see cref="Start"/> and
/// <see cref="Complete"/> around each request. Every tag is added once, when the request completes and only for spans
/// that are kept; a span sampled out costs the Activity hosting creates and nothing more.
/// </summary>
/// <remarks>
/// A kept server span carries this tracer's own <c>component</c> string instance: that is how the stop callback, which
/// every listener in the process receives, recognises the spans it exports (and a client span the server span it
/// belongs to) without any per-request state. The tag is added when the request starts if the span is sampled then,
/// so client spans that end before their server span can find their owner.
/// </remarks>
internal sealed partial class RequestTracer : IDisposable
{
    public const string HostingSourceName = "Microsoft.AspNetCore";
    public const string HttpClientSourceName = "System.Net.Http";
    public const string ComponentTag = "component";
    public const string ServerComponent = WavefrontNames.Component;
    public const string ClientComponent = "httpclient";
    public const string HandlerTag = WavefrontNames.HandlerTag;

    private const string NotSampledProperty = "Instrumentation.Tracing.NotSampled";
    private const string KeptLateProperty = "Instrumentation.Tracing.KeptLate";
    private const string DebugTag = "debug";
    private const string MethodTag = "http.method";
    private const string UrlTag = "http.url";
    private const string StatusCodeTag = "http.status_code";
    private const string ErrorTag = "error";
    private const string SamplingPriorityTag = "sampling.priority";

    private static readonly Lock LiveGate = new();
    private static readonly List<RequestTracer> Live = [];
    private static readonly object[] BoxedStatusCodes = CreateBoxedStatusCodes();
    private static readonly object BoxedTrue = true;
    private static readonly object NotSampled = new();

    /// <summary>
    /// This thread's last sampling decision, from <see cref="Sample"/> to <see cref="OnStarted"/>, which Activity
    /// creation runs one after the other on the creating thread.
    /// </summary>
    [ThreadStatic]
    private static Pending pending;

    private readonly string component = new(ServerComponent.AsSpan());
    private readonly TracingOptions options;
    private readonly ErrorRule errorRule;
    private readonly SpanSampler sampler;
    private readonly TracedProperty[] attributes;
    private readonly Action<Activity, HttpContext>? onStart;
    private readonly bool traceAll;
    private readonly bool namesByRoute;
    private readonly ILogger logger;
    private readonly ActivityListener listener;
    private Channel<Activity>? exportQueue;
    private long dropped;

    public RequestTracer(IOptions<InstrumentationOptions> options, InstrumentRegistry registry, ILogger<RequestTracer> logger)
    {
        this.options = options.Value.Tracing;
        this.logger = logger;
        errorRule = registry.ErrorRule;
        sampler = new SpanSampler(this.options.SamplingRate, this.options.SampleDurationMs);
        traceAll = this.options.TraceAllRequests;
        namesByRoute = this.options.OperationName == SpanNaming.Route;
        onStart = this.options.OnStart;
        var parsed = new List<TracedProperty>();
        foreach (var text in this.options.TracedAttributes)
        {
            // Validation at startup has rejected anything that does not parse.
            if (TracedProperty.TryParse(text, out var attribute))
            {
                parsed.Add(attribute!);
            }
        }

        attributes = [.. parsed];
        var clientSpans = this.options.ClientSpans;
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HostingSourceName || (clientSpans && source.Name == HttpClientSourceName),
            Sample = Sample,
            ActivityStarted = OnStarted,
            ActivityStopped = OnStopped,
        };
        lock (LiveGate)
        {
            Live.Add(this);
        }

        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>Spans dropped because the export queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>The operation name of a route's spans.</summary>
    public string OperationName(RouteInstruments route) =>
        namesByRoute
            ? route.MethodAndTemplate
            : route.Descriptor.Handler;

    /// <summary>Starts handing kept spans to a bounded queue, which the exporter drains.</summary>
    public ChannelReader<Activity> StartExport(int capacity)
    {
        var queue = Channel.CreateBounded<Activity>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        Volatile.Write(ref exportQueue, queue);
        return queue.Reader;
    }

    /// <summary>Stops queueing spans: the exporter is draining what is left.</summary>
    public void StopExport() => Volatile.Write(ref exportQueue, null);

    /// <summary>
    /// The request has reached the instrumentation middleware: returns its Activity, which the middleware hands back to
    /// <see cref="Complete"/>, or null when hosting created none.
    /// </summary>
    public Activity? Start(HttpContext context)
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;

        // Without a start callback, only a span sampled now has anything to do here (its kept mark).
        if (activity is null || (onStart is null && !activity.Recorded))
        {
            return activity;
        }

        // With WebApplication, routing has already run here. If it has not (UseRouting after UseInstrumentation), only
        // TraceAllRequests can say yet whether the request is traced.
        var endpoint = context.GetEndpoint();
        if (endpoint is RouteEndpoint)
        {
            if (endpoint.RequestDelegate?.Target is not InstrumentedEndpoint instrumented ||
                (!traceAll && !instrumented.ForMethod(context.Request.Method).Traced))
            {
                return activity;
            }
        }
        else if (!traceAll)
        {
            return activity;
        }

        if (onStart is not null)
        {
            RunOnStart(activity, context);
        }

        if (IsSampled(activity))
        {
            // Hosting's own tags never include it, so only a start callback could have set one to replace.
            if (onStart is null)
            {
                activity.AddTag(ComponentTag, component);
            }
            else
            {
                activity.SetTag(ComponentTag, component);
            }
        }

        return activity;
    }

    /// <summary>
    /// The request is complete: decides whether its span is kept and, if so, names it and adds its tags.
    /// <paramref name="route"/> is null for a request to an endpoint that is not instrumented.
    /// </summary>
    public void Complete(HttpContext context, Activity activity, RouteInstruments? route, int status, bool threw, long elapsedNanoseconds)
    {
        // One pass over the tags (hosting alone puts half a dozen on every request's Activity) instead of a lookup per
        // question and per SetTag: a tag found here is replaced, any other appended.
        var (tagged, forced, present) = ReadTags(activity);
        if (route is null || !(traceAll || route.Traced))
        {
            if (tagged)
            {
                activity.SetTag(ComponentTag, null);
            }

            return;
        }

        // An exception handler after this middleware may have turned an exception into the response.
        var handled = !threw && status >= 500 ? context.Features.Get<IExceptionHandlerFeature>()?.Error : null;
        var isError = threw || handled is not null || errorRule.IsError(status);
        var keep = tagged || isError || sampler.IsSlow(elapsedNanoseconds) || IsSampled(activity) || forced;
        if (!activity.Recorded)
        {
            if (!keep)
            {
                return;
            }

            // Kept after all: the stop callback must not pass it over as one that carries the context only.
            activity.SetCustomProperty(KeptLateProperty, BoxedTrue);
        }

        // A span only another listener records (the OpenTelemetry SDK) gets the same tags, but the shared constant
        // rather than this tracer's own instance: it is not exported to Wavefront.
        if (!tagged)
        {
            Put(activity, ComponentTag, keep ? component : ServerComponent, present & OwnTags.Component);
        }

        var request = context.Request;
        activity.DisplayName = OperationName(route);
        Put(activity, MethodTag, request.Method, present & OwnTags.Method);
        Put(activity, UrlTag, Url(request, options.IncludeQueryString), present & OwnTags.Url);
        Put(activity, StatusCodeTag, (uint)status < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[status] : status, present & OwnTags.StatusCode);
        if (isError)
        {
            Put(activity, ErrorTag, BoxedTrue, present & OwnTags.Error);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        if (handled is not null)
        {
            activity.AddException(handled);
        }

        Put(activity, HandlerTag, route.Descriptor.Handler, present & OwnTags.Handler);
        foreach (var attribute in attributes)
        {
            if (attribute.Read(context) is { } value)
            {
                activity.SetTag(attribute.Key, value);
            }
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        lock (LiveGate)
        {
            Live.Remove(this);
        }
    }

    /// <summary>Whether a span is kept by the head decision: this tracer's sampler, or the upstream service's.</summary>
    internal static bool IsSampled(Activity activity) => activity.Recorded && activity.GetCustomProperty(NotSampledProperty) is null;

    internal static string Url(HttpRequest request, bool includeQuery)
    {
        var host = request.Host.Value ?? string.Empty;
        var path = request.Path.ToUriComponent();
        var pathBase = request.PathBase.ToUriComponent();
        return includeQuery && request.QueryString.HasValue
            ? string.Concat([request.Scheme, "://", host, pathBase, path, request.QueryString.Value])
            : string.Concat([request.Scheme, "://", host, pathBase, path]);
    }

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> creation)
    {
        var keep = HeadDecision(ref creation, out var traceId);
        pending = new Pending(this, traceId, keep);

        // Sampled out only carries the context: a span that fails or is slow is still kept when it ends, and gets its
        // tags then from what the middleware knows; nothing is gathered for the many that are not.
        return keep ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
    }

    private bool HeadDecision(ref ActivityCreationOptions<ActivityContext> creation, out ActivityTraceId traceId)
    {
        var parent = creation.Parent;
        if (parent.TraceId == default)
        {
            traceId = creation.TraceId;
            return sampler.SampleTrace(traceId);
        }

        traceId = parent.TraceId;
        if (parent.IsRemote)
        {
            // The upstream decision is honoured unless the upstream left it open.
            return TraceContextPropagator.TakeDeferred(traceId)
                ? sampler.SampleTrace(traceId)
                : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        }

        var current = Activity.Current;
        return current is not null && current.SpanId == parent.SpanId
            ? IsSampled(current)
            : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
    }

    private void OnStarted(Activity activity)
    {
        var decision = pending;
        pending = default;

        // Another listener (the OpenTelemetry SDK) may have recorded what this sampler did not keep: remember ours.
        if (!decision.Keep && activity.Recorded && ReferenceEquals(decision.Tracer, this) && decision.TraceId == activity.TraceId)
        {
            activity.SetCustomProperty(NotSampledProperty, NotSampled);
        }
    }

    private void OnStopped(Activity activity)
    {
        var queue = Volatile.Read(ref exportQueue);
        if (queue is null || (!activity.Recorded && activity.GetCustomProperty(KeptLateProperty) is null))
        {
            // Sampled out and not kept: no tag to look for.
            return;
        }

        if (activity.Kind == ActivityKind.Server)
        {
            if (ReferenceEquals(activity.GetTagItem(ComponentTag), component))
            {
                Enqueue(queue, activity);
            }
        }
        else if (activity.Kind == ActivityKind.Client && OwnsClientSpan(activity))
        {
            Enqueue(queue, activity);
        }
    }

    /// <summary>
    /// A client span inside a request belongs to the tracer whose server span was kept when the request started; one
    /// outside any request (background work) to the first tracer of the process, and is kept by the sampling rules.
    /// </summary>
    private bool OwnsClientSpan(Activity activity)
    {
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.Kind == ActivityKind.Server && parent.Source.Name == HostingSourceName)
            {
                return ReferenceEquals(parent.GetTagItem(ComponentTag), component);
            }
        }

        RequestTracer? first;
        lock (LiveGate)
        {
            first = Live.Count > 0 ? Live[0] : null;
        }

        return ReferenceEquals(first, this) &&
            (IsSampled(activity) || activity.Status == ActivityStatusCode.Error || activity.GetTagItem("error.type") is not null ||
             sampler.IsSlow(activity.Duration.Ticks * 100) || IsForced(activity));
    }

    private void Enqueue(Channel<Activity> queue, Activity activity)
    {
        if (!queue.Writer.TryWrite(activity) && Interlocked.Increment(ref dropped) == 1)
        {
            LogFirstDrop(logger, options.MaxQueuedSpans);
        }
    }

    /// <summary>Wavefront keeps spans tagged <c>debug=true</c> or <c>sampling.priority</c> above zero whatever the samplers say.</summary>
    private static bool IsForced(Activity activity) =>
        ForcesDebug(activity.GetTagItem(DebugTag)) || ForcesPriority(activity.GetTagItem(SamplingPriorityTag));

    /// <summary>
    /// Whether this tracer tagged the span as kept, whether a tag forces keeping it (<see cref="IsForced"/>), and which
    /// of the tags <see cref="Complete"/> writes are already there.
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
                case ComponentTag:
                    tagged |= ReferenceEquals(tag.Value, component);
                    present |= OwnTags.Component;
                    break;
                case DebugTag:
                    forced |= ForcesDebug(tag.Value);
                    break;
                case SamplingPriorityTag:
                    forced |= ForcesPriority(tag.Value);
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
                case HandlerTag:
                    present |= OwnTags.Handler;
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
    }

    private static bool ForcesDebug(object? value) =>
        value is true || (value is string text && text.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static bool ForcesPriority(object? value) => value switch
    {
        int i => i > 0,
        long l => l > 0,
        double d => d > 0,
        string text => double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p > 0,
        _ => false,
    };

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

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The span export queue is full ({Capacity} spans, Instrumentation:Tracing:MaxQueuedSpans): spans are being dropped and counted.")]
    private static partial void LogFirstDrop(ILogger logger, int capacity);

    private readonly record struct Pending(RequestTracer? Tracer, ActivityTraceId TraceId, bool Keep);
}
