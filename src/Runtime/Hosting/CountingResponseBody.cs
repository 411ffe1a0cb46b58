using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Instrumentation.Hosting;

/// <summary>
/// Counts the response body bytes the application really writes, through the stream, the pipe writer or a sent
/// file. One instance serves one request at a time and is pooled, so counting allocates nothing per request.
/// </summary>
internal sealed class CountingResponseBody : Stream, IHttpResponseBodyFeature
{
    private readonly CountingPipeWriter writer;
    private IHttpResponseBodyFeature inner = null!;

    public CountingResponseBody() => writer = new CountingPipeWriter(this);

    public long BytesWritten { get; private set; }

    public IHttpResponseBodyFeature Inner => inner;

    public void Attach(IHttpResponseBodyFeature feature)
    {
        inner = feature;
        writer.Attach(feature.Writer);
        BytesWritten = 0;
    }

    public void Detach()
    {
        inner = null!;
        writer.Attach(null!);
    }

    internal void Add(long bytes) => BytesWritten += bytes;

    // IHttpResponseBodyFeature
    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => writer;

    void IHttpResponseBodyFeature.DisableBuffering() => inner.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

    async Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
        Add(count ?? new FileInfo(path).Length - offset);
    }

    Task IHttpResponseBodyFeature.CompleteAsync() => inner.CompleteAsync();

    // Stream: writes only, as a response body is.
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Stream.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.Stream.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Stream.Write(buffer, offset, count);
        Add(count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Stream.Write(buffer);
        Add(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Add(count);
        return inner.Stream.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Add(buffer.Length);
        return inner.Stream.WriteAsync(buffer, cancellationToken);
    }

    private sealed class CountingPipeWriter(CountingResponseBody owner) : PipeWriter
    {
        private PipeWriter inner = null!;

        public void Attach(PipeWriter writer) => inner = writer;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            owner.Add(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.Add(source.Length);
            return inner.WriteAsync(source, cancellationToken);
        }
    }
}

/// <summary>A lock-free pool: requests take and return counters without locks or allocation once warm.</summary>
internal sealed class CountingResponseBodyPool
{
    private readonly CountingResponseBody?[] items = new CountingResponseBody?[Environment.ProcessorCount * 8];

    public CountingResponseBody Rent()
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (Interlocked.Exchange(ref items[i], null) is { } item)
            {
                return item;
            }
        }

        return new CountingResponseBody();
    }

    public void Return(CountingResponseBody item)
    {
        item.Detach();
        for (var i = 0; i < items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref items[i], item, null) is null)
            {
                return;
            }
        }
    }
}
