using System.Diagnostics;
using System.Reflection;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Kinds.Hubs;

/// <summary>
/// Measures what happens inside a hub connection, which the request middleware cannot see: each hub method invocation
/// (latency, errors when the method throws, a span <c>ChatHub/Send</c>) and each connection's lifetime by transport.
/// <c>AddInstrumentation</c> adds it to SignalR's hub options; an application without SignalR never resolves them.
/// </summary>
internal sealed partial class InstrumentationHubFilter(InstrumentRegistry registry, ILogger<InstrumentationHubFilter> logger) : IHubFilter
{
    /// <summary>The source of hub method spans, for any listener (OpenTelemetry: <c>AddSource("Instrumentation.SignalR")</c>).</summary>
    public const string ActivitySourceName = "Instrumentation.SignalR";

    private const int Succeeded = 200;
    private const int Threw = 500;
    private static readonly ActivitySource Activities = new(ActivitySourceName);

    // Per connection, in the connection's own items: which instruments it opened and when.
    private static readonly object ConnectionKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // HubMethodName is the C# name; clients invoke the [HubMethodName] when there is one, and the catalog names that.
        var invokedName = invocationContext.HubMethod.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? invocationContext.HubMethodName;
        var method = registry.Hubs.MethodOf(invocationContext.Hub.GetType(), invokedName, invocationContext.HubMethod, out var namedAtStartup);
        if (method is null)
        {
            return await next(invocationContext).ConfigureAwait(false);
        }

        if (namedAtStartup)
        {
            LogNamedAtStartup(logger, method.SpanName, method.Route.Descriptor.Template);
        }

        using var span = Activities.StartActivity(method.SpanName, ActivityKind.Server);
        span?.SetTag("rpc.system", "signalr");
        span?.SetTag("rpc.service", invocationContext.Hub.GetType().Name);
        span?.SetTag("rpc.method", invokedName);
        var route = method.Route;
        var start = Stopwatch.GetTimestamp();
        route.Enter();
        try
        {
            var result = await next(invocationContext).ConfigureAwait(false);
            route.ForStatus(Succeeded).Record(Elapsed(start), bytes: 0);
            return result;
        }
        catch (Exception e)
        {
            route.ForStatus(Threw).Record(Elapsed(start), bytes: 0);
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().FullName);
            span?.SetTag("error.type", e.GetType().FullName);
            throw;
        }
        finally
        {
            route.Leave();
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var transport = context.Context.Features.Get<IHttpTransportFeature>()?.TransportType.ToString() ?? "unknown";
        var connections = registry.Hubs.ConnectionsOf(context.Hub.GetType(), transport);
        var start = Stopwatch.GetTimestamp();
        if (connections is not null)
        {
            connections.Open();
            context.Context.Items[ConnectionKey] = new OpenConnection(connections, start);
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            // SignalR closes the connection without calling OnDisconnectedAsync when OnConnectedAsync throws.
            Close(context.Context);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception).ConfigureAwait(false);
        }
        finally
        {
            Close(context.Context);
        }
    }

    private static void Close(HubCallerContext connection)
    {
        if (connection.Items.Remove(ConnectionKey, out var value) && value is OpenConnection open)
        {
            open.Instruments.Close(Elapsed(open.Start));
        }
    }

    private static long Elapsed(long start) => (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds;

    private sealed record OpenConnection(ConnectionInstruments Instruments, long Start);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hub method {HubMethod} was not in the build-time catalog; instrumented as {Template}, named at startup.")]
    private static partial void LogNamedAtStartup(ILogger logger, string hubMethod, string template);
}
