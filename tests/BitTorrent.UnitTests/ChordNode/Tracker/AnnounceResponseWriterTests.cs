using System.Buffers;
using System.Text;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class AnnounceResponseWriterTests
{
    private static AnnounceResult Result(params SwarmEntry[] peers) => new()
    {
        Complete = 3,
        Incomplete = 4,
        Interval = 30,
        MinInterval = 15,
        Peers = peers,
    };

    private static BDictionary Write(AnnounceResult result, bool compact, bool noPeerId = false)
    {
        var output = new ArrayBufferWriter<byte>();
        AnnounceResponseWriter.WriteAnnounce(output, result, compact, noPeerId);
        // The strict reader also proves the output is canonical (sorted keys, no trailing bytes).
        return Assert.IsType<BDictionary>(BencodeReader.Decode(output.WrittenSpan));
    }

    [Fact]
    public void Compact_peers_are_six_bytes_each_address_then_big_endian_port()
    {
        var response = Write(Result(new SwarmEntry(true, "1", "10.0.0.1", 6881), new SwarmEntry(false, "2", "192.168.1.254", 65535)), compact: true);

        Assert.Equal(3, response.Require<BInteger>("complete").Value);
        Assert.Equal(4, response.Require<BInteger>("incomplete").Value);
        Assert.Equal(30, response.Require<BInteger>("interval").Value);
        Assert.Equal(15, response.Require<BInteger>("min interval").Value);
        Assert.Equal(new byte[] { 10, 0, 0, 1, 0x1a, 0xe1, 192, 168, 1, 254, 0xff, 0xff }, response.Require<BString>("peers").Bytes);
        Assert.False(response.ContainsKey("peers6"));
    }

    [Fact]
    public void Compact_ipv6_peers_go_to_peers6_and_mapped_ipv4_to_peers()
    {
        var response = Write(Result(new SwarmEntry(false, "1", "::1", 80), new SwarmEntry(false, "2", "::ffff:127.0.0.1", 81)), compact: true);

        Assert.Equal(new byte[] { 127, 0, 0, 1, 0, 81 }, response.Require<BString>("peers").Bytes);
        Assert.Equal([.. new byte[15], 1, 0, 80], response.Require<BString>("peers6").Bytes);
    }

    [Fact]
    public void Empty_swarm_gives_an_empty_compact_string()
    {
        var response = Write(Result(), compact: true);
        Assert.Empty(response.Require<BString>("peers").Bytes);
    }

    [Fact]
    public void Non_compact_peers_are_dictionaries_with_binary_peer_ids()
    {
        var wireId = new Id160("-DD0001-abcdefghijkl"u8);
        var response = Write(Result(new SwarmEntry(false, wireId.ToString(), "10.0.0.1", 6881), new SwarmEntry(true, "42", "10.0.0.2", 7000)), compact: false);

        var peers = response.Require<BList>("peers");
        Assert.Equal(2, peers.Count);
        var first = Assert.IsType<BDictionary>(peers[0]);
        Assert.Equal("10.0.0.1", first.Require<BString>("ip").Text);
        Assert.Equal("-DD0001-abcdefghijkl"u8.ToArray(), first.Require<BString>("peer id").Bytes);
        Assert.Equal(6881, first.Require<BInteger>("port").Value);
        Assert.Equal("42", Assert.IsType<BDictionary>(peers[1]).Require<BString>("peer id").Text);
    }

    [Fact]
    public void No_peer_id_omits_the_peer_id()
    {
        var response = Write(Result(new SwarmEntry(false, "1", "10.0.0.1", 6881)), compact: false, noPeerId: true);
        Assert.False(Assert.IsType<BDictionary>(response.Require<BList>("peers")[0]).ContainsKey("peer id"));
    }

    [Fact]
    public void Failure_is_a_dictionary_with_only_a_failure_reason()
    {
        var output = new ArrayBufferWriter<byte>();
        AnnounceResponseWriter.WriteFailure(output, "missing info_hash");
        Assert.Equal("d14:failure reason17:missing info_hashe", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Scrape_lists_files_by_raw_info_hash_in_byte_order()
    {
        var a = Id160.Hash("a");
        var b = Id160.Hash("b");
        var output = new ArrayBufferWriter<byte>();
        AnnounceResponseWriter.WriteScrape(output, [new ScrapeEntry(b, 1, 2, 3), new ScrapeEntry(a, 4, 5, 6)]);

        var files = Assert.IsType<BDictionary>(BencodeReader.Decode(output.WrittenSpan)).Require<BDictionary>("files");
        Assert.Equal(2, files.Count);
        var byHash = files.ToDictionary(kv => new Id160(kv.Key.Bytes), kv => (BDictionary)kv.Value);
        Assert.Equal(1, byHash[b].Require<BInteger>("complete").Value);
        Assert.Equal(2, byHash[b].Require<BInteger>("incomplete").Value);
        Assert.Equal(3, byHash[b].Require<BInteger>("downloaded").Value);
        Assert.Equal(4, byHash[a].Require<BInteger>("complete").Value);
    }
}
