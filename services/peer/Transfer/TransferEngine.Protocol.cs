using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Transfer;

// BEP 3 messages: handshake, choking and interest, availability, serving requests.
public sealed partial class TransferEngine
{
    /// <summary>Send-buffer room kept free for control messages while blocks are being served.</summary>
    private const int ControlReserve = 16 * 1024;

    private void OnHandshake(PeerConnection c, Id160 infoHash, ReadOnlySpan<byte> peerIdBytes, long now)
    {
        if (peerIdBytes.SequenceEqual(_peerId))
        {
            if (c.KnownPeer is { } self) self.Banned = true;
            Close(c, "connected to ourselves");
            return;
        }
        var peerId = PeerIdentity.Describe(peerIdBytes);
        Swarm swarm;
        if (c.Outgoing)
        {
            swarm = c.Swarm!;
            if (infoHash != swarm.Torrent.InfoHash)
            {
                Close(c, "handshake for another torrent");
                return;
            }
        }
        else
        {
            if (!_swarms.TryGetValue(infoHash, out swarm!) || !swarm.IsServing)
            {
                Close(c, $"unknown torrent {infoHash.Short}");
                return;
            }
            if (swarm.Download?.BannedPeerIds.Contains(peerId) == true)
            {
                Close(c, "banned peer");
                return;
            }
            c.Swarm = swarm;
            swarm.Connections.Add(c);
            SendHandshake(c);
        }
        foreach (var other in swarm.Connections)
        {
            if (!ReferenceEquals(other, c) && other.Phase == ConnectionPhase.Open && other.RemotePeerId == peerId)
            {
                // Both sides dialled each other: keep the older connection and let the known
                // endpoint follow it, so it is not redialled while that one lives.
                if (c.KnownPeer is { } dialled && other.KnownPeer is null)
                {
                    other.KnownPeer = dialled;
                    dialled.Connection = other;
                }
                Close(c, "duplicate connection");
                return;
            }
        }

        c.RemotePeerId = peerId;
        c.Phase = ConnectionPhase.Open;
        c.PhaseDeadline = long.MaxValue;
        if (c.KnownPeer is { } known) known.Failures = 0;
        if (!swarm.Have.IsEmpty) TrySend(c, 5 + swarm.Have.Bytes.Length, span => MessageWriter.WriteBitfield(span, swarm.Have.Bytes));
        if (swarm.Download is { } download) download.NeedsSchedule = true;
        Log.PeerConnected(_logger, c.Describe(), infoHash.Short, c.Outgoing ? "out" : "in");
    }

    private void OnMessage(PeerConnection c, PeerMessage message, long now)
    {
        var swarm = c.Swarm!;
        var download = swarm.Download;
        switch (message.Type)
        {
            case MessageType.KeepAlive:
                break;

            case MessageType.Choke:
                c.PeerChoking = true;
                // BEP 3: a choking peer drops our pending requests; fetch those pieces elsewhere.
                AbandonTransactions(c, sendCancel: false);
                if (download is not null) download.NeedsSchedule = true;
                break;

            case MessageType.Unchoke:
                c.PeerChoking = false;
                if (download is not null) download.NeedsSchedule = true;
                break;

            case MessageType.Interested:
                c.PeerInterested = true;
                TryUnchoke(c);
                break;

            case MessageType.NotInterested:
                c.PeerInterested = false;
                break;

            case MessageType.Have:
                c.RemotePieces ??= new Bitfield(swarm.Torrent.PieceCount);
                if (c.RemotePieces.Set(message.Index) && download is not null)
                {
                    download.Plan.AddAvailability(message.Index);
                    if (download.IsActive && download.Plan.IsWanted(message.Index)) SetInterested(c, true);
                    download.NeedsSchedule = true;
                }
                break;

            case MessageType.Bitfield:
                if (!Bitfield.TryRead(message.Payload, swarm.Torrent.PieceCount, out var pieces))
                {
                    Close(c, "bitfield with spare bits set");
                    return;
                }
                // BEP 3 puts the bitfield first, but real clients (aria2) also send one later:
                // it simply replaces what we knew.
                if (c.RemotePieces is { } previous) download?.Plan.RemoveAvailability(previous);
                c.RemotePieces = pieces;
                if (download is not null)
                {
                    download.Plan.AddAvailability(pieces);
                    UpdateInterest(c);
                    download.NeedsSchedule = true;
                }
                break;

            case MessageType.Request:
                OnRequest(c, message);
                break;

            // MessageType.Piece goes to OnBlock straight from ProcessReceived (it needs the block's place in the buffer).

            case MessageType.Cancel:
                CancelServe(c, new BlockRequest(message.Index, message.Begin, message.Length));
                break;
        }
    }

