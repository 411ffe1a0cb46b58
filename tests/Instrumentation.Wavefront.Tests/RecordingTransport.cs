using System.Text;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>Keeps every batch it is given, answering with the queued outcomes, then Delivered.</summary>
internal sealed class RecordingTransport : ILineTransport<WavefrontDataKind>
{
    public List<(byte[] Payload, List<string> Lines)> Batches { get; } = [];

    public Queue<SendResult> Outcomes { get; init; } = new();

    public Task<SendResult> SendAsync(WavefrontDataKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        // The payload is only valid during the call: copy it.
        var bytes = payload.ToArray();
        var lines = Encoding.UTF8.GetString(bytes).Split('\n').SkipLast(1).ToList();
        Batches.Add((bytes, lines));
        return Task.FromResult(Outcomes.TryDequeue(out var outcome) ? outcome : SendOutcome.Delivered);
    }

    public void Dispose()
    {
    }
}
