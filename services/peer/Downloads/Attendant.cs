using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// An open connection as a download sees it: a peer that attends piece transactions. It holds
/// what the wire does not: the transactions it runs, the requests it has out, when it last
/// delivered, whether it is snubbed, the known endpoint it was dialled from (if any), and its
/// rates in both directions (sampled once a second by the <see cref="DownloadReporter"/>).
/// </summary>
internal sealed class Attendant(PeerConnection connection, KnownPeer? known) : IAttendant
{
    private long _sampledDown;
    private long _sampledUp;
    private long _sampledAt;

    public PeerConnection Connection { get; } = connection;
    public KnownPeer? KnownPeer { get; set; } = known;
    public List<PieceTransaction> Transactions { get; } = [];

    /// <summary>Block requests sent to this peer and not answered yet (pipelining depth).</summary>
    public int OutstandingRequests { get; set; }

    /// <summary>When this peer last delivered a block we asked for (0: never).</summary>
    public long LastBlockAt { get; set; }

    public bool IsSnubbed { get; set; }
    public bool Banned { get; set; }

    /// <summary>Its number in the download's <see cref="PieceSources"/> once it served a verified piece (0: none yet).</summary>
    public int SourceId { get; set; }

    /// <summary>Payload bytes per second it sent us, over the last sample.</summary>
    public double DownloadRate { get; private set; }

    /// <summary>Payload bytes per second we sent it, over the last sample.</summary>
    public double UploadRate { get; private set; }

    /// <summary>
    /// Block requests it takes at once: <see cref="TransferEngineOptions.MaxRequestsPerPeer"/>, lowered to what was
    /// outstanding when it rejected a request while not choking us (its queue is shorter), and raised by one again
    /// after each such number of blocks delivered.
    /// </summary>
    public int RequestLimit { get; set; } = int.MaxValue;

    /// <summary>Blocks delivered since <see cref="RequestLimit"/> last changed.</summary>
    public int BlocksAtLimit { get; set; }

    /// <summary>Open, handshaken, not banned, and either not choking us or letting us fetch some pieces fast (BEP 6).</summary>
    public bool CanAttend => Connection is { IsOpen: true, RemotePieces: not null } && !Banned
        && (!Connection.PeerChoking || Connection.Fast is { AllowedByPeer.Count: > 0 });

    /// <summary>It has the piece and we may ask it for the piece now: it does not choke us, or allowed the piece fast.</summary>
    public bool HasPiece(int index) => Connection.RemotePieces is { } pieces && pieces[index] && MayRequest(index);

    /// <summary>Whether a request for a block of this piece would be served now, choked or not.</summary>
    public bool MayRequest(int index) => !Connection.PeerChoking || Connection.Fast?.PeerAllows(index) == true;
    public int ActiveTransactions => Transactions.Count;

    public string Describe() => Connection.Describe();

    /// <summary>Rates since the last sample (monotonic ms); the first sample only starts the clock.</summary>
    public void SampleRates(long now)
    {
        if (_sampledAt != 0 && now > _sampledAt)
        {
            DownloadRate = (Connection.BytesDownloaded - _sampledDown) * 1000.0 / (now - _sampledAt);
            UploadRate = (Connection.BytesUploaded - _sampledUp) * 1000.0 / (now - _sampledAt);
        }
        (_sampledDown, _sampledUp, _sampledAt) = (Connection.BytesDownloaded, Connection.BytesUploaded, now);
    }
}
