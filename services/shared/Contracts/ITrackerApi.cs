using BitTorrent.Shared.Contracts.Tracker;
using Refit;

namespace BitTorrent.Shared.Contracts;

/// <summary>
/// The chord node's tracker API (also reached through the gateway). Calls whose "not found" is an
/// ordinary answer return <see cref="IApiResponse{T}"/>; the others throw <see cref="ApiException"/> on errors,
/// whose content is an RFC 7807 problem details document. Info-hashes travel as 40 lower-case hex digits;
/// peer ids assigned by the tracker are numbers.
/// </summary>
public interface ITrackerApi
{
    /// <summary>The catalog, optionally filtered by a case-insensitive substring of the name.</summary>
    [Get("/api/tracker/files")]
    Task<IReadOnlyList<TrackerFileSummary>> GetFilesAsync([Query] string? search = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The whole catalog in another order: <paramref name="sort"/> is name, size, seeders or published, <paramref name="order"/> asc or desc;
    /// <paramref name="available"/> true hides stale entries (no seeder for the tracker's StaleAfter).
    /// </summary>
    [Get("/api/tracker/files")]
    Task<IReadOnlyList<TrackerFileSummary>> GetSortedFilesAsync([Query] string? search, [Query] string? sort, [Query] string? order, [Query] bool? available = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the catalog: <paramref name="sort"/> is name, size, seeders or published, <paramref name="order"/>
    /// asc or desc, pages count from 1 and hold at most <see cref="CatalogQuery.MaxPageSize"/> files; 400 for anything else.
    /// <paramref name="available"/> true hides stale entries.
    /// </summary>
    [Get("/api/tracker/files")]
    Task<TrackerFilePage> GetFilePageAsync([Query] string? search, [Query] string? sort, [Query] string? order, [Query] int page, [Query] int pageSize,
        [Query] bool? available = null, CancellationToken cancellationToken = default);

    [Get("/api/tracker/files/{infoHash}")]
    Task<IApiResponse<TrackerFileDetails>> GetFileAsync(string infoHash, CancellationToken cancellationToken = default);

    /// <summary>The bencoded .torrent (application/x-bittorrent); 404 when unknown. The caller disposes the response.</summary>
    [Get("/api/tracker/files/{infoHash}/torrent")]
    Task<HttpResponseMessage> GetTorrentAsync(string infoHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a single-file BEP 3 torrent. The body is the raw .torrent bytes, e.g.
    /// <c>new ByteArrayContent(bytes) { Headers = { ContentType = new("application/x-bittorrent") } }</c>.
    /// 201 when new, 200 when it was already published (idempotent), 400 for an invalid torrent.
    /// </summary>
    [Post("/api/tracker/files")]
    Task<IApiResponse<PublishedTorrent>> PublishAsync([Body] HttpContent torrent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes as a registered peer: the tracker records the peer as the file's publisher (when the file is
    /// new), which lets that peer remove it from the catalog later (<see cref="RemoveFileAsync"/>).
    /// </summary>
    [Post("/api/tracker/files")]
    Task<IApiResponse<PublishedTorrent>> PublishAsOwnerAsync([Body] HttpContent torrent, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes as a registered peer and asks for <paramref name="copies"/> seeders (1..16, see <see cref="CopiesRequest"/>): when the
    /// file's live seeders fall below it, the ring asks volunteers to fetch copies. 400 for copies out of range.
    /// </summary>
    [Post("/api/tracker/files")]
    Task<IApiResponse<PublishedTorrent>> PublishWithCopiesAsync([Body] HttpContent torrent, [Query] int copies, [Authorize(PeerToken.Scheme)] string token,
        CancellationToken cancellationToken = default);

    /// <summary>Changes a file's target number of copies; only its publisher's token may (204, 400, 401, 403, 404).</summary>
    [Put("/api/tracker/files/{infoHash}/copies")]
    Task<IApiResponse> SetCopiesAsync(string infoHash, [Body] CopiesRequest request, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// A volunteering peer asks for work with its token: the ring answers with files to fetch (claimed for it with a lease) and
    /// volunteer copies to drop. 200, or 400 for a report out of range, 401/403 without the peer's token, 404 for an unknown peer,
    /// 413 for a body over <see cref="VolunteerReport.MaxBodyBytes"/>.
    /// </summary>
    [Post("/api/tracker/volunteers/{peerId}/assignment")]
    Task<IApiResponse<VolunteerAssignment>> GetVolunteerAssignmentAsync(long peerId, [Body] VolunteerReport report, [Authorize(PeerToken.Scheme)] string token,
        CancellationToken cancellationToken = default);

    /// <summary>Removes a file from the catalog and the name index; only its publisher's token may (204, 401, 403, 404).</summary>
    [Delete("/api/tracker/files/{infoHash}")]
    Task<IApiResponse> RemoveFileAsync(string infoHash, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    /// <summary>Joins (or refreshes membership of) a swarm with the peer's token; repeat within the announce interval or the entry expires.</summary>
    [Put("/api/tracker/files/{infoHash}/swarm/{peerId}")]
    Task<IApiResponse<SwarmInfo>> JoinSwarmAsync(string infoHash, long peerId, [Body] SwarmJoinRequest request, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    /// <summary>Leaves a swarm at once, with the peer's token.</summary>
    [Delete("/api/tracker/files/{infoHash}/swarm/{peerId}")]
    Task<IApiResponse> LeaveSwarmAsync(string infoHash, long peerId, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    [Get("/api/tracker/peers")]
    Task<IReadOnlyList<PeerInfo>> GetPeersAsync(CancellationToken cancellationToken = default);

    [Get("/api/tracker/peers/{peerId}")]
    Task<IApiResponse<PeerInfo>> GetPeerAsync(long peerId, CancellationToken cancellationToken = default);

    /// <summary>Registers a new peer: the tracker assigns its numeric id and its secret token (201). Keep the token.</summary>
    [Post("/api/tracker/peers")]
    Task<RegisteredPeer> RegisterPeerAsync([Body] PeerRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Updates a registered peer's addresses (on each start) with its token. 404: the tracker does not know the id;
    /// 401 or 403: no token or not this id's; in every case the peer registers again.
    /// </summary>
    [Put("/api/tracker/peers/{peerId}")]
    Task<IApiResponse<PeerInfo>> UpdatePeerAsync(long peerId, [Body] PeerRegistration registration, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports the peer's public status (with each refresh) with its token: 200, or 400 for a field out of range, 401/403
    /// without the peer's token, 404 when the tracker does not know the id, 413 for a body over <see cref="PeerStatusReport.MaxBodyBytes"/>.
    /// </summary>
    [Put("/api/tracker/peers/{peerId}/status")]
    Task<IApiResponse<PeerStatus>> ReportStatusAsync(long peerId, [Body] PeerStatusReport report, [Authorize(PeerToken.Scheme)] string token, CancellationToken cancellationToken = default);
}
