using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class PeerClientNameTests
{
    [Theory]
    [InlineData("-DD0100-abcdefghijkl", "D&D BitTorrent 0.1.0.0")]
    [InlineData("-qB4620-abcdefghijkl", "qBittorrent 4.6.2.0")]
    [InlineData("-TR4060-abcdefghijkl", "Transmission 4.0.6.0")]
    [InlineData("-ZZ1000-abcdefghijkl", "ZZ 1.0.0.0")]
    [InlineData("aria2-1.37.0-abcdefg", "aria2")]
    [InlineData("M7-4-3--abcdefghijkl", "M7-4-3--")]
    [InlineData("\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008abcdefghijkl", "unknown")]
    public void A_peer_id_names_its_client_and_version(string peerId, string expected) =>
        Assert.Equal(expected, PeerClientName.FromPeerId(peerId));

    [Fact]
    public void No_id_yet_names_nothing() => Assert.Null(PeerClientName.FromPeerId(null));
}
