using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class StalledPeerTests
{
    [Fact]
    public async Task Pieces_stuck_at_a_silent_peer_time_out_and_are_fetched_from_another()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 6L * TorrentMetainfo.MinPieceLength);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(1);
        var leecher = kit.StartEngine("leecher", o => o.PieceTimeout = TimeSpan.FromSeconds(1));
        var target = kit.PathOf("leecher/files/data.bin");

        // The silent peer claims every piece, unchokes, then never answers a request.
        await leecher.StartDownloadAsync(torrent, target, [(IPEndPoint)silent.LocalEndPoint!]);
        using var connection = await silent.AcceptAsync();
        var handshake = new byte[Handshake.Length];
        await connection.ReceiveAsync(handshake.AsMemory(), SocketFlags.None);
        var reply = new byte[Handshake.Length + 5 + 1 + 5];
        Handshake.Write(reply, torrent.InfoHash, Encoding.ASCII.GetBytes("-XX0000-silentpeer01"));
        MessageWriter.WriteBitfield(reply.AsSpan(Handshake.Length), [0b1111_1100]);
        MessageWriter.WriteState(reply.AsSpan(Handshake.Length + 6), MessageType.Unchoke);
        await connection.SendAsync(reply, SocketFlags.None);
        await WaitForAsync(leecher, torrent.InfoHash, s => s.State == DownloadState.Downloading && s.ConnectedPeers == 1);
        await Task.Delay(300);
        Assert.Equal(0, leecher.GetDownload(torrent.InfoHash)!.PiecesDone);

        await leecher.AddPeersAsync(torrent.InfoHash, EndPoints(seeder));
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(15));

        Assert.Equal(Sha256(source), Sha256(target));
        Assert.Equal(torrent.Length, done.BytesReceived); // nothing came from the silent peer, nothing twice
    }
}
