using System.Threading.RateLimiting;
using BitTorrent.Peer.Transfer;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Api;

/// <summary>
/// The upload limit (<c>Transfer:UploadRateLimit</c>, bytes per second; 0 = unlimited) applied to the public
/// content route too, so serving a file over HTTP (the gateway's web seed) does not go past what the user allows.
/// A token bucket from System.Threading.RateLimiting shared by every public response, holding a fifth of a second of bytes.
/// </summary>
public sealed class PublicUploadThrottle : IDisposable
{
    private const int MaxChunkBytes = 16 * 1024;
    private readonly TokenBucketRateLimiter? _bucket;

    public PublicUploadThrottle(IOptions<TransferEngineOptions> options)
    {
        var rate = options.Value.UploadRateLimit;
        if (rate <= 0) return;
        var capacity = (int)Math.Clamp(rate / 5, 1, int.MaxValue);
        ChunkBytes = Math.Min(MaxChunkBytes, capacity);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = capacity,
            TokensPerPeriod = (int)Math.Clamp(rate / 20, 1, int.MaxValue),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(50),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public bool IsLimited => _bucket is not null;

    /// <summary>The most bytes one wait may ask for.</summary>
    public int ChunkBytes { get; } = MaxChunkBytes;

    /// <summary>Waits until <paramref name="bytes"/> (at most <see cref="ChunkBytes"/>) may be sent.</summary>
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_bucket is null || bytes <= 0) return;
        using var lease = await _bucket.AcquireAsync(bytes, cancellationToken);
        if (!lease.IsAcquired) throw new InvalidOperationException("The upload limiter refused a wait it queues without limit.");
    }

    public void Dispose() => _bucket?.Dispose();
}
