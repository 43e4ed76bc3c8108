using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.TestDoubles;

/// <summary>
/// A correct single-process <see cref="IDht"/>: registers, sets with expiry and counters in dictionaries
/// behind one lock. Counts calls so tests can hold the tracker to its round-trip budget.
/// </summary>
public sealed class InMemoryDht(TimeProvider? time = null) : IDht
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _registers = [];
    private readonly Dictionary<string, Dictionary<string, SetMember>> _sets = [];
    private readonly Dictionary<string, long> _counters = [];
    private int _calls;

    /// <summary>How many calls the store has served.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>When set, every call throws it (a failing ring).</summary>
    public Exception? FailWith { get; set; }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Enter();
        lock (_lock) return Task.FromResult(_registers.TryGetValue(key, out var value) ? value.ToArray() : null);
    }

    public Task PutAsync(string key, byte[] value, CancellationToken cancellationToken = default)
    {
        Enter();
        lock (_lock) _registers[key] = value.ToArray();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SetMember>> GetSetAsync(string key, CancellationToken cancellationToken = default)
    {
        Enter();
        lock (_lock) return Task.FromResult(Live(key));
    }

    public Task<IReadOnlyList<SetMember>> UpdateSetAsync(string key, IReadOnlyList<SetUpdate> updates, CancellationToken cancellationToken = default)
    {
        Enter();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (!_sets.TryGetValue(key, out var set)) _sets[key] = set = [];
            foreach (var update in updates)
            {
                if (update.IsRemove) set.Remove(update.Member);
                else if (update.MaxLiveMembers is { } cap && !IsLive(set, update.Member, now) && set.Values.Count(m => IsLive(m, now)) >= cap) continue;
                else set[update.Member] = new SetMember(update.Member, update.Value!, now, update.ExpiresUnixMs);
            }
            return Task.FromResult(Live(key));
        }
    }

    public Task<long> IncrementAsync(string key, CancellationToken cancellationToken = default)
    {
        Enter();
        lock (_lock)
        {
            var next = _counters.GetValueOrDefault(key) + 1;
            _counters[key] = next;
            return Task.FromResult(next);
        }
    }

    /// <summary>The raw live members, for assertions.</summary>
    public IReadOnlyList<SetMember> Set(string key)
    {
        lock (_lock) return Live(key);
    }

    private IReadOnlyList<SetMember> Live(string key)
    {
        if (!_sets.TryGetValue(key, out var set)) return [];
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return set.Values.Where(m => m.ExpiresUnixMs is null || m.ExpiresUnixMs > now).OrderBy(m => m.Member, StringComparer.Ordinal).ToList();
    }

    private static bool IsLive(Dictionary<string, SetMember> set, string member, long now) =>
        set.TryGetValue(member, out var m) && IsLive(m, now);

    private static bool IsLive(SetMember member, long now) => member.ExpiresUnixMs is null || member.ExpiresUnixMs > now;

    private void Enter()
    {
        Interlocked.Increment(ref _calls);
        if (FailWith is { } failure) throw failure;
    }
}

/// <summary>A clock that moves only when told to.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    private long _timestamp = 1_000_000;

    public ManualTimeProvider() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => _now;
    public override long GetTimestamp() => Volatile.Read(ref _timestamp);
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        _now += by;
        Interlocked.Add(ref _timestamp, by.Ticks);
    }
}
