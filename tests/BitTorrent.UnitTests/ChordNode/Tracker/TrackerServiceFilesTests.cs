using System.Net;
using System.Security.Cryptography;
using System.Text;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class TrackerServiceFilesTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;

    public TrackerServiceFilesTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(new TrackerOptions()), _time, NullLogger<TrackerService>.Instance);
    }

    /// <summary>Registers peers until one has the given id; returns its token.</summary>
    private async Task<string> Registered(long peerId)
    {
        while (true)
        {
            var peer = await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", 7000, "http://10.0.0.1:5201"));
            if (peer.PeerId == peerId) return peer.Token;
        }
    }

    private Task<PublishedTorrent> Publish(byte[] torrent) => _tracker.PublishAsync(torrent);

    [Fact]
    public async Task Publish_stores_the_torrent_the_catalog_entry_and_the_name_index()
    {
        var torrent = Torrents.SingleFile("ubuntu.iso", 100_000, pieceLength: 16384);

        var published = await Publish(torrent);

        var hash = Id160.Parse(published.InfoHash);
        Assert.True(published.Created);
        Assert.Equal(("ubuntu.iso", 100_000L, 16384L, 7), (published.Name, published.Length, published.PieceLength, published.PieceCount));
        Assert.Equal(torrent, await _dht.GetAsync($"torrent/{hash}"));
        var catalogEntry = Assert.Single(_dht.Set($"catalog/{hash.Mod(16)}"));
        Assert.Equal(published.InfoHash, catalogEntry.Member);
        Assert.Contains("\"name\":\"ubuntu.iso\"", catalogEntry.Value, StringComparison.Ordinal);
        Assert.Equal(published.InfoHash, Assert.Single(_dht.Set("name/ubuntu.iso")).Member);
    }

    [Fact]
    public async Task Info_hash_is_the_sha1_of_the_info_dictionary_as_received()
    {
        var torrent = Torrents.SingleFile("a.bin", 10);
        var root = (BDictionary)BencodeReader.Decode(torrent);
        var expected = Convert.ToHexStringLower(SHA1.HashData(torrent.AsSpan()[root.Require<BDictionary>("info").Source]));

        Assert.Equal(expected, (await Publish(torrent)).InfoHash);
    }

    [Fact]
    public async Task Publishing_twice_is_idempotent()
    {
        var torrent = Torrents.SingleFile("same.txt", 5);
        var first = await Publish(torrent);
        var second = await Publish(torrent);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first with { Created = false }, second);
        Assert.Single(await _tracker.ListFilesAsync(null));
        Assert.Single(_dht.Set("name/same.txt"));
    }

    [Fact]
    public async Task Same_name_different_content_are_two_files_under_one_name()
    {
        await Publish(Torrents.SingleFile("notes.txt", 5));
        await Publish(Torrents.SingleFile("notes.txt", 6));

        Assert.Equal(2, (await _tracker.ListFilesAsync("notes")).Count);
        Assert.Equal(2, _dht.Set("name/notes.txt").Count);
    }

    [Fact]
    public async Task Empty_files_publish()
    {
        var published = await Publish(Torrents.SingleFile("empty", 0));
        Assert.Equal((0L, 0), (published.Length, published.PieceCount));
    }

    [Fact]
    public async Task Catalog_search_is_a_case_insensitive_substring_over_every_partition()
    {
        var names = Enumerable.Range(0, 40).Select(i => i % 4 == 0 ? $"Ubuntu-{i}.iso" : $"other-{i}.bin").ToList();
        foreach (var name in names) await Publish(Torrents.SingleFile(name, 1000));

        var all = await _tracker.ListFilesAsync(null);
        var found = await _tracker.ListFilesAsync("UBUNTU");

        Assert.Equal(40, all.Count);
        Assert.True(all.Select(f => Id160.Parse(f.InfoHash).Mod(16)).Distinct().Count() > 1, "files spread over partitions");
        Assert.Equal(names.Where(n => n.StartsWith("Ubuntu", StringComparison.Ordinal)).Order(StringComparer.OrdinalIgnoreCase), found.Select(f => f.Name));
        Assert.Empty(await _tracker.ListFilesAsync("debian"));
    }

    [Fact]
    public async Task Catalog_and_details_show_live_seeders_and_leechers()
    {
        var file = await Publish(Torrents.SingleFile("movie.mkv", 50_000));
        var hash = Id160.Parse(file.InfoHash);
        await _tracker.JoinSwarmAsync(hash, 1, new SwarmJoinRequest("10.0.0.1", 7001, Seeder: true), await Registered(1));
        await _tracker.AnnounceAsync(new AnnounceRequest(hash, Id160.Hash("x"), 6881, 0, 0, 10, AnnounceEvent.Started, 50, true, false, null), IPAddress.Loopback);

        var summary = Assert.Single(await _tracker.ListFilesAsync("movie"));
        var details = await _tracker.GetFileAsync(hash);

        Assert.Equal((1, 1), (summary.Seeders, summary.Leechers));
        Assert.NotNull(details);
        Assert.Equal((1, 1, 2), (details.Seeders, details.Leechers, details.Peers.Count));
        var seeder = Assert.Single(details.Peers, p => p.Seeder);
        Assert.Equal(("1", "10.0.0.1", 7001), (seeder.PeerId, seeder.Host, seeder.Port));
        Assert.Equal(_time.GetUtcNow().AddSeconds(75), seeder.Expires);
    }

    [Fact]
    public async Task Listing_reuses_counts_seen_in_the_last_seconds_then_reads_the_swarms_again()
    {
        var hash = Id160.Parse((await Publish(Torrents.SingleFile("cached.bin", 10))).InfoHash);
        await _tracker.JoinSwarmAsync(hash, 1, new SwarmJoinRequest("10.0.0.1", 7001, Seeder: true), await Registered(1));

        var before = _dht.Calls;
        var fresh = Assert.Single(await _tracker.ListFilesAsync(null));
        Assert.Equal(before + 16, _dht.Calls); // the 16 partitions; the count came from the join

        _time.Advance(TimeSpan.FromSeconds(3));
        before = _dht.Calls;
        var reread = Assert.Single(await _tracker.ListFilesAsync(null));
        Assert.Equal(before + 17, _dht.Calls);
        Assert.Equal((1, 1), (fresh.Seeders, reread.Seeders));
    }

    [Fact]
    public async Task Joining_the_swarm_of_an_unpublished_file_is_refused_and_leaving_removes()
    {
        var token = await Registered(7);
        Assert.Equal((PeerAccess.Unknown, null), await _tracker.JoinSwarmAsync(Id160.Hash("unknown"), 7, new SwarmJoinRequest("h", 1, true), token));

        var hash = Id160.Parse((await Publish(Torrents.SingleFile("f", 1))).InfoHash);
        var (_, joined) = await _tracker.JoinSwarmAsync(hash, 7, new SwarmJoinRequest("10.0.0.7", 7007, Seeder: false), token);
        await _tracker.LeaveSwarmAsync(hash, 7, token);

        Assert.Equal(1, joined!.Leechers);
        Assert.Equal(0, (await _tracker.GetFileAsync(hash))!.Leechers);
    }

    [Fact]
    public async Task Unknown_file_has_no_details_or_torrent()
    {
        Assert.Null(await _tracker.GetFileAsync(Id160.Hash("nope")));
        Assert.Null(await _tracker.GetTorrentAsync(Id160.Hash("nope")));
    }

    public static TheoryData<string, byte[]> Junk
    {
        get
        {
            static byte[] WithInfo(Action<BDictionary> change)
            {
                var info = new BDictionary
                {
                    { "length", new BInteger(40_000) },
                    { "name", new BString("file.bin") },
                    { "piece length", new BInteger(16384) },
                    { "pieces", new BString(new byte[60]) },
                };
                change(info);
                return new BDictionary { { "info", info } }.Encode();
            }

            return new()
            {
                { "not bencode", Encoding.ASCII.GetBytes("hello world") },
                { "empty", [] },
                { "a list", Encoding.ASCII.GetBytes("le") },
                { "no info", Encoding.ASCII.GetBytes("d8:announce3:urle") },
                { "trailing bytes", [.. WithInfo(_ => { }), (byte)'x'] },
                { "multi-file", WithInfo(i => i["files"] = new BList()) },
                { "path in name", WithInfo(i => i["name"] = new BString("../etc/passwd")) },
                { "dot-dot name", WithInfo(i => i["name"] = new BString("..")) },
                { "empty name", WithInfo(i => i["name"] = new BString("")) },
                { "control char in name", WithInfo(i => i["name"] = new BString("a\nb")) },
                { "no length", WithInfo(i => i["length"] = null) },
                { "negative length", WithInfo(i => i["length"] = new BInteger(-1)) },
                { "zero piece length", WithInfo(i => i["piece length"] = new BInteger(0)) },
                { "pieces not multiple of 20", WithInfo(i => i["pieces"] = new BString(new byte[59])) },
                { "too few pieces", WithInfo(i => i["pieces"] = new BString(new byte[40])) },
                { "too many pieces", WithInfo(i => i["pieces"] = new BString(new byte[80])) },
                { "length is a string", WithInfo(i => i["length"] = new BString("40000")) },
                { "huge integer", Encoding.ASCII.GetBytes("d4:infod6:lengthi99999999999999999999eee") },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Junk))]
    public async Task Publishing_junk_is_rejected_and_stores_nothing(string why, byte[] torrent)
    {
        var refused = await Assert.ThrowsAsync<InvalidTorrentException>(() => _tracker.PublishAsync(torrent));

        Assert.False(string.IsNullOrEmpty(refused.Message), why);
        Assert.Equal(0, _dht.Calls);
    }
}
