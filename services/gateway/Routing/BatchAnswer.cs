namespace BitTorrent.Gateway.Routing;

/// <summary>What came back for one item of a batch: the bencoded body when answered, else why not.</summary>
public readonly record struct BatchAnswer(BatchOutcome Outcome, ReadOnlyMemory<byte> Body = default, string? Reason = null);
