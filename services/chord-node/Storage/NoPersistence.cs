namespace BitTorrent.ChordNode.Storage;

/// <summary>A store kept in memory only (no <c>Chord:DataPath</c>): for tests and the simulation.</summary>
public sealed class NoPersistence : IStorePersistence
{
    public static readonly NoPersistence Instance = new();

    public bool IsDurable => false;
    public IReadOnlyList<EntryData> Load() => [];
    public Task Append(StoreChange change) => Task.CompletedTask;
    public Task Barrier() => Task.CompletedTask;
}
