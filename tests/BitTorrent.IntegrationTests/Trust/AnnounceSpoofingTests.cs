using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// /announce believes the connection's address. Actors on their own loopback addresses: a victim seeding from
/// 127.0.0.2, an attacker on 127.0.0.5 who knows the victim's peer_id, a downloader on 127.0.0.3, and the gateway
/// (the one trusted proxy, on 127.0.0.1). The attacker can neither evict nor move the victim nor point others at
/// internal ports; afterwards the downloader is still handed the victim.
/// </summary>
public sealed class AnnounceSpoofingTests(ITestOutputHelper output)
{
    private static readonly Id160 InfoHash = Id160.Hash("a torrent under attack");

    [Fact]
    public async Task Announces_with_ip_forwarded_for_or_another_peers_id_from_another_address_change_nothing_of_the_victims_entry()
    {
        await using var ring = new ChordRing(output, new Dictionary<string, string> { ["Tracker__TrustedProxies__0"] = "127.0.0.1" });
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        var node = ring.Nodes[1].Url;
        using var victim = TrustKit.BoundClient("127.0.0.2");
        using var attacker = TrustKit.BoundClient("127.0.0.5");
        using var downloader = TrustKit.BoundClient("127.0.0.3");

        Assert.False((await TrustKit.AnnounceAsync(victim, node, InfoHash, "victim", 7001, "started")).ContainsKey("failure reason"));

        // "stopped" under the victim's peer_id, from the attacker's address, directly and through the gateway.
        await TrustKit.AnnounceAsync(attacker, node, InfoHash, "victim", 7001, "stopped");
        await TrustKit.AnnounceAsync(attacker, gateway.Url, InfoHash, "victim", 7001, "stopped");
        // The victim's peer_id with another port: an entry of the attacker's own address, never the victim's moved.
        await TrustKit.AnnounceAsync(attacker, node, InfoHash, "victim", 22);
        // ip= naming loopback is refused outright, with a reason.
        var loopback = await TrustKit.AnnounceAsync(attacker, node, InfoHash, "intruder", 22, extra: "&ip=127.0.0.1");
        Assert.Contains("loopback", loopback.Require<BString>("failure reason").Text, StringComparison.Ordinal);
        var metadata = await TrustKit.AnnounceAsync(attacker, node, InfoHash, "intruder", 80, extra: "&ip=169.254.169.254");
        Assert.Contains("link-local", metadata.Require<BString>("failure reason").Text, StringComparison.Ordinal);
        // Any other ip=, and X-Forwarded-For, are not believed from an untrusted address: the entry is the connection's.
        await TrustKit.AnnounceAsync(attacker, node, InfoHash, "claims-ip", 6881, extra: "&ip=10.9.9.9");
        await TrustKit.AnnounceAsync(attacker, node, InfoHash, "claims-xff", 6882, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "10.1.2.3" });
        // Through the gateway, a client's own X-Forwarded-For is replaced by the address the gateway saw.
        await TrustKit.AnnounceAsync(attacker, gateway.Url, InfoHash, "via-gateway", 6883, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "10.6.6.6" });

        var swarm = await TrustKit.SwarmAsync(ring, InfoHash);
        Assert.Contains((Id160.Hash("victim").ToString(), "127.0.0.2", 7001), swarm);
        Assert.DoesNotContain(swarm, e => e.Host is "127.0.0.1" or "169.254.169.254" or "10.9.9.9" or "10.1.2.3" or "10.6.6.6");
        Assert.Equal(
            [("127.0.0.2", 7001), ("127.0.0.5", 22), ("127.0.0.5", 6881), ("127.0.0.5", 6882), ("127.0.0.5", 6883)],
            swarm.Select(e => (e.Host, e.Port)));

        // The trusted proxy's X-Forwarded-For is believed (so the rule above is not "ignore it always").
        using var proxy = new HttpClient();
        await TrustKit.AnnounceAsync(proxy, node, InfoHash, "behind-proxy", 6884, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "127.0.0.7" });
        Assert.Contains((Id160.Hash("behind-proxy").ToString(), "127.0.0.7", 6884), await TrustKit.SwarmAsync(ring, InfoHash));

        // The system still works: a downloader is handed the victim.
        var reply = await TrustKit.AnnounceAsync(downloader, gateway.Url, InfoHash, "downloader", 6999, "started", extra: "&numwant=200");
        var peers = reply.Require<BString>("peers").Bytes.Chunk(6).Select(p => $"{p[0]}.{p[1]}.{p[2]}.{p[3]}:{(p[4] << 8) | p[5]}").ToList();
        Assert.Contains("127.0.0.2:7001", peers);
    }
}
