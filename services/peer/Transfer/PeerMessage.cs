namespace BitTorrent.Peer.Transfer;

/// <summary>
/// One decoded wire message, a view into the receive buffer (valid until the buffer moves on).
/// Index/Begin/Length are set for have, request, piece and cancel; Payload holds the bitfield
/// or the block of a piece message.
/// </summary>
public readonly ref struct PeerMessage(MessageType type, int index = 0, int begin = 0, int length = 0, ReadOnlySpan<byte> payload = default)
{
    public MessageType Type { get; } = type;
    public int Index { get; } = index;
    public int Begin { get; } = begin;
    public int Length { get; } = length;
    public ReadOnlySpan<byte> Payload { get; } = payload;
}

public enum ParseStatus
{
    /// <summary>The buffer does not hold a whole message yet.</summary>
    NeedMoreData,
    Message,

    /// <summary>The peer broke the protocol; its connection (and only it) is closed.</summary>
    Malformed,
}
