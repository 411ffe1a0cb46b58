using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests.Faults;

/// <summary>
/// Short versions (a few seconds each) of the faults docs/reliability.md measures: the receiver down then up, stalled,
/// answering 503/429/401 for a while, or not resolvable at all. In each the requests are served as usual, the
/// accounting balances, what is buffered stays under the configured bound, and what arrives arrives once.
/// </summary>
public class FaultScenarioTests(ITestOutputHelper output)
{
    private const int Requests = 300;
    private const int FaultFrom = 50;
    private const int FaultTo = 200;

    [Fact]
    public async Task No_fault_the_baseline_every_point_arrives_once()
    {
        // The same run with nothing injected: the request latencies the fault scenarios' are read against.
        await using var proxy = FakeWavefrontProxy.Create();
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", proxy.Port), Requests, _ => Task.CompletedTask, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
        Assert.Equal(Requests, FaultRun.Deltas(proxy.Lines).Sum(d => d.Value));
    }

    [Fact]
    public async Task Receiver_down_then_up_every_point_arrives_once_with_its_original_timestamp()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var faults = FaultProxy.Start(proxy.Port);
        var down = new List<long>();
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", faults.Port), Requests, i =>
        {
            if (i == FaultFrom || i == FaultTo)
            {
                faults.Refuse(i == FaultFrom);
                down.Add(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            }

            return Task.CompletedTask;
        }, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
        var deltas = FaultRun.Deltas(proxy.Lines);
        Assert.Equal(Requests, deltas.Sum(d => d.Value));

        // The exact delta sum is the proof that no batch arrived twice. Cumulative counts are stamped when read: those
        // read while the receiver was down arrived later, stamped then.
        var cumulative = proxy.Lines.Where(l => l.StartsWith($"\"{FaultRun.Make}.cumulative.count\" ", StringComparison.Ordinal))
            .Select(WavefrontLineParser.ParsePoint).ToList();
        // Values strictly between the fault's first and last request were read while the receiver was down.
        Assert.Contains(cumulative, p => p.Value > FaultFrom && p.Value < FaultTo && p.Timestamp <= down[1]);
        Assert.Equal(Requests, cumulative.Max(p => p.Value));
    }

