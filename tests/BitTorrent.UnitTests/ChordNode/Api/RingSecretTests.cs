using BitTorrent.ChordNode.Rpc;

namespace BitTorrent.UnitTests.ChordNode.Api;

public sealed class RingSecretTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dev-ring-secret")]
    [InlineData("dev-ring-secret-CHANGE-ME")]
    [InlineData("change-me-please")]
    [InlineData("short-secret")]
    public void Missing_published_and_short_secrets_are_refused_outside_development(string? secret) =>
        Assert.NotNull(RingSecret.Problem(secret));

    [Fact]
    public void A_long_random_secret_is_accepted() =>
        Assert.Null(RingSecret.Problem(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    [Fact]
    public void Ring_rpc_needs_the_exact_secret()
    {
        Assert.True(RingSecret.Matches("the-ring-secret-123", "the-ring-secret-123"));
        Assert.False(RingSecret.Matches("the-ring-secret-12", "the-ring-secret-123"));
        Assert.False(RingSecret.Matches(null, "the-ring-secret-123"));
    }
}
