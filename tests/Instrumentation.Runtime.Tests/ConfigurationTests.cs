using Instrumentation.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Instrumentation.Runtime.Tests;

/// <summary>Invalid configuration fails at startup, with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Instrumentation:Cluster", "", "Instrumentation:Cluster must not be empty")]
    [InlineData("Instrumentation:Application", " ", "Instrumentation:Application must not be empty")]
    [InlineData("Instrumentation:CustomTags:service", "payments", "Instrumentation:CustomTags:service cannot overwrite")]
    [InlineData("Instrumentation:CustomTags:Shard", "x", "Instrumentation:CustomTags:Shard cannot overwrite")]
    [InlineData("Instrumentation:ErrorStatusCodeMinimum", "99", "Instrumentation:ErrorStatusCodeMinimum must be between 100 and 600")]
    [InlineData("Instrumentation:ErrorStatusCodeMinimum", "four hundred", "Instrumentation:ErrorStatusCodeMinimum")]
    [InlineData("Instrumentation:Clustr", "us-west-1", "Clustr")]
    public async Task Startup_fails_naming_the_key(string key, string value, string expected)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(
            a => a.UseInstrumentation(),
            settings: new Dictionary<string, string?> { [key] = value }));

        var message = failure is OptionsValidationException validation ? string.Join("\n", validation.Failures) : failure.ToString();
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_section_binds_application_tags_with_defaults_for_cluster_and_shard()
    {
        await using var app = await TestApp.StartAsync(
            a => a.UseInstrumentation(),
            settings: new Dictionary<string, string?>
            {
                ["Instrumentation:Application"] = "Ordering",
                ["Instrumentation:Service"] = "styling",
                ["Instrumentation:CustomTags:location"] = "Oregon",
                ["Instrumentation:CustomTags:env"] = "Staging",
            });

        var options = app.Get<IOptions<InstrumentationOptions>>().Value;
        Assert.Equal(
            ["application=Ordering", "service=styling", "cluster=none", "shard=none", "env=Staging", "location=Oregon"],
            options.ApplicationTags().Select(t => $"{t.Key}={t.Value}"));
        Assert.Equal(Environment.MachineName, options.Source);
    }

    [Fact]
    public async Task UseInstrumentation_without_AddInstrumentation_says_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();
        var failure = Assert.Throws<InvalidOperationException>(() => app.UseInstrumentation());
        Assert.Contains("AddInstrumentation()", failure.Message, StringComparison.Ordinal);
    }
}
