using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Rpc;

public sealed record LookupStepRequest(Id160 Id, IReadOnlyCollection<Id160>? Exclude);
