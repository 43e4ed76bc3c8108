using System.Diagnostics.CodeAnalysis;
using System.Text;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// BEP 10's extension handshake: the bencoded dictionary an extended message with id 0 carries, sent right
/// after the BEP 3 handshake to a peer whose handshake set the extension bit. We read and write
/// <c>m</c> (which extensions the sender speaks, and the message id it wants for each: we speak only
/// <c>ut_metadata</c>), <c>metadata_size</c> (the info dictionary's length, BEP 9), <c>v</c> (the client's
/// name) and <c>reqq</c> (how many requests it queues). Everything read is untrusted and bounded.
/// </summary>
/// <param name="MetadataId">The id the sender wants its <c>ut_metadata</c> messages sent with; 0 when it does not speak it.</param>
/// <param name="MetadataSize">The length of the info dictionary the sender can give, if it said.</param>
/// <param name="ClientName">The sender's <c>v</c>, printable and at most <see cref="MaxClientNameLength"/> characters.</param>
/// <param name="RequestQueue">The sender's <c>reqq</c>, if it said.</param>
public sealed record ExtensionHandshake(byte MetadataId, int? MetadataSize, string? ClientName, int? RequestQueue)
{
    /// <summary>The extended message id of the handshake itself.</summary>
    public const byte HandshakeId = 0;

    /// <summary>The id we ask peers to send their <c>ut_metadata</c> messages to us with.</summary>
    public const byte OurMetadataId = 2;

    /// <summary>What we say in <c>v</c> (the version of <see cref="PeerIdentity.ClientPrefix"/>).</summary>
    public const string OurClientName = "D&D BitTorrent/1.0";

    /// <summary>The <c>reqq</c> we announce: block requests we queue for one peer.</summary>
    public const int OurRequestQueue = 250;

    /// <summary>The largest info dictionary we fetch or serve (BEP 9's <c>metadata_size</c>).</summary>
    public const int MaxMetadataSize = 4 * 1024 * 1024;

    /// <summary>The longest extension handshake read; real clients send a few hundred bytes.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>How deeply a handshake may nest (the dictionary and its <c>m</c> are two levels).</summary>
    public const int MaxDepth = 4;

    public const int MaxClientNameLength = 64;

    private const string MetadataExtension = "ut_metadata";

    /// <summary>Our handshake: <c>ut_metadata</c> under <see cref="OurMetadataId"/>, and the info dictionary's length when we have it.</summary>
    public static byte[] Encode(int? metadataSize, string clientName = OurClientName, int requestQueue = OurRequestQueue)
    {
        var dictionary = new BDictionary
        {
            ["m"] = new BDictionary { [MetadataExtension] = new BInteger(OurMetadataId) },
            ["reqq"] = new BInteger(requestQueue),
            ["v"] = new BString(clientName),
        };
        if (metadataSize is { } size) dictionary["metadata_size"] = new BInteger(size);
        return BencodeWriter.Encode(dictionary);
    }

    /// <summary>
    /// Reads a handshake's dictionary (the extended message's payload after its id byte). False with the reason
    /// for anything that is not a bounded, well-formed dictionary or that names a <c>ut_metadata</c> id or a
    /// <c>metadata_size</c> out of range; unknown keys and extensions are ignored, as BEP 10 asks.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out ExtensionHandshake? handshake, [NotNullWhen(false)] out string? error)
    {
        handshake = null;
        if (payload.Length > MaxLength) return Fail($"extension handshake longer than {MaxLength} bytes", out error);
        BValue value;
        try
        {
            value = BencodeReader.Decode(payload, MaxDepth);
        }
        catch (BencodeException e)
        {
            return Fail($"extension handshake is not bencoded: {e.Message}", out error);
        }
        if (value is not BDictionary dictionary) return Fail("extension handshake is not a dictionary", out error);

        byte metadataId = 0;
        switch (dictionary["m"])
        {
            case null:
                break;
            case BDictionary extensions:
                switch (extensions[MetadataExtension])
                {
                    case null:
                        break;
                    case BInteger { Value: >= 0 and <= byte.MaxValue } id:
                        metadataId = (byte)id.Value;
                        break;
                    default:
                        return Fail("extension handshake: ut_metadata's id is not a number from 0 to 255", out error);
                }
                break;
            default:
                return Fail("extension handshake: 'm' is not a dictionary", out error);
        }

        int? metadataSize = null;
        switch (dictionary["metadata_size"])
        {
            case null:
                break;
            case BInteger { Value: > 0 and <= MaxMetadataSize } size:
                metadataSize = (int)size.Value;
                break;
            default:
                return Fail($"extension handshake: metadata_size is not a number from 1 to {MaxMetadataSize}", out error);
        }

        int? requestQueue = dictionary["reqq"] is BInteger { Value: > 0 and <= int.MaxValue } reqq ? (int)reqq.Value : null;
        var name = dictionary["v"] is BString v ? Printable(v.Bytes) : null;
        handshake = new ExtensionHandshake(metadataId, metadataSize, name, requestQueue);
        error = null;
        return true;
    }

    /// <summary>A client name fit for the UI and the log: UTF-8, control characters dropped, bounded in length.</summary>
    private static string? Printable(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var c in Encoding.UTF8.GetString(bytes))
        {
            if (char.IsControl(c) || c == '\uFFFD') continue;
            if (text.Length == MaxClientNameLength) break;
            text.Append(c);
        }
        var name = text.ToString().Trim();
        return name.Length == 0 ? null : name;
    }

    private static bool Fail(string reason, out string error)
    {
        error = reason;
        return false;
    }
}
