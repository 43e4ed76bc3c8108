using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

/// <summary>A ring member: its identifier and the URL its RPC is served at.</summary>
public sealed record NodeRef(Id160 Id, string Url)
{
    /// <summary>A node's id is the SHA-1 of its advertised URL, as in the Chord paper.</summary>
    public static NodeRef ForUrl(string url) => new(Id160.Hash(url), url);

    public override string ToString() => $"{Id.Short}@{Url}";
}
