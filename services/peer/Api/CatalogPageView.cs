namespace BitTorrent.Peer.Api;

/// <summary>One page of the catalog with this peer's status per row, and how many files match in all.</summary>
public sealed record CatalogPageView(int Total, int Page, int PageSize, string Sort, string Order, IReadOnlyList<CatalogView> Items);
