using Instrumentation.Configuration;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The sender against a fake proxy and a fake ingestion endpoint: buffering, reconnection, retries, refusals.</summary>
public class SenderTests
{
    private const string Token = "tok-3f9a1c77-never-log-me";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Buffers_up_to_the_bound_while_the_proxy_is_down_and_delivers_when_it_comes_up()
    {
        await using var proxy = FakeWavefrontProxy.Create(start: false);
        using var sender = ProxySender(proxy.Port, capacity: 100, batch: 30);
        var accepted = Enumerable.Range(0, 150).Count(i => sender.TryEnqueue(WavefrontDataKind.Metric, Line(i)));
        Assert.Equal(100, accepted);

        await sender.FlushAsync(CancellationToken.None);
        var down = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((100, 50L, 0L), (down.QueueSize, down.Dropped, down.Sent));
        Assert.True(down.Failures >= 1);

        proxy.Start();
        await FlushUntil(sender, () => proxy.Lines.Count >= 100);
        Assert.Equal(Enumerable.Range(0, 100).Select(Line), proxy.Lines);
        var up = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((0, 100L, 50L), (up.QueueSize, up.Sent, up.Dropped));
    }

    [Fact]
    public async Task Reconnects_after_the_proxy_drops_the_connection_or_restarts_without_losing_lines()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        using var sender = ProxySender(proxy.Port, capacity: 1000, batch: 100);
        Enqueue(sender, 0, 20);
        await FlushUntil(sender, () => proxy.Lines.Count >= 20);

        await proxy.DropConnectionsAsync();
        Enqueue(sender, 20, 40);
        await FlushUntil(sender, () => proxy.Lines.Count >= 40);

        await proxy.StopAsync();
        Enqueue(sender, 40, 60);
        await sender.FlushAsync(CancellationToken.None);
        proxy.Start();
        await FlushUntil(sender, () => proxy.Lines.Count >= 60);

