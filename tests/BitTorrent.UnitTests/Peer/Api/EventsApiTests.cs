using BitTorrent.Peer.Api;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Peer.Api;

public sealed class EventsApiTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly VolunteerCopies _copies;

    public EventsApiTests() =>
        _copies = new VolunteerCopies(new PeerStorage(Options.Create(new PeerOptions { StoragePath = _folder.Path })));

    public void Dispose() => _folder.Dispose();

    private static DownloadEvent Event(Id160 infoHash, DownloadEventKind kind) =>
        new(infoHash, "file.bin", kind, DownloadState.Completed, 10, 10, 0, null, "/tmp/file.bin", DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData(DownloadEventKind.Progress)]
    [InlineData(DownloadEventKind.StateChanged)]
    [InlineData(DownloadEventKind.Completed)]
    [InlineData(DownloadEventKind.Removed)]
    public void A_volunteer_copy_s_events_are_not_shown_until_the_user_adopts_it(DownloadEventKind kind)
    {
        var volunteered = Id160.Hash("volunteered");
        var users = Id160.Hash("the user's");
        Assert.True(_copies.Add(new VolunteerCopy(volunteered, 10, DateTimeOffset.UnixEpoch)));

        Assert.False(EventsApi.IsShown(Event(volunteered, kind), _copies));
        Assert.True(EventsApi.IsShown(Event(users, kind), _copies));

        Assert.True(_copies.Adopt(volunteered, LibraryOrigin.Downloaded));
        Assert.True(EventsApi.IsShown(Event(volunteered, kind), _copies));
    }
}
