using Instrumentation.Configuration;
using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Tracing.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("SamplingRate", "1.5", "Instrumentation:Tracing:SamplingRate must be between 0 and 1 (got 1.5).")]
    [InlineData("SamplingRate", "-0.1", "Instrumentation:Tracing:SamplingRate must be between 0 and 1 (got -0.1).")]
    [InlineData("SampleDurationMs", "-5", "Instrumentation:Tracing:SampleDurationMs must not be negative (got -5).")]
    [InlineData("MaxQueuedSpans", "0", "Instrumentation:Tracing:MaxQueuedSpans must be at least 1 (got 0).")]
    [InlineData("DerivedMetricsIntervalSeconds", "0", "Instrumentation:Tracing:DerivedMetricsIntervalSeconds must be at least 1 (got 0).")]
    [InlineData("Propagation:0", "zipkin", "Instrumentation:Tracing:Propagation:0 must be one of w3c, wavefront, b3, b3multi (got 'zipkin').")]
    [InlineData("TracedAttributes:0", "Cookies", "Instrumentation:Tracing:TracedAttributes:0 must be one of Path, PathBase, Method, Scheme, Host, Protocol, QueryString, ContentType, ContentLength, RemoteIpAddress or header:<Name> (got 'Cookies').")]
    [InlineData("Sources:0", " ", "Instrumentation:Tracing:Sources:0 must name an ActivitySource (a name, or a pattern with * and ?) (got ' ').")]
    [InlineData("TracedAttributes:0", "header:X Bad", "Instrumentation:Tracing:TracedAttributes:0 must be one of Path, PathBase, Method, Scheme, Host, Protocol, QueryString, ContentType, ContentLength, RemoteIpAddress or header:<Name> (got 'header:X Bad').")]
    public async Task Startup_fails_naming_the_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = SampleServer.Start(new Dictionary<string, string?> { [$"Instrumentation:Tracing:{key}"] = value });
        });
        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException());
        Assert.Contains(message, validation.Failures);
    }

    [Fact]
    public void Repeated_formats_and_good_values_are_judged_right()
    {
        var validator = new TracingOptionsValidator();
        var options = new InstrumentationOptions();
        options.Tracing.Propagation.AddRange(["w3c", "B3", "b3"]);
        options.Tracing.TracedAttributes.AddRange(["path", "header:X-Request-Id"]);
        options.Tracing.SamplingRate = 0;
        options.Tracing.SampleDurationMs = 0;
        var result = validator.Validate(null, options);
        Assert.Equal(["Instrumentation:Tracing:Propagation:2 repeats 'b3'."], result.Failures);

        options.Tracing.Propagation.RemoveAt(2);
        Assert.True(validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task An_unknown_operation_name_is_rejected_with_its_key()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = SampleServer.Start(new Dictionary<string, string?> { ["Instrumentation:Tracing:OperationName"] = "Verb" });
        });
        Assert.Contains("Instrumentation:Tracing:OperationName", failure.ToString());
    }

    [Fact]
    public async Task An_endpoints_traced_attribute_from_configuration_that_is_unknown_stops_the_start()
    {
        // A name computed at run time escapes the build-time check (INSTR012); binding the endpoint catches it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Orders:TracedAttribute"] = "Cookies" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        builder.Logging.ClearProviders();
        builder.Services.AddInstrumentation();
        await using var app = builder.Build();
        app.UseInstrumentation();
        app.MapGet("/orders", () => "orders").Instrumented().Traced(builder.Configuration["Orders:TracedAttribute"]!);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.IsType<InvalidOperationException>(failure.GetBaseException());
        Assert.Equal(
            "[Traced(...)] attribute 'Cookies' of endpoint 'HTTP: GET /orders' must be one of Path, PathBase, Method, Scheme, Host, Protocol, QueryString, ContentType, ContentLength, RemoteIpAddress or header:<Name>.",
            failure.GetBaseException().Message);
    }
}
