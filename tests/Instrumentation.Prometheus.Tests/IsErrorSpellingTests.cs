using System.Net;
using Instrumentation.TestSupport;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// <c>Instrumentation:Prometheus:IsErrorSpelling</c>: flask-monitor writes Python's <c>True</c>/<c>False</c> in the
/// <c>isError</c> label; <c>Capitalized</c> reproduces it, so its dashboards' <c>isError="True"</c> selectors match.
/// </summary>
public class IsErrorSpellingTests
{
    [Theory]
    [InlineData(null, "true", "false")]
    [InlineData("Lowercase", "true", "false")]
    [InlineData("Capitalized", "True", "False")]
    public async Task The_isError_label_is_spelled_as_configured(string? spelling, string error, string success)
    {
        var server = SampleServer.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:IsErrorSpelling"] = spelling });
        try
        {
            using (var made = await server.Client.GetAsync("/style/1/make"))
            {
                Assert.Equal(HttpStatusCode.OK, made.StatusCode);
            }

            using (var missing = await server.Client.GetAsync("/style/missing/stock"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            var samples = Exposition.Parse(await server.Client.GetStringAsync("/metrics")).Where(s => s.Name == "request_seconds_count").ToList();

            Assert.Equal(success, Assert.Single(samples, s => s["addr"] == "/style/{id}/make")["isError"]);
            Assert.Equal(error, Assert.Single(samples, s => s["addr"] == "/style/{id}/stock")["isError"]);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("Python")]
    [InlineData("5")]
    public void An_unknown_spelling_fails_the_start_naming_the_key(string spelling)
    {
        var failure = Assert.ThrowsAny<Exception>(() => SampleServer.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:IsErrorSpelling"] = spelling }));

        Assert.Contains("Instrumentation:Prometheus:IsErrorSpelling", failure.Message, StringComparison.Ordinal);
    }
}