    /// <summary>A "send" transaction: queued here, served by <see cref="FillServedBlocks"/> when the send buffer has room.</summary>
    private void OnRequest(PeerConnection c, PeerMessage message)
    {
        // Requests from a choked peer, for pieces we never announced, or beyond its queue are dropped, as BEP 3 allows.
        if (c.AmChoking || !c.Swarm!.Have[message.Index] || c.ServeQueue.Count >= _options.MaxQueuedRequestsPerPeer) return;
        c.ServeQueue.Enqueue(new BlockRequest(message.Index, message.Begin, message.Length));
    }

    private static void CancelServe(PeerConnection c, BlockRequest cancelled)
    {
        for (var n = c.ServeQueue.Count; n > 0; n--)
        {
            var request = c.ServeQueue.Dequeue();
            if (request != cancelled) c.ServeQueue.Enqueue(request);
        }
    }

    private void TryUnchoke(PeerConnection c)
    {
        if (!c.AmChoking || !c.PeerInterested || _unchoked >= _options.MaxUnchokedPeers || c.Phase != ConnectionPhase.Open) return;
        c.AmChoking = false;
        _unchoked++;
        SendState(c, MessageType.Unchoke);
    }

    private void UnchokeWaitingPeer()
    {
        foreach (var c in _connections)
        {
            if (c.Phase == ConnectionPhase.Open && c.AmChoking && c.PeerInterested)
            {
                TryUnchoke(c);
                return;
            }
        }
    }

    /// <summary>Interested exactly when the peer has a piece an active download of ours still needs.</summary>
    private void UpdateInterest(PeerConnection c)
    {
        var download = c.Swarm?.Download;
        var wanted = download is { IsActive: true } && c.RemotePieces is { } pieces && download.Plan.HasWantedPiece(pieces);
        SetInterested(c, wanted);
    }

    private void SetInterested(PeerConnection c, bool interested)
    {
        if (c.AmInterested == interested || c.Phase != ConnectionPhase.Open) return;
        c.AmInterested = interested;
        SendState(c, interested ? MessageType.Interested : MessageType.NotInterested);
    }

    private void BroadcastHave(Swarm swarm, int index)
    {
        foreach (var c in swarm.Connections)
        {
            if (c.Phase != ConnectionPhase.Open) continue;
            TrySend(c, MessageWriter.HaveLength, span => MessageWriter.WriteHave(span, index));
        }
    }

    private void SendHandshake(PeerConnection c) =>
        TrySend(c, Handshake.Length, span => Handshake.Write(span, c.Swarm!.Torrent.InfoHash, _peerId));

    private void SendState(PeerConnection c, MessageType type) =>
        TrySend(c, 5, span => MessageWriter.WriteState(span, type));

    /// <summary>
    /// Queues a control message. If even that does not fit, the peer has not read for a long
    /// time; it is dropped rather than buffered without bound.
    /// </summary>
    private bool TrySend(PeerConnection c, int size, SpanWriter write)
    {
        if (c.Phase == ConnectionPhase.Closed) return false;
        if (c.SendFree < size)
        {
            Close(c, "send buffer full (peer is not reading)");
            return false;
        }
        var span = c.GetSendSpan(size);
        var written = write(span);
        c.CommitSend(written);
        return true;
    }

    private delegate int SpanWriter(Span<byte> destination);
}
