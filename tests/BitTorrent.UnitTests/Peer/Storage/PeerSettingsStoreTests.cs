using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Peer.Storage;

public sealed class PeerSettingsStoreTests
{
    private static PeerSettingsStore Store(string storage, TransferEngineOptions? configured = null) =>
        new(new PeerStorage(Options.Create(new PeerOptions { StoragePath = storage })), Options.Create(configured ?? new TransferEngineOptions()),
            NullLogger<PeerSettingsStore>.Instance);

    [Fact]
    public void Without_saved_settings_the_configured_defaults_apply()
    {
        using var folder = new TempFolder();
        var store = Store(folder.Path, new TransferEngineOptions { UploadRateLimit = 4096, DownloadRateLimit = 8192, MaxActiveDownloads = 2 });

        Assert.Equal(new PeerSettings(8192, 4096, 2), store.Current);
        Assert.False(File.Exists(Path.Combine(folder.Path, "state", "settings.json")));
    }

    [Fact]
    public void Saved_settings_are_read_back_after_a_restart_and_win_over_the_configured_defaults()
    {
        using var folder = new TempFolder();
        var configured = new TransferEngineOptions { UploadRateLimit = 4096 };
        Store(folder.Path, configured).Save(new PeerSettings(2 * 1024 * 1024, 0, 3));

        var restarted = Store(folder.Path, configured);

        Assert.Equal(new PeerSettings(2 * 1024 * 1024, 0, 3), restarted.Current);
        Assert.Equal(new PeerSettings(0, 4096, 0), restarted.Defaults);
        Assert.Equal(["settings.json"], Directory.GetFiles(Path.Combine(folder.Path, "state")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_change_is_saved_before_it_is_applied()
    {
        using var folder = new TempFolder();
        var store = Store(folder.Path);
        PeerSettings? appliedWhileSaved = null;

        await store.ChangeAsync(new PeerSettings(1000, 2000, 1), s =>
        {
            appliedWhileSaved = Store(folder.Path).Current; // what a restart at this moment would read
            return Task.CompletedTask;
        });

        Assert.Equal(new PeerSettings(1000, 2000, 1), appliedWhileSaved);
        Assert.Equal(new PeerSettings(1000, 2000, 1), store.Current);
    }

    [Fact]
    public void A_damaged_settings_file_is_kept_aside_and_the_defaults_apply()
    {
        using var folder = new TempFolder();
        var state = Path.Combine(folder.Path, "state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "settings.json"), "{ \"downloadLimit\": 12");

        var store = Store(folder.Path, new TransferEngineOptions { UploadRateLimit = 100 });

        Assert.Equal(new PeerSettings(0, 100, 0), store.Current);
        Assert.Single(Directory.GetFiles(state, "settings.json.corrupt-*"));
    }

    [Theory]
    [InlineData(-1, 0, 0, "downloadLimit")]
    [InlineData(0, -5, 0, "uploadLimit")]
    [InlineData(PeerLimits.MaxBytesPerSecond + 1, 0, 0, "downloadLimit")]
    [InlineData(0, 0, -1, "maxActiveDownloads")]
    [InlineData(0, 0, PeerLimits.MaxActiveDownloads + 1, "maxActiveDownloads")]
    public void Values_out_of_range_are_named_and_never_saved(long download, long upload, int maxActive, string field)
    {
        using var folder = new TempFolder();
        var store = Store(folder.Path);
        var settings = new PeerSettings(download, upload, maxActive);

        Assert.Equal([field], settings.Problems().Keys);
        Assert.Throws<ArgumentException>(() => store.Save(settings));
        Assert.Equal(new PeerSettings(0, 0, 0), Store(folder.Path).Current);
    }

    [Fact]
    public void Zero_is_unlimited_and_the_largest_values_are_allowed()
    {
        Assert.Empty(new PeerSettings(0, 0, 0).Problems());
        Assert.Empty(new PeerSettings(PeerLimits.MaxBytesPerSecond, PeerLimits.MaxBytesPerSecond, PeerLimits.MaxActiveDownloads).Problems());
    }

    [Fact]
    public void A_settings_file_saved_before_volunteering_existed_keeps_the_configured_volunteer_room()
    {
        using var folder = new TempFolder();
        var storage = new PeerStorage(Options.Create(new PeerOptions { StoragePath = folder.Path }));
        File.WriteAllText(Path.Combine(folder.Path, "state", "settings.json"), """{ "downloadLimit": 1000, "uploadLimit": 0, "maxActiveDownloads": 2 }""");

        var store = new PeerSettingsStore(storage, Options.Create(new TransferEngineOptions()), NullLogger<PeerSettingsStore>.Instance,
            Options.Create(new BitTorrent.Peer.Volunteering.VolunteerOptions { MaxBytes = 5000 }));

        Assert.Equal(new PeerSettings(1000, 0, 2, 5000), store.Current);
        Assert.True(new PeerSettings(0, 0, 0, -1).Problems().ContainsKey("volunteerMaxBytes"));
    }
}
