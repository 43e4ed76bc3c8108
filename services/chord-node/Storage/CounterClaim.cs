namespace BitTorrent.ChordNode.Storage;

/// <summary>A primary's claim of the next value of a counter, sent to every replica (see <see cref="PrimaryApplier"/>).</summary>
public sealed record CounterClaim(string Key, long Value, CounterWriter Writer)
{
    /// <summary>Longest counter key a replica accepts in a claim.</summary>
    public const int MaxKeyLength = 1024;
}
