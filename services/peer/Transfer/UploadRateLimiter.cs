using BitTorrent.Shared.Torrents;
namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The upload limit over all connections as a token bucket: bytes per second, holding at most a
/// fifth of a second of bytes (at least two blocks). A rate of 0 is unlimited.
/// </summary>
internal sealed class UploadRateLimiter(long bytesPerSecond)
{
    private double _tokens;
    private long _refilledAt;

    public bool IsLimited => bytesPerSecond > 0;

    /// <summary>Adds the tokens earned since the last refill (monotonic milliseconds).</summary>
    public void Refill(long now)
    {
        if (!IsLimited)
        {
            _tokens = double.MaxValue;
            return;
        }
        var capacity = Math.Max(bytesPerSecond / 5.0, 2.0 * PieceGeometry.BlockSize);
        _tokens = Math.Min(capacity, _tokens + bytesPerSecond * (now - _refilledAt) / 1000.0);
        _refilledAt = now;
    }

    public bool CanSend(int bytes) => _tokens >= bytes;

    public void Take(int bytes)
    {
        if (IsLimited) _tokens -= bytes;
    }
}