    [Fact]
    public async Task Receiver_stalls_then_recovers_nothing_lost_nothing_twice()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var faults = FaultProxy.Start(proxy.Port);
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", faults.Port), Requests, i =>
        {
            if (i == FaultFrom || i == FaultTo)
            {
                faults.Stall(i == FaultFrom);
            }

            return Task.CompletedTask;
        }, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
        Assert.Equal(Requests, FaultRun.Deltas(proxy.Lines).Sum(d => d.Value));
    }

    [Fact]
    public async Task Receiver_throttled_to_4_KB_a_second_then_recovers_requests_unaffected_nothing_lost_nothing_twice()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var faults = FaultProxy.Start(proxy.Port);
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", faults.Port), Requests, i =>
        {
            if (i == FaultFrom || i == FaultTo)
            {
                faults.Throttle(i == FaultFrom ? 4_096 : null);
            }

            return Task.CompletedTask;
        }, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
        Assert.Equal(Requests, FaultRun.Deltas(proxy.Lines).Sum(d => d.Value));
    }

    [Fact]
    public async Task Tls_handshake_fails_requests_unaffected_nothing_sent_everything_counted_at_shutdown()
    {
        // Direct ingestion over https to a receiver whose certificate nothing trusts: every handshake fails.
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: true);
        var settings = FaultRun.Settings("127.0.0.1", 2878);
        settings.Remove("Instrumentation:Wavefront:ProxyHost");
        settings["Instrumentation:Wavefront:Server"] = ingestion.Address.ToString();
        settings["Instrumentation:Wavefront:Token"] = "a-token-the-receiver-never-sees";
        settings["Instrumentation:Wavefront:ShutdownTimeoutSeconds"] = "1";
        var run = await FaultRun.RunAsync(settings, 150, _ => Task.CompletedTask, output);

        Assert.Empty(ingestion.Requests);
        var accounting = run.Accounting;
        Assert.Equal((0L, 0L), (accounting.Delivered(), accounting.Buffered()));
        Assert.True(accounting.Produced() > 0);
        Assert.Equal(accounting.Produced(), accounting.Dropped("shutdown") + accounting.Dropped("buffer_full"));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Receiver_answers_an_error_for_a_while_then_200_every_point_arrives_once(int status)
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        ingestion.Answer(status, status, status);
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", ingestion.Address.Port), Requests, _ => Task.CompletedTask, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
        Assert.Equal(3, ingestion.Requests.Count(r => r.Status == status));
        var delivered = ingestion.Requests.Where(r => r.Status == 200).SelectMany(r => r.Records).Select(r => r.Line);
        Assert.Equal(Requests, FaultRun.Deltas(delivered).Sum(d => d.Value));
    }

    [Fact]
    public async Task Receiver_answers_every_batch_late_the_send_in_flight_at_shutdown_arrives_once()
    {
        // Every answer comes 400 ms after the batch was taken, with a report every second: at the graceful stop a send
        // is usually on its way. The drain waits for its answer rather than cutting it and sending the batch again.
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        ingestion.AnswerLate(TimeSpan.FromMilliseconds(400));
        var settings = FaultRun.Settings("127.0.0.1", ingestion.Address.Port);
        settings["Instrumentation:Wavefront:ShutdownTimeoutSeconds"] = "20";
        var run = await FaultRun.RunAsync(settings, Requests, _ => Task.CompletedTask, output);

        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));

        // A batch sent twice arrives as the same body twice, whichever kind it holds (the one in flight is often spans).
        // The sender's own health lines go alone and are left out: two of them could match without any resend.
        var bodies = ingestion.Requests.Where(r => !r.Records.All(l => l.Line.StartsWith("\"~sdk.", StringComparison.Ordinal)))
            .Select(r => Convert.ToBase64String(r.Body)).ToList();
        var delivered = ingestion.Requests.SelectMany(r => r.Records).Select(r => r.Line).ToList();
        output.WriteLine($"requests {bodies.Count}, distinct bodies {bodies.Distinct().Count()}, delta sum {FaultRun.Deltas(delivered).Sum(d => d.Value)}");
        Assert.Equal(bodies.Count, bodies.Distinct().Count());
        Assert.Equal(Requests, FaultRun.Deltas(delivered).Sum(d => d.Value));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Receiver_refuses_the_credentials_what_was_refused_and_what_waits_out_the_pause_is_dropped_and_counted(int status)
    {
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: false);
        ingestion.Answer(status, status, status, status);
        var run = await FaultRun.RunAsync(FaultRun.Settings("127.0.0.1", ingestion.Address.Port), Requests, _ => Task.CompletedTask, output);

        // The health lines are the sender's own (never counted); every other refused line is dropped as rejected.
        var refusedLines = ingestion.Requests.Where(r => r.Status == status).SelectMany(r => r.Records)
            .Count(r => !r.Line.StartsWith("\"~sdk.", StringComparison.Ordinal));
        var accounting = run.Accounting;
        Assert.Equal(refusedLines, accounting.Dropped("rejected"));
        Assert.Equal(0, accounting.Buffered());

        // A refused kind pauses for a minute: what it held then is dropped at shutdown, counted, never sent.
        Assert.Equal(accounting.Produced(), accounting.Delivered() + accounting.Dropped("rejected") + accounting.Dropped("shutdown"));
        var delivered = ingestion.Requests.Where(r => r.Status == 200).SelectMany(r => r.Records)
            .Count(r => !r.Line.StartsWith("\"~sdk.", StringComparison.Ordinal));
        Assert.Equal(accounting.Delivered(), delivered);
    }

    [Fact]
    public async Task Receiver_host_name_does_not_resolve_requests_unaffected_everything_counted_at_shutdown()
    {
        var settings = FaultRun.Settings("wavefront-proxy.invalid", 2878);
        settings["Instrumentation:Wavefront:ShutdownTimeoutSeconds"] = "1";
        settings["Instrumentation:Wavefront:MaxQueueSize"] = "100";
        var run = await FaultRun.RunAsync(settings, 150, _ => Task.CompletedTask, output);

        var accounting = run.Accounting;
        Assert.Equal((0L, 0L), (accounting.Delivered(), accounting.Buffered()));
        Assert.Equal(accounting.Produced(), accounting.Dropped("shutdown") + accounting.Dropped("buffer_full"));
        Assert.InRange(run.MostBuffered, 1, 100 * 4); // at most the bound of each of the four kinds
    }
}
