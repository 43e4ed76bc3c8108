using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// BEP 9 metadata between real engines on 127.0.0.1: an engine serves a torrent's info dictionary to a peer that
/// asks with ut_metadata, the fetcher puts it together and checks it against the info-hash, a peer that sends other
/// metadata is not believed, and malformed extended messages cost only their own connection.
/// </summary>
public class MetadataExchangeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_engine_serves_a_folders_metadata_in_pieces_that_check_against_the_info_hash()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent) = await StartFolderSeederAsync(kit);
        Assert.True(torrent.InfoDictionary.Length > 2 * MetadataExchange.PieceSize, "the metadata should take several pieces");
        var leecher = kit.StartEngine("leecher");

        var info = await leecher.FetchMetadataAsync(torrent.InfoHash, [seeder.LocalEndPoint]);

        Assert.NotNull(info);
        Assert.Equal(torrent.InfoDictionary.ToArray(), info);
        Assert.True(TorrentMetainfo.TryFromInfoDictionary(info, "http://127.0.0.1/announce", out var rebuilt, out _));
        Assert.Equal(torrent.InfoHash, rebuilt.InfoHash);
    }

    [Fact]
    public async Task A_peer_sending_metadata_that_is_not_the_info_hash_is_refused_and_an_honest_one_gives_it()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent) = await StartFolderSeederAsync(kit);
        var forged = torrent.InfoDictionary.ToArray();
        forged[^2] ^= 0xFF; // the last byte of the last piece hash changed: same size, still bencoded, another SHA-1
        using var liar = new LyingSeeder(torrent.InfoHash, forged);
        var leecher = kit.StartEngine("leecher");

        Assert.Null(await leecher.FetchMetadataAsync(torrent.InfoHash, [liar.EndPoint]));
        Assert.True(await liar.WasDroppedAsync(), "the fetcher kept the connection of the peer that sent bad metadata");

        var info = await leecher.FetchMetadataAsync(torrent.InfoHash, [liar.EndPoint, seeder.LocalEndPoint]);
        Assert.Equal(torrent.InfoDictionary.ToArray(), info);
    }

    [Fact]
    public async Task The_extension_handshake_announces_metadata_size_and_a_piece_beyond_it_is_rejected()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, _) = await kit.StartSeederAsync("seeder", 300_000);
        using var peer = await Raw.ConnectAsync(seeder.LocalEndPoint, torrent.InfoHash);

        var theirs = await peer.ReadExtensionHandshakeAsync();
        Assert.Equal(torrent.InfoDictionary.Length, theirs.MetadataSize);
        Assert.Equal(ExtensionHandshake.OurClientName, theirs.ClientName);
        Assert.NotEqual(0, theirs.MetadataId);

        await peer.SendExtendedAsync(0, ExtensionHandshake.Encode(null, "raw test peer/1.0"));
        await peer.SendExtendedAsync(theirs.MetadataId, MetadataExchange.EncodeRequest(1)); // one piece only: 1 is beyond
        var reject = await peer.ReadMetadataAsync();
        Assert.Equal(MetadataMessageType.Reject, reject.Message.Type);
        Assert.Equal(1, reject.Message.Piece);

        await peer.SendExtendedAsync(theirs.MetadataId, MetadataExchange.EncodeRequest(0));
        var data = await peer.ReadMetadataAsync();
        Assert.Equal(MetadataMessageType.Data, data.Message.Type);
        Assert.Equal(torrent.InfoDictionary.ToArray(), data.Data);
    }

    [Theory]
    [InlineData("bad-bencode")]
    [InlineData("huge-metadata-size")]
    [InlineData("piece-out-of-range")]
    [InlineData("request-before-handshake")]
    public async Task A_malformed_extended_message_closes_only_that_connection(string kind)
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, _) = await kit.StartSeederAsync("seeder", 300_000);
        using var bystander = await Raw.ConnectAsync(seeder.LocalEndPoint, torrent.InfoHash);
        await bystander.ReadExtensionHandshakeAsync();
        using var hostile = await Raw.ConnectAsync(seeder.LocalEndPoint, torrent.InfoHash);
        var theirs = await hostile.ReadExtensionHandshakeAsync();

        switch (kind)
        {
            case "bad-bencode":
                await hostile.SendExtendedAsync(0, "d1:md11:ut_metadatai2e"u8.ToArray());
                break;
            case "huge-metadata-size":
                await hostile.SendExtendedAsync(0, "d1:md11:ut_metadatai2ee13:metadata_sizei99999999999ee"u8.ToArray());
                break;
            case "piece-out-of-range":
                await hostile.SendExtendedAsync(0, ExtensionHandshake.Encode(null));
                await hostile.SendExtendedAsync(theirs.MetadataId, "d8:msg_typei0e5:piecei-1ee"u8.ToArray());
                break;
            case "request-before-handshake":
                await hostile.SendExtendedAsync(theirs.MetadataId, MetadataExchange.EncodeRequest(0));
                break;
        }

        Assert.True(await hostile.WasClosedAsync(), "the engine kept the hostile connection open");
        await bystander.SendExtendedAsync(0, ExtensionHandshake.Encode(null));
        await bystander.SendExtendedAsync(theirs.MetadataId, MetadataExchange.EncodeRequest(0));
        Assert.Equal(torrent.InfoDictionary.ToArray(), (await bystander.ReadMetadataAsync()).Data);
    }

    /// <summary>A folder of 700 small files with long names: its info dictionary takes three 16 KiB pieces.</summary>
    private static async Task<(BitTorrent.Peer.Engine.TransferEngine Seeder, TorrentMetainfo Torrent)> StartFolderSeederAsync(TransferTestKit kit)
    {
        var folder = kit.PathOf("seeder/files/many/x");
        folder = Path.GetDirectoryName(folder)!;
        var files = new List<(IReadOnlyList<string> Path, string Source)>();
        for (var i = 0; i < 700; i++)
        {
            var name = $"a-file-with-a-rather-long-name-{i:D4}.txt";
            var source = Path.Combine(folder, name);
            await File.WriteAllTextAsync(source, $"content of file {i}");
            files.Add(([name], source));
        }
        var torrent = TorrentMetainfo.CreateFromFiles("many", files, "http://127.0.0.1/announce");
        var seeder = kit.StartEngine("seeder");
        await seeder.SeedAsync(torrent, folder);
        return (seeder, torrent);
    }

    /// <summary>A peer on raw sockets that speaks BEP 10: handshake with the extension bit, then extended messages.</summary>
    private sealed class Raw : IDisposable
    {
        private readonly Socket _socket;

        private Raw(Socket socket) => _socket = socket;

        public static async Task<Raw> ConnectAsync(IPEndPoint endPoint, Id160 infoHash)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint);
            var raw = new Raw(socket);
            var handshake = new byte[Handshake.Length];
            var peerId = Encoding.ASCII.GetBytes("-XX0000-metadatapeer");
            Random.Shared.NextBytes(peerId.AsSpan(8)); // each raw peer its own id: the engine keeps one connection per peer
            Handshake.Write(handshake, infoHash, peerId);
            await socket.SendAsync(handshake);
            var reply = await raw.ReadExactlyAsync(Handshake.Length);
            Assert.True(Handshake.SupportsExtensions(reply), "the engine's handshake does not announce BEP 10");
            return raw;
        }

        public async Task SendExtendedAsync(byte id, byte[] payload)
        {
            var message = new byte[6 + payload.Length];
            BinaryPrimitives.WriteInt32BigEndian(message, 2 + payload.Length);
            message[4] = (byte)MessageType.Extended;
            message[5] = id;
            payload.CopyTo(message, 6);
            await _socket.SendAsync(message);
        }

        public async Task<ExtensionHandshake> ReadExtensionHandshakeAsync()
        {
            var body = await ReadExtendedAsync(0);
            Assert.True(ExtensionHandshake.TryParse(body, out var handshake, out var error), error);
            return handshake;
        }

        public async Task<(MetadataMessage Message, byte[] Data)> ReadMetadataAsync()
        {
            var body = await ReadExtendedAsync(ExtensionHandshake.OurMetadataId);
            Assert.True(MetadataExchange.TryParse(body, out var message, out var error), error);
            return (message, body.AsSpan(message.DataOffset, message.DataLength).ToArray());
        }

        /// <summary>Reads messages until an extended one with the given extension id; returns its payload after that id.</summary>
        private async Task<byte[]> ReadExtendedAsync(byte id)
        {
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(4));
                if (length == 0) continue;
                var body = await ReadExactlyAsync(length);
                if (body[0] == (byte)MessageType.Extended && body[1] == id) return body[2..];
            }
        }

        public async Task<bool> WasClosedAsync()
        {
            var buffer = new byte[4096];
            using var cancel = new CancellationTokenSource(Timeout);
            try
            {
                while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
                {
                    // what the engine sent before closing
                }
                return true;
            }
            catch (SocketException)
            {
                return true; // reset by the engine
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var buffer = new byte[count];
            using var cancel = new CancellationTokenSource(Timeout);
            for (var read = 0; read < count;)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancel.Token);
                if (n == 0) throw new EndOfStreamException("the engine closed the connection");
                read += n;
            }
            return buffer;
        }

        public void Dispose() => _socket.Dispose();
    }

    /// <summary>A seeder on raw sockets that offers metadata of the right size whose SHA-1 is not the info-hash.</summary>
    private sealed class LyingSeeder : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _serving;
        private readonly TaskCompletionSource<bool> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();

        public LyingSeeder(Id160 infoHash, byte[] metadata)
        {
            _listener.Start();
            _serving = ServeAsync(infoHash, metadata);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public async Task<bool> WasDroppedAsync() => await _dropped.Task.WaitAsync(Timeout);

        private async Task ServeAsync(Id160 infoHash, byte[] metadata)
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                using (socket)
                {
                    try
                    {
                        await using var stream = new NetworkStream(socket);
                        var handshake = new byte[Handshake.Length];
                        await stream.ReadExactlyAsync(handshake, _stop.Token);
                        Handshake.Write(handshake, infoHash, Encoding.ASCII.GetBytes("-XX0000-liarliarliar"));
                        await stream.WriteAsync(handshake, _stop.Token);
                        await WriteExtendedAsync(stream, 0, BencodeWriter.Encode(new BDictionary
                        {
                            ["m"] = new BDictionary { ["ut_metadata"] = new BInteger(3) },
                            ["metadata_size"] = new BInteger(metadata.Length),
                        }));
                        var header = new byte[4];
                        while (true)
                        {
                            await stream.ReadExactlyAsync(header, _stop.Token);
                            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
                            await stream.ReadExactlyAsync(body, _stop.Token);
                            if (body.Length < 2 || body[0] != (byte)MessageType.Extended || body[1] != 3) continue;
                            Assert.True(MetadataExchange.TryParse(body.AsSpan(2), out var request, out _));
                            var piece = request.Piece;
                            await WriteExtendedAsync(stream, ExtensionHandshake.OurMetadataId, MetadataExchange.EncodeData(piece, metadata.Length,
                                metadata.AsSpan(piece * MetadataExchange.PieceSize, MetadataExchange.PieceLength(metadata.Length, piece))));
                        }
                    }
                    catch (Exception e) when (e is EndOfStreamException or IOException or SocketException)
                    {
                        _dropped.TrySetResult(true);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        private async Task WriteExtendedAsync(NetworkStream stream, byte id, byte[] payload)
        {
            var message = new byte[6 + payload.Length];
            BinaryPrimitives.WriteInt32BigEndian(message, 2 + payload.Length);
            message[4] = (byte)MessageType.Extended;
            message[5] = id;
            payload.CopyTo(message, 6);
            await stream.WriteAsync(message, _stop.Token);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _serving.Wait(Timeout);
            }
            catch (AggregateException)
            {
                // the serving loop ended with the listener
            }
            _stop.Dispose();
        }
    }
}
