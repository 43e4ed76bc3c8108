using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.Gateway.Api;

/// <summary>
/// One registered peer in the fleet view: where its UI is through the gateway, its health and its last status.
/// </summary>
/// <param name="PeerId">The tracker-assigned id.</param>
/// <param name="UiPath">Its web UI through the gateway (<c>peers/{id}/</c>, relative to the gateway's root); null when the gateway does not forward to its address.</param>
/// <param name="Health">
/// <c>healthy</c> (reported to the tracker within two refresh periods and answers its <c>/readyz</c>), <c>starting</c> (answers, not ready yet),
/// <c>unreachable</c> (reports, but the gateway cannot reach it), <c>stale</c> (answers, but has not reported lately) or <c>offline</c> (neither).
/// </param>
/// <param name="SeenRecently">Whether its last status report is at most two of its refresh periods old.</param>
/// <param name="Ready">Its <c>/readyz</c> as the gateway last probed it: true (200), false (answered otherwise), null (no answer).</param>
/// <param name="LastSeen">When it last refreshed its registration with the tracker.</param>
/// <param name="Status">Its last status report (downloads, rates, files, version), or null.</param>
public sealed record FleetPeer(long PeerId, string? UiPath, string Health, bool SeenRecently, bool? Ready, DateTimeOffset LastSeen, PeerStatus? Status);
