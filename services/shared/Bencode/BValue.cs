namespace BitTorrent.Shared.Bencode;

/// <summary>A bencoded value (BEP 3): byte string, integer, list or dictionary.</summary>
public abstract class BValue
{
    /// <summary>Where the value sat in the buffer it was decoded from (for the info-hash of a torrent).</summary>
    public Range Source { get; internal set; }

    public byte[] Encode() => BencodeWriter.Encode(this);
}
