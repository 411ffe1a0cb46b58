using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Lines as a gzip <c>POST</c> body, one URL per channel, with a bearer token or without one. The token only ever
/// travels over https. 2xx is delivered, 401/403 is refused for good, anything else (and no answer) is retried, not before the
/// <c>Retry-After</c> the receiver gave.
/// </summary>
internal sealed class HttpLineTransport<TChannel> : ILineTransport<TChannel>
    where TChannel : struct, Enum
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly HttpClient client;
    private readonly IReadOnlyDictionary<TChannel, Uri> endpoints;
    private readonly AuthenticationHeaderValue? authorization;

    public HttpLineTransport(IReadOnlyDictionary<TChannel, Uri> endpoints, string? token, HttpMessageHandler handler)
    {
        if (token is not null && endpoints.Values.Any(uri => uri.Scheme != Uri.UriSchemeHttps))
        {
            // Validation refuses this at startup; this is the last line of defence.
            throw new InvalidOperationException("A token is only ever sent over https.");
        }

        client = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
        this.endpoints = endpoints;
        authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<SendResult> SendAsync(TChannel channel, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        OwnTraffic.Mark(); // never traced (src/Runtime/Sinks/Shared/OwnTraffic.cs)
        using var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload.Span);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoints[channel])
        {
            Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length),
        };
        request.Content.Headers.ContentType = OctetStream;
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = authorization;
        try
        {
            using var response = await client.SendAsync(request, cancellation).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return SendOutcome.Delivered;
            }

            return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? SendOutcome.Rejected
                : new SendResult(SendOutcome.Retry, RetryAfter(response.Headers.RetryAfter));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return SendOutcome.Retry;
        }
    }

    public void Dispose() => client.Dispose();

    // Either form of the header (RFC 9110 10.2.3): a number of seconds, or a date, which is read against this clock.
    private static TimeSpan RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > DateTimeOffset.UtcNow => date - DateTimeOffset.UtcNow,
        _ => TimeSpan.Zero,
    };
}
