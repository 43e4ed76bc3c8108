using System.Diagnostics;
using System.Text;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using BitTorrent.Shared.Tracker;
using CsCheck;

namespace BitTorrent.UnitTests.Shared.Fuzzing;

/// <summary>
/// The parsers that read what the network sends, fed every seed of the corpus and a fixed number of
/// generated inputs (fixed seed, one thread: the same cases every run). For each input: no exception
/// but the parser's documented one, done within a bound of time and of allocated bytes; and what
/// parses round-trips.
/// </summary>
public class ParserFuzzTests
{
    private const int Cases = 20_000;
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90); // a parser that hangs fails the run here
    private static readonly PieceGeometry Geometry = new(10L * 256 * 1024 + 1000, 256 * 1024);

    [Fact]
    public void Bencode_throws_only_its_format_error_and_what_decodes_encodes_back_the_same() =>
        Fuzz("bencode", input =>
        {
            BValue value;
            try
            {
                value = BencodeReader.Decode(input);
            }
            catch (BencodeException)
            {
                Assert.False(BencodeReader.TryDecode(input, out _, out var error) || error is null);
                return;
            }
            var encoded = BencodeWriter.Encode(value);
            Assert.Equal(encoded, BencodeWriter.Encode(BencodeReader.Decode(encoded)));
        });

    [Fact]
    public void Real_torrents_encode_back_byte_for_byte()
    {
        foreach (var (name, bytes) in FuzzCorpus.Load("metainfo").Where(s => s.Name.EndsWith(".torrent", StringComparison.Ordinal)))
            Assert.True(bytes.SequenceEqual(BencodeWriter.Encode(BencodeReader.Decode(bytes))), name);
    }

    [Fact]
    public void Metainfo_never_throws_and_a_parsed_torrent_parses_back_to_the_same_file() =>
        Fuzz("metainfo", input =>
        {
            if (!TorrentMetainfo.TryParse(input, TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out var error))
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.Throws<InvalidTorrentException>(() => TorrentMetainfo.Parse(input));
                return;
            }
            var again = TorrentMetainfo.Parse(torrent.ToBytes());
            Assert.Equal(torrent.InfoHash, again.InfoHash);
            Assert.Equal(torrent.Name, again.Name);
            Assert.Equal(torrent.Length, again.Length);
            Assert.Equal(torrent.PieceCount, again.PieceCount);
        });

    [Fact]
    public void Wire_messages_never_throw_and_consume_only_what_they_were_given() =>
        Fuzz("wire-message", input =>
        {
            var rest = input.AsSpan();
            while (true)
            {
                var status = MessageReader.TryRead(rest, Geometry, out var message, out var consumed, out var error);
                if (status == ParseStatus.NeedMoreData) return;
                if (status == ParseStatus.Malformed)
                {
                    Assert.False(string.IsNullOrEmpty(error));
                    return;
                }
                Assert.InRange(consumed, 4, rest.Length);
                if (message.Type is MessageType.Request or MessageType.Cancel)
                {
                    Assert.InRange(message.Index, 0, Geometry.PieceCount - 1);
                    Assert.InRange((long)message.Begin + message.Length, 1, Geometry.PieceSize(message.Index));
                }
                rest = rest[consumed..];
            }
        });

    [Fact]
    public void Written_wire_messages_read_back_the_same() =>
        Gen.Select(Gen.Int[0, Geometry.PieceCount - 1], Gen.Int[0, 15], Gen.Int[1, 16 * 1024]).Sample((index, block, length) =>
        {
            var begin = Math.Min(block * PieceGeometry.BlockSize, Geometry.PieceSize(index) - 1);
            length = Math.Min(length, Geometry.PieceSize(index) - begin);
            var buffer = new byte[64];
            var written = MessageWriter.WriteRequest(buffer, index, begin, length);
            written += MessageWriter.WriteHave(buffer.AsSpan(written), index);
            Assert.Equal(ParseStatus.Message, MessageReader.TryRead(buffer.AsSpan(0, written), Geometry, out var request, out var consumed, out _));
            Assert.Equal((MessageType.Request, index, begin, length), (request.Type, request.Index, request.Begin, request.Length));
            Assert.Equal(ParseStatus.Message, MessageReader.TryRead(buffer.AsSpan(consumed, written - consumed), Geometry, out var have, out _, out _));
            Assert.Equal((MessageType.Have, index), (have.Type, have.Index));
        }, seed: FuzzCorpus.Seed, iter: Cases, threads: 1);

    [Fact]
    public void Handshakes_never_throw_and_a_read_handshake_writes_back_the_same() =>
        Fuzz("handshake", input =>
        {
            var status = Handshake.TryRead(input, out var infoHash, out var peerId);
            if (status != ParseStatus.Message) return;
            Assert.True(input.Length >= Handshake.Length);
            var written = new byte[Handshake.Length];
            Handshake.Write(written, infoHash, peerId);
            Assert.True(written.AsSpan(0, 20).SequenceEqual(input.AsSpan(0, 20)));
            Assert.True(written.AsSpan(28).SequenceEqual(input.AsSpan(28, Handshake.Length - 28)));
        });

    [Fact]
    public void Extension_handshakes_never_throw_and_what_parses_is_within_bounds() =>
        Fuzz("extension-handshake", input =>
        {
            if (!ExtensionHandshake.TryParse(input, out var handshake, out var error))
            {
                Assert.False(string.IsNullOrEmpty(error));
                return;
            }
            if (handshake.MetadataSize is { } size) Assert.InRange(size, 1, ExtensionHandshake.MaxMetadataSize);
            Assert.True(handshake.ClientName is null || handshake.ClientName.Length <= ExtensionHandshake.MaxClientNameLength);
        });

    [Fact]
    public void Metadata_messages_never_throw_and_a_read_one_writes_back_the_same() =>
        Fuzz("ut-metadata", input =>
        {
            if (!MetadataExchange.TryParse(input, out var message, out var error))
            {
                Assert.False(string.IsNullOrEmpty(error));
                return;
            }
            Assert.InRange(message.Piece, 0, MetadataExchange.PieceCount(ExtensionHandshake.MaxMetadataSize) - 1);
            var written = message.Type switch
            {
                MetadataMessageType.Request => MetadataExchange.EncodeRequest(message.Piece),
                MetadataMessageType.Reject => MetadataExchange.EncodeReject(message.Piece),
                _ => MetadataExchange.EncodeData(message.Piece, message.TotalSize, input.AsSpan(message.DataOffset, message.DataLength)),
            };
            Assert.True(MetadataExchange.TryParse(written, out var again, out _));
            Assert.Equal((message.Type, message.Piece, message.TotalSize, message.DataLength), (again.Type, again.Piece, again.TotalSize, again.DataLength));
            Assert.True(written.AsSpan(again.DataOffset, again.DataLength).SequenceEqual(input.AsSpan(message.DataOffset, message.DataLength)));
        });

    [Fact]
    public void Announce_queries_never_throw_and_a_refused_one_says_why() =>
        Fuzz("announce", input =>
        {
            var query = Encoding.Latin1.GetString(input);
            if (!AnnounceRequest.TryParse(query, 50, 200, out var request, out var failure)) Assert.False(string.IsNullOrEmpty(failure));
            else Assert.InRange(request.Port, 1, 65535);
            Span<byte> scratch = stackalloc byte[64];
            foreach (var (_, value) in new QueryPairs(query))
            {
                QueryPairs.TryDecode(value, scratch, out var written);
                Assert.InRange(written, 0, scratch.Length);
                QueryPairs.TryDecodeId(value, out _);
                if (QueryPairs.TryDecodeNumber(value, scratch, out var number)) Assert.True(number >= 0);
            }
        });

    [Fact]
    public void Tracker_batches_never_throw_and_what_parses_writes_back_byte_for_byte() =>
        Fuzz("tracker-batch", input =>
        {
            var items = new List<TrackerBatchItem>();
            if (!TrackerBatchFormat.TryReadItems(input, items, out var error))
            {
                Assert.False(string.IsNullOrEmpty(error));
                return;
            }
            Assert.InRange(items.Count, 1, TrackerBatchFormat.MaxItems);
            Assert.Equal(input, Tracker.TrackerBatchFormatTests.Write(items));
        });

    /// <summary>Numbers have at most 18 digits (QueryPairs.TryDecodeNumber): more than any file has bytes.</summary>
    [Fact]
    public void Written_announces_read_back_the_same() =>
        Gen.Select(Gen.Byte.Array[20], Gen.Byte.Array[20], Gen.Int[1, 65535], Gen.Long[0, 999_999_999_999_999_999], Gen.Int[0, 3]).Sample((hash, peer, port, left, @event) =>
        {
            var events = new[] { "", "started", "completed", "stopped" };
            var query = $"info_hash={Escape(hash)}&peer_id={Escape(peer)}&port={port}&uploaded=0&downloaded=0&left={left}&event={events[@event]}&compact=1";
            Assert.True(AnnounceRequest.TryParse(query, 50, 200, out var request, out var failure), failure);
            Assert.Equal(new Id160(hash), request.InfoHash);
            Assert.Equal(new Id160(peer), request.PeerId);
            Assert.Equal((port, left, (AnnounceEvent)@event), (request.Port, request.Left, request.Event));
        }, seed: FuzzCorpus.Seed, iter: Cases, threads: 1);

    private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));

    /// <summary>
    /// Every seed of the corpus, then <see cref="Cases"/> generated inputs, through <paramref name="property"/>;
    /// each within a time and allocation bound, the whole run within <see cref="RunLimit"/>.
    /// </summary>
    private static void Fuzz(string parser, Action<byte[]> property)
    {
        var corpus = FuzzCorpus.Load(parser);
        void Bounded(byte[] input)
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            property(input);
            var elapsed = clock.Elapsed;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{elapsed.TotalMilliseconds} ms for {Convert.ToHexString(input)}");
            Assert.True(allocated <= 64L * input.Length + 256 * 1024, $"{allocated} bytes allocated for {input.Length} bytes: {Convert.ToHexString(input)}");
        }
        var run = Task.Run(() =>
        {
            foreach (var (name, bytes) in corpus)
            {
                try
                {
                    Bounded(bytes);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"corpus seed {parser}/{name} fails: {e.Message}", e);
                }
            }
            FuzzCorpus.Inputs(corpus).Sample(Bounded, seed: FuzzCorpus.Seed, iter: Cases, threads: 1, print: Convert.ToHexString);
        });
        Assert.True(run.Wait(RunLimit), $"fuzzing {parser} did not finish within {RunLimit}: a parser hangs");
        run.GetAwaiter().GetResult();
    }
}
