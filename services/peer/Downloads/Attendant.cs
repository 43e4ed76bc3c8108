using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// An open connection as a download sees it: a peer that attends piece transactions. It holds
/// what the wire does not: the transactions it runs, the requests it has out, when it last
/// delivered, whether it is snubbed, and the known endpoint it was dialled from (if any).
/// </summary>
internal sealed class Attendant(PeerConnection connection, KnownPeer? known) : IAttendant
{
    public PeerConnection Connection { get; } = connection;
    public KnownPeer? KnownPeer { get; set; } = known;
    public List<PieceTransaction> Transactions { get; } = [];

    /// <summary>Block requests sent to this peer and not answered yet (pipelining depth).</summary>
    public int OutstandingRequests { get; set; }

    /// <summary>When this peer last delivered a block we asked for (0: never).</summary>
    public long LastBlockAt { get; set; }

    public bool IsSnubbed { get; set; }
    public bool Banned { get; set; }

    public bool CanAttend => Connection is { IsOpen: true, PeerChoking: false, RemotePieces: not null } && !Banned;
    public bool HasPiece(int index) => Connection.RemotePieces is { } pieces && pieces[index];
    public int ActiveTransactions => Transactions.Count;

    public string Describe() => Connection.Describe();
}
