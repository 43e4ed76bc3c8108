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

    /// <summary>Joins (or refreshes membership of) a swarm; repeat within the announce interval or the entry expires.</summary>
    [Put("/api/tracker/files/{infoHash}/swarm/{peerId}")]
    Task<IApiResponse<SwarmInfo>> JoinSwarmAsync(string infoHash, long peerId, [Body] SwarmJoinRequest request, CancellationToken cancellationToken = default);

    [Delete("/api/tracker/files/{infoHash}/swarm/{peerId}")]
    Task<IApiResponse> LeaveSwarmAsync(string infoHash, long peerId, CancellationToken cancellationToken = default);

    [Get("/api/tracker/peers")]
    Task<IReadOnlyList<PeerInfo>> GetPeersAsync(CancellationToken cancellationToken = default);

    [Get("/api/tracker/peers/{peerId}")]
    Task<IApiResponse<PeerInfo>> GetPeerAsync(long peerId, CancellationToken cancellationToken = default);

    /// <summary>Registers a new peer: the tracker assigns its numeric id (201).</summary>
    [Post("/api/tracker/peers")]
    Task<PeerInfo> RegisterPeerAsync([Body] PeerRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Updates a registered peer's addresses (on each start); 404 means the id is unknown: register again.</summary>
    [Put("/api/tracker/peers/{peerId}")]
    Task<IApiResponse<PeerInfo>> UpdatePeerAsync(long peerId, [Body] PeerRegistration registration, CancellationToken cancellationToken = default);
}
