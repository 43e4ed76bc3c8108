namespace BitTorrent.ChordNode.Api;

/// <summary>The body of a chord node's /readyz: "ready" once it is in a ring, "joining" before.</summary>
public sealed record NodeReadiness(string Status);
