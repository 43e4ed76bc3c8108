using System.Collections.Concurrent;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class BlockWriterTests
{
    [Fact]
    public void Blocks_handed_over_in_a_buffer_are_written_and_the_piece_is_verified()
    {
        var content = Random(40_000, seed: 11);
        using var fixture = new PieceTransactionTests.TransactionFixture(40_000, content);
        var engine = new EngineThread();
        using var writer = new BlockWriter(engine.Post, () => { }, maxBytesInFlight: 1 << 20);

        Submit(writer, fixture.Transaction, content, blocks: [0, 1, 2], check: true);

        var result = engine.WaitForResult(fixture.Listener);
        Assert.Equal((fixture.Transaction, (bool?)true, (string?)null), result);
        var written = new byte[40_000];
        RandomAccess.Read(fixture.File.Handle, written, 0);
        Assert.Equal(content, written); // on disk before it was reported verified
        Assert.Equal(0, writer.BytesInFlight);
    }

    [Fact]
    public void Without_a_thread_of_its_own_the_blocks_are_written_from_the_connections_buffer_before_submit_returns()
    {
        var content = Random(20_000, seed: 15);
        using var fixture = new PieceTransactionTests.TransactionFixture(20_000, content);
        var engine = new EngineThread();
        using var writer = new BlockWriter(engine.Post, () => { }, 1 << 20, ownThread: false);
        var connection = Transfer.ChokerTests.OpenConnection();
        try
        {
            var transaction = fixture.Transaction;
            while (!transaction.AllRequested) transaction.TakeNextBlock();
            var buffer = connection.ReceiveBuffer;
            foreach (var (block, begin, length) in new[] { (0, 0, 16384), (1, 16384, 20_000 - 16384) })
            {
                content.AsSpan(begin, length).CopyTo(buffer.AsSpan(100 + begin));
                transaction.TryAccept(begin, length);
                transaction.Verifier.Append(block, buffer.AsSpan(100 + begin, length));
                writer.Stage(transaction, block, 100 + begin, length);
            }
            writer.StageCheck(transaction);

            writer.Submit(connection, consumed: 0);

            var written = new byte[20_000];
            RandomAccess.Read(fixture.File.Handle, written, 0);
            Assert.Equal(content, written); // written before Submit returned
            Assert.Same(buffer, connection.ReceiveBuffer); // the connection keeps its buffer
            Assert.Equal((transaction, (bool?)true, (string?)null), engine.WaitForResult(fixture.Listener));
        }
        finally
        {
            connection.Release();
        }
    }

    [Fact]
    public void A_corrupt_block_makes_its_piece_fail_verification()
    {
        var content = Random(40_000, seed: 12);
        using var fixture = new PieceTransactionTests.TransactionFixture(40_000, content);
        var engine = new EngineThread();
        using var writer = new BlockWriter(engine.Post, () => { }, 1 << 20);
        var corrupt = (byte[])content.Clone();
        corrupt[16_500] ^= 0x40; // inside block 1

        Submit(writer, fixture.Transaction, corrupt, blocks: [0, 2, 1], check: true); // out of order, too

        Assert.Equal((fixture.Transaction, (bool?)false, (string?)null), engine.WaitForResult(fixture.Listener));
    }

    [Fact]
    public void A_write_that_fails_is_reported_and_the_piece_is_never_verified()
    {
        var content = Random(20_000, seed: 13);
        using var fixture = new PieceTransactionTests.TransactionFixture(20_000, content);
        fixture.File.Dispose(); // the file is gone under the writer
        var engine = new EngineThread();
        using var writer = new BlockWriter(engine.Post, () => { }, 1 << 20);

        Submit(writer, fixture.Transaction, content, blocks: [0, 1], check: true);

        var (_, valid, failure) = engine.WaitForResult(fixture.Listener);
        Assert.Null(valid);
        Assert.False(string.IsNullOrEmpty(failure));
        Thread.Sleep(100);
        engine.RunPosted();
        Assert.Single(fixture.Listener.Results); // failed once, never "verified" afterwards
    }

    [Fact]
    public void Past_its_bound_the_writer_says_it_is_behind_and_wakes_the_engine_once_it_caught_up()
    {
        var content = Random(20_000, seed: 14);
        using var fixture = new PieceTransactionTests.TransactionFixture(20_000, content);
        using var gate = new ManualResetEventSlim();
        using var woken = new ManualResetEventSlim();
        // Posting the piece's result waits for the gate, so the writer holds its buffer until then.
        using var writer = new BlockWriter(_ => gate.Wait(), woken.Set, maxBytesInFlight: 1024 * 1024);

        Submit(writer, fixture.Transaction, content, blocks: [0, 1], check: true, bufferLength: 2 * 1024 * 1024);

        Assert.True(writer.IsBehind);
        Assert.False(woken.IsSet);
        gate.Set();
        Assert.True(woken.Wait(TimeSpan.FromSeconds(10)), "the engine was never woken");
        Assert.False(writer.IsBehind);
        Assert.Equal(0, writer.BytesInFlight);
    }

    /// <summary>Accepts the given blocks of the transaction (hashing them in order), stages them from one buffer and hands it over.</summary>
    private static void Submit(BlockWriter writer, PieceTransaction transaction, byte[] content, int[] blocks, bool check, int bufferLength = 0)
    {
        while (!transaction.AllRequested) transaction.TakeNextBlock();
        var buffer = ReceiveBuffers.Pool.Rent(Math.Max(bufferLength, content.Length + 1000));
        var offset = 1000; // blocks sit behind message headers in a real receive buffer
        foreach (var block in blocks)
        {
            var begin = block * 16384;
            var length = Math.Min(16384, content.Length - begin);
            Array.Copy(content, begin, buffer, offset, length);
            Assert.Equal(block, transaction.TryAccept(begin, length));
            transaction.Verifier.Append(block, buffer.AsSpan(offset, length)); // as the engine thread does
            writer.Stage(transaction, block, offset, length);
            offset += length;
        }
        if (check) writer.StageCheck(transaction);
        writer.Submit(buffer);
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Stands in for the engine thread: runs what the writer posts when the test asks.</summary>
    private sealed class EngineThread
    {
        private readonly BlockingCollection<Action> _posted = [];

        public void Post(Action action) => _posted.Add(action);

        public void RunPosted()
        {
            while (_posted.TryTake(out var action)) action();
        }

        public (PieceTransaction, bool?, string?) WaitForResult(PieceTransactionTests.RecordingListener listener)
        {
            Assert.True(_posted.TryTake(out var action, TimeSpan.FromSeconds(10)), "the writer reported nothing");
            action();
            return Assert.Single(listener.Results);
        }
    }
}
