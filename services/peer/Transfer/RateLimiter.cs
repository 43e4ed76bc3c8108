using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// A byte rate limit as a token bucket, used on the engine thread for uploads (blocks served) and
/// downloads (blocks requested), over all connections or for one torrent: bytes per second,
/// holding at most a fifth of a second of bytes (at least two blocks). A rate of 0 is unlimited.
/// The rate can change at any time (a setting changed at run time); the bucket then starts empty.
/// </summary>
internal sealed class RateLimiter(long bytesPerSecond = 0)
{
    private double _tokens;
    private long _refilledAt;
    private bool _started;

    /// <summary>Bytes per second; 0 is unlimited.</summary>
    public long BytesPerSecond
    {
        get => bytesPerSecond;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (value == bytesPerSecond) return;
            bytesPerSecond = value;
            _tokens = 0;
            _started = false;
        }
    }

    public bool IsLimited => bytesPerSecond > 0;

    /// <summary>Adds the tokens earned since the last refill (monotonic milliseconds).</summary>
    public void Refill(long now)
    {
        if (!IsLimited) return;
        if (!_started)
        {
            (_refilledAt, _started) = (now, true);
            return;
        }
        var capacity = Math.Max(bytesPerSecond / 5.0, 2.0 * PieceGeometry.BlockSize);
        _tokens = Math.Min(capacity, _tokens + bytesPerSecond * (now - _refilledAt) / 1000.0);
        _refilledAt = now;
    }

    public bool CanSend(int bytes) => !IsLimited || _tokens >= bytes;

    public void Take(int bytes)
    {
        if (IsLimited) _tokens -= bytes;
    }
}
