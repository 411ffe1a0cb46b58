using Instrumentation.Configuration;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Checks <c>Instrumentation:Wavefront</c> at startup; each failure names the key. Values no setting could mean (a
/// negative port, an undefined transport) fail even while reporting is off, so turning it on later cannot surprise;
/// how the destination is given is checked only when reporting is on.
/// </summary>
internal sealed class WavefrontOptionsValidator : SectionValidator<WavefrontOptions>
{
    protected override WavefrontOptions Section(InstrumentationOptions options) => options.Wavefront;

    protected override void Check(WavefrontOptions options, List<string> failures)
    {
        const string section = $"{InstrumentationOptions.SectionName}:Wavefront";
        var proxy = !string.IsNullOrWhiteSpace(options.ProxyHost);
        var server = !string.IsNullOrWhiteSpace(options.Server);
        var token = !string.IsNullOrWhiteSpace(options.Token);
        CheckWavefrontPort(failures, $"{section}:MetricsPort", options.MetricsPort);
        CheckWavefrontPort(failures, $"{section}:HistogramsPort", options.HistogramsPort);
        CheckWavefrontPort(failures, $"{section}:TracingPort", options.TracingPort);
        if (!Enum.IsDefined(options.ProxyTransport))
        {
            failures.Add($"{section}:ProxyTransport must be {string.Join(" or ", Enum.GetNames<WavefrontProxyTransport>())} (got '{options.ProxyTransport}').");
        }

        InstrumentationOptionsValidator.RequireText(failures, $"{section}:Prefix", options.Prefix);
        if (!Enum.IsDefined(options.LatencyUnit))
        {
            failures.Add($"{section}:LatencyUnit must be Milliseconds or Seconds (got '{options.LatencyUnit}').");
        }

        CheckWavefrontMinimum(failures, $"{section}:ReportingIntervalSeconds", options.ReportingIntervalSeconds, 1);
        CheckWavefrontMinimum(failures, $"{section}:FlushIntervalSeconds", options.FlushIntervalSeconds, 1);
        CheckWavefrontMinimum(failures, $"{section}:MaxQueueSize", options.MaxQueueSize, 1);
        CheckWavefrontMinimum(failures, $"{section}:BatchSize", options.BatchSize, 1);
        CheckWavefrontMinimum(failures, $"{section}:ShutdownTimeoutSeconds", options.ShutdownTimeoutSeconds, 0);
        if (!options.Enabled || (!proxy && !server && !token))
        {
            return;
        }

        if (proxy && server)
        {
            failures.Add($"{section}:ProxyHost and {section}:Server are both set; report through a proxy or directly, not both.");
        }

        if (server)
        {
            if (!Uri.TryCreate(options.Server!.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"{section}:Server must be an https URL such as https://example.wavefront.com (got '{options.Server}'): the token is never sent over plain http.");
            }

            if (!token)
            {
                failures.Add($"{section}:Token must be set for direct ingestion to {section}:Server.");
            }
        }
        else if (token)
        {
            failures.Add($"{section}:Token is only used for direct ingestion; set {section}:Server, or remove the token when reporting through {section}:ProxyHost.");
        }

        if (proxy && Uri.CheckHostName(options.ProxyHost!.Trim()) == UriHostNameType.Unknown)
        {
            failures.Add($"{section}:ProxyHost must be a host name or an IP address (got '{Shown(options.ProxyHost!)}').");
        }
    }

    // A value echoed in a message is cut: a mistaken paste of a whole file must not become a log line of that size.
    private static string Shown(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "…");

    private static void CheckWavefrontPort(List<string> failures, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{key} must be between 1 and 65535 (got {port}).");
        }
    }

    private static void CheckWavefrontMinimum(List<string> failures, string key, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add($"{key} must be at least {minimum} (got {value}).");
        }
    }
}
