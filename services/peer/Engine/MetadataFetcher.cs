using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Engine;

/// <summary>
/// Fetches a torrent's info dictionary from peers that have it (BEP 9 over BEP 10), for a download added by
/// a magnet link: a few peers at a time, each on its own short-lived connection (handshake with the extension
/// bit, extension handshake, then every 16 KiB piece requested with <c>ut_metadata</c>). The pieces are put
/// together and the whole dictionary's SHA-1 compared with the info-hash; a peer that sends anything else,
/// refuses, breaks a bound or stalls loses its connection and the next peer is asked. These connections
/// carry a few messages of at most 4 MiB in all, so they run as async sockets beside the engine's select loop
/// rather than in it: the loop's connections belong to torrents, and this one has none yet.
/// </summary>
internal sealed partial class MetadataFetcher(ReadOnlyMemory<byte> peerId, TimeSpan connectTimeout, ILogger logger)
{
    /// <summary>Peers asked at the same time.</summary>
    public const int ParallelPeers = 4;

    /// <summary>How long one peer has to give the whole dictionary.</summary>
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest message read while waiting for metadata: a <c>ut_metadata</c> piece, or a bitfield of the
    /// largest torrent whose metadata we accept (4 MiB of piece hashes: 26 KiB); other messages are skipped.
    /// </summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>
    /// The info dictionary of <paramref name="infoHash"/> from the first of <paramref name="peers"/> that gives
    /// one whose SHA-1 is the info-hash, or null when none did.
    /// </summary>
    public async Task<byte[]?> FetchAsync(Id160 infoHash, IReadOnlyList<IPEndPoint> peers, CancellationToken cancellationToken)
    {
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waiting = new Queue<IPEndPoint>(peers.Distinct());
        var asking = new List<Task<byte[]?>>();
        try
        {
            while (waiting.Count > 0 || asking.Count > 0)
            {
                while (asking.Count < ParallelPeers && waiting.TryDequeue(out var endPoint)) asking.Add(FromPeerAsync(infoHash, endPoint, found.Token));
                var finished = await Task.WhenAny(asking).ConfigureAwait(false);
                asking.Remove(finished);
                if (await finished.ConfigureAwait(false) is { } info) return info;
            }
            return null;
        }
        finally
        {
            await found.CancelAsync().ConfigureAwait(false);
            foreach (var other in asking) await ((Task)other).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<byte[]?> FromPeerAsync(Id160 infoHash, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(PeerTimeout);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
            {
                connecting.CancelAfter(connectTimeout);
                await socket.ConnectAsync(endPoint, connecting.Token).ConfigureAwait(false);
            }
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var (info, reason) = await ExchangeAsync(stream, infoHash, deadline.Token).ConfigureAwait(false);
            if (info is null) Log.PeerGaveNoMetadata(logger, endPoint, infoHash.Short, reason!);
            else Log.MetadataReceived(logger, endPoint, infoHash.Short, info.Length);
            return info;
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.PeerGaveNoMetadata(logger, endPoint, infoHash.Short, e is OperationCanceledException ? "timed out" : e.Message);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null; // another peer gave it, or the fetch was called off
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>One peer's side of the exchange; the dictionary, or null and why not.</summary>
    private async Task<(byte[]? Info, string? Reason)> ExchangeAsync(NetworkStream stream, Id160 infoHash, CancellationToken cancellationToken)
    {
        var handshake = new byte[Handshake.Length];
        Handshake.Write(handshake, infoHash, peerId.Span);
        await stream.WriteAsync(handshake, cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(handshake, cancellationToken).ConfigureAwait(false);
        if (Handshake.TryRead(handshake, out var theirHash, out var theirId) != ParseStatus.Message) return (null, "garbage instead of a handshake");
        if (theirHash != infoHash) return (null, "handshake for another torrent");
        if (theirId.SequenceEqual(peerId.Span)) return (null, "connected to ourselves");
        if (!Handshake.SupportsExtensions(handshake)) return (null, "it does not speak the extension protocol (BEP 10)");
        await WriteExtendedAsync(stream, ExtensionHandshake.HandshakeId, ExtensionHandshake.Encode(metadataSize: null), cancellationToken).ConfigureAwait(false);

        var header = new byte[4];
        var message = new byte[MaxMessageLength];
        byte[]? metadata = null;
        bool[]? received = null;
        var missing = 0;
        while (true)
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length == 0) continue; // keep-alive
            if (length > MaxMessageLength) return (null, $"a message of {length} bytes");
            var body = message.AsMemory(0, (int)length);
            await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            if (body.Span[0] != (byte)MessageType.Extended) continue; // bitfield, have, choking: not what we came for
            if (body.Length < 2) return (null, "an extended message without an id");
            var payload = body[2..];
            if (body.Span[1] == ExtensionHandshake.HandshakeId)
            {
                if (metadata is not null) continue; // a second handshake changes nothing we asked for
                if (!ExtensionHandshake.TryParse(payload.Span, out var theirs, out var error)) return (null, error);
                if (theirs.MetadataId == 0) return (null, "it does not offer ut_metadata (BEP 9)");
                if (theirs.MetadataSize is not { } size) return (null, "it has no metadata to give (no metadata_size)");
                metadata = new byte[size];
                missing = MetadataExchange.PieceCount(size);
                received = new bool[missing];
                for (var piece = 0; piece < missing; piece++)
                    await WriteExtendedAsync(stream, theirs.MetadataId, MetadataExchange.EncodeRequest(piece), cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (body.Span[1] != ExtensionHandshake.OurMetadataId) continue; // an extension we did not offer
            if (metadata is null || received is null) return (null, "ut_metadata before its extension handshake");
            if (!MetadataExchange.TryParse(payload.Span, out var reply, out var reason)) return (null, reason);
            switch (reply.Type)
            {
                case MetadataMessageType.Reject:
                    return (null, $"it refused metadata piece {reply.Piece}");
                case MetadataMessageType.Request:
                    await WriteExtendedAsync(stream, ExtensionHandshake.OurMetadataId, MetadataExchange.EncodeReject(reply.Piece), cancellationToken).ConfigureAwait(false);
                    continue;
            }
            if (reply.TotalSize != metadata.Length) return (null, "a metadata piece of another total_size than its handshake said");
            if (received[reply.Piece]) continue; // a duplicate: the first copy stands
            payload.Span.Slice(reply.DataOffset, reply.DataLength).CopyTo(metadata.AsSpan(reply.Piece * MetadataExchange.PieceSize));
            received[reply.Piece] = true;
            if (--missing > 0) continue;
            return Id160.Hash(metadata) == infoHash ? (metadata, null) : (null, "metadata whose SHA-1 is not the info-hash");
        }
    }

    private static async Task WriteExtendedAsync(NetworkStream stream, byte extensionId, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new byte[6 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, 2 + payload.Length);
        message[4] = (byte)MessageType.Extended;
        message[5] = extensionId;
        payload.CopyTo(message, 6);
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Metadata of {InfoHash} ({Length} bytes) received from {Peer}")]
        public static partial void MetadataReceived(ILogger logger, IPEndPoint peer, string infoHash, int length);

        [LoggerMessage(LogLevel.Information, "Peer {Peer} gave no metadata of {InfoHash}: {Reason}")]
        public static partial void PeerGaveNoMetadata(ILogger logger, IPEndPoint peer, string infoHash, string reason);
    }
}
