using BitTorrent.Peer.Access;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Peer.Access;

public sealed class ApiKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    private static ApiKey Key(string storage, string? configured = null)
    {
        var options = Options.Create(new PeerOptions { StoragePath = storage, ApiKey = configured });
        return new ApiKey(options, new PeerStorage(options));
    }

    [Fact]
    public void A_key_is_made_at_first_start_kept_readable_by_the_owner_only_and_read_again_after_a_restart()
    {
        using var folder = new TempFolder();
        var first = Key(folder.Path);
        Assert.True(first.Value.Length >= 43, "fewer than 256 bits of key"); // base64url of 32 bytes
        Assert.Equal(first.Value, File.ReadAllText(first.Path).Trim());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.Path));
        Assert.False(File.Exists(first.Path + ".tmp"));
        Assert.Equal(first.Value, Key(folder.Path).Value);

        using var other = new TempFolder();
        Assert.NotEqual(first.Value, Key(other.Path).Value);
    }

    [Fact]
    public void A_configured_key_wins_over_the_file_and_only_the_exact_key_matches()
    {
        using var folder = new TempFolder();
        var key = Key(folder.Path, "configured-key-0123456789");
        Assert.True(key.FromConfiguration);
        Assert.True(key.Matches("configured-key-0123456789"));
        Assert.False(key.Matches("configured-key-012345678"));
        Assert.False(key.Matches("configured-key-0123456789 "));
        Assert.False(key.Matches(""));
        Assert.False(key.Matches(null));
    }

    [Fact]
    public void A_session_is_valid_under_its_key_for_its_lifetime_and_the_cookie_name_is_the_keys_own()
    {
        using var folder = new TempFolder();
        var key = Key(folder.Path, "first-key-0123456789");
        var other = Key(folder.Path, "other-key-0123456789");
        var session = key.NewSession(Now);

        Assert.DoesNotContain(key.Value, session, StringComparison.Ordinal);
        Assert.True(key.IsSession(session, Now.AddDays(1), TimeSpan.FromDays(30)));
        Assert.True(Key(folder.Path, "first-key-0123456789").IsSession(session, Now, TimeSpan.FromDays(30)), "the same key after a restart did not accept the session");
        Assert.False(key.IsSession(session, Now.AddDays(31), TimeSpan.FromDays(30)));
        Assert.False(other.IsSession(session, Now, TimeSpan.FromDays(30)));
        Assert.False(key.IsSession(session[..^1] + (session[^1] == 'A' ? 'B' : 'A'), Now, TimeSpan.FromDays(30)));
        Assert.False(key.IsSession("0" + session[session.IndexOf('.', StringComparison.Ordinal)..], Now, TimeSpan.FromDays(30)));
        Assert.False(key.IsSession("", Now, TimeSpan.FromDays(30)));
        Assert.NotEqual(key.NewSession(Now), session);

        Assert.StartsWith("peer-session-", key.CookieName, StringComparison.Ordinal);
        Assert.NotEqual(key.CookieName, other.CookieName);
    }
}
