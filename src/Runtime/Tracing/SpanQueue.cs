using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Tracing;

/// <summary>
/// Picks this tracer's kept spans (server, client and application spans) out of every Activity that stops in the
/// process (the stop callback every listener receives) and hands them to a bounded queue, which the
/// <see cref="SpanExporter"/> drains off the request path. A full queue drops and counts; the request never waits.
/// </summary>
internal sealed partial class SpanQueue(string component, HeadSampler sampler, ILogger logger)
{
    private const string KeptLateProperty = "Instrumentation.Tracing.KeptLate";
    private const string BackgroundOwnerProperty = "Instrumentation.Tracing.BackgroundOwner";

    private static readonly object BoxedTrue = true;

    private Channel<Activity>? queue;
    private int capacity;
    private long dropped;
    private long kept;
    private long sampledOut;

    /// <summary>Whether stopping spans are queued at all: only while an exporter drains them.</summary>
    public bool IsOpen => Volatile.Read(ref queue) is not null;

    /// <summary>Spans dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Spans queued for export.</summary>
    public long Kept => Interlocked.Read(ref kept);

    /// <summary>Server requests whose span the sampler did not keep.</summary>
    public long SampledOut => Interlocked.Read(ref sampledOut);

    /// <summary>
    /// Marks a span the head decision sampled out but the request's outcome keeps (an error, a slow one): the stop
    /// callback must not pass it over as one that carries the context only.
    /// </summary>
    public static void MarkKeptLate(Activity activity) => activity.SetCustomProperty(KeptLateProperty, BoxedTrue);

    /// <summary>Starts handing kept spans to a bounded queue, which the exporter drains.</summary>
    public ChannelReader<Activity> Start(int capacity)
    {
        this.capacity = capacity;
        var created = Channel.CreateBounded<Activity>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        Volatile.Write(ref queue, created);
        return created.Reader;
    }

    /// <summary>Stops queueing spans: the exporter is draining what is left.</summary>
    public void Stop() => Volatile.Write(ref queue, null);

    /// <summary>
    /// The listener's start callback. A span outside any request (a client call or an application span of background
    /// work) belongs to no request's tracer; the first tracer whose listener sees it start claims it, so in a process
    /// of several applications it is exported once.
    /// </summary>
    public void OnStarted(Activity activity)
    {
        if (activity.Recorded && !IsRequestSpan(activity) && ServerParent(activity) is null
            && activity.GetCustomProperty(BackgroundOwnerProperty) is null)
        {
            activity.SetCustomProperty(BackgroundOwnerProperty, this);
        }
    }

    /// <summary>The listener's stop callback.</summary>
    public void OnStopped(Activity activity)
    {
        var current = Volatile.Read(ref queue);
        if (current is null || (!activity.Recorded && activity.GetCustomProperty(KeptLateProperty) is null))
        {
            // Sampled out and not kept: no tag to look for.
            if (current is not null && activity.Kind == ActivityKind.Server && activity.Source.Name == RequestTracer.HostingSourceName)
            {
                Interlocked.Increment(ref sampledOut);
            }

            return;
        }

        if (IsRequestSpan(activity))
        {
            if (ReferenceEquals(activity.GetTagItem(RequestTracer.ComponentTag), component))
            {
                Enqueue(current, activity);
            }
        }
        else if (OwnsChildSpan(activity))
        {
            Enqueue(current, activity);
        }
    }

    /// <summary>
    /// Hosting's request Activity, which the server span builder names and tags; every other one is a child of a
    /// request or background work.
    /// </summary>
    private static bool IsRequestSpan(Activity activity) =>
        activity.Kind == ActivityKind.Server && activity.Source.Name == RequestTracer.HostingSourceName;

    private static Activity? ServerParent(Activity activity)
    {
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (IsRequestSpan(parent))
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>
    /// A client or application span inside a request belongs to the tracer whose server span was kept when the request
    /// started; one outside any request to the tracer that claimed it, and is kept by the sampling rules.
    /// </summary>
    private bool OwnsChildSpan(Activity activity)
    {
        if (ServerParent(activity) is { } server)
        {
            return ReferenceEquals(server.GetTagItem(RequestTracer.ComponentTag), component);
        }

        return ReferenceEquals(activity.GetCustomProperty(BackgroundOwnerProperty), this) &&
            (sampler.IsSampled(activity) || activity.Status == ActivityStatusCode.Error || activity.GetTagItem("error.type") is not null ||
             sampler.Rules.IsSlow(activity.Duration.Ticks * 100) || ForcedKeep.IsForced(activity));
    }

    private void Enqueue(Channel<Activity> current, Activity activity)
    {
        if (current.Writer.TryWrite(activity))
        {
            Interlocked.Increment(ref kept);
        }
        else if (Interlocked.Increment(ref dropped) == 1)
        {
            LogFirstDrop(logger, capacity);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The span export queue is full ({Capacity} spans, Instrumentation:Tracing:MaxQueuedSpans): spans are being dropped and counted.")]
    private static partial void LogFirstDrop(ILogger logger, int capacity);
}
