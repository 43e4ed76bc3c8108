namespace BitTorrent.ChordNode.Api;

public sealed record HopReport(long Lookups, double MeanHops, IReadOnlyDictionary<int, long> Histogram);
