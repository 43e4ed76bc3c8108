using System.Net;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class AllowedFastSetTests
{
    /// <summary>BEP 6's example: info-hash of twenty 0xAA bytes, peer 80.4.4.200, 1313 pieces.</summary>
    private static readonly Id160 ExampleHash = new(Enumerable.Repeat((byte)0xAA, 20).ToArray());

    [Fact]
    public void The_set_is_the_one_BEP_6_gives_for_its_example_with_7_and_9_pieces()
    {
        Assert.Equal([1059, 431, 808, 1217, 287, 376, 1188], Compute(IPAddress.Parse("80.4.4.200"), 1313, 7));
        Assert.Equal([1059, 431, 808, 1217, 287, 376, 1188, 353, 508], Compute(IPAddress.Parse("80.4.4.200"), 1313, 9));
    }

    [Fact]
    public void Every_address_of_a_slash_24_gets_the_same_set_and_an_ipv4_mapped_address_too()
    {
        var expected = Compute(IPAddress.Parse("80.4.4.200"), 1313, AllowedFastSet.Size);

        Assert.Equal(AllowedFastSet.Size, expected.Length);
        Assert.Equal(expected, Compute(IPAddress.Parse("80.4.4.1"), 1313, AllowedFastSet.Size));
        Assert.Equal(expected, Compute(IPAddress.Parse("::ffff:80.4.4.9"), 1313, AllowedFastSet.Size));
        Assert.NotEqual(expected, Compute(IPAddress.Parse("80.4.5.200"), 1313, AllowedFastSet.Size));
    }

    [Fact]
    public void An_ipv6_peer_gets_no_set_and_a_small_torrent_never_more_pieces_than_it_has()
    {
        Assert.Empty(Compute(IPAddress.IPv6Loopback, 1313, AllowedFastSet.Size));
        var small = Compute(IPAddress.Parse("80.4.4.200"), 3, AllowedFastSet.Size);
        Assert.Equal([0, 1, 2], small.Order());
    }

    [Fact]
    public void We_grant_no_set_for_a_torrent_of_no_more_pieces_than_the_set_and_serve_requests_by_it()
    {
        var few = new FastExtensionState();
        few.GrantAllowedFast(IPAddress.Loopback, ExampleHash, AllowedFastSet.Size);
        Assert.True(few.AllowedToPeer.IsEmpty);

        var many = new FastExtensionState();
        many.GrantAllowedFast(IPAddress.Parse("80.4.4.200"), ExampleHash, 1313);
        Assert.Equal(Compute(IPAddress.Parse("80.4.4.200"), 1313, AllowedFastSet.Size), many.AllowedToPeer.ToArray());
        Assert.True(many.WeAllow(1059));
        Assert.False(many.WeAllow(1060));
    }

    private static int[] Compute(IPAddress address, int pieces, int k)
    {
        var set = new int[k];
        return set[..AllowedFastSet.Compute(address, ExampleHash, pieces, k, set)];
    }
}
