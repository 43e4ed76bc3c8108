using BitTorrent.ChordNode.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class SqlitePersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bt-store-").FullName;
    private static readonly HybridClock Clock = new(TimeProvider.System);

    private SqlitePersistence Open() => SqlitePersistence.Open(_directory, NullLogger.Instance);

    [Fact]
    public async Task Registers_counters_and_durable_members_written_are_read_back_after_reopening()
    {
        using (var disk = Open())
        {
            var store = new LocalStore(disk);
            await store.Put("torrent/a", [1, 2, 3], Clock.Next()).Durable;
            await store.Increment("counter/peer-id", CounterWriter.Next(default)).Durable;
            await store.Increment("counter/peer-id", CounterWriter.Next(default)).Durable;
            await store.UpdateSet("catalog/0", [SetUpdate.Add("a", "{\"name\":\"a\"}"), SetUpdate.Add("b", "{}")], Clock, 0).Durable;
            await store.UpdateSet("catalog/0", [SetUpdate.Remove("b")], Clock, 0).Durable;
        }

        using var reopened = Open();
        var again = new LocalStore(reopened);
        Assert.Equal(3, again.Loaded);
        Assert.Equal([1, 2, 3], again.Find("torrent/a")!.Value);
        Assert.Equal(2, again.Find("counter/peer-id")!.Count);
        Assert.Equal(["a"], again.Find("catalog/0")!.LiveMembers(0).Select(m => m.Member));
        // The removal is kept as a tombstone, so a replica's older copy of "b" cannot bring it back.
        Assert.Contains(again.Find("catalog/0")!.Snapshot().Members!, m => m is { Member: "b", Value: null });
    }

    [Fact]
    public async Task Members_that_expire_stay_in_memory_and_never_reach_the_disk()
    {
        using (var disk = Open())
        {
            var store = new LocalStore(disk);
            var expires = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
            var (_, _, durable) = store.UpdateSet("swarm/x", [SetUpdate.Add("peer-1", "{}", expires)], Clock, 0);
            Assert.True(durable.IsCompletedSuccessfully); // nothing to wait for: announces never wait for the disk
            await store.UpdateSet("catalog/1", [SetUpdate.Add("x", "{}")], Clock, 0).Durable;
            Assert.Equal(1, disk.Commits);
        }
        using var reopened = Open();
        var again = new LocalStore(reopened);
        Assert.False(again.Contains("swarm/x"));
        Assert.True(again.Contains("catalog/1"));
    }

    [Fact]
    public async Task Keys_deleted_from_the_store_are_deleted_from_the_disk()
    {
        using (var disk = Open())
        {
            var store = new LocalStore(disk);
            await store.Put("torrent/gone", [9], Clock.Next()).Durable;
            await store.Put("torrent/kept", [8], Clock.Next()).Durable;
            await store.UpdateSet("name/old", [SetUpdate.Add("h", "h")], Clock, 0).Durable;
            await store.UpdateSet("name/old", [SetUpdate.Remove("h")], Clock, 0).Durable;
            Assert.True(store.Remove("torrent/gone"));
            // The tombstone is past its grace period: the member goes, and with it the empty key.
            Assert.Equal(1, store.Collect(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), tombstoneTtlMs: 1000));
            Assert.False(store.Contains("name/old"));
            await disk.Barrier();
        }
        using var reopened = Open();
        var again = new LocalStore(reopened);
        Assert.Equal(["torrent/kept"], again.Keys);
    }

    [Fact]
    public async Task The_store_is_in_write_ahead_log_mode_and_concurrent_writes_share_commits()
    {
        using var disk = Open();
        var store = new LocalStore(disk);
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => store.Put($"torrent/{i}", [(byte)i], Clock.Next()).Durable)));

        Assert.True(disk.Commits < 400, $"{disk.Commits} commits for 400 writes");
        Assert.True(File.Exists(Path.Combine(_directory, SqlitePersistence.FileName + "-wal")));
        disk.Dispose();
        using var reopened = Open();
        Assert.Equal(400, new LocalStore(reopened).Count);
    }

    [Fact]
    public void A_second_node_on_the_same_directory_is_refused()
    {
        using var first = Open();
        var e = Assert.Throws<StoreUnusableException>(Open);
        Assert.Contains("in use by another process", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_reported_as_corrupt_in_one_sentence()
    {
        File.WriteAllBytes(Path.Combine(_directory, SqlitePersistence.FileName), [.. Enumerable.Repeat((byte)0x5A, 8192)]);
        var e = Assert.Throws<StoreUnusableException>(Open);
        Assert.Contains("corrupt", e.Message);
        Assert.Contains(_directory, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.EndsWith(".", e.Message);
    }

    [Fact]
    public async Task A_store_with_a_damaged_page_is_reported_as_corrupt()
    {
        using (var disk = Open())
        {
            var store = new LocalStore(disk);
            for (var i = 0; i < 200; i++) await store.Put($"torrent/{i}", new byte[2000], Clock.Next()).Durable;
        }
        // Checkpointed into ring.db on close; scribble over pages after the header.
        var path = Path.Combine(_directory, SqlitePersistence.FileName);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.Position = 4096 * 3;
            file.Write([.. Enumerable.Repeat((byte)0xFF, 4096 * 4)]);
        }
        var e = Assert.Throws<StoreUnusableException>(() => new LocalStore(Open()));
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void A_store_of_another_schema_version_is_refused()
    {
        Open().Dispose();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, SqlitePersistence.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 7";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreUnusableException>(Open);
        Assert.Contains("schema version 7", e.Message);
    }

    [Fact]
    public void Another_programs_database_is_refused()
    {
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, SqlitePersistence.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT)";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreUnusableException>(Open);
        Assert.Contains("not a chord-node store", e.Message);
    }

    [Fact]
    public void A_data_directory_that_cannot_be_created_is_refused()
    {
        var file = Path.Combine(_directory, "a-file");
        File.WriteAllText(file, "");
        var e = Assert.Throws<StoreUnusableException>(() => SqlitePersistence.Open(Path.Combine(file, "data"), NullLogger.Instance));
        Assert.Contains("cannot be created", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
