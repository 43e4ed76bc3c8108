namespace BitTorrent.ChordNode.Api;

/// <summary>The ring as seen from one member.</summary>
public sealed record RingView(string AnsweredBy, int Size, IReadOnlyList<MemberView> Members);
