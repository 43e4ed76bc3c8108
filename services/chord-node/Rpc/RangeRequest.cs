using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>Keys whose id lies in (From, To].</summary>
public sealed record RangeRequest(Id160 From, Id160 To);
