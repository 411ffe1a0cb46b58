using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Instrumentation.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// What a hostile or broken client sends cannot create series, break a request or raise an error, with every sink
/// on and every receiver down (Wavefront and Graphite pointed at closed ports, tracing exporting): random paths, made-up
/// methods, and tracing headers at Kestrel's size limit or not valid UTF-8, over real HTTP to the sample.
/// </summary>
public sealed partial class HostileInputTests(ITestOutputHelper output)
{
    private const int RandomPaths = 10_000;
    private const int MadeUpMethods = 200;
    private static readonly string[] StandardMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"];

    [Fact]
    public async Task Random_paths_made_up_methods_and_oversized_or_invalid_tracing_headers_add_no_series_and_break_nothing()
    {
        var logs = new RecordingLoggerProvider();
        var closed = FreePort.Next();
        await using var server = SampleServer.Start(
            new Dictionary<string, string?>
            {
                ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
                ["Instrumentation:Wavefront:MetricsPort"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Instrumentation:Wavefront:HistogramsPort"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Instrumentation:Wavefront:TracingPort"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Instrumentation:Graphite:Enabled"] = "true",
                ["Instrumentation:Graphite:Host"] = "127.0.0.1",
                ["Instrumentation:Graphite:Port"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Instrumentation:Tracing:Propagation:0"] = "w3c",
                ["Instrumentation:Tracing:Propagation:1"] = "b3",
                ["Instrumentation:Tracing:Propagation:2"] = "wavefront",
            },
            services => services.AddLogging(b => b.AddProvider(logs)));

        // Warm-up: every status an unknown path and a known route can answer, with every method class, so the series
        // that legitimately exist are there before the hostile traffic starts.
        foreach (var method in StandardMethods.Append("BREW"))
        {
            (await Send(server, method, "/warm-up/unknown")).Dispose();
            (await Send(server, method, "/style/42/make")).Dispose();
        }

        var before = Series(await Scrape(server));
        var random = new Random(12345);
        var statuses = new Dictionary<int, int>();
        await Parallel.ForAsync(0, RandomPaths + MadeUpMethods, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            string method, path;
            lock (random)
            {
                method = i < RandomPaths ? StandardMethods[random.Next(StandardMethods.Length)] : MadeUpMethod(random);
                path = i < RandomPaths || i % 2 == 0 ? RandomPath(random) : "/style/42/make";
            }

            using var response = await Send(server, method, path);
            lock (statuses)
            {
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            }
        });
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        Assert.DoesNotContain(statuses.Keys, status => status >= 500);

        var answered = await SendHostileHeaders(server.BaseAddress);
        output.WriteLine("hostile headers answered: " + string.Join(", ", answered));
        // Ours must never be the failure: each is served (200) or refused by Kestrel itself before any of our code runs
        // (400 for bytes it will not decode, 431 past its header size limit).
        Assert.All(answered, status => Assert.Contains(status, new[] { 200, 400, 431 }));
        Assert.Contains(200, answered);

        var after = Series(await Scrape(server));
        Assert.Equal(before.Count, after.Count);
        Assert.Empty(after.Except(before));

        var ours = logs.Entries.Where(e => e.Category.StartsWith("Instrumentation", StringComparison.Ordinal) && e.Level >= LogLevel.Error).ToList();
        Assert.True(ours.Count == 0, string.Join("\n", ours.Select(e => $"{e.Category}: {e.Message}")));
    }

    private static Task<HttpResponseMessage> Send(SampleServer server, string method, string path) =>
        server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(server.BaseAddress, path)));

    private static async Task<string> Scrape(SampleServer server) => await server.Client.GetStringAsync("/metrics");

    // A series is a sample's name and labels, without its value (and without an exemplar or timestamp after it).
    private static HashSet<string> Series(string exposition) => exposition.Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(line => SampleIdentity().Match(line).Value)
        .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^[^ {]+(\{[^}]*\})?")]
    private static partial Regex SampleIdentity();

    private static string RandomPath(Random random)
    {
        const string characters = "abcdefghijklmnopqrstuvwxyz0123456789-._~%20";
        var segments = random.Next(1, 6);
        var path = new StringBuilder();
        for (var s = 0; s < segments; s++)
        {
            path.Append('/');
            var length = random.Next(1, 40);
            for (var c = 0; c < length; c++)
            {
                path.Append(characters[random.Next(characters.Length)]);
            }
        }

        return path.ToString();
    }

    private static string MadeUpMethod(Random random)
    {
        const string token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        return "X" + new string(Enumerable.Range(0, random.Next(2, 12)).Select(_ => token[random.Next(token.Length)]).ToArray());
    }

    // Raw HTTP/1.1 over a socket, so the bytes are exactly the hostile ones (HttpClient would refuse or re-encode them).
    private static async Task<List<int>> SendHostileHeaders(Uri address)
    {
        var longHex = new string('f', 7_000);
        var invalidUtf8 = new byte[] { 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1 };
        var baggage = string.Join(",", Enumerable.Range(0, 3_000).Select(i => $"k{i}=v{i}"));
        var cases = new List<(string Name, byte[] Value)>
        {
            ("traceparent", Encoding.ASCII.GetBytes("00-" + longHex + "-" + longHex + "-01")),
            ("traceparent", Encoding.ASCII.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz")),
            ("tracestate", Encoding.ASCII.GetBytes(string.Join(",", Enumerable.Range(0, 2_000).Select(i => $"v{i}=x")))),
            ("b3", Encoding.ASCII.GetBytes(longHex + "-" + longHex + "-1-" + longHex)),
            ("X-B3-TraceId", Encoding.ASCII.GetBytes(longHex)),
            ("wf-ot-traceid", Encoding.ASCII.GetBytes(longHex)),
            ("wf-ot-spanid", Encoding.ASCII.GetBytes("not-a-number")),
            ("baggage", Encoding.ASCII.GetBytes(baggage[..Math.Min(baggage.Length, 30_000)])),
            ("baggage", Encoding.ASCII.GetBytes(baggage + baggage)), // over Kestrel's 32 KB limit
            ("traceparent", invalidUtf8),
            ("baggage", invalidUtf8),
            ("wf-ot-traceid", invalidUtf8),
        };

        var answered = new List<int>();
        foreach (var (name, value) in cases)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, address.Port);
            var stream = client.GetStream();
            var request = new MemoryStream();
            request.Write(Encoding.ASCII.GetBytes($"GET /style/42/make HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{name}: "));
            request.Write(value);
            request.Write("\r\n\r\n"u8);
            await stream.WriteAsync(request.ToArray());
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var statusLine = await reader.ReadLineAsync() ?? "";
            answered.Add(int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        return answered;
    }
}
