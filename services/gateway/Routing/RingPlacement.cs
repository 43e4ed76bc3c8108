using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The ring as the gateway last saw it: members sorted by id, so the member that owns a key (its
/// successor: the first member whose id is at or after the key's, wrapping) is a binary search away.
/// Immutable; <see cref="RingMembership"/> replaces it when the membership changes.
/// </summary>
public sealed class RingPlacement
{
    private readonly Id160[] _ids;
    private readonly string[] _urls;

    public static readonly RingPlacement Empty = new([]);

    public RingPlacement(IEnumerable<(Id160 Id, string Url)> members)
    {
        var sorted = members.DistinctBy(m => m.Id).OrderBy(m => m.Id).ToArray();
        _ids = [.. sorted.Select(m => m.Id)];
        _urls = [.. sorted.Select(m => m.Url)];
    }

    public int Count => _ids.Length;

    /// <summary>The member at a position in id order, wrapping around the ring.</summary>
    public string this[int index] => _urls[index % _urls.Length];

    /// <summary>The position of the key's successor: its primary. The next positions hold its replicas.</summary>
    public int SuccessorIndex(Id160 key)
    {
        if (_ids.Length == 0) throw new InvalidOperationException("No ring member is known.");
        int low = 0, high = _ids.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_ids[middle] < key) low = middle + 1; else high = middle;
        }
        return low == _ids.Length ? 0 : low;
    }
}
