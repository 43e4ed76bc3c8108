using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Peer.Engine;

internal static partial class EngineLog
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
    public static partial void ConnectionClosed(ILogger logger, string peer, string? reason);

    [LoggerMessage(12, LogLevel.Warning, "Peer {Peer} broke the protocol: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string peer, string reason);

    [LoggerMessage(13, LogLevel.Error, "Connection {Peer} hit an internal error; it is closed")]
    public static partial void ConnectionFault(ILogger logger, string peer, Exception exception);

    [LoggerMessage(20, LogLevel.Information, "Seeding {Name} ({InfoHash})")]
    public static partial void Seeding(ILogger logger, string name, string infoHash);

    [LoggerMessage(21, LogLevel.Warning, "{Name}: {Count} pieces marked verified no longer match their hash after an unclean stop or a change on disk; they are fetched again")]
    public static partial void PiecesRechecked(ILogger logger, string name, int count);
}
