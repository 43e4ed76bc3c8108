namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// One page of the catalog (<c>GET /api/tracker/files?page=&amp;pageSize=</c>): the rows of that page in the
/// requested order, and how many files match the search in all (<see cref="Total"/>).
/// </summary>
public sealed record TrackerFilePage(int Total, int Page, int PageSize, string Sort, string Order, IReadOnlyList<TrackerFileSummary> Items);
