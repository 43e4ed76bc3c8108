using System.Net;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Peer.Volunteering;

public sealed class VolunteerAgentTests : IAsyncDisposable
{
    private const string Token = "peer-token";
    private readonly TempFolder _folder = new();
    private readonly TransferEngine _engine = new(new TransferEngineOptions());
    private readonly FakeTrackerApi _tracker = FakeTrackerApi.Create();
    private readonly FakeVolunteerFiles _files = new();
    private readonly PeerStorage _storage;
    private readonly PeerSettingsStore _settings;
    private readonly VolunteerCopies _copies;

    public VolunteerAgentTests()
    {
        _storage = new PeerStorage(Options.Create(new PeerOptions { StoragePath = _folder.Path }));
        _storage.SaveIdentity(new PeerIdentityRecord(7, Token));
        _settings = new PeerSettingsStore(_storage, Options.Create(new TransferEngineOptions()), NullLogger<PeerSettingsStore>.Instance);
        _copies = new VolunteerCopies(_storage);
    }

    private VolunteerAgent Agent(long maxBytes, int maxFetches = 2)
    {
        _settings.Save(new PeerSettings(0, 0, 0, maxBytes));
        var runtime = new PeerRuntime(_engine);
        runtime.Registered(7, "127.0.0.1");
        runtime.MarkReady();
        return new VolunteerAgent(_settings, _storage, runtime, _tracker.Calls, _copies, _files,
            Options.Create(new VolunteerOptions { MaxConcurrentFetches = maxFetches, RetryInterval = TimeSpan.FromSeconds(9) }),
            TimeProvider.System, NullLogger<VolunteerAgent>.Instance);
    }

    private VolunteerTask Fetch(string name, long length)
    {
        _files.Lengths[Id160.Hash(name)] = length;
        return new VolunteerTask(Id160.Hash(name).ToString(), VolunteerAction.Fetch, length, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private static VolunteerTask Drop(string name) => new(Id160.Hash(name).ToString(), VolunteerAction.Drop, 100);

    [Fact]
    public async Task A_fetch_starts_a_download_marked_as_a_volunteer_copy_and_the_next_report_lists_it()
    {
        var agent = Agent(maxBytes: 1000);
        _tracker.Answers.Enqueue([Fetch("a", 300)]);

        var wait = await agent.RunOnceAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(5), wait); // the ring's PollAfterSeconds
        Assert.Equal([Id160.Hash("a")], _files.Fetched);
        Assert.True(_copies.Contains(Id160.Hash("a")));
        Assert.True(new VolunteerCopies(_storage).Contains(Id160.Hash("a"))); // kept on disk: a restart knows it

        await agent.RunOnceAsync(CancellationToken.None);
        var report = _tracker.Reports[^1];
        Assert.Equal(700, report.FreeBytes);
        Assert.Equal(1, report.FreeSlots);
        Assert.Equal([Id160.Hash("a").ToString()], report.Fetching);
        Assert.Empty(report.Held);
        Assert.Empty(report.Validate());

        _files.States[Id160.Hash("a")] = VolunteerFileState.Held;
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal([Id160.Hash("a").ToString()], _tracker.Reports[^1].Held);
        Assert.Equal(2, _tracker.Reports[^1].FreeSlots);
    }

    [Fact]
    public async Task Fetches_never_take_more_than_the_room()
    {
        var agent = Agent(maxBytes: 1000, maxFetches: 5);
        _tracker.Answers.Enqueue([Fetch("a", 600), Fetch("b", 600), Fetch("c", 400), Fetch("d", 1)]);

        await agent.RunOnceAsync(CancellationToken.None);

        Assert.Equal([Id160.Hash("a"), Id160.Hash("c")], _files.Fetched); // b would overflow; after c the room is full
        Assert.Equal(1000, _copies.UsedBytes());
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, _tracker.Reports[^1].FreeBytes);
    }

    [Fact]
    public async Task At_most_the_configured_fetches_run_at_once()
    {
        var agent = Agent(maxBytes: 1_000_000, maxFetches: 2);
        _tracker.Answers.Enqueue([Fetch("a", 10), Fetch("b", 10), Fetch("c", 10)]);
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, _files.Fetched.Count);

