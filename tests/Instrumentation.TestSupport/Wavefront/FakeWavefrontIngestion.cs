using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Instrumentation.TestSupport.Wavefront;

/// <summary>
/// A stand-in for Wavefront's HTTP ingestion (<c>POST /report?f=...</c>): real Kestrel on a free loopback port, over
/// https with a self-signed certificate made here (direct ingestion) or plain http (a proxy's HTTP port). It answers
/// with scripted status codes (then 200) and keeps every request, its body un-gzipped.
/// </summary>
public sealed class FakeWavefrontIngestion : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> script = new();
    private readonly ConcurrentQueue<IngestionRequest> requests = new();
    private Failure? failing;
    private long answerDelayTicks;

    private FakeWavefrontIngestion(WebApplication app, Uri address, X509Certificate2? certificate)
    {
        this.app = app;
        Address = address;
        Certificate = certificate;
    }

    /// <summary>The base URL, e.g. https://127.0.0.1:5123.</summary>
    public Uri Address { get; }

    /// <summary>The self-signed certificate served over https, or null over http.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<IngestionRequest> Requests => [.. requests];

    /// <summary>Starts the endpoint.</summary>
    public static async Task<FakeWavefrontIngestion> StartAsync(bool https)
    {
        var port = FreePort.Next();
        var certificate = https ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var address = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}");
        var fake = new FakeWavefrontIngestion(app, address, certificate);
        app.MapPost("/report", fake.Handle);
        await app.StartAsync();
        return fake;
    }

    /// <summary>The next requests get these status codes, in order; after them, 200.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            script.Enqueue((status, null));
        }
    }

    /// <summary>The next request gets this status code with this <c>Retry-After</c> header value (seconds or a date).</summary>
    public void AnswerRetryAfter(int status, string retryAfter) => script.Enqueue((status, retryAfter));

    /// <summary>
    /// From now on every request gets this status code (with this <c>Retry-After</c> when given), whatever the script
    /// says, until called again with null: an outage of a given length rather than of a given number of requests.
    /// </summary>
    public void FailAll(int? status, string? retryAfter = null) =>
        Volatile.Write(ref failing, status is { } code ? new Failure(code, retryAfter) : null);

    /// <summary>
    /// From now on every request is kept as it arrives but answered only after <paramref name="delay"/>: a receiver
    /// that has taken a batch and is slow to say so.
    /// </summary>
    public void AnswerLate(TimeSpan delay) => Interlocked.Exchange(ref answerDelayTicks, delay.Ticks);

    /// <summary>A handler that trusts exactly this endpoint's certificate, as a client would trust a real CA.</summary>
    public HttpMessageHandler CreateTrustingHandler()
    {
        var thumbprint = Certificate?.Thumbprint;
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && thumbprint is not null && presented.GetCertHashString() == thumbprint },
        };
    }

    /// <summary>Waits until the requests received satisfy a condition.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<IngestionRequest>, bool> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Requests))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure} ({Requests.Count} requests received)");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Certificate?.Dispose();
    }

    private async Task Handle(HttpContext context)
    {
        var body = new MemoryStream();
        if (context.Request.Headers.ContentEncoding == "gzip")
        {
            await using var gzip = new GZipStream(context.Request.Body, CompressionMode.Decompress);
            await gzip.CopyToAsync(body);
        }
        else
        {
            await context.Request.Body.CopyToAsync(body);
        }

        var (status, retryAfter) = Volatile.Read(ref failing) is { } failure ? (failure.Status, failure.RetryAfter)
            : script.TryDequeue(out var scripted) ? scripted : (200, null);
        requests.Enqueue(new IngestionRequest(
            context.Request.Scheme,
            context.Request.Query["f"].ToString(),
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType,
            context.Request.Headers.ContentEncoding.ToString(),
            body.ToArray(),
            status));
        if (Interlocked.Read(ref answerDelayTicks) is > 0 and var ticks)
        {
            // Until the client gives up, then the answer goes nowhere.
            await Task.Delay(TimeSpan.FromTicks(ticks), context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
    }

    private sealed record Failure(int Status, string? RetryAfter);

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Kestrel needs the private key in a form the platform's TLS can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}

/// <summary>One request the fake ingestion endpoint received.</summary>
/// <param name="Scheme">http or https.</param>
/// <param name="Format">The <c>f</c> query parameter.</param>
/// <param name="Authorization">The Authorization header, or empty.</param>
/// <param name="Body">The body, decompressed.</param>
/// <param name="Status">The status code answered.</param>
public sealed record IngestionRequest(string Scheme, string Format, string Authorization, string? ContentType, string ContentEncoding, byte[] Body, int Status)
{
    /// <summary>The body parsed strictly.</summary>
    public IReadOnlyList<WavefrontRecord> Records => WavefrontLineParser.ParsePayload(Body);
}
