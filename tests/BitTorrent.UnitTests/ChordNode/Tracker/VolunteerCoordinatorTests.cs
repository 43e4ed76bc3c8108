using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>The volunteer coordinator's decisions over the in-memory store, on a clock that moves only when told to.</summary>
public sealed class VolunteerCoordinatorTests
{
    private const long Big = 10L << 30;

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;
    private readonly VolunteerCoordinator _coordinator;
    private readonly TrackerOptions _options = new()
    {
        VolunteerLease = TimeSpan.FromSeconds(30),
        VolunteerPollInterval = TimeSpan.FromSeconds(10),
        VolunteerDropGrace = TimeSpan.FromSeconds(20),
    };
    private int _nextPort = 7000;

    public VolunteerCoordinatorTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(_options), _time, NullLogger<TrackerService>.Instance);
        _coordinator = new VolunteerCoordinator(_dht, _tracker, Options.Create(_options), _time, NullLogger<VolunteerCoordinator>.Instance);
    }

    private async Task<RegisteredPeer> Peer() =>
        await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", ++_nextPort, "http://10.0.0.1:5201"));

    /// <summary>A file published by <paramref name="publisher"/> with a target, the publisher seeding it.</summary>
    private async Task<string> Published(RegisteredPeer publisher, int copies, long length = 1000, string name = "film.mkv")
    {
        var published = await _tracker.PublishAsync(Torrents.SingleFile(name, length), publisher.PeerId, copies);
        await Seed(publisher, published.InfoHash);
        return published.InfoHash;
    }

    private async Task Seed(RegisteredPeer peer, string infoHash)
    {
        var (access, _) = await _tracker.JoinSwarmAsync(Id160.Parse(infoHash), peer.PeerId,
            new SwarmJoinRequest(peer.TransferHost, peer.TransferPort, Seeder: true), peer.Token);
        Assert.Equal(PeerAccess.Granted, access);
    }

    private async Task<IReadOnlyList<VolunteerTask>> Ask(RegisteredPeer volunteer, long freeBytes = Big, int freeSlots = 4,
        string[]? held = null, string[]? fetching = null)
    {
        var (access, assignment) = await _coordinator.AssignAsync(volunteer.PeerId,
            new VolunteerReport(freeBytes, freeSlots, held ?? [], fetching ?? []), volunteer.Token);
        Assert.Equal(PeerAccess.Granted, access);
        Assert.Equal(10, assignment!.PollAfterSeconds);
        return assignment.Tasks;
    }

    private static VolunteerTask Fetch(IReadOnlyList<VolunteerTask> tasks, string infoHash)
    {
        var task = Assert.Single(tasks);
        Assert.Equal((infoHash, VolunteerAction.Fetch), (task.InfoHash, task.Action));
        return task;
    }

    [Fact]
    public async Task A_file_below_target_is_handed_to_as_many_volunteers_as_copies_are_missing_and_no_more()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 3);
        var (first, second, third) = (await Peer(), await Peer(), await Peer());

        var one = Fetch(await Ask(first), hash);
        var two = Fetch(await Ask(second), hash);

        Assert.Equal(1000, one.Length);
        Assert.Equal(_time.GetUtcNow() + _options.VolunteerLease, one.LeaseUntil);
        Assert.Equal(hash, two.InfoHash);
        // Two copies were missing and two volunteers claimed them: the third gets nothing, and neither does a repeated ask.
        Assert.Empty(await Ask(third));
        Assert.Empty(await Ask(first, fetching: [hash]));
        Assert.Equal(2, _dht.Set($"claims/{hash}").Count);
    }

    [Fact]
    public async Task A_file_at_its_target_or_with_target_one_is_not_handed_out()
    {
        var publisher = await Peer();
        await Published(publisher, copies: 1, name: "one.bin");
        var hash = await Published(publisher, copies: 2, name: "two.bin");
        var other = await Peer();
        await Seed(other, hash);

        Assert.Empty(await Ask(await Peer()));
        // A seeder of the file is not asked to fetch it again either.
        Assert.Empty(await Ask(other));
    }

    /// <summary>37.5 s: the default announce interval (30 s) and a quarter of it.</summary>
    private static readonly TimeSpan Online = TimeSpan.FromMilliseconds(37_500);

    [Theory]
    [InlineData(0, false)]
    [InlineData(20_000, false)]
    [InlineData(37_500, false)] // the edge of the window still counts
    [InlineData(37_501, true)]
    [InlineData(60_000, true)] // still a live entry (Tracker:PeerTtl 75 s), but overdue
    public async Task A_seeder_whose_last_announce_is_older_than_the_interval_and_a_quarter_counts_as_a_missing_copy(int sinceItsAnnounceMs, bool missing)
    {
        Assert.Equal(Online, SwarmLiveness.Window(_options));
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 2);
        var other = await Peer();
        await Seed(other, hash);

        // The publisher keeps announcing; the other seeder's last announce is this old.
        _time.Advance(TimeSpan.FromMilliseconds(sinceItsAnnounceMs));
        await Seed(publisher, hash);
        var tasks = await Ask(await Peer());

        if (missing) Fetch(tasks, hash);
        else Assert.Empty(tasks);
        Assert.Equal(2, _dht.Set($"swarm/{hash}").Count); // its entry lives on for the peer lists either way
    }

    [Fact]
    public async Task The_catalog_shows_the_copies_online_by_the_same_rule()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 3);
        var other = await Peer();
        await Seed(other, hash);
        Assert.Equal(2, Assert.Single(await _tracker.ListFilesAsync(null)).Seeders);

        _time.Advance(Online + TimeSpan.FromMilliseconds(1));
        await Seed(publisher, hash);

        // "1 of 3 copies online": the other seeder's announce is overdue, though its entry is still handed out to peers.
        var row = Assert.Single(await _tracker.ListFilesAsync(null));
        Assert.Equal((1, 3), (row.Seeders, row.Copies));
        var details = await _tracker.GetFileAsync(Id160.Parse(hash));
        Assert.Equal(1, details!.Seeders);
        Assert.Equal(2, details.Peers.Count(p => p.Seeder));
    }

    [Fact]
    public async Task A_seeder_counted_gone_makes_no_surplus_while_its_entry_lives_on()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 2);
        var (first, second) = (await Peer(), await Peer());
        await Seed(first, hash);
        await Seed(second, hash);

        // The publisher's announce is overdue from 37.5 s; its entry lives until 75 s, longer than the grace (20 s). Counted as
        // gone for the copies, it is not counted for a surplus either: the two volunteer copies stay.
        _time.Advance(Online + TimeSpan.FromSeconds(1));
        for (var elapsed = TimeSpan.Zero; elapsed <= TimeSpan.FromSeconds(35); elapsed += TimeSpan.FromSeconds(5))
        {
            await Seed(first, hash);
            await Seed(second, hash);
            Assert.Contains(_dht.Set($"swarm/{hash}"), m => m.Member == publisher.PeerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(await Ask(first, held: [hash]));
            Assert.Empty(await Ask(second, freeBytes: Big - 1, held: [hash]));
            _time.Advance(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task A_seeder_counted_gone_that_announces_again_makes_a_surplus_that_is_dropped_only_after_the_grace()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 2);
        var (first, second) = (await Peer(), await Peer());
        Fetch(await Ask(first), hash);
        await Seed(first, hash);

        // The publisher is silent past the window: its copy counts as gone and the second volunteer replaces it.
        _time.Advance(Online + TimeSpan.FromSeconds(1));
        await Seed(first, hash);
        Assert.Empty(await Ask(first, held: [hash]));
        Fetch(await Ask(second, freeBytes: Big - 1), hash);
        await Seed(second, hash);

        // Then it announces again, late but alive: three copies for two. Nothing is dropped while the grace runs...
        async Task<(IReadOnlyList<VolunteerTask> First, IReadOnlyList<VolunteerTask> Second)> Round()
        {
            foreach (var peer in new[] { publisher, first, second }) await Seed(peer, hash);
            return (await Ask(first, held: [hash]), await Ask(second, freeBytes: Big - 1, held: [hash]));
        }
        for (var elapsed = TimeSpan.Zero; elapsed < _options.VolunteerDropGrace; elapsed += TimeSpan.FromSeconds(5))
        {
            var (early, earlySecond) = await Round();
            Assert.Empty(early);
            Assert.Empty(earlySecond);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        // ...and after it, one volunteer copy goes (the one with less room), never more, and never the publisher's.
        var (firstTasks, secondTasks) = await Round();
        Assert.Empty(firstTasks);
        var drop = Assert.Single(secondTasks);
        Assert.Equal((hash, VolunteerAction.Drop), (drop.InfoHash, drop.Action));
        Assert.Empty((await Round()).First);
    }

    [Fact]
    public async Task A_claim_renewed_by_reports_holds_and_a_lapsed_one_is_handed_to_another_volunteer()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 2);
        var (first, second) = (await Peer(), await Peer());
        Fetch(await Ask(first), hash);

        // The first volunteer keeps reporting the fetch: past its first lease, its claim still holds.
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await Seed(publisher, hash);
            Assert.Empty(await Ask(first, fetching: [hash]));
            Assert.Empty(await Ask(second));
        }

        // It stops asking (it died): once the lease is over, the copy goes to the second.
        _time.Advance(_options.VolunteerLease + TimeSpan.FromSeconds(1));
        await Seed(publisher, hash);
        Fetch(await Ask(second), hash);
    }

    [Fact]
    public async Task A_volunteer_that_seeds_by_now_frees_its_claim_for_the_next_missing_copy()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 3);
        var (first, second, third) = (await Peer(), await Peer(), await Peer());
        Fetch(await Ask(first), hash);
        Fetch(await Ask(second), hash);
        await Seed(first, hash);
        await Seed(second, hash);

        // Three seeders: the target is met, the stale claims do not matter.
        Assert.Empty(await Ask(third));
        Assert.Empty(await Ask(first, held: [hash]));

        Assert.Equal(PeerAccess.Granted, await _tracker.SetCopiesAsync(Id160.Parse(hash), 4, publisher.Token));
        Fetch(await Ask(third), hash);
    }

    [Fact]
    public async Task Fetches_fit_the_volunteers_free_bytes_and_free_slots()
    {
        var publisher = await Peer();
        var small = await Published(publisher, copies: 2, length: 100, name: "small.bin");
        var large = await Published(publisher, copies: 2, length: 200, name: "large.bin");
        var huge = await Published(publisher, copies: 2, length: 1000, name: "huge.bin");

        // 350 bytes: the two that fit together, never the one that does not.
        var tasks = await Ask(await Peer(), freeBytes: 350);
        Assert.Equal(new[] { large, small }.Order(), tasks.Select(t => t.InfoHash).Order());
        Assert.DoesNotContain(tasks, t => t.InfoHash == huge);
        // One slot: one file. No slot: nothing.
        Assert.Single(await Ask(await Peer(), freeBytes: Big, freeSlots: 1));
        Assert.Empty(await Ask(await Peer(), freeBytes: Big, freeSlots: 0));
    }

    [Fact]
    public async Task The_volunteer_with_the_most_free_room_gets_the_copy_first()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 1);
        var (roomy, cramped) = (await Peer(), await Peer());
        Assert.Empty(await Ask(roomy, freeBytes: 1_000_000));
        Assert.Equal(PeerAccess.Granted, await _tracker.SetCopiesAsync(Id160.Parse(hash), 2, publisher.Token));

        // One copy is missing and a volunteer with more room asked lately: the cramped one waits, the roomy one takes it.
        Assert.Empty(await Ask(cramped, freeBytes: 5_000));
        Fetch(await Ask(roomy, freeBytes: 1_000_000), hash);

        // A roomier volunteer asks while nothing is missing; then a copy is: the cramped one waits for it.
        var roomier = await Peer();
        Assert.Empty(await Ask(roomier, freeBytes: 2_000_000));
        Assert.Equal(PeerAccess.Granted, await _tracker.SetCopiesAsync(Id160.Parse(hash), 3, publisher.Token));
        Assert.Empty(await Ask(cramped, freeBytes: 5_000));

        // The roomier one stops asking and is forgotten after two polls; then the cramped one is not held back.
        _time.Advance(2 * _options.VolunteerPollInterval + TimeSpan.FromSeconds(1));
        await Seed(publisher, hash);
        Assert.Empty(await Ask(roomy, freeBytes: 1_000_000, fetching: [hash]));
        Fetch(await Ask(cramped, freeBytes: 5_000), hash);
    }

    [Fact]
    public async Task Surplus_copies_are_dropped_after_the_grace_least_room_first()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 4);
        var (cramped, roomy) = (await Peer(), await Peer());
        var bystander = await Peer();
        foreach (var peer in new[] { cramped, roomy, bystander }) await Seed(peer, hash);
        Assert.Equal(PeerAccess.Granted, await _tracker.SetCopiesAsync(Id160.Parse(hash), 3, publisher.Token));

        // Four seeders for a target of three; the bystander seeds with the least room but reports no volunteer copy, so it is
        // never asked to drop (nor is the publisher).
        async Task<(IReadOnlyList<VolunteerTask> Roomy, IReadOnlyList<VolunteerTask> Cramped)> Round(params RegisteredPeer[] seeding)
        {
            foreach (var peer in seeding) await Seed(peer, hash);
            Assert.Empty(await Ask(bystander, freeBytes: 10));
            return (await Ask(roomy, freeBytes: 9_000, held: [hash]), await Ask(cramped, freeBytes: 1_000, held: [hash]));
        }

        // Never before the grace has passed.
        for (var elapsed = TimeSpan.Zero; elapsed < _options.VolunteerDropGrace; elapsed += TimeSpan.FromSeconds(5))
        {
            var (early, earlyCramped) = await Round(publisher, cramped, roomy, bystander);
            Assert.Empty(early);
            Assert.Empty(earlyCramped);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        // Then the one surplus copy goes, the least roomy holder's; the roomy one asks first and keeps its copy.
        var (roomyTasks, crampedTasks) = await Round(publisher, cramped, roomy, bystander);
        Assert.Empty(roomyTasks);
        var drop = Assert.Single(crampedTasks);
        Assert.Equal((hash, VolunteerAction.Drop), (drop.InfoHash, drop.Action));
        (roomyTasks, _) = await Round(publisher, cramped, roomy, bystander);
        Assert.Empty(roomyTasks);

        // The cramped one has dropped it: the target is met, nothing more goes.
        await _tracker.LeaveSwarmAsync(Id160.Parse(hash), cramped.PeerId, cramped.Token);
        _time.Advance(_options.VolunteerDropGrace);
        (roomyTasks, _) = await Round(publisher, roomy, bystander);
        Assert.Empty(roomyTasks);
    }

    [Fact]
    public async Task No_more_copies_are_dropped_than_the_seeders_exceed_the_target()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 2);
        var (first, second) = (await Peer(), await Peer());
        await Seed(first, hash);
        await Seed(second, hash);

        for (var i = 0; i < 2; i++)
        {
            Assert.Empty(await Ask(first, held: [hash]));
            Assert.Empty(await Ask(second, held: [hash], freeBytes: Big - 1));
            _time.Advance(TimeSpan.FromSeconds(11));
        }

        // One surplus: the volunteer with less room drops; the other, though it asks again and again, does not.
        Assert.Empty(await Ask(first, held: [hash]));
        Assert.Equal(VolunteerAction.Drop, Assert.Single(await Ask(second, held: [hash], freeBytes: Big - 1)).Action);
        Assert.Empty(await Ask(first, held: [hash]));
        Assert.Empty(await Ask(first, held: [hash]));
    }

    [Fact]
    public async Task A_surplus_that_ends_restarts_the_grace()
    {
        var publisher = await Peer();
        var hash = await Published(publisher, copies: 1);
        var volunteer = await Peer();
        await Seed(volunteer, hash);
        Assert.Empty(await Ask(volunteer, held: [hash]));

        // The publisher leaves for a while: one seeder, no surplus.
        _time.Advance(TimeSpan.FromSeconds(15));
        await _tracker.LeaveSwarmAsync(Id160.Parse(hash), publisher.PeerId, publisher.Token);
        await Seed(volunteer, hash);
        Assert.Empty(await Ask(volunteer, held: [hash]));

        // It is back: a surplus again, but only from now on.
        _time.Advance(TimeSpan.FromSeconds(10));
        await Seed(publisher, hash);
        await Seed(volunteer, hash);
        Assert.Empty(await Ask(volunteer, held: [hash]));
        _time.Advance(TimeSpan.FromSeconds(10));
        await Seed(publisher, hash);
        await Seed(volunteer, hash);
        Assert.Empty(await Ask(volunteer, held: [hash]));
        _time.Advance(TimeSpan.FromSeconds(11));
        await Seed(publisher, hash);
        await Seed(volunteer, hash);
        Assert.Equal(VolunteerAction.Drop, Assert.Single(await Ask(volunteer, held: [hash])).Action);
    }

    [Fact]
    public async Task Only_the_peers_own_token_gets_an_assignment()
    {
        var volunteer = await Peer();
        var other = await Peer();
        var report = new VolunteerReport(Big, 1, [], []);

        Assert.Equal(PeerAccess.NoToken, (await _coordinator.AssignAsync(volunteer.PeerId, report, null)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _coordinator.AssignAsync(volunteer.PeerId, report, other.Token)).Access);
        Assert.Empty(_dht.Set("volunteers"));
    }

    [Fact]
    public async Task Copies_are_kept_in_the_catalog_and_the_index_and_only_the_publisher_changes_them()
    {
        var publisher = await Peer();
        var stranger = await Peer();
        var torrent = Torrents.SingleFile("film.mkv", 1000);
        var hash = (await _tracker.PublishAsync(torrent, publisher.PeerId, 3)).InfoHash;
        var id = Id160.Parse(hash);

        Assert.Equal(3, Assert.Single(await _tracker.ListFilesAsync(null)).Copies);
        Assert.Equal(hash, Assert.Single(_dht.Set("copies-index")).Member);
        Assert.Equal(PeerAccess.WrongToken, await _tracker.SetCopiesAsync(id, 1, stranger.Token));
        Assert.Equal(PeerAccess.NoToken, await _tracker.SetCopiesAsync(id, 1, null));
        Assert.Equal(PeerAccess.Unknown, await _tracker.SetCopiesAsync(Id160.Parse(new string('a', 40)), 2, publisher.Token));

        // A stranger's republish keeps the target; the publisher's own changes it.
        await _tracker.PublishAsync(torrent, stranger.PeerId, 5);
        Assert.Equal(3, Assert.Single(await _tracker.ListFilesAsync(null)).Copies);
        Assert.Equal(PeerAccess.Granted, await _tracker.SetCopiesAsync(id, 1, publisher.Token));
        Assert.Equal(1, Assert.Single(await _tracker.ListFilesAsync(null)).Copies);
        Assert.Empty(_dht.Set("copies-index"));
        await _tracker.PublishAsync(torrent, publisher.PeerId, 4);
        Assert.Equal(4, Assert.Single(await _tracker.ListFilesAsync(null)).Copies);

        // Unpublished: out of the index too.
        Assert.Equal(PeerAccess.Granted, await _tracker.RemoveFileAsync(id, publisher.Token));
        Assert.Empty(_dht.Set("copies-index"));
    }
}