        _tracker.Answers.Enqueue([Fetch("c", 10)]); // both still fetching: no slot
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, _tracker.Reports[^1].FreeSlots);
        Assert.Equal(2, _files.Fetched.Count);

        _files.States[Id160.Hash("a")] = VolunteerFileState.Held;
        _tracker.Answers.Enqueue([Fetch("c", 10)]);
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, _tracker.Reports[^1].FreeSlots);
        Assert.Equal(Id160.Hash("c"), _files.Fetched[^1]);
    }

    [Fact]
    public async Task A_drop_removes_only_volunteer_copies_never_the_users_files()
    {
        var agent = Agent(maxBytes: 1000);
        _files.UsersFiles.Add(Id160.Hash("mine"));
        _tracker.Answers.Enqueue([Fetch("theirs", 100), Fetch("mine", 100)]);
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal([Id160.Hash("theirs")], _files.Fetched); // the user's own file is seeded already, never fetched as a copy
        Assert.False(_copies.Contains(Id160.Hash("mine")));

        _tracker.Answers.Enqueue([Drop("mine"), Drop("theirs"), Drop("unknown")]);
        await agent.RunOnceAsync(CancellationToken.None);

        Assert.Equal([Id160.Hash("theirs")], _files.Dropped);
        Assert.Empty(_copies.All());
    }

    [Fact]
    public async Task A_lowered_room_drops_the_newest_copies_and_off_drops_them_all_but_never_the_users()
    {
        var agent = Agent(maxBytes: 1000, maxFetches: 5);
        _files.UsersFiles.Add(Id160.Hash("mine"));
        _tracker.Answers.Enqueue([Fetch("old", 400)]);
        await agent.RunOnceAsync(CancellationToken.None);
        _files.States[Id160.Hash("old")] = VolunteerFileState.Held;
        await Task.Delay(10);
        _tracker.Answers.Enqueue([Fetch("new", 400)]);
        await agent.RunOnceAsync(CancellationToken.None);
        _files.States[Id160.Hash("new")] = VolunteerFileState.Held;

        _settings.Save(new PeerSettings(0, 0, 0, 500));
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal([Id160.Hash("new")], _files.Dropped);
        Assert.Equal(400, _copies.UsedBytes());

        var asked = _tracker.Reports.Count;
        _settings.Save(new PeerSettings(0, 0, 0, 0));
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Equal([Id160.Hash("new"), Id160.Hash("old")], _files.Dropped);
        Assert.Empty(_copies.All());
        Assert.Equal(asked, _tracker.Reports.Count); // not volunteering: the ring is not asked
    }

    [Fact]
    public async Task A_failed_fetch_is_dropped_and_a_copy_removed_by_hand_is_forgotten()
    {
        var agent = Agent(maxBytes: 1000);
        _tracker.Answers.Enqueue([Fetch("bad", 100), Fetch("removed", 100)]);
        await agent.RunOnceAsync(CancellationToken.None);
        _files.States[Id160.Hash("bad")] = VolunteerFileState.Failed;
        _files.States.Remove(Id160.Hash("removed"));

        await agent.RunOnceAsync(CancellationToken.None);

        Assert.Equal([Id160.Hash("bad")], _files.Dropped);
        Assert.Empty(_copies.All());
        Assert.Equal(1000, _tracker.Reports[^1].FreeBytes);
    }

    [Fact]
    public async Task Tracker_errors_are_retried_at_the_next_round_without_throwing()
    {
        var agent = Agent(maxBytes: 1000);
        _tracker.Unreachable = true;
        Assert.Equal(TimeSpan.FromSeconds(9), await agent.RunOnceAsync(CancellationToken.None));

        _tracker.Unreachable = false;
        _tracker.Status = HttpStatusCode.NotFound;
        Assert.Equal(TimeSpan.FromSeconds(9), await agent.RunOnceAsync(CancellationToken.None));
        Assert.Empty(_files.Fetched);

        _tracker.Status = HttpStatusCode.OK;
        _tracker.Answers.Enqueue([Fetch("a", 100)]);
        Assert.Equal(TimeSpan.FromSeconds(5), await agent.RunOnceAsync(CancellationToken.None));
        Assert.Single(_files.Fetched);
    }

    [Fact]
    public async Task Adopting_a_volunteer_copy_makes_it_the_users_and_the_ring_can_no_longer_drop_it()
    {
        var agent = Agent(maxBytes: 1000);
        _tracker.Answers.Enqueue([Fetch("a", 100)]);
        await agent.RunOnceAsync(CancellationToken.None);
        _files.States[Id160.Hash("a")] = VolunteerFileState.Held;
        _storage.Add(new LibraryItem(Id160.Hash("a"), "a.bin", 100, LibraryOrigin.Volunteered, DateTimeOffset.UtcNow));

        Assert.True(_copies.Adopt(Id160.Hash("a"), LibraryOrigin.Downloaded));

        Assert.Equal(LibraryOrigin.Downloaded, _storage.Find(Id160.Hash("a"))!.Origin);
        _tracker.Answers.Enqueue([Drop("a")]);
        await agent.RunOnceAsync(CancellationToken.None);
        Assert.Empty(_files.Dropped);
        Assert.Equal(1000, _tracker.Reports[^1].FreeBytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        _folder.Dispose();
    }
}
