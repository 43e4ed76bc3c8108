using System.Buffers.Binary;
using System.Text;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// A hand-written peer on raw sockets breaks the protocol in several ways; each time only its own
/// connection is closed and the engine goes on serving others.
/// </summary>
public class HostilePeerTests
{
    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_only_that_connection()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 2L * TorrentMetainfo.MinPieceLength);
        using var bystander = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await bystander.HandshakeAsync(torrent.InfoHash);

        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.SendAsync(Encoding.ASCII.GetBytes("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n" + new string('A', 100)));

        await hostile.AssertClosedAsync();
        await bystander.AssertOpenAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task A_request_outside_the_file_closes_only_that_connection()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", TorrentMetainfo.MinPieceLength + 10);
        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.HandshakeAsync(torrent.InfoHash);
        await hostile.SendAsync(State(MessageType.Interested));
        await hostile.ReadUntilAsync(MessageType.Unchoke);

        await hostile.SendAsync(Request(index: 1, begin: 0, length: 16384)); // piece 1 is only 10 bytes

        await hostile.AssertClosedAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task An_honest_request_is_served_to_the_raw_peer()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 40_000);
        using var peer = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await peer.HandshakeAsync(torrent.InfoHash);
        await peer.SendAsync(State(MessageType.Interested));
        await peer.ReadUntilAsync(MessageType.Unchoke);

        await peer.SendAsync(Request(index: 0, begin: 16384, length: 16384));
        var piece = await peer.ReadUntilAsync(MessageType.Piece);

        Assert.Equal(16384, piece.Length - 9);
        Assert.Equal(File.ReadAllBytes(source).AsSpan(16384, 16384).ToArray(), piece.AsSpan(9).ToArray());
    }

    [Theory]
    [InlineData("oversized")]
    [InlineData("big-request")]
    [InlineData("bad-have")]
    [InlineData("unknown-torrent")]
    public async Task Malformed_messages_close_only_that_connection(string kind)
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 3L * TorrentMetainfo.MinPieceLength);
        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.HandshakeAsync(kind == "unknown-torrent" ? Id160.Hash("no such torrent") : torrent.InfoHash, expectReply: kind != "unknown-torrent");

        switch (kind)
        {
            case "oversized":
                var header = new byte[5];
                BinaryPrimitives.WriteInt32BigEndian(header, 1 << 20);
                header[4] = (byte)MessageType.Piece;
                await hostile.SendAsync(header);
                break;
            case "big-request":
                await hostile.SendAsync(Request(index: 0, begin: 0, length: 65536));
                break;
            case "bad-have":
                var have = new byte[9];
                MessageWriter.WriteHave(have, 3);
                await hostile.SendAsync(have);
                break;
        }

        await hostile.AssertClosedAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    private static async Task AssertStillServesAsync(TransferTestKit kit, TransferEngine seeder, TorrentMetainfo torrent, string source)
    {
        var leecher = kit.StartEngine("leecher-" + Guid.NewGuid().ToString("N")[..6]);
        var target = kit.PathOf($"leecher-{Guid.NewGuid():N}/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);
        Assert.Equal(Sha256(source), Sha256(target));
    }

    private static byte[] State(MessageType type)
    {
        var bytes = new byte[5];
        MessageWriter.WriteState(bytes, type);
        return bytes;
    }

    private static byte[] Request(int index, int begin, int length)
    {
        var bytes = new byte[MessageWriter.RequestLength];
        MessageWriter.WriteRequest(bytes, index, begin, length);
        return bytes;
    }
}
