using Instrumentation.Configuration;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>Startup checks of the Wavefront section: each failure names its key, and the token is never echoed.</summary>
public class ValidationTests
{
    private const string Token = "secret-token-0123";

    [Theory]
    [InlineData("http://example.wavefront.com", Token, null, "Instrumentation:Wavefront:Server must be an https URL")]
    [InlineData("not a url", Token, null, "Instrumentation:Wavefront:Server must be an https URL")]
    [InlineData("https://example.wavefront.com", null, null, "Instrumentation:Wavefront:Token must be set")]
    [InlineData("https://example.wavefront.com", Token, "proxy", "Instrumentation:Wavefront:ProxyHost and Instrumentation:Wavefront:Server are both set")]
    [InlineData(null, Token, "proxy", "Instrumentation:Wavefront:Token is only used for direct ingestion")]
    public void Refuses_unsafe_or_ambiguous_destinations(string? server, string? token, string? proxy, string expected)
    {
        var failures = Validate(o =>
        {
            o.Wavefront.Server = server;
            o.Wavefront.Token = token;
            o.Wavefront.ProxyHost = proxy;
        });
        Assert.Contains(failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public void Checks_ports_intervals_and_bounds()
    {
        var failures = Validate(o =>
        {
            o.Wavefront.ProxyHost = "localhost";
            o.Wavefront.MetricsPort = 0;
            o.Wavefront.TracingPort = 70000;
            o.Wavefront.ReportingIntervalSeconds = 0;
            o.Wavefront.MaxQueueSize = 0;
            o.Wavefront.Prefix = " ";
            o.Wavefront.LatencyUnit = (WavefrontLatencyUnit)7;
        });
        Assert.Contains("Instrumentation:Wavefront:MetricsPort must be between 1 and 65535 (got 0).", failures);
        Assert.Contains("Instrumentation:Wavefront:TracingPort must be between 1 and 65535 (got 70000).", failures);
        Assert.Contains("Instrumentation:Wavefront:ReportingIntervalSeconds must be at least 1 (got 0).", failures);
        Assert.Contains("Instrumentation:Wavefront:MaxQueueSize must be at least 1 (got 0).", failures);
        Assert.Contains("Instrumentation:Wavefront:Prefix must not be empty.", failures);
        Assert.Contains("Instrumentation:Wavefront:LatencyUnit must be Milliseconds or Seconds (got '7').", failures);
    }

    [Fact]
    public void Accepts_a_proxy_or_https_direct_ingestion_and_ignores_a_disabled_section()
    {
        Assert.Empty(Validate(o => o.Wavefront.ProxyHost = "wavefront-proxy"));
        Assert.Empty(Validate(o => (o.Wavefront.Server, o.Wavefront.Token) = ("https://example.wavefront.com", Token)));
        Assert.Empty(Validate(o => (o.Wavefront.Enabled, o.Wavefront.Server) = (false, "http://ignored")));
        Assert.False(new InstrumentationOptions().Wavefront.IsActive);
        Assert.False(new WavefrontOptions { ProxyHost = "p", Enabled = false }.IsActive);
        Assert.True(new WavefrontOptions { ProxyHost = "p" }.IsActive);
    }

    private static List<string> Validate(Action<InstrumentationOptions> configure)
    {
        var options = ReportBuilderTests.Options();
        configure(options);
        var result = new WavefrontOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures] : [];
    }
}
