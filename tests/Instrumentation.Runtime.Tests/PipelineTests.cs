using System.Net;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Runtime.Tests;

/// <summary>How the middleware behaves in pipelines users build: ordering, exception handlers, methods, error rules.</summary>
public sealed class PipelineTests
{
    private sealed class CatalogUnavailableException() : Exception("catalog unavailable");

    [Fact]
    public async Task An_exception_is_recorded_as_500_and_rethrown_untouched()
    {
        Exception? seen = null;
        await using var app = await TestApp.StartAsync(a =>
        {
            a.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception e)
                {
                    seen = e;
                    context.Response.StatusCode = 503;
                }
            });
            a.UseInstrumentation();
            a.MapGet("/fail", Fail).Instrumented();
        });

        var response = await app.Client.GetAsync("/fail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.IsType<CatalogUnavailableException>(seen);
        Assert.Contains(nameof(Fail), seen!.StackTrace, StringComparison.Ordinal);
        await app.Get<InstrumentRegistry>().Settled(1);
        Assert.Equal(1, app.Get<InstrumentRegistry>().Count("fail", "GET", 500));

        static string Fail() => throw new CatalogUnavailableException();
    }

    [Fact]
    public async Task The_status_an_exception_handler_sends_is_recorded_under_the_original_route()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseInstrumentation();
                a.UseExceptionHandler(new ExceptionHandlerOptions
                {
                    StatusCodeSelector = e => e is ArgumentException ? 400 : 500,
                });
                a.MapGet("/orders/{id:int}", (int id) => id > 0 ? id : throw new ArgumentException("negative id")).Instrumented();
            },
            b => b.Services.AddProblemDetails());

        Assert.Equal(HttpStatusCode.BadRequest, (await app.Client.GetAsync("/orders/-1")).StatusCode);
        var registry = await app.Get<InstrumentRegistry>().Settled(1);
        Assert.Equal(1, registry.Count("orders.int:id", "GET", 400));
        Assert.DoesNotContain(registry.Routes, r => r.Descriptor.Entity == "unmatched");
    }

    [Fact]
    public async Task Endpoints_are_bound_whether_routing_comes_before_or_after_the_middleware()
    {
        await using var after = await TestApp.StartAsync(a =>
        {
            a.UseInstrumentation();
            a.UseRouting();
            a.MapGet("/a", () => "a").Instrumented();
        });
        await using var before = await TestApp.StartAsync(a =>
        {
            a.UseRouting();
            a.UseInstrumentation();
            a.MapGet("/a", () => "a").Instrumented();
        });

        await after.Client.GetStringAsync("/a");
        await before.Client.GetStringAsync("/a");
        Assert.Equal(1, (await after.Get<InstrumentRegistry>().Settled(1)).Count("a", "GET", 200));
        Assert.Equal(1, (await before.Get<InstrumentRegistry>().Settled(1)).Count("a", "GET", 200));
    }

    [Fact]
    public async Task An_endpoint_for_any_method_has_a_series_per_standard_method_and_folds_the_rest()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.UseInstrumentation();
            a.Map("/any", () => "any").Instrumented();
            a.MapMethods("/some", ["GET", "PUT"], () => "some").Instrumented();
        });

        foreach (var method in new[] { "GET", "POST", "PATCH", "BREW", "PURGE" })
        {
            await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/any"));
        }

        await app.Client.PutAsync("/some", null);
        var registry = await app.Get<InstrumentRegistry>().Settled(6);
        Assert.Equal(1, registry.Count("any", "GET", 200));
        Assert.Equal(1, registry.Count("any", "POST", 200));
        Assert.Equal(1, registry.Count("any", "PATCH", 200));
        Assert.Equal(2, registry.Count("any", "OTHER", 200));
        Assert.Equal(1, registry.Count("some", "PUT", 200));
        Assert.Equal(
            ["GET", "PUT"],
            registry.Routes.Where(r => r.Descriptor.Entity == "some").Select(r => r.Descriptor.Method).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task What_counts_as_an_error_is_configurable()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseInstrumentation();
                a.MapGet("/missing", () => Results.NotFound()).Instrumented();
                a.MapGet("/broken", () => Results.StatusCode(503)).Instrumented();
            },
            settings: new Dictionary<string, string?> { ["Instrumentation:ErrorStatusCodeMinimum"] = "500" });

        await app.Client.GetAsync("/missing");
        await app.Client.GetAsync("/broken");
        var registry = await app.Get<InstrumentRegistry>().Settled(2);
        Assert.False(registry.Route("missing", "GET").Statuses.Single().IsError);
        Assert.True(registry.Route("broken", "GET").Statuses.Single().IsError);
        Assert.Equal(1, registry.Application.Errors);
    }

    [Fact]
    public async Task Group_conventions_and_endpoint_conventions_combine_with_the_closest_winning()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.UseInstrumentation();
            var api = a.MapGroup("/api").Instrumented();
            var v1 = api.MapGroup("/v1");
            v1.MapGet("/items/{id}", (string id) => id);
            v1.MapGet("/ping", () => "pong").NotInstrumented();
            a.MapGet("/plain", () => "plain");
        });

        await app.Client.GetStringAsync("/api/v1/items/1");
        await app.Client.GetStringAsync("/api/v1/ping");
        await app.Client.GetStringAsync("/plain");
        var registry = await app.Get<InstrumentRegistry>().Settled(3);
        Assert.Equal(1, registry.Count("api.v1.items.id", "GET", 200));
        Assert.Equal(["api.v1.items.id"], registry.Routes.Select(r => r.Descriptor.Entity).Distinct());
        Assert.Equal(3, registry.Application.Completed);
    }

    [Fact]
    public async Task Response_bytes_count_what_is_written_through_the_stream_the_pipe_and_content_length()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.UseInstrumentation();
            a.MapGet("/stream", async (HttpContext c) =>
            {
                await c.Response.Body.WriteAsync(new byte[1000]);
                await c.Response.Body.WriteAsync(new byte[24]);
            }).Instrumented();
            a.MapGet("/pipe", async (HttpContext c) =>
            {
                c.Response.BodyWriter.GetSpan(300)[..300].Fill(1);
                c.Response.BodyWriter.Advance(300);
                await c.Response.BodyWriter.WriteAsync(new byte[12]);
            }).Instrumented();
        });

        await app.Client.GetAsync("/stream");
        await app.Client.GetAsync("/pipe");
        await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/stream"));
        var registry = await app.Get<InstrumentRegistry>().Settled(3);
        Assert.Equal(1024, registry.Route("stream", "GET").Statuses.Single().ResponseBytes);
        Assert.Equal(312, registry.Route("pipe", "GET").Statuses.Single().ResponseBytes);
    }
}
