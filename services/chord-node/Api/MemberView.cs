namespace BitTorrent.ChordNode.Api;

/// <summary>One ring member: its id, URL, predecessor and successor list.</summary>
public sealed record MemberView(string Id, string Url, string? Predecessor, IReadOnlyList<string> Successors);
