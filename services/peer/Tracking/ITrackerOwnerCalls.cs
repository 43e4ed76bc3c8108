using BitTorrent.Shared.Contracts;

namespace BitTorrent.Peer.Tracking;

/// <summary>
/// Calls to the tracker that carry this peer's token, on trusted nodes only (<see cref="TrackerConnection.CallAsOwnerAsync{T}"/>);
/// an interface so a background worker can be tested against a fake <see cref="ITrackerApi"/>.
/// </summary>
public interface ITrackerOwnerCalls
{
    Task<T> CallAsOwnerAsync<T>(Func<ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken);
}
