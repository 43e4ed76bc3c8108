namespace BitTorrent.Peer.Downloads;

/// <summary>
/// What a download is doing, in detail: its snapshot, the peers connected for it, the state of each
/// piece and which source served each verified one. Taken on the engine thread when asked for.
/// </summary>
/// <param name="Snapshot">The download as the list shows it.</param>
/// <param name="Peers">Peers connected for this torrent, fastest first.</param>
/// <param name="Pieces">One character per piece: 'm' missing, 'r' requested (being fetched or checked), 'v' verified.</param>
/// <param name="PieceSources">One character per piece: '.' not verified here this run, else the source (see <see cref="Downloads.PieceSources.Encode"/>).</param>
/// <param name="Sources">The endpoint of each source, in the order of <see cref="Downloads.PieceSources.Alphabet"/>.</param>
public sealed record DownloadDetails(
    DownloadSnapshot Snapshot,
    IReadOnlyList<DownloadPeer> Peers,
    string Pieces,
    string PieceSources,
    IReadOnlyList<string> Sources);

/// <summary>One peer of a download.</summary>
/// <param name="Address">Its endpoint.</param>
/// <param name="Client">Which client it runs (its extension handshake's name, else from its peer id), when known.</param>
/// <param name="DownloadBytesPerSecond">Payload it sent us per second, over the last second or so.</param>
/// <param name="UploadBytesPerSecond">Payload we sent it per second.</param>
/// <param name="Downloaded">Payload it sent us over this connection.</param>
/// <param name="Uploaded">Payload we sent it over this connection.</param>
/// <param name="Has">How much of the torrent it has, 0 to 1 (from its bitfield and haves).</param>
/// <param name="Seeder">It has every piece.</param>
/// <param name="Outgoing">We dialled it (else it connected to us).</param>
/// <param name="Choking">It chokes us (we cannot ask it for pieces now).</param>
/// <param name="Interested">It wants pieces we have.</param>
/// <param name="Source">Its character in <see cref="DownloadDetails.PieceSources"/> once it served a verified piece.</param>
public sealed record DownloadPeer(
    string Address,
    string? Client,
    double DownloadBytesPerSecond,
    double UploadBytesPerSecond,
    long Downloaded,
    long Uploaded,
    double Has,
    bool Seeder,
    bool Outgoing,
    bool Choking,
    bool Interested,
    string? Source);