        Assert.Equal(Enumerable.Range(0, 60).Select(Line), proxy.Lines);
        Assert.Equal(3, proxy.ConnectionsAccepted);
        Assert.Equal(0, proxy.TruncatedLines);
    }

    [Fact]
    public async Task Sends_each_kind_to_its_own_port()
    {
        await using var metrics = FakeWavefrontProxy.Create();
        await using var histograms = FakeWavefrontProxy.Create();
        await using var tracing = FakeWavefrontProxy.Create();
        var transport = WavefrontTransport.Create(new WavefrontOptions
        {
            ProxyHost = "127.0.0.1", MetricsPort = metrics.Port, HistogramsPort = histograms.Port, TracingPort = tracing.Port,
            ProxyTransport = WavefrontProxyTransport.Tcp,
        });
        using var sender = Sender(transport, capacity: 100, batch: 100, new ListLogger(), TimeProvider.System);
        sender.TryEnqueue(WavefrontDataKind.Metric, "\"m\" 1 source=\"h\"");
        sender.TryEnqueue(WavefrontDataKind.Histogram, "!M 1700000040 #1 2 \"h\" source=\"h\"");
        sender.TryEnqueue(WavefrontDataKind.Span, "\"op\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 1700000000123 1");
        await FlushUntil(sender, () => metrics.Lines.Count + histograms.Lines.Count + tracing.Lines.Count >= 3);
        Assert.IsType<WavefrontPoint>(WavefrontLineParser.Parse(Assert.Single(metrics.Lines)));
        Assert.IsType<WavefrontDistribution>(WavefrontLineParser.Parse(Assert.Single(histograms.Lines)));
        Assert.IsType<WavefrontSpan>(WavefrontLineParser.Parse(Assert.Single(tracing.Lines)));
    }

    [Fact]
    public async Task Direct_ingestion_retries_a_failed_batch_and_delivers_it_once()
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: true);
        ingestion.Answer(500);
        var time = new ManualTime();
        using var sender = DirectSender(ingestion, new ListLogger(), time);
        Enqueue(sender, 0, 5);
        sender.TryEnqueue(WavefrontDataKind.Histogram, "!M 1700000040 #3 2.5 \"a.latency\" source=\"h\"");

        await sender.FlushAsync(CancellationToken.None);
        Assert.Equal((5, 1L), (sender.Stats(WavefrontDataKind.Metric).QueueSize, sender.Stats(WavefrontDataKind.Metric).Failures));
        time.Advance(Backoff.Longest); // the failed kind waits out its backoff
        await sender.FlushAsync(CancellationToken.None);

        var requests = ingestion.Requests;
        var metrics = requests.Where(r => r.Format == "wavefront").ToList();
        Assert.Equal([500, 200], metrics.Select(r => r.Status));
        Assert.Equal(metrics[0].Body, metrics[1].Body);
        Assert.Equal(Enumerable.Range(0, 5).Select(Line), metrics[1].Records.Select(r => r.Line));
        var histogram = Assert.Single(requests, r => r.Format == "histogram");
        Assert.Equal(200, histogram.Status);
        Assert.Equal(3, histogram.Records.OfType<WavefrontDistribution>().Single().Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("https", r.Scheme);
            Assert.Equal($"Bearer {Token}", r.Authorization);
            Assert.Equal("gzip", r.ContentEncoding);
            Assert.Equal("application/octet-stream", r.ContentType);
        });
        Assert.Equal((5L, 0), (sender.Stats(WavefrontDataKind.Metric).Sent, sender.Stats(WavefrontDataKind.Metric).QueueSize));
    }

    [Fact]
    public async Task Direct_ingestion_drops_batches_the_token_is_refused_for_logs_once_and_pauses()
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: true);
        ingestion.Answer(401, 403);
        var logger = new ListLogger();
        var time = new ManualTime();
        using var sender = DirectSender(ingestion, logger, time);

        Enqueue(sender, 0, 5);
        await sender.FlushAsync(CancellationToken.None);
        Enqueue(sender, 5, 10);
        await sender.FlushAsync(CancellationToken.None);
        await sender.FlushAsync(CancellationToken.None);
        Assert.Single(ingestion.Requests); // Paused: no request per flush while the token is wrong.

        time.Advance(TimeSpan.FromMinutes(2));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Equal([401, 403], ingestion.Requests.Select(r => r.Status));
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((10L, 0L, 0), (stats.Rejected, stats.Sent, stats.QueueSize));

        var error = Assert.Single(logger.Messages);
        Assert.Contains("refused the API token", error);
        Assert.Contains("Instrumentation:Wavefront:Token", error);
        Assert.DoesNotContain(Token, error);
    }

    [Fact]
    public async Task Once_the_token_is_accepted_again_what_was_held_during_the_pause_arrives_once()
    {
        // The receiver refuses the token once, then accepts it: an operator fixed the token's permissions on the
        // server, or the application restarted with the right one. The refused batch is dropped and counted; what was
        // produced during the pause waits, and the first send after the pause delivers it.
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: true);
        ingestion.Answer(401);
        var time = new ManualTime();
        using var sender = DirectSender(ingestion, new ListLogger(), time);

        Enqueue(sender, 0, 5);
        await sender.FlushAsync(CancellationToken.None);
        Enqueue(sender, 5, 12);
        await sender.FlushAsync(CancellationToken.None);
        Assert.Single(ingestion.Requests);

        time.Advance(TimeSpan.FromMinutes(1));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Equal([401, 200], ingestion.Requests.Select(r => r.Status));
        Assert.Equal(Enumerable.Range(5, 7).Select(Line), ingestion.Requests[1].Records.Select(r => r.Line));
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((5L, 7L, 0, 0L), (stats.Rejected, stats.Sent, stats.QueueSize, stats.Unaccounted));
    }

    [Fact]
    public async Task Drain_counts_what_cannot_be_sent_in_time_as_dropped()
    {
        await using var proxy = FakeWavefrontProxy.Create(start: false);
        using var sender = ProxySender(proxy.Port, capacity: 100, batch: 100);
        Enqueue(sender, 0, 7);
        using var limit = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await sender.DrainAsync(limit.Token);
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((0, 7L, 0L), (stats.QueueSize, stats.Dropped, stats.Sent));
        Assert.True(sender.IsEmpty);
    }

    [Fact]
    public async Task A_send_in_flight_when_the_drain_begins_is_let_finish_and_its_batch_arrives_once()
    {
        // The receiver has the batch but answers late, as a loaded one does: the drain must wait for the answer, not
        // abandon the send and send the batch again.
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        using var sender = await SendingLateAnsweredAsync(ingestion, TimeSpan.FromMilliseconds(500));
        using var limit = new CancellationTokenSource(Patience);
        Assert.Equal(0, await sender.DrainAsync(limit.Token));
        var request = Assert.Single(ingestion.Requests);
        Assert.Equal(Enumerable.Range(0, 5).Select(Line), request.Records.Select(r => r.Line));
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((5L, 0L, 0L, 0), (stats.Sent, stats.Dropped, stats.Failures, stats.QueueSize));
    }

    [Fact]
    public async Task A_send_in_flight_is_abandoned_when_the_drains_time_is_up_and_its_lines_counted_as_dropped()
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        using var sender = await SendingLateAnsweredAsync(ingestion, TimeSpan.FromSeconds(30));
        using var limit = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var drain = sender.DrainAsync(limit.Token);
        Assert.Same(drain, await Task.WhenAny(drain, Task.Delay(Patience)));
        Assert.Equal(5, await drain);
        Assert.Single(ingestion.Requests);
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((0L, 5L, 0), (stats.Sent, stats.DroppedAtShutdown, stats.QueueSize));
    }

    [Fact]
    public void The_token_never_travels_over_plain_http()
    {
        var error = Assert.Throws<InvalidOperationException>(() => WavefrontTransport.Http(new Uri("http://example.com"), Token, new HttpClientHandler()));
        Assert.DoesNotContain(Token, error.Message);
    }

    [Fact]
    public async Task The_proxy_http_form_sends_no_token()
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        var transport = WavefrontTransport.Http(ingestion.Address, token: null, new SocketsHttpHandler());
        using var sender = Sender(transport, capacity: 100, batch: 100, new ListLogger(), TimeProvider.System);
        Enqueue(sender, 0, 2);
        await sender.FlushAsync(CancellationToken.None);
        var request = Assert.Single(ingestion.Requests);
        Assert.Equal(("http", "", 2), (request.Scheme, request.Authorization, request.Records.Count));
    }

    [Theory]
    [InlineData(503, "120", 120)]
    [InlineData(429, "7", 7)]
    [InlineData(503, "86400", 300)] // a day is cut to the longest wait the sender accepts, five minutes
    public async Task A_retry_after_answer_holds_the_kind_back_that_long_then_everything_arrives_once(int status, string retryAfter, int expectedSeconds)
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        ingestion.AnswerRetryAfter(status, retryAfter);
        var time = new ManualTime();
        using var sender = Sender(WavefrontTransport.Http(ingestion.Address, token: null, new SocketsHttpHandler()), capacity: 100, batch: 100, new ListLogger(), time);
        Enqueue(sender, 0, 3);
        await sender.FlushAsync(CancellationToken.None);

        // The backoff alone (at most one second after a first failure) would retry here; the receiver asked for longer.
        time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromMilliseconds(1));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Single(ingestion.Requests);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Equal([status, 200], ingestion.Requests.Select(r => r.Status));
        Assert.Equal(ingestion.Requests[0].Body, ingestion.Requests[1].Body);
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((3L, 1L, 0), (stats.Sent, stats.Failures, stats.QueueSize));
    }

    [Fact]
    public async Task A_retry_after_date_is_read_against_the_clock()
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        ingestion.AnswerRetryAfter(503, DateTimeOffset.UtcNow.AddMinutes(2).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var time = new ManualTime();
        using var sender = Sender(WavefrontTransport.Http(ingestion.Address, token: null, new SocketsHttpHandler()), capacity: 100, batch: 100, new ListLogger(), time);
        Enqueue(sender, 0, 3);
        await sender.FlushAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(60));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Single(ingestion.Requests);
        time.Advance(TimeSpan.FromSeconds(61));
        await sender.FlushAsync(CancellationToken.None);
        Assert.Equal(2, ingestion.Requests.Count);
    }

    internal static string Line(int i) => $"\"test.line\" {i} source=\"h\" \"i\"=\"{i}\"";

    private static void Enqueue(WavefrontSender sender, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            Assert.True(sender.TryEnqueue(WavefrontDataKind.Metric, Line(i)));
        }
    }

    internal static WavefrontSender Sender(ILineTransport<WavefrontDataKind> transport, int capacity, int batch, ILogger logger, TimeProvider time) =>
        new(transport, new LineSenderSettings("test", capacity, batch, TimeSpan.FromSeconds(1)), logger, time);

    private static WavefrontSender ProxySender(int port, int capacity, int batch) =>
        Sender(WavefrontTransport.Create(new WavefrontOptions { ProxyHost = "127.0.0.1", MetricsPort = port, HistogramsPort = port, TracingPort = port, ProxyTransport = WavefrontProxyTransport.Tcp }),
            capacity, batch, new ListLogger(), TimeProvider.System);

    private static WavefrontSender DirectSender(FakeWavefrontIngestion ingestion, ILogger logger, TimeProvider time) =>
        new(WavefrontTransport.Http(ingestion.Address, Token, ingestion.CreateTrustingHandler()),
            new LineSenderSettings(WavefrontTransport.Destination(new WavefrontOptions { Server = ingestion.Address.ToString() }), 100, 100, TimeSpan.FromSeconds(1), WavefrontSink.Refusal),
            logger, time);

    // A sender whose loop has sent five lines to a receiver that took them and answers only after the delay.
    private static async Task<WavefrontSender> SendingLateAnsweredAsync(FakeWavefrontIngestion ingestion, TimeSpan delay)
    {
        ingestion.AnswerLate(delay);
        var sender = Sender(WavefrontTransport.Http(ingestion.Address, token: null, new SocketsHttpHandler()), capacity: 100, batch: 100, new ListLogger(), TimeProvider.System);
        Enqueue(sender, 0, 5);
        sender.Start();
        sender.RequestFlush();
        await ingestion.WaitForAsync(requests => requests.Count > 0, Patience, "the loop's send never arrived");
        return sender;
    }

    private static async Task FlushUntil(WavefrontSender sender, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "lines did not arrive");
            await sender.FlushAsync(CancellationToken.None);
            await Task.Delay(50);
        }
    }
}

/// <summary>A clock tests move by hand; timers stay real.</summary>
internal sealed class ManualTime(DateTimeOffset? start = null) : TimeProvider
{
    private DateTimeOffset now = start ?? DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Keeps formatted log messages.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (messages)
        {
            messages.Add(formatter(state, exception));
        }
    }
}
