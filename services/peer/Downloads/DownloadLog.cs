namespace BitTorrent.Peer.Downloads;

internal static partial class DownloadLog
{
    [LoggerMessage(21, LogLevel.Information, "Download of {Name} ({InfoHash}) started with {Verified}/{Pieces} pieces verified")]
    public static partial void Started(ILogger logger, string name, string infoHash, int verified, int pieces);

    [LoggerMessage(22, LogLevel.Information, "Download of {Name}: {From} -> {To} {Error}")]
    public static partial void StateChanged(ILogger logger, string name, DownloadState from, DownloadState to, string? error);

    [LoggerMessage(23, LogLevel.Warning, "Piece {Piece} from {Peer} failed its SHA-1 check ({Name}); the peer is dropped")]
    public static partial void CorruptPiece(ILogger logger, int piece, string peer, string name);

    [LoggerMessage(24, LogLevel.Information, "Piece {Piece} timed out at {Peer}; retried elsewhere")]
    public static partial void PieceTimedOut(ILogger logger, int piece, string peer);

    [LoggerMessage(25, LogLevel.Warning, "Saving the state of download {InfoHash} failed: {Error}")]
    public static partial void StateSaveFailed(ILogger logger, string infoHash, string error);

    [LoggerMessage(26, LogLevel.Information, "Recheck of {Name}: {Verified}/{Pieces} pieces good on disk")]
    public static partial void Rechecked(ILogger logger, string name, int verified, int pieces);

    [LoggerMessage(40, LogLevel.Information, "Files chosen for {Name}: {Wanted} of {Files}")]
    public static partial void FilesSelected(ILogger logger, string name, int wanted, int files);
}
