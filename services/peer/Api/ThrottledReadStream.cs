namespace BitTorrent.Peer.Api;

/// <summary>
/// A seekable read-only view of a file whose reads wait for <see cref="PublicUploadThrottle"/>: each read returns
/// at most one chunk, taken from the bucket first. Seeking is the file's own, so range requests work over it.
/// </summary>
public sealed class ThrottledReadStream(FileStream file, PublicUploadThrottle throttle) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var take = Math.Min(buffer.Length, throttle.ChunkBytes);
        throttle.WaitAsync(take, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return file.Read(buffer[..take]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var take = Math.Min(buffer.Length, throttle.ChunkBytes);
        await throttle.WaitAsync(take, cancellationToken);
        return await file.ReadAsync(buffer[..take], cancellationToken);
    }

    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await file.DisposeAsync();
        await base.DisposeAsync();
    }
}
