using Instrumentation.Instruments;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Instrumentation.Kinds.Grpc;

/// <summary>
/// The gRPC status of a call, read where gRPC puts it: the <c>grpc-status</c> trailer, or the header of a
/// trailers-only response. A response without one (gRPC rejected it before the service ran, or a proxy answered) is
/// given the status a gRPC client would see for its HTTP status, by gRPC's own HTTP-to-gRPC mapping.
/// </summary>
internal static class GrpcStatusCodes
{
    public const string StatusHeader = "grpc-status";
    public const int Ok = 0;
    public const int Unknown = 2;

    /// <summary>The canonical names, indexed by code (0-16).</summary>
    public static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static int Count => Names.Length;

    /// <summary>The call's gRPC status; <paramref name="httpStatus"/> is what the middleware saw (500 if an exception escaped).</summary>
    public static int Read(HttpContext context, int httpStatus)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is not null && Parse(trailers[StatusHeader]) is { } fromTrailer)
        {
            return fromTrailer;
        }

        return Parse(context.Response.Headers[StatusHeader]) ?? FromHttpStatus(httpStatus);
    }

    /// <summary>gRPC's mapping for responses that carry no gRPC status.</summary>
    public static int FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => 13, // INTERNAL
        401 => 16, // UNAUTHENTICATED
        403 => 7, // PERMISSION_DENIED
        404 => 12, // UNIMPLEMENTED
        429 or 502 or 503 or 504 => 14, // UNAVAILABLE
        _ => Unknown,
    };

    /// <summary>A status name or code as configured; null when it is neither.</summary>
    public static int? ParseConfigured(string text)
    {
        var trimmed = text.Trim();
        if (int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return code < Count ? code : null;
        }

        var index = Array.FindIndex(Names, name => string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : null;
    }

    /// <summary>The rule of <c>Instrumentation:Grpc:NonErrorStatuses</c> (already validated): every other status is an error.</summary>
    public static ErrorRule ErrorRule(string nonErrorStatuses)
    {
        var notErrors = nonErrorStatuses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseConfigured)
            .OfType<int>()
            .ToHashSet();
        return new ErrorRule(code => !notErrors.Contains(code));
    }

    private static int? Parse(Microsoft.Extensions.Primitives.StringValues value)
    {
        // One or two digits: nothing else is a status, and parsing a string value allocates nothing.
        if (value.Count != 1 || value[0] is not { Length: 1 or 2 } text || !char.IsAsciiDigit(text[0]) || (text.Length == 2 && !char.IsAsciiDigit(text[1])))
        {
            return null;
        }

        var code = text.Length == 1 ? text[0] - '0' : ((text[0] - '0') * 10) + (text[1] - '0');
        return code < Count ? code : Unknown;
    }
}
