using Microsoft.AspNetCore.Http;

namespace Instrumentation.Instruments;

/// <summary>
/// The closed sets of the OpenTelemetry HTTP dimensions this library adds on Prometheus (docs/prometheus.md,
/// "OpenTelemetry names"): <c>url.scheme</c> and <c>network.protocol.version</c>. A client controls neither set's size:
/// anything outside it folds into <see cref="Other"/>.
/// </summary>
internal static class SemanticDimensions
{
    public const string Other = "_OTHER";

    /// <summary><c>url.scheme</c> values by index; the last is <see cref="Other"/>.</summary>
    public static readonly string[] Schemes = ["http", "https", Other];

    /// <summary><c>network.protocol.version</c> values by index; the last is <see cref="Other"/>.</summary>
    public static readonly string[] Protocols = ["1.1", "2", "3", "1.0", Other];

    /// <summary>How many (method, scheme, protocol) combinations there are.</summary>
    public static readonly int Combinations = HttpMethodIndex.Count * Schemes.Length * Protocols.Length;

    public static int SchemeOf(string scheme)
    {
        if (ReferenceEquals(scheme, "http") || string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase)) return 0;
        if (ReferenceEquals(scheme, "https") || string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase)) return 1;
        return 2;
    }

    // Kestrel and the test server hand out HttpProtocol's interned strings, which these compare by reference first.
    public static int ProtocolOf(string protocol)
    {
        if (HttpProtocol.IsHttp11(protocol)) return 0;
        if (HttpProtocol.IsHttp2(protocol)) return 1;
        if (HttpProtocol.IsHttp3(protocol)) return 2;
        if (HttpProtocol.IsHttp10(protocol)) return 3;
        return 4;
    }

    public static int Combination(int method, int scheme, int protocol) => (((method * Schemes.Length) + scheme) * Protocols.Length) + protocol;

    public static (int Method, int Scheme, int Protocol) Split(int combination) =>
        (combination / (Schemes.Length * Protocols.Length), combination / Protocols.Length % Schemes.Length, combination % Protocols.Length);
}

/// <summary>
/// One series of the OpenTelemetry names: a (route, method, status) series further split by the request's actual
/// method, scheme, protocol version and, for a failed request, its exception type. Created once per combination the
/// first time it is seen; recording into it allocates nothing.
/// </summary>
internal sealed class SemanticSeries
{
    private long responseBytes;

    public SemanticSeries(StatusInstruments status, int combination, string? errorType)
    {
        Status = status;
        Combination = combination;
        ErrorType = errorType;
    }

    public StatusInstruments Status { get; }

    /// <summary>The (method, scheme, protocol) index, see <see cref="SemanticDimensions.Combination"/>.</summary>
    public int Combination { get; }

    /// <summary>The <c>error.type</c>: the exception's full type name, or null when no exception was seen.</summary>
    public string? ErrorType { get; }

    public LogHistogram Latency { get; } = new();

    public long ResponseBytes => Volatile.Read(ref responseBytes);

    public void Record(long elapsedNanoseconds, long bytes)
    {
        Latency.Record(elapsedNanoseconds);
        if (bytes > 0)
        {
            Interlocked.Add(ref responseBytes, bytes);
        }
    }
}

/// <summary>
/// The <see cref="SemanticSeries"/> of one status series: an array by (method, scheme, protocol) for requests without an
/// exception, and a short copy-on-write list for those with one, searched by type reference.
/// </summary>
internal sealed class SemanticBreakdown
{
    private readonly StatusInstruments status;
    private readonly SemanticSeries?[] plain = new SemanticSeries?[SemanticDimensions.Combinations];
    private readonly Lock gate = new();
    private (Type Type, SemanticSeries Series)[] failed = [];

    public SemanticBreakdown(StatusInstruments status) => this.status = status;

    public SemanticSeries For(int combination, Exception? exception)
    {
        if (exception is null)
        {
            return plain[combination] ?? CreatePlain(combination);
        }

        var type = exception.GetType();
        foreach (var (known, series) in Volatile.Read(ref failed))
        {
            if (ReferenceEquals(known, type) && series.Combination == combination)
            {
                return series;
            }
        }

        return CreateFailed(combination, type);
    }

    /// <summary>Every series created so far.</summary>
    public IEnumerable<SemanticSeries> All
    {
        get
        {
            foreach (var series in plain)
            {
                if (series is not null)
                {
                    yield return series;
                }
            }

            foreach (var (_, series) in Volatile.Read(ref failed))
            {
                yield return series;
            }
        }
    }

    private SemanticSeries CreatePlain(int combination)
    {
        var fresh = new SemanticSeries(status, combination, errorType: null);
        return Interlocked.CompareExchange(ref plain[combination], fresh, null) ?? fresh;
    }

    private SemanticSeries CreateFailed(int combination, Type type)
    {
        lock (gate)
        {
            foreach (var (known, series) in failed)
            {
                if (ReferenceEquals(known, type) && series.Combination == combination)
                {
                    return series;
                }
            }

            var fresh = new SemanticSeries(status, combination, type.FullName ?? type.Name);
            Volatile.Write(ref failed, [.. failed, (type, fresh)]);
            return fresh;
        }
    }
}

/// <summary>
/// What the OpenTelemetry names need beyond the per-route series: requests in flight by (method, scheme), application
/// wide, as <c>http.server.active_requests</c> counts them; and the recording of each request into its
/// <see cref="SemanticSeries"/>. Exists only when <c>Instrumentation:Prometheus:Names</c> asks for those names.
/// </summary>
internal sealed class SemanticInstruments
{
    private readonly long[] active = new long[HttpMethodIndex.Count * SemanticDimensions.Schemes.Length];
    private readonly bool[] seen = new bool[HttpMethodIndex.Count * SemanticDimensions.Schemes.Length];

    /// <summary>The (method, scheme) slot of a request, for <see cref="Enter"/> and <see cref="Leave"/>.</summary>
    public static int ActiveSlot(HttpRequest request) =>
        (HttpMethodIndex.Of(request.Method) * SemanticDimensions.Schemes.Length) + SemanticDimensions.SchemeOf(request.Scheme);

    public void Enter(int slot)
    {
        if (!seen[slot])
        {
            seen[slot] = true;
        }

        Interlocked.Increment(ref active[slot]);
    }

    public void Leave(int slot) => Interlocked.Decrement(ref active[slot]);

    /// <summary>The (method, scheme) pairs seen so far, with the requests of each in flight now.</summary>
    public IEnumerable<(string Method, string Scheme, long Active)> Active
    {
        get
        {
            for (var slot = 0; slot < active.Length; slot++)
            {
                if (Volatile.Read(ref seen[slot]))
                {
                    yield return (
                        HttpMethodIndex.Names[slot / SemanticDimensions.Schemes.Length],
                        SemanticDimensions.Schemes[slot % SemanticDimensions.Schemes.Length],
                        Volatile.Read(ref active[slot]));
                }
            }
        }
    }

    /// <summary>Records a completed request into the series of its actual method, scheme, protocol and exception.</summary>
    public static void Record(HttpRequest request, RouteInstruments route, StatusInstruments status, Exception? exception, long elapsedNanoseconds, long bytes)
    {
        var combination = SemanticDimensions.Combination(
            HttpMethodIndex.Of(request.Method), SemanticDimensions.SchemeOf(request.Scheme), SemanticDimensions.ProtocolOf(request.Protocol));
        route.SemanticOf(status).For(combination, exception).Record(elapsedNanoseconds, bytes);
    }
}
