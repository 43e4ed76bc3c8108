using System.Diagnostics.CodeAnalysis;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.Peer.Transfer;

/// <summary>The three BEP 9 <c>ut_metadata</c> messages.</summary>
public enum MetadataMessageType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}

/// <summary>
/// One <c>ut_metadata</c> message: a request for, the data of, or a refusal of one 16 KiB piece of a torrent's
/// info dictionary. <see cref="DataOffset"/> is where a data message's piece starts in the payload it was read from.
/// </summary>
public readonly record struct MetadataMessage(MetadataMessageType Type, int Piece, int TotalSize = 0, int DataOffset = 0, int DataLength = 0);

/// <summary>
/// BEP 9 (extension for peers to send metadata files): the <c>ut_metadata</c> messages inside BEP 10 extended
/// messages, read and written, and served to peers from the info dictionary of a torrent we have. A message is a
/// bencoded dictionary (<c>msg_type</c>, <c>piece</c>, and for data <c>total_size</c>) followed, for data, by
/// the piece's bytes. Everything read is bounded: the dictionary's size and depth, the piece index (within the
/// metadata, at most <see cref="ExtensionHandshake.MaxMetadataSize"/>), the total size, and a data piece's length
/// (exactly what that piece of that total must be). A peer that breaks a rule loses its connection.
/// </summary>
public static class MetadataExchange
{
    /// <summary>BEP 9 cuts the info dictionary into pieces of 16 KiB; the last may be shorter.</summary>
    public const int PieceSize = 16 * 1024;

    /// <summary>The longest dictionary read in front of a piece (real clients send about 50 bytes).</summary>
    public const int MaxHeaderLength = 1024;

    /// <summary>The longest <c>ut_metadata</c> payload: the dictionary and one piece.</summary>
    public const int MaxMessageLength = MaxHeaderLength + PieceSize;

    private const int MaxDepth = 2;

    public static int PieceCount(int metadataSize) => (metadataSize + PieceSize - 1) / PieceSize;

    /// <summary>The length of piece <paramref name="piece"/> of metadata of <paramref name="metadataSize"/> bytes.</summary>
    public static int PieceLength(int metadataSize, int piece) => Math.Min(PieceSize, metadataSize - (piece * PieceSize));

    public static byte[] EncodeRequest(int piece) => Encode(MetadataMessageType.Request, piece, null, []);

    public static byte[] EncodeReject(int piece) => Encode(MetadataMessageType.Reject, piece, null, []);

    public static byte[] EncodeData(int piece, int totalSize, ReadOnlySpan<byte> data) => Encode(MetadataMessageType.Data, piece, totalSize, data);

    private static byte[] Encode(MetadataMessageType type, int piece, int? totalSize, ReadOnlySpan<byte> data)
    {
        var dictionary = new BDictionary { ["msg_type"] = new BInteger((int)type), ["piece"] = new BInteger(piece) };
        if (totalSize is { } total) dictionary["total_size"] = new BInteger(total);
        var header = BencodeWriter.Encode(dictionary);
        var message = new byte[header.Length + data.Length];
        header.CopyTo(message, 0);
        data.CopyTo(message.AsSpan(header.Length));
        return message;
    }

    /// <summary>
    /// Reads a <c>ut_metadata</c> payload (the extended message after its id byte). False with the reason for
    /// bad bencode, an unknown type, a piece index or total size out of range, a data piece of the wrong length,
    /// or bytes after a request or reject.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out MetadataMessage message, [NotNullWhen(false)] out string? error)
    {
        message = default;
        if (payload.Length > MaxMessageLength) return Fail($"ut_metadata message longer than {MaxMessageLength} bytes", out error);
        BValue value;
        int headerLength;
        try
        {
            value = BencodeReader.DecodePrefix(payload[..Math.Min(payload.Length, MaxHeaderLength)], out headerLength, MaxDepth);
        }
        catch (BencodeException e)
        {
            return Fail($"ut_metadata message is not bencoded: {e.Message}", out error);
        }
        if (value is not BDictionary dictionary) return Fail("ut_metadata message is not a dictionary", out error);
        if (dictionary["msg_type"] is not BInteger { Value: >= 0 and <= 2 } type) return Fail("ut_metadata message without a known msg_type", out error);
        var maxPieces = PieceCount(ExtensionHandshake.MaxMetadataSize);
        if (dictionary["piece"] is not BInteger { Value: >= 0 } pieceValue || pieceValue.Value >= maxPieces)
            return Fail($"ut_metadata message without a piece from 0 to {maxPieces - 1}", out error);
        var piece = (int)pieceValue.Value;
        var kind = (MetadataMessageType)type.Value;
        if (kind != MetadataMessageType.Data)
        {
            if (headerLength != payload.Length) return Fail("ut_metadata request or reject with bytes after it", out error);
            message = new MetadataMessage(kind, piece);
            error = null;
            return true;
        }
        if (dictionary["total_size"] is not BInteger { Value: > 0 and <= ExtensionHandshake.MaxMetadataSize } total)
            return Fail($"ut_metadata data without a total_size from 1 to {ExtensionHandshake.MaxMetadataSize}", out error);
        var totalSize = (int)total.Value;
        if (piece >= PieceCount(totalSize)) return Fail("ut_metadata data of a piece beyond its total_size", out error);
        var dataLength = payload.Length - headerLength;
        if (dataLength != PieceLength(totalSize, piece)) return Fail("ut_metadata data piece of the wrong length", out error);
        message = new MetadataMessage(kind, piece, totalSize, headerLength, dataLength);
        error = null;
        return true;
    }

    /// <summary>
    /// An extended message on an open connection, on the engine thread: the peer's extension handshake (its client
    /// name and <c>ut_metadata</c> id are kept on the connection), or its <c>ut_metadata</c> request, answered from
    /// <paramref name="info"/> (the info dictionary of the connection's torrent): data for a piece within it, a
    /// reject for one beyond it or beyond the requests a connection may make. Returns why the connection must be
    /// closed, or null. Extensions we did not announce are ignored.
    /// </summary>
    internal static string? OnExtended(PeerConnection c, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> info)
    {
        if (payload.IsEmpty) return "extended message without an id";
        var id = payload[0];
        var body = payload[1..];
        if (id == ExtensionHandshake.HandshakeId)
        {
            if (!c.SupportsExtensions) return "extension handshake without the extension bit";
            if (!ExtensionHandshake.TryParse(body, out var handshake, out var error)) return error;
            c.ClientName = handshake.ClientName ?? c.ClientName;
            c.RemoteMetadataId = handshake.MetadataId;
            return null;
        }
        if (id != ExtensionHandshake.OurMetadataId) return null; // an extension we never offered: ignored
        if (!TryParse(body, out var message, out var reason)) return reason;
        if (message.Type != MetadataMessageType.Request) return null; // we never ask our own peers; stray answers are dropped
        if (c.RemoteMetadataId == 0) return "ut_metadata request from a peer that did not announce ut_metadata";
        // Each piece a few times over is plenty (a client that lost the connection starts a new one).
        var allowed = 4 * Math.Max(1, PieceCount(info.Length)) + 8;
        if (++c.MetadataRequests > allowed) return "too many ut_metadata requests";
        var reply = message.Piece < PieceCount(info.Length)
            ? EncodeData(message.Piece, info.Length, info.Slice(message.Piece * PieceSize, PieceLength(info.Length, message.Piece)))
            : EncodeReject(message.Piece);
        c.SendExtended(c.RemoteMetadataId, reply);
        return null;
    }

    private static bool Fail(string reason, out string error)
    {
        error = reason;
        return false;
    }
}
