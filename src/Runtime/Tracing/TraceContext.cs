using System.Collections;
using System.Diagnostics;

namespace Instrumentation;

/// <summary>
/// Trace context for code that has no <see cref="Microsoft.AspNetCore.Http.HttpContext"/> at hand: the current
/// request's span (Flask-OpenTracing's <c>get_span()</c>), and the trace context written to and read from any carrier
/// (message headers, a job's metadata) in the formats of <c>Instrumentation:Tracing:Propagation</c>, exactly as
/// HttpClient writes them (docs/tracing.md, "Propagation").
/// </summary>
/// <remarks>
/// Carriers go through <see cref="DistributedContextPropagator.Current"/>, which <c>UseInstrumentation()</c> sets to the
/// configured formats; before that, or with tracing off, it is .NET's (W3C).
/// </remarks>
public static class TraceContext
{
    // Hosting's operation name for the request Activity, whether it came from its ActivitySource or was made for logging.
    private const string RequestActivityName = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>
    /// The span of the request the calling code runs for: the request's Activity, found from
    /// <see cref="Activity.Current"/> (which may be a child span of it), or null outside a request, when no Activity was
    /// created for it (see <see cref="HttpContextTracingExtensions.GetSpan"/>) or once it has ended.
    /// </summary>
    public static Activity? RequestSpan
    {
        get
        {
            for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
            {
                if (string.Equals(activity.OperationName, RequestActivityName, StringComparison.Ordinal))
                {
                    return activity.IsStopped ? null : activity;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Writes the trace context of <paramref name="span"/> (usually <see cref="Activity.Current"/>) and its baggage into
    /// <paramref name="carrier"/>, one <paramref name="setter"/> call per field. A null span writes nothing.
    /// </summary>
    public static void Inject<TCarrier>(Activity? span, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        ArgumentNullException.ThrowIfNull(setter);
        if (span is null)
        {
            return;
        }

        DistributedContextPropagator.Current.Inject(span, new CarrierWriter<TCarrier>(carrier, setter), static (state, name, value) =>
        {
            if (value is not null)
            {
                var writer = (CarrierWriter<TCarrier>)state!;
                writer.Setter(writer.Carrier, name, value);
            }
        });
    }

    /// <summary>Writes the trace context of <paramref name="span"/> into a dictionary, replacing fields already there.</summary>
    public static void Inject(Activity? span, IDictionary<string, string> carrier)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        Inject(span, carrier, static (headers, name, value) => headers[name] = value);
    }

    /// <summary>
    /// Reads the trace context from <paramref name="carrier"/>, <paramref name="getter"/> returning a field's value or
    /// null: the parent to start an Activity under (<c>source.StartActivity(name, ActivityKind.Consumer, parent)</c>),
    /// or <c>default</c> when the carrier holds none or only a malformed one.
    /// </summary>
    public static ActivityContext Extract<TCarrier>(TCarrier carrier, Func<TCarrier, string, string?> getter)
    {
        ArgumentNullException.ThrowIfNull(getter);
        return Extract(new CarrierReader<TCarrier>(carrier, getter, null));
    }

    /// <summary>Reads the trace context from a dictionary; field names are matched exactly first, then ignoring case.</summary>
    public static ActivityContext Extract(IReadOnlyDictionary<string, string> carrier)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        return Extract(DictionaryReader(carrier));
    }

    /// <summary>
    /// Reads the baggage from <paramref name="carrier"/> (W3C <c>baggage</c>); empty when there is none. Wavefront's
    /// <c>wf-ot-&lt;key&gt;</c> baggage needs the carrier's field names, so only the dictionary overload reads it.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ExtractBaggage<TCarrier>(TCarrier carrier, Func<TCarrier, string, string?> getter)
    {
        ArgumentNullException.ThrowIfNull(getter);
        return ExtractBaggage(new CarrierReader<TCarrier>(carrier, getter, null));
    }

    /// <summary>Reads the baggage from a dictionary (W3C <c>baggage</c>, and Wavefront's <c>wf-ot-&lt;key&gt;</c>).</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ExtractBaggage(IReadOnlyDictionary<string, string> carrier)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        return ExtractBaggage(DictionaryReader(carrier));
    }

    private static CarrierReader<IReadOnlyDictionary<string, string>> DictionaryReader(IReadOnlyDictionary<string, string> carrier) =>
        new(carrier, Lookup, carrier);

    private static ActivityContext Extract(ICarrierReader reader)
    {
        DistributedContextPropagator.Current.ExtractTraceIdAndState(reader, Read, out var traceParent, out var traceState);

        // Remote: a sampler sees a parent from another process, as for a request's incoming context.
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    private static IReadOnlyList<KeyValuePair<string, string?>> ExtractBaggage(ICarrierReader reader) =>
        DistributedContextPropagator.Current.ExtractBaggage(reader, Read)?.ToList() ?? [];

    private static void Read(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        value = ((ICarrierReader)carrier!).Get(name);
    }

    private static string? Lookup(IReadOnlyDictionary<string, string> carrier, string name)
    {
        if (carrier.TryGetValue(name, out var exact))
        {
            return exact;
        }

        // Message systems keep header names as they were written (X-B3-TraceId, x-b3-traceid): any case is the field.
        foreach (var (key, value) in carrier)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private interface ICarrierReader
    {
        string? Get(string name);
    }

    private sealed record CarrierWriter<TCarrier>(TCarrier Carrier, Action<TCarrier, string, string> Setter);

    /// <summary>
    /// A carrier and its getter, for the propagator; enumerable as name-value pairs when the carrier can list its fields
    /// (the propagator reads Wavefront's baggage by its prefix).
    /// </summary>
    private sealed class CarrierReader<TCarrier>(TCarrier carrier, Func<TCarrier, string, string?> getter, IEnumerable<KeyValuePair<string, string>>? fields)
        : ICarrierReader, IEnumerable<KeyValuePair<string, string>>
    {
        public string? Get(string name) => getter(carrier, name);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
            (fields ?? []).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
