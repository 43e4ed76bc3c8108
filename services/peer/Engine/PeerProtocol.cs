using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Engine;

/// <summary>
/// BEP 3 on the engine thread: parses what a connection received and routes each message to
/// whom it concerns: the handshake to the torrent it names, choking and interest to the choker,
/// requests and cancels to the block server, availability, choking of us and blocks to the
/// torrent's download (if we are fetching it), and BEP 10 extended messages (the extension
/// handshake, BEP 9 metadata requests) to <see cref="MetadataExchange"/>. With BEP 6 (the fast extension, when
/// <paramref name="fastExtension"/> and the peer's handshake offers it too): have all / have none instead of a
/// bitfield both ways, our allowed-fast set sent after it, rejects checked against what we asked for and handed to
/// the download, allowed-fast pieces remembered, suggestions read and ignored.
/// </summary>
internal sealed class PeerProtocol(ReadOnlyMemory<byte> ourPeerId, bool fastExtension, TorrentRegistry torrents, ConnectionTable connections, Choker choker,
    BlockServer server, BlockWriter writer, ILogger logger)
{
    /// <summary>
    /// Parses every whole message in the receive buffer. Blocks accepted on the way are staged for
    /// the block writer and the buffer is handed to it whole; otherwise the parsed prefix is dropped.
    /// </summary>
    public void ProcessReceived(PeerConnection c, long now)
    {
        var offset = 0;
        try
        {
            while (c.Phase != ConnectionPhase.Closed)
            {
                var data = c.Received[offset..];
                if (c.Phase == ConnectionPhase.Handshaking)
                {
                    var status = Handshake.TryRead(data, out var infoHash, out var peerId);
                    if (status == ParseStatus.NeedMoreData) break;
                    if (status == ParseStatus.Malformed)
                    {
                        c.Close("garbage instead of a handshake");
                        return;
                    }
                    c.SupportsExtensions = Handshake.SupportsExtensions(data);
                    var peerFast = Handshake.SupportsFastExtension(data);
                    offset += Handshake.Length;
                    OnHandshake(c, infoHash, peerId, peerFast);
                    continue;
                }

                var result = MessageReader.TryRead(data, c.Swarm!.Torrent.Geometry, out var message, out var consumed, out var reason, c.Fast is not null);
                if (result == ParseStatus.NeedMoreData) break;
                if (result == ParseStatus.Malformed)
                {
                    EngineLog.ProtocolViolation(logger, c.Describe(), reason!);
                    c.Close($"protocol violation: {reason}");
                    return;
                }
                offset += consumed;
                // A block is the tail of its message: it sits just before the new offset.
                OnMessage(c, message, offset - message.Payload.Length, now);
            }
        }
        finally
        {
            if (writer.HasStaged) writer.Submit(c, offset);
            else if (c.Phase != ConnectionPhase.Closed) c.Consume(offset);
        }
    }

    private void OnHandshake(PeerConnection c, Id160 infoHash, ReadOnlySpan<byte> peerIdBytes, bool peerFast)
    {
        if (peerIdBytes.SequenceEqual(ourPeerId.Span))
        {
            torrents.DownloadOf(c.Swarm)?.Peers.BanSelf(c);
            c.Close("connected to ourselves");
            return;
        }
        var peerId = PeerIdentity.Key(peerIdBytes);
        Swarm swarm;
        if (c.Outgoing)
        {
            swarm = c.Swarm!;
            if (infoHash != swarm.InfoHash)
            {
                c.Close("handshake for another torrent");
                return;
            }
        }
        else
        {
            if (!torrents.TryGetSwarm(infoHash, out swarm) || !swarm.IsServing)
            {
                c.Close($"unknown torrent {infoHash.Short}");
                return;
            }
            if (torrents.DownloadOf(swarm)?.Peers.IsBanned(peerId) == true)
            {
                c.Close("banned peer");
                return;
            }
            if (connections.Limits.RefuseJoin(c, swarm) is { } refused)
            {
                c.Close(refused);
                return;
            }
            c.Swarm = swarm;
            swarm.Connections.Add(c);
            c.SendHandshake(infoHash, ourPeerId.Span, fastExtension);
        }
        var download = torrents.DownloadOf(swarm);
        foreach (var other in swarm.Connections)
        {
            if (!ReferenceEquals(other, c) && other.IsOpen && other.RemotePeerId == peerId)
            {
                // Both sides dialled each other: keep the older connection.
                download?.Peers.Follow(c, other);
                c.Close("duplicate connection");
                return;
            }
        }

        c.RemotePeerId = peerId;
        c.RemotePeerName = PeerIdentity.Describe(peerIdBytes);
        c.Phase = ConnectionPhase.Open;
        c.PhaseDeadline = long.MaxValue;
        c.LastMessage = c.LastRequest = Environment.TickCount64;
        connections.Counters.FastExtension(fastExtension, peerFast);
        if (fastExtension && peerFast) OpenFast(c, swarm);
        else if (!swarm.Have.IsEmpty) c.SendBitfield(swarm.Have);
        if (c.SupportsExtensions) c.SendExtended(ExtensionHandshake.HandshakeId, ExtensionHandshake.Encode(MetadataOf(swarm).Length is > 0 and var size ? size : null));
        download?.Peers.OnOpened(c);
        EngineLog.PeerConnected(logger, c.Describe(), infoHash.Short, c.Outgoing ? "out" : "in");
    }

    /// <summary>BEP 6: what we have as its first message (have all, have none or a bitfield), then the pieces we allow the peer fast.</summary>
    private static void OpenFast(PeerConnection c, Swarm swarm)
    {
        var fast = c.Fast = new FastExtensionState();
        if (swarm.Have.IsComplete) c.SendState(MessageType.HaveAll);
        else if (swarm.Have.IsEmpty) c.SendState(MessageType.HaveNone);
        else c.SendBitfield(swarm.Have);
        fast.GrantAllowedFast(c.RemoteEndPoint.Address, swarm.InfoHash, swarm.Torrent.PieceCount);
        foreach (var index in fast.AllowedToPeer) c.SendPieceIndex(MessageType.AllowedFast, index);
    }

    private void OnMessage(PeerConnection c, PeerMessage message, int payloadStart, long now)
    {
        var swarm = c.Swarm!;
        var download = torrents.DownloadOf(swarm);
        if (c.Fast is { } fast && message.Type is not (MessageType.KeepAlive or MessageType.Extended))
        {
            if (fast.FirstMessageSeen && message.Type is MessageType.HaveAll or MessageType.HaveNone)
            {
                Violation(c, "have all or have none after the first message");
                return;
            }
            fast.FirstMessageSeen = true;
        }
        if (message.Type != MessageType.KeepAlive) c.LastMessage = now; // keep-alives alone never keep a connection
        if (message.Type is MessageType.Interested or MessageType.Request) c.LastRequest = now;
        switch (message.Type)
        {
            case MessageType.KeepAlive:
                break;
            case MessageType.Choke:
                c.PeerChoking = true;
                download?.Peers.OnChoke(c);
                break;
            case MessageType.Unchoke:
                c.PeerChoking = false;
                download?.Peers.OnUnchoke(c, now);
                break;
            case MessageType.Interested:
                choker.OnInterested(c);
                break;
            case MessageType.NotInterested:
                choker.OnNotInterested(c, connections.All);
                break;
            case MessageType.Have:
                c.RemotePieces ??= new Bitfield(swarm.Torrent.PieceCount);
                if (c.RemotePieces.Set(message.Index)) download?.Peers.OnHave(c, message.Index);
                break;
            case MessageType.Bitfield:
                if (!Bitfield.TryRead(message.Payload, swarm.Torrent.PieceCount, out var pieces))
                {
                    c.Close("bitfield with spare bits set");
                    return;
                }
                var previous = c.RemotePieces;
                c.RemotePieces = pieces;
                download?.Peers.OnBitfield(c, previous);
                break;
            case MessageType.HaveAll or MessageType.HaveNone:
                var all = new Bitfield(swarm.Torrent.PieceCount);
                if (message.Type == MessageType.HaveAll) all.SetAll();
                var before = c.RemotePieces;
                c.RemotePieces = all;
                download?.Peers.OnBitfield(c, before);
                break;
            case MessageType.Request:
                server.OnRequest(c, message);
                break;
            case MessageType.Piece:
                if (c.Fast?.Answered(message.Index, message.Begin, message.Length) == false)
                {
                    Violation(c, "a block we never requested"); // BEP 6: every block answers a request of ours
                    return;
                }
                download?.Peers.OnBlock(c, message, payloadStart, now);
                break;
            case MessageType.RejectRequest:
                if (!c.Fast!.Answered(message.Index, message.Begin, message.Length))
                {
                    Violation(c, "a reject of a block we never requested");
                    return;
                }
                connections.Counters.RejectReceived();
                download?.Peers.OnReject(c, message, now);
                break;
            case MessageType.AllowedFast:
                c.Fast!.OnAllowedFast(message.Index);
                download?.Peers.OnAllowedFast(c);
                break;
            case MessageType.SuggestPiece:
                break; // read (and length-checked) but not followed: rarest first decides
            case MessageType.Cancel:
                BlockServer.OnCancel(c, message);
                break;
            case MessageType.Extended:
                if (MetadataExchange.OnExtended(c, message.Payload, MetadataOf(swarm)) is { } violation) Violation(c, violation);
                break;
        }
    }

    private void Violation(PeerConnection c, string reason)
    {
        EngineLog.ProtocolViolation(logger, c.Describe(), reason);
        c.Close($"protocol violation: {reason}");
    }

    /// <summary>The info dictionary we serve over BEP 9: the torrent's, unless it is larger than peers may fetch (then none).</summary>
    private static ReadOnlySpan<byte> MetadataOf(Swarm swarm) =>
        swarm.Torrent.InfoDictionary.Length <= ExtensionHandshake.MaxMetadataSize ? swarm.Torrent.InfoDictionary : [];
}
