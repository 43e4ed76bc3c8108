using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Downloads;

namespace BitTorrent.Peer.Transfer;

public sealed partial class TransferEngine
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Transfer engine listening on {EndPoint} as {PeerId}")]
        public static partial void Listening(ILogger logger, IPEndPoint endPoint, string peerId);

        [LoggerMessage(2, LogLevel.Information, "Transfer engine stopped after serving {BytesServed} bytes")]
        public static partial void Stopped(ILogger logger, long bytesServed);

        [LoggerMessage(3, LogLevel.Error, "Transfer engine loop error; the loop goes on")]
        public static partial void LoopError(ILogger logger, Exception exception);

        [LoggerMessage(4, LogLevel.Warning, "Accept failed: {Error}")]
        public static partial void AcceptFailed(ILogger logger, SocketError error);

        [LoggerMessage(10, LogLevel.Debug, "Peer {Peer} connected for {InfoHash} ({Direction})")]
        public static partial void PeerConnected(ILogger logger, string peer, string infoHash, string direction);

        [LoggerMessage(11, LogLevel.Debug, "Connection {Peer} closed: {Reason}")]
        public static partial void ConnectionClosed(ILogger logger, string peer, string reason);

        [LoggerMessage(13, LogLevel.Error, "Connection {Peer} hit an internal error; it is closed")]
        public static partial void ConnectionFault(ILogger logger, string peer, Exception exception);

        [LoggerMessage(12, LogLevel.Warning, "Peer {Peer} broke the protocol: {Reason}")]
        public static partial void ProtocolViolation(ILogger logger, string peer, string reason);

        [LoggerMessage(20, LogLevel.Information, "Seeding {Name} ({InfoHash})")]
        public static partial void Seeding(ILogger logger, string name, string infoHash);

        [LoggerMessage(21, LogLevel.Information, "Download of {Name} ({InfoHash}) started with {Verified}/{Pieces} pieces verified")]
        public static partial void DownloadStarted(ILogger logger, string name, string infoHash, int verified, int pieces);

        [LoggerMessage(22, LogLevel.Information, "Download of {Name}: {From} -> {To} {Error}")]
        public static partial void DownloadState(ILogger logger, string name, DownloadState from, DownloadState to, string? error);

        [LoggerMessage(23, LogLevel.Warning, "Piece {Piece} from {Peer} failed its SHA-1 check ({Name}); the peer is dropped")]
        public static partial void CorruptPiece(ILogger logger, int piece, string peer, string name);

        [LoggerMessage(24, LogLevel.Information, "Piece {Piece} timed out at {Peer}; retried elsewhere")]
        public static partial void PieceTimedOut(ILogger logger, int piece, string peer);

        [LoggerMessage(25, LogLevel.Warning, "Saving the state of {Name} failed: {Error}")]
        public static partial void StateSaveFailed(ILogger logger, string name, string error);
    }
}
