using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// BEP 6 between real engines and hand-written peers on 127.0.0.1: what a seeder sends a fast peer, rejects and
/// allowed-fast pieces both ways, and fast messages that break the protocol closing only their own connection.
/// </summary>
public class FastExtensionTests
{
    [Fact]
    public async Task A_seeder_sends_a_fast_peer_have_all_and_its_allowed_fast_set_rejects_choked_requests_and_serves_allowed_ones()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 12L * TorrentMetainfo.MinPieceLength, o => o.MaxUnchokedPeers = 1);
        using var slotHolder = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await slotHolder.HandshakeAsync(torrent.InfoHash, fast: true);
        await slotHolder.SendAsync(State(MessageType.Interested));
        await slotHolder.ReadUntilAsync(MessageType.Unchoke); // the only upload slot is taken

        using var peer = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        var reply = await peer.HandshakeAsync(torrent.InfoHash, fast: true);
        Assert.True(Handshake.SupportsFastExtension(reply));
        Assert.Equal((byte)MessageType.HaveAll, (await peer.ReadMessageAsync())[0]);
        var allowed = new List<int>();
        while (allowed.Count < AllowedFastSet.Size)
        {
            var message = await peer.ReadMessageAsync();
            if (message[0] == (byte)MessageType.AllowedFast) allowed.Add(BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1)));
        }
        var expected = new int[AllowedFastSet.Size];
        AllowedFastSet.Compute(IPAddress.Loopback, torrent.InfoHash, torrent.PieceCount, AllowedFastSet.Size, expected);
        Assert.Equal(expected, allowed);

        await peer.SendAsync(State(MessageType.Interested));
        var notAllowed = Enumerable.Range(0, torrent.PieceCount).First(i => !allowed.Contains(i));
        await peer.SendAsync(Address(MessageType.Request, notAllowed, 0, 16384));
        await peer.SendAsync(Address(MessageType.Request, allowed[0], 16384, 16384));

        var reject = await peer.ReadUntilAsync(MessageType.RejectRequest);
        Assert.Equal(Address(MessageType.RejectRequest, notAllowed, 0, 16384)[4..], reject);
        var piece = await peer.ReadUntilAsync(MessageType.Piece);
        Assert.Equal(allowed[0], BinaryPrimitives.ReadInt32BigEndian(piece.AsSpan(1)));
        var offset = allowed[0] * (long)torrent.PieceLength + 16384;
        Assert.Equal(File.ReadAllBytes(source).AsSpan((int)offset, 16384).ToArray(), piece.AsSpan(9).ToArray());
        Assert.True(seeder.Counters!.FastNegotiated >= 2);
    }

    [Theory]
    [InlineData("have-all-after-the-first-message")]
    [InlineData("reject-never-requested")]
    [InlineData("allowed-fast-out-of-range")]
    [InlineData("suggest-of-the-wrong-length")]
    [InlineData("have-none-with-a-payload")]
    [InlineData("piece-never-requested")]
    [InlineData("have-all-without-the-fast-bit")]
    public async Task A_bad_fast_message_closes_only_that_connection(string kind)
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 3L * TorrentMetainfo.MinPieceLength);
        using var bystander = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await bystander.HandshakeAsync(torrent.InfoHash, fast: true);
        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.HandshakeAsync(torrent.InfoHash, fast: kind != "have-all-without-the-fast-bit");

        switch (kind)
        {
            case "have-all-after-the-first-message":
                await hostile.SendAsync(State(MessageType.HaveNone));
                await hostile.SendAsync(State(MessageType.HaveAll));
                break;
            case "reject-never-requested":
                await hostile.SendAsync(State(MessageType.HaveNone));
                await hostile.SendAsync(Address(MessageType.RejectRequest, 0, 0, 16384));
                break;
            case "allowed-fast-out-of-range":
                await hostile.SendAsync(Index(MessageType.AllowedFast, 3));
                break;
            case "suggest-of-the-wrong-length":
                await hostile.SendAsync([0, 0, 0, 3, (byte)MessageType.SuggestPiece, 0, 0]);
                break;
            case "have-none-with-a-payload":
                await hostile.SendAsync([0, 0, 0, 2, (byte)MessageType.HaveNone, 0]);
                break;
            case "piece-never-requested":
                var block = new byte[MessageWriter.PieceHeaderLength + 16384];
                MessageWriter.WritePieceHeader(block, 0, 0, 16384);
                await hostile.SendAsync(block);
                break;
            case "have-all-without-the-fast-bit":
                await hostile.SendAsync(State(MessageType.HaveAll));
                break;
        }

        await hostile.AssertClosedAsync();
        await bystander.AssertOpenAsync();
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);
        Assert.Equal(Sha256(source), Sha256(target));
    }

    [Fact]
    public async Task A_seeder_that_chokes_with_requests_pending_rejects_them_and_the_download_completes_long_before_a_piece_timeout()
    {
        await using var kit = new TransferTestKit();
        var path = kit.WriteRandomFile("source/data.bin", 8L * TorrentMetainfo.MinPieceLength);
        var torrent = TorrentMetainfo.CreateFromFile(path, "http://127.0.0.1/announce");
        var content = await File.ReadAllBytesAsync(path);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        // A piece timeout far beyond the test's patience: only rejects can free the blocks the seeder will not send.
        var leecher = kit.StartEngine("leecher", o => o.PieceTimeout = TimeSpan.FromSeconds(120));
        var target = kit.PathOf("leecher/files/data.bin");
        await leecher.StartDownloadAsync(torrent, target, [(IPEndPoint)listener.LocalEndPoint!]);

        using var seeder = RawPeer.Accepted(await listener.AcceptAsync());
        var reply = await seeder.HandshakeAsync(torrent.InfoHash, fast: true);
        Assert.True(Handshake.SupportsFastExtension(reply));
        await seeder.SendAsync(State(MessageType.HaveAll));
        await seeder.SendAsync(State(MessageType.Unchoke));
        var choked = false;
        var chokes = 0;
        var rejected = 0;
        var served = 0;
        var unchokeAt = long.MaxValue;
        using var serving = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (leecher.GetDownload(torrent.InfoHash)?.State != DownloadState.Completed)
        {
            serving.Token.ThrowIfCancellationRequested();
            if (choked && Environment.TickCount64 >= unchokeAt)
            {
                choked = false;
                await seeder.SendAsync(State(MessageType.Unchoke));
            }
            var message = await seeder.TryReadMessageAsync(TimeSpan.FromMilliseconds(50));
            if (message is not [(byte)MessageType.Request, ..]) continue;
            var (index, begin, length) = (BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1)), BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(5)),
                BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(9)));
            if (choked)
            {
                await seeder.SendAsync(Address(MessageType.RejectRequest, index, begin, length));
                rejected++;
                continue;
            }
            var block = new byte[MessageWriter.PieceHeaderLength + length];
            MessageWriter.WritePieceHeader(block, index, begin, length);
            content.AsSpan((int)(index * (long)torrent.PieceLength + begin), length).CopyTo(block.AsSpan(MessageWriter.PieceHeaderLength));
            await seeder.SendAsync(block);
            // Every 40 blocks it chokes with the rest of the pipeline pending, and unchokes 200 ms later.
            if (++served % 40 == 0 && chokes < 3)
            {
                await seeder.SendAsync(State(MessageType.Choke));
                (choked, unchokeAt) = (true, Environment.TickCount64 + 200);
                chokes++;
            }
        }

        Assert.Equal(3, chokes);
        Assert.True(rejected > 0, "the leecher had no request pending when it was choked");
        Assert.Equal(rejected, leecher.Counters!.RejectsReceived);
        Assert.Equal(Sha256(path), Sha256(target));
    }

    [Fact]
    public async Task A_leecher_choked_for_good_fetches_the_pieces_the_seeder_allowed_it_fast_and_asks_for_nothing_else()
    {
        await using var kit = new TransferTestKit();
        var path = kit.WriteRandomFile("source/data.bin", 6L * TorrentMetainfo.MinPieceLength);
        var torrent = TorrentMetainfo.CreateFromFile(path, "http://127.0.0.1/announce");
        var content = await File.ReadAllBytesAsync(path);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var leecher = kit.StartEngine("leecher");
        await leecher.StartDownloadAsync(torrent, kit.PathOf("leecher/files/data.bin"), [(IPEndPoint)listener.LocalEndPoint!]);

        using var seeder = RawPeer.Accepted(await listener.AcceptAsync());
        await seeder.HandshakeAsync(torrent.InfoHash, fast: true);
        await seeder.SendAsync(State(MessageType.HaveAll));
        await seeder.SendAsync(Index(MessageType.AllowedFast, 1));
        await seeder.SendAsync(Index(MessageType.AllowedFast, 4));
        var asked = new HashSet<int>();
        using var serving = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (leecher.GetDownload(torrent.InfoHash)?.PiecesDone != 2)
        {
            serving.Token.ThrowIfCancellationRequested();
            var message = await seeder.TryReadMessageAsync(TimeSpan.FromMilliseconds(50));
            if (message is not [(byte)MessageType.Request, ..]) continue;
            var (index, begin, length) = (BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1)), BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(5)),
                BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(9)));
            asked.Add(index);
            var block = new byte[MessageWriter.PieceHeaderLength + length];
            MessageWriter.WritePieceHeader(block, index, begin, length);
            content.AsSpan((int)(index * (long)torrent.PieceLength + begin), length).CopyTo(block.AsSpan(MessageWriter.PieceHeaderLength));
            await seeder.SendAsync(block);
        }

        Assert.Equal([1, 4], asked.Order());
        for (var quiet = Environment.TickCount64 + 500; Environment.TickCount64 < quiet;)
        {
            var late = await seeder.TryReadMessageAsync(TimeSpan.FromMilliseconds(100));
            Assert.False(late is [(byte)MessageType.Request, ..], "a request for a piece the choking seeder did not allow fast");
        }
        Assert.Equal(DownloadState.Downloading, leecher.GetDownload(torrent.InfoHash)!.State);
    }

    private static byte[] State(MessageType type)
    {
        var bytes = new byte[5];
        MessageWriter.WriteState(bytes, type);
        return bytes;
    }

    private static byte[] Index(MessageType type, int index)
    {
        var bytes = new byte[MessageWriter.HaveLength];
        MessageWriter.WritePieceIndex(bytes, type, index);
        return bytes;
    }

    private static byte[] Address(MessageType type, int index, int begin, int length)
    {
        var bytes = new byte[MessageWriter.RequestLength];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 13);
        bytes[4] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5), index);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), begin);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(13), length);
        return bytes;
    }
}
