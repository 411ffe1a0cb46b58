using Instrumentation.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// A second, small service on real Kestrel: a front end that calls other services with HttpClient, so a trace can
/// cross two processes' worth of tracing (two applications on loopback).
/// </summary>
internal sealed class SecondApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private SecondApp(WebApplication app, Uri baseAddress, ConcurrentQueue<Activity?> finishedSpans)
    {
        this.app = app;
        FinishedSpans = finishedSpans;
        BaseAddress = baseAddress;
        Client = Spans.PlainClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client that adds no trace context of its own.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The span of each completed <c>/relay</c> request (null when it had none), in completion order.</summary>
    public ConcurrentQueue<Activity?> FinishedSpans { get; }

    /// <param name="logging">
    /// Whether the app logs (warnings and above, written nowhere). Hosting then creates a request Activity of its own
    /// whatever the listeners say, which changes how a sampled-out span lives (docs/tracing.md, Sampling).
    /// </param>
    public static async Task<SecondApp> StartAsync(
        IDictionary<string, string?> settings, Action<InstrumentationOptions>? configure = null, bool logging = false)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Instrumentation:Application"] = "Gateway",
            ["Instrumentation:Service"] = "frontend",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        if (logging)
        {
            builder.Logging.AddProvider(new SilentLoggerProvider());
        }

        builder.Services.AddInstrumentation(configure);

        var app = builder.Build();
        app.UseInstrumentation();

        // Calls another service; answers with its own span's ids (HttpContext.GetSpan()) and the callee's status.
        app.MapGet("/call", async (HttpContext context, string target) =>
        {
            var span = context.GetSpan();
            using var client = new HttpClient();
            using var response = await client.GetAsync(new Uri(target));
            return Results.Json(new CallResult(span?.TraceId.ToHexString(), span?.SpanId.ToHexString(), (int)response.StatusCode));
        }).Instrumented();
        var finished = new ConcurrentQueue<Activity?>();

        // Calls another service and answers with what it answered; keeps its own span for the test to read once the
        // request is over (what the tracer did to it by then).
        app.MapGet("/relay", async (HttpContext context, string target) =>
        {
            var span = context.GetSpan();
            context.Response.OnCompleted(() =>
            {
                finished.Enqueue(span);
                return Task.CompletedTask;
            });
            using var client = new HttpClient();
            return await client.GetStringAsync(new Uri(target));
        }).Instrumented();

        // The trace context this service received, as W3C (empty without one).
        app.MapGet("/traceparent", (HttpContext context) => context.Request.Headers.TraceParent.ToString()).Instrumented();
        app.MapGet("/traced/{id}", (string id) => $"traced {id}").Instrumented().Traced();
        app.MapGet("/plain", () => "plain").Instrumented();

        // Handler code that asks Wavefront's way for its span to be kept (debug=true, sampling.priority > 0) or not.
        app.MapGet("/force/{tag}/{value}", (HttpContext context, string tag, string value) =>
        {
            context.GetSpan()?.SetTag(tag, int.TryParse(value, out var number) ? number : value == "true" ? true : value);
            return "forced";
        }).Instrumented();

        // Which Activity carries this request's span: hosting's listened one, or the one hosting made for its log scopes.
        app.MapGet("/span", (HttpContext context) => context.GetSpan() is { } span
            ? Results.Json(new SpanResult(span.Source.Name, span.Recorded, span.TraceId.ToHexString()))
            : Results.NoContent()).Instrumented();
        app.MapGet("/slow", async () =>
        {
            await Task.Delay(400);
            return "slow";
        }).Instrumented();
        app.MapGet("/fail", string () => throw new InvalidOperationException("fail on purpose")).Instrumented();
        app.MapGet("/error", () => Results.StatusCode(503)).Instrumented();

        await app.StartAsync();
        return new SecondApp(app, new Uri($"http://127.0.0.1:{port}"), finished);
    }

    public async ValueTask DisposeAsync()
    {
        // Stop first: requests still running finish, as in a graceful shutdown.
        await app.StopAsync();
        Client.Dispose();
        await app.DisposeAsync();
    }

    public sealed record CallResult(string? TraceId, string? SpanId, int Status);

    public sealed record SpanResult(string Source, bool Recorded, string TraceId);
}
