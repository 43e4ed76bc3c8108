using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>A page of the keys whose id lies in (From, To], in ring order, continuing after the key After.</summary>
public sealed record RangeRequest(Id160 From, Id160 To, string? After = null);
