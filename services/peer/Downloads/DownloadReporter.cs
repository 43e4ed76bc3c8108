using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// What others see of one download: its snapshot (what GET /api/downloads reads, from any
/// thread), its events on the <see cref="DownloadEventHub"/>, its speed, and its state file
/// (saved at every state change and at most once a second while pieces land), and its details
/// (peers, pieces, piece sources) when asked for.
/// </summary>
internal sealed class DownloadReporter(DownloadContext context)
{
    private const long SaveIntervalMs = 1000;
    private const long SpeedSampleMs = 1000;
    private long _nextSaveAt;
    private long _speedSampleBytes;
    private long _speedSampleUploaded;
    private long _speedSampleAt;
    private (DownloadState State, long Done, long Received, double Speed, int Peers, string? Error, int? QueuePosition, long Uploaded, bool Sequential) _shown;

    public double BytesPerSecond { get; private set; }
    public double UploadBytesPerSecond { get; private set; }

    /// <summary>Something worth saving changed (a piece verified, a state move).</summary>
    public bool Dirty { get; set; }

    /// <summary>A fresh snapshot for readers, and an event of <paramref name="kind"/> for subscribers (none if null).</summary>
    public DownloadSnapshot Publish(DownloadController download, DownloadEventKind? kind = null)
    {
        var snapshot = Snapshot(download);
        context.Snapshots[download.InfoHash] = snapshot;
        _shown = (snapshot.State, snapshot.BytesDone, snapshot.BytesReceived, snapshot.BytesPerSecond, snapshot.ConnectedPeers, snapshot.Error,
            snapshot.QueuePosition, snapshot.BytesUploaded, snapshot.Sequential);
        if (kind is { } k) context.Events.Publish(DownloadEvent.Of(snapshot, k, DateTimeOffset.UtcNow));
        return snapshot;
    }

    public DownloadSnapshot Snapshot(DownloadController d) => new(
        d.InfoHash, d.Torrent.Name, d.TargetPath, d.State,
        d.Plan.VerifiedWantedBytes, d.Plan.Wanted.TotalBytes, d.Plan.VerifiedCount, d.Torrent.PieceCount,
        d.IsActive ? BytesPerSecond : 0, d.Swarm.OpenConnections(), d.Error, d.BytesReceived, d.CorruptPieces, d.StartedAt, d.CompletedAt,
        !d.Plan.Wanted.IsAll && !d.Plan.HasEveryPiece, d.DownloadLimiter.BytesPerSecond, d.Swarm.UploadLimiter.BytesPerSecond, context.Queue.PositionOf(d),
        d.Swarm.BytesUploaded, UploadBytesPerSecond, d.Streaming.Sequential);

    /// <summary>The snapshot with its peers, the state of every piece and their sources (allocates; only when asked for).</summary>
    public DownloadDetails Details(DownloadController d)
    {
        var peers = new List<DownloadPeer>(d.Peers.Attendants.Count);
        foreach (var a in d.Peers.Attendants)
        {
            var c = a.Connection;
            var has = c.RemotePieces is { Count: > 0 } pieces ? (double)pieces.SetCount / pieces.Count : 0;
            peers.Add(new DownloadPeer(c.RemoteEndPoint.ToString(), ClientOf(c), a.DownloadRate, a.UploadRate, c.BytesDownloaded, c.BytesUploaded,
                has, c.RemotePieces is { IsComplete: true }, c.Outgoing, c.PeerChoking, c.PeerInterested,
                a.SourceId == 0 ? null : PieceSources.Alphabet[a.SourceId - 1].ToString()));
        }
        peers.Sort((x, y) => (y.DownloadBytesPerSecond + y.UploadBytesPerSecond).CompareTo(x.DownloadBytesPerSecond + x.UploadBytesPerSecond));
        var plan = d.Plan.Pieces;
        var states = string.Create(plan.Count, plan, static (chars, pieces) =>
        {
            for (var i = 0; i < pieces.Count; i++)
                chars[i] = pieces[i].Status switch { PieceStatus.Verified => 'v', PieceStatus.Missing => 'm', _ => 'r' };
        });
        return new DownloadDetails(Snapshot(d), peers, states, d.Sources.Encode(), [.. d.Sources.EndPoints]);
    }

    /// <summary>The client a peer runs: the name its extension handshake gave (BEP 10 <c>v</c>), else what its peer id says.</summary>
    private static string? ClientOf(PeerConnection c) => c.ClientName ?? PeerClientName.FromPeerId(c.RemotePeerId);

    /// <summary>Every engine tick: the speed over the last second, a due save, and a progress event when something a reader sees moved (its place in the queue too).</summary>
    public void Tick(DownloadController download, long now)
    {
        if (now - _speedSampleAt >= SpeedSampleMs)
        {
            var bytes = download.BytesReceived - _speedSampleBytes;
            BytesPerSecond = _speedSampleAt == 0 ? 0 : bytes * 1000.0 / (now - _speedSampleAt);
            var uploaded = download.Swarm.BytesUploaded - _speedSampleUploaded;
            UploadBytesPerSecond = _speedSampleAt == 0 ? 0 : uploaded * 1000.0 / (now - _speedSampleAt);
            _speedSampleAt = now;
            _speedSampleBytes = download.BytesReceived;
            _speedSampleUploaded = download.Swarm.BytesUploaded;
            foreach (var a in download.Peers.Attendants) a.SampleRates(now);
        }
        if (Dirty && now >= _nextSaveAt)
        {
            Save(download, now: false);
            _nextSaveAt = now + SaveIntervalMs;
        }
        var speed = download.IsActive ? BytesPerSecond : 0;
        if (_shown != (download.State, download.Plan.VerifiedWantedBytes, download.BytesReceived, speed, download.Swarm.OpenConnections(), download.Error,
                context.Queue.PositionOf(download), download.Swarm.BytesUploaded, download.Streaming.Sequential))
            Publish(download, DownloadEventKind.Progress);
    }

    /// <summary>Saves the state: now for a state change (<paramref name="now"/>), queued for the store's worker while pieces land.</summary>
    public void Save(DownloadController d, bool now = true)
    {
        Dirty = false;
        if (context.Store is not { } store || d.State == DownloadState.Cancelled) return;
        var stamp = UncleanStopCheck.Stamp(d.TargetPath);
        var record = new DownloadRecord(d.InfoHash, d.TargetPath, d.State, d.Error,
            d.Plan.VerifiedBitfield().Bytes.ToArray(), d.Torrent.ToBytes(), d.StartedAt, d.CompletedAt, stamp?.Length, stamp?.ModifiedAt,
            d.Plan.Wanted.Files is { } files ? [.. files] : null,
            d.DownloadLimiter.BytesPerSecond, d.Swarm.UploadLimiter.BytesPerSecond, context.Queue.PositionOf(d));
        if (now) store.SaveNow(record);
        else store.Save(record);
    }
}
