using System.Security.Cryptography;
using System.Text;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.UnitTests.Shared.Contracts;

public sealed class PeerTokenTests
{
    [Fact]
    public void A_token_names_its_peer_and_carries_256_random_bits()
    {
        var token = PeerToken.Create(42);
        var other = PeerToken.Create(42);

        Assert.StartsWith("42.", token, StringComparison.Ordinal);
        Assert.Equal(3 + 43, token.Length); // 32 bytes in base64url without padding
        Assert.NotEqual(token, other);
        Assert.True(PeerToken.TryGetPeerId(token, out var id));
        Assert.Equal(42, id);
    }

    [Fact]
    public void The_stored_hash_is_the_sha256_of_the_token_and_only_the_token_matches_it()
    {
        var token = PeerToken.Create(7);
        var hash = PeerToken.Hash(token);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), hash);
        Assert.DoesNotContain(token.Split('.')[1], hash, StringComparison.Ordinal);
        Assert.True(PeerToken.Matches(token, hash));
        Assert.False(PeerToken.Matches(PeerToken.Create(7), hash));
        Assert.False(PeerToken.Matches(token[..^1], hash));
        Assert.False(PeerToken.Matches(token, null));
        Assert.False(PeerToken.Matches(token, ""));
        Assert.False(PeerToken.Matches(token, "not hex"));
        Assert.False(PeerToken.Matches(null, hash));
        Assert.False(PeerToken.Matches("", hash));
        Assert.False(PeerToken.Matches(token + new string('x', 100), PeerToken.Hash(token + new string('x', 100))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(".secret")]
    [InlineData("7.")]
    [InlineData("-7.secret")]
    [InlineData("0.secret")]
    [InlineData("x7.secret")]
    public void Malformed_tokens_name_no_peer(string token) => Assert.False(PeerToken.TryGetPeerId(token, out _));

    [Theory]
    [InlineData("Bearer 1.abc", "1.abc")]
    [InlineData("bearer 1.abc", "1.abc")]
    [InlineData("Bearer   1.abc  ", "1.abc")]
    [InlineData("Basic 1.abc", null)]
    [InlineData("Bearer ", null)]
    [InlineData("1.abc", null)]
    [InlineData(null, null)]
    public void The_token_comes_from_a_bearer_authorization_header(string? header, string? token) =>
        Assert.Equal(token, PeerToken.FromAuthorization(header));
}
