using System.Reflection;
using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.Peer.Tracking;

/// <summary>
/// Turns what the transfer engine publishes (its download snapshots and the bytes it has served) into the public
/// status report the peer sends the tracker: active downloads, the summed download rate, the upload rate measured
/// between two samples, and the files shared. The only place that reads the engine for the report.
/// </summary>
public sealed class PeerStatusSampler(TimeProvider time)
{
    /// <summary>This build's version as the report carries it (the informational version without its source revision).</summary>
    public static readonly string? Version = typeof(PeerStatusSampler).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] is { Length: > 0 and <= PeerStatusReport.MaxVersionLength } v
        ? v : null;

    private readonly Lock _gate = new();
    private long _lastServed = -1;
    private long _lastTimestamp;

    /// <summary>The report for now; the upload rate is what was served since the previous sample, per second.</summary>
    public PeerStatusReport Sample(IReadOnlyList<DownloadSnapshot> downloads, long bytesServed, int filesShared, int refreshSeconds)
    {
        var active = 0;
        var downloadRate = 0.0;
        foreach (var download in downloads)
        {
            if (download.State is not (DownloadState.Downloading or DownloadState.WaitingForPeers)) continue;
            active++;
            downloadRate += download.BytesPerSecond;
        }
        long uploadRate;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var elapsed = _lastServed < 0 ? TimeSpan.Zero : time.GetElapsedTime(_lastTimestamp, now);
            uploadRate = elapsed > TimeSpan.FromMilliseconds(100) && bytesServed >= _lastServed
                ? (long)((bytesServed - _lastServed) / elapsed.TotalSeconds)
                : 0;
            _lastServed = bytesServed;
            _lastTimestamp = now;
        }
        return new PeerStatusReport(active, Clamp(downloadRate), Clamp(uploadRate), filesShared, Version, refreshSeconds);
    }

    private static long Clamp(double bytesPerSecond) => (long)Math.Clamp(bytesPerSecond, 0, PeerStatusReport.MaxBytesPerSecond);
}
