using BitTorrent.ChordNode.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class GroupCommitWriterTests
{
    [Fact]
    public async Task A_batch_the_disk_refused_fails_its_writers_and_is_written_again_before_anything_newer()
    {
        var written = new List<string>();
        var refuse = 1;
        using var writer = new GroupCommitWriter(batch =>
        {
            if (Interlocked.Exchange(ref refuse, 0) == 1) throw new SqliteException("disk I/O error", 10);
            lock (written) written.AddRange(batch.Select(c => c.Key));
        }, NullLogger.Instance);

        var first = writer.Append(new StoreChange.KeyDeleted("a"));
        await Assert.ThrowsAsync<IOException>(() => first);
        await writer.Append(new StoreChange.KeyDeleted("b"));

        lock (written) Assert.Equal(["a", "b"], written);
    }

    [Fact]
    public async Task Changes_appended_while_a_batch_is_written_share_the_next_commit()
    {
        var batches = new List<int>();
        using var release = new ManualResetEventSlim();
        using var writer = new GroupCommitWriter(batch =>
        {
            release.Wait();
            lock (batches) batches.Add(batch.Count);
        }, NullLogger.Instance);

        var blocked = writer.Append(new StoreChange.KeyDeleted("first"));
        await Task.Delay(100); // the writer thread is now inside the first commit
        var waiting = Enumerable.Range(0, 50).Select(i => writer.Append(new StoreChange.KeyDeleted($"k{i}"))).ToList();
        release.Set();
        await Task.WhenAll(waiting.Append(blocked));

        lock (batches) Assert.Equal([1, 50], batches);
        Assert.Equal(2, writer.Batches);
    }
}
