namespace BitTorrent.Peer.Api;

/// <summary>The files of a download to fetch: their paths as the file's details list them (<c>files[].path</c>).</summary>
public sealed record FileSelectionRequest(IReadOnlyList<string>? Files);
