using Instrumentation.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Instrumentation.Graphite.Tests;

public class ValidationTests
{
    [Fact]
    public void Defaults_are_valid_and_follow_flask_graphite()
    {
        var options = Bind([]);

        Assert.False(options.Graphite.Enabled);
        Assert.Equal("localhost", options.Graphite.Host);
        Assert.Equal(2023, options.Graphite.Port);
        Assert.Equal("", options.Graphite.Prefix);
        Assert.Equal("aspnetcore", options.Graphite.Group);
        Assert.Equal(60, options.Graphite.ReportingIntervalSeconds);
        Assert.Equal(100_000, options.Graphite.MaxBufferedPoints);
    }

    [Fact]
    public void Keys_bind_from_configuration()
    {
        var options = Bind(new()
        {
            ["Instrumentation:Graphite:Enabled"] = "true",
            ["Instrumentation:Graphite:Host"] = "carbon.internal",
            ["Instrumentation:Graphite:Port"] = "2003",
            ["Instrumentation:Graphite:Prefix"] = "servers.prod",
            ["Instrumentation:Graphite:Group"] = "shop",
            ["Instrumentation:Graphite:ReportingIntervalSeconds"] = "10",
            ["Instrumentation:Graphite:MaxBufferedPoints"] = "500",
            ["Instrumentation:Graphite:ShutdownTimeoutSeconds"] = "2",
        });

        Assert.True(options.Graphite.Enabled);
        Assert.Equal("carbon.internal", options.Graphite.Host);
        Assert.Equal(2003, options.Graphite.Port);
        Assert.Equal("servers.prod", options.Graphite.Prefix);
        Assert.Equal("shop", options.Graphite.Group);
        Assert.Equal(10, options.Graphite.ReportingIntervalSeconds);
        Assert.Equal(500, options.Graphite.MaxBufferedPoints);
        Assert.Equal(2, options.Graphite.ShutdownTimeoutSeconds);
    }

    [Theory]
    [InlineData("Port", "0", "Instrumentation:Graphite:Port must be between 1 and 65535")]
    [InlineData("Port", "65536", "Instrumentation:Graphite:Port must be between 1 and 65535")]
    [InlineData("ReportingIntervalSeconds", "0", "Instrumentation:Graphite:ReportingIntervalSeconds must be at least 1")]
    [InlineData("MaxBufferedPoints", "0", "Instrumentation:Graphite:MaxBufferedPoints must be at least 1")]
    [InlineData("ShutdownTimeoutSeconds", "-1", "Instrumentation:Graphite:ShutdownTimeoutSeconds must not be negative")]
    [InlineData("Host", " ", "Instrumentation:Graphite:Host must not be empty")]
    [InlineData("Group", "", "Instrumentation:Graphite:Group must not be empty")]
    [InlineData("Group", "shop..api", "Instrumentation:Graphite:Group must not have empty nodes")]
    [InlineData("Prefix", ".servers", "Instrumentation:Graphite:Prefix must not have empty nodes")]
    [InlineData("Prefix", "servers.", "Instrumentation:Graphite:Prefix must not have empty nodes")]
    public void Bad_values_fail_the_start_naming_the_key(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Instrumentation:Graphite:{key}"] = value }));

        Assert.Contains(error.Failures, failure => failure.StartsWith(message, StringComparison.Ordinal));
    }

    private static InstrumentationOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddInstrumentation();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
    }
}
