using BitTorrent.Peer.Hosting;

namespace BitTorrent.Peer.Access;

/// <summary>
/// How large a request body an endpoint takes, as endpoint metadata. Endpoints without it take small JSON bodies
/// only (<see cref="JsonBytes"/>); the limit is set before anything reads the body, so Kestrel refuses a larger one
/// with 413 as it streams in (a form is never buffered past it).
/// </summary>
public sealed record BodyLimit(string Kind)
{
    public const long JsonBytes = 64 * 1024;
    public const long TorrentBytes = 4 * 1024 * 1024;

    /// <summary>A .torrent upload: 4 MiB.</summary>
    public static readonly BodyLimit Torrent = new(nameof(Torrent));

    /// <summary>A file to publish: <see cref="PeerOptions.MaxUploadBytes"/>.</summary>
    public static readonly BodyLimit Upload = new(nameof(Upload));

    public static long For(Endpoint? endpoint, PeerOptions options) => endpoint?.Metadata.GetMetadata<BodyLimit>() switch
    {
        { Kind: nameof(Upload) } => options.MaxUploadBytes,
        { Kind: nameof(Torrent) } => TorrentBytes,
        _ => JsonBytes,
    };
}
