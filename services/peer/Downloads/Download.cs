using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// A download: a torrent, the target file and its state. Owned by the engine thread; the only
/// thing other threads see is its <see cref="DownloadSnapshot"/>.
/// </summary>
internal sealed class Download
{
    public Download(TorrentMetainfo torrent, string targetPath, Bitfield verified, DateTimeOffset startedAt)
    {
        Torrent = torrent;
        TargetPath = targetPath;
        StartedAt = startedAt;
        Reset(verified);
    }

    public TorrentMetainfo Torrent { get; }
    public Id160 InfoHash => Torrent.InfoHash;
    public string TargetPath { get; }
    public DownloadState State { get; set; } = DownloadState.Downloading;
    public string? Error { get; set; }
    public DateTimeOffset StartedAt { get; }
    public DateTimeOffset? CompletedAt { get; set; }

    public PiecePlan Plan { get; private set; } = null!;

    /// <summary>Running piece transactions, including those being verified: the window counts them all.</summary>
    public List<PieceTransaction> Transactions { get; } = [];

    public List<KnownPeer> Peers { get; } = [];

    /// <summary>Peer ids that sent corrupt data; refused if they connect to us again.</summary>
    public HashSet<string> BannedPeerIds { get; } = [];

    /// <summary>Set by the owner (tracker layer) when no more peers can appear: waiting then becomes failing.</summary>
    public bool NoMorePeers { get; set; }

    public long BytesReceived { get; set; }
    public int CorruptPieces { get; set; }
    public bool StateDirty { get; set; }
    public long NextStateSaveAt { get; set; }

    /// <summary>Something changed (peer, choke, piece done): the engine should try to start transactions.</summary>
    public bool NeedsSchedule { get; set; } = true;

    /// <summary>Bumped when the plan is thrown away (cancel), so late verification results of the old one are ignored.</summary>
    public int Generation { get; private set; }
    public double BytesPerSecond { get; set; }
    public long SpeedSampleBytes { get; set; }
    public long SpeedSampleAt { get; set; }

    public bool IsActive => State is DownloadState.Downloading or DownloadState.WaitingForPeers;

    /// <summary>A new plan over the given verified pieces (start, retry after cancel).</summary>
    public void Reset(Bitfield verified)
    {
        Generation++;
        Plan = PiecePlan.Create(Torrent.Geometry, verified, Random.Shared.Next(Math.Max(1, Torrent.PieceCount)));
    }

    public Bitfield VerifiedBitfield()
    {
        var bits = new Bitfield(Torrent.PieceCount);
        foreach (var piece in Plan.Pieces)
            if (piece.Status == PieceStatus.Verified) bits.Set(piece.Index);
        return bits;
    }

    public KnownPeer? FindPeer(System.Net.IPEndPoint endPoint) => Peers.Find(p => p.EndPoint.Equals(endPoint));

    public DownloadSnapshot ToSnapshot(int connectedPeers) => new(
        InfoHash, Torrent.Name, TargetPath, State,
        Plan.VerifiedBytes, Torrent.Length, Plan.VerifiedCount, Torrent.PieceCount,
        IsActive ? BytesPerSecond : 0, connectedPeers, Error, BytesReceived, CorruptPieces, StartedAt, CompletedAt);
}
