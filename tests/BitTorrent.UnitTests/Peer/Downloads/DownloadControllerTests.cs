using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.Peer.Downloads;

/// <summary>Every command from every state: the allowed move, or a refusal that says why (and changes nothing).</summary>
public class DownloadControllerTests
{
    public static TheoryData<DownloadState, string, DownloadState?> Moves()
    {
        var data = new TheoryData<DownloadState, string, DownloadState?>();
        void Add(DownloadState from, string command, DownloadState? to) => data.Add(from, command, to);
        // Pause
        Add(DownloadState.Downloading, "pause", DownloadState.Paused);
        Add(DownloadState.WaitingForPeers, "pause", DownloadState.Paused);
        Add(DownloadState.Paused, "pause", DownloadState.Paused);
        Add(DownloadState.Completed, "pause", null);
        Add(DownloadState.Failed, "pause", null);
        Add(DownloadState.Cancelled, "pause", null);
        // Resume
        Add(DownloadState.Downloading, "resume", DownloadState.Downloading);
        Add(DownloadState.WaitingForPeers, "resume", DownloadState.WaitingForPeers);
        Add(DownloadState.Paused, "resume", DownloadState.Downloading);
        Add(DownloadState.Completed, "resume", null);
        Add(DownloadState.Failed, "resume", null);
        Add(DownloadState.Cancelled, "resume", null);
        // Cancel
        Add(DownloadState.Downloading, "cancel", DownloadState.Cancelled);
        Add(DownloadState.WaitingForPeers, "cancel", DownloadState.Cancelled);
        Add(DownloadState.Paused, "cancel", DownloadState.Cancelled);
        Add(DownloadState.Completed, "cancel", null);
        Add(DownloadState.Failed, "cancel", DownloadState.Cancelled);
        Add(DownloadState.Cancelled, "cancel", DownloadState.Cancelled);
        // Retry
        Add(DownloadState.Downloading, "retry", DownloadState.Downloading);
        Add(DownloadState.WaitingForPeers, "retry", DownloadState.WaitingForPeers);
        Add(DownloadState.Paused, "retry", null);
        Add(DownloadState.Completed, "retry", null);
        Add(DownloadState.Failed, "retry", DownloadState.Downloading);
        Add(DownloadState.Cancelled, "retry", DownloadState.Downloading);
        // Queued (every slot taken): it can be paused or cancelled; resume and retry leave it waiting.
        Add(DownloadState.Queued, "pause", DownloadState.Paused);
        Add(DownloadState.Queued, "resume", DownloadState.Queued);
        Add(DownloadState.Queued, "cancel", DownloadState.Cancelled);
        Add(DownloadState.Queued, "retry", DownloadState.Queued);
        return data;
    }

    [Theory]
    [MemberData(nameof(Moves))]
    public void Each_command_from_each_state_moves_as_allowed_or_is_refused_clearly(DownloadState from, string command, DownloadState? expected)
    {
        using var fixture = new ControllerFixture(complete: from == DownloadState.Completed);
        var download = fixture.Controller;
        fixture.Bring(from);
        Assert.Equal(from, download.State);
        using var events = fixture.Events.Subscribe();

        Func<DownloadSnapshot> run = command switch
        {
            "pause" => download.Pause,
            "resume" => download.Resume,
            "cancel" => download.Cancel,
            _ => download.Retry,
        };
        if (expected is { } to)
        {
            var snapshot = run();
            Assert.Equal(to, download.State);
            Assert.Equal(to, snapshot.State);
            Assert.Equal(to, fixture.Snapshots[download.InfoHash].State); // what GET /api/downloads reads
            var changes = Drain(events).Where(e => e.Kind != DownloadEventKind.Progress).ToList();
            if (to == from) Assert.Empty(changes);
            else Assert.Equal(to, Assert.Single(changes).State);
        }
        else
        {
            var refusal = Assert.Throws<InvalidOperationException>(() => run());
            Assert.Contains(from.ToString().ToLowerInvariant(), refusal.Message, StringComparison.Ordinal); // says why: the state it is in
            Assert.Equal(from, download.State);
            Assert.Empty(Drain(events));
        }
    }

    [Fact]
    public void With_every_slot_taken_resume_and_retry_queue_the_download_and_a_freed_slot_starts_it_with_its_place_saved()
    {
        using var fixture = new ControllerFixture(complete: false);
        var download = fixture.Controller;
        download.Pause();
        var other = fixture.TakeTheOnlySlot();

        Assert.Equal(DownloadState.Queued, download.Resume().State);
        fixture.Store.Flush();
        Assert.Equal((DownloadState.Queued, 0), (fixture.Store.TryLoad(download.InfoHash)!.State, fixture.Store.TryLoad(download.InfoHash)!.QueuePosition));
        download.Cancel();
        Assert.Equal(DownloadState.Queued, download.Retry().State);
        Assert.Equal(0, fixture.Queue.Promote()); // the other still holds the slot

        fixture.Queue.OnStateChanged(other, DownloadState.Completed);
        Assert.Equal(1, fixture.Queue.Promote());
        Assert.Equal(DownloadState.Downloading, download.State);
        Assert.Null(fixture.Snapshots[download.InfoHash].QueuePosition);
        fixture.Store.Flush();
        Assert.Equal((DownloadState.Downloading, (int?)null), (fixture.Store.TryLoad(download.InfoHash)!.State, fixture.Store.TryLoad(download.InfoHash)!.QueuePosition));
    }

    [Fact]
    public void A_downloads_own_limits_are_saved_with_its_state_and_shown_in_its_snapshot()
    {
        using var fixture = new ControllerFixture(complete: false);

        var snapshot = fixture.Controller.SetLimits(downloadLimit: 2 * 1024 * 1024, uploadLimit: 512 * 1024);

        Assert.Equal((2L * 1024 * 1024, 512L * 1024), (snapshot.DownloadLimit, snapshot.UploadLimit));
        Assert.Equal(2L * 1024 * 1024, fixture.Controller.DownloadLimiter.BytesPerSecond);
        Assert.Equal(512L * 1024, fixture.Controller.Swarm.UploadLimiter.BytesPerSecond);
        fixture.Store.Flush();
        var saved = fixture.Store.TryLoad(fixture.Controller.InfoHash)!;
        Assert.Equal((2L * 1024 * 1024, 512L * 1024), (saved.DownloadLimit, saved.UploadLimit));
    }

    [Fact]
    public void Cancel_removes_the_partial_file_and_its_state_and_retry_starts_from_scratch()
    {
        using var fixture = new ControllerFixture(complete: false);
        var download = fixture.Controller;
        Assert.True(File.Exists(download.TargetPath));
        fixture.Store.Flush();
        Assert.Single(Directory.GetFiles(fixture.StateFolder));

        download.Cancel();

        Assert.False(File.Exists(download.TargetPath));
        fixture.Store.Flush();
        Assert.Empty(Directory.GetFiles(fixture.StateFolder));
        Assert.False(download.Swarm.IsServing);
        download.Retry();
        Assert.True(File.Exists(download.TargetPath));
        Assert.Equal(DownloadState.Downloading, download.State);
    }

    [Fact]
    public void A_download_whose_pieces_are_all_verified_completes_with_one_completion_event()
    {
        using var fixture = new ControllerFixture(complete: true);

        Assert.Equal(DownloadState.Completed, fixture.Controller.State);
        Assert.NotNull(fixture.Controller.CompletedAt);
        Assert.Single(fixture.Started, e => e.Kind == DownloadEventKind.Completed);
    }

    [Fact]
    public void A_recheck_of_a_completed_download_with_a_damaged_byte_runs_again_for_that_piece_only()
    {
        using var fixture = new ControllerFixture(complete: true);
        var download = fixture.Controller;
        using (var file = new FileStream(download.TargetPath, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = TorrentMetainfo.MinPieceLength + 10; // piece 1
            file.WriteByte((byte)(file.ReadByte() ^ 0xFF));
        }

        var content = download.BeginRecheck();
        var verified = PieceCheck.Verify(download.Torrent, content, CancellationToken.None);
        var snapshot = download.FinishRecheck(verified);

        Assert.False(verified[1]);
        Assert.Equal(download.Torrent.PieceCount - 1, verified.SetCount);
        Assert.Equal(download.Torrent.PieceCount - 1, snapshot.PiecesDone);
        Assert.True(download.IsActive);
        Assert.False(download.Swarm.Have[1]); // no longer served to others

        var intact = download.FinishRecheck(PieceCheck.Verify(download.Torrent, download.BeginRecheck(), CancellationToken.None));
        Assert.Equal(download.Torrent.PieceCount - 1, intact.PiecesDone); // the damage is still there until fetched
    }

    private static List<DownloadEvent> Drain(DownloadEventSubscription events)
    {
        var list = new List<DownloadEvent>();
        while (events.Reader.TryRead(out var e)) list.Add(e);
        return list;
    }

    /// <summary>A controller for a small torrent with a real target file and state folder, no peers.</summary>
    private sealed class ControllerFixture : IDisposable
    {
        private readonly TempFolder _folder = new();
        private readonly BlockWriter _writer;

        public ControllerFixture(bool complete)
        {
            var source = _folder.WriteRandom("source.bin", 3L * TorrentMetainfo.MinPieceLength + 7);
            var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1/announce");
            var options = new TransferEngineOptions();
            StateFolder = _folder.File("state");
            _writer = new BlockWriter(_ => { }, () => { }, options.MaxUnwrittenBytes);
            Store = new DownloadStateStore(StateFolder);
            var context = new DownloadContext(options, new ConnectionTable(options, PeerIdentity.Create()), _writer, Events,
                Store, Snapshots, new IPEndPoint(IPAddress.Loopback, 1), NullLogger.Instance);
            Queue = context.Queue;
            var verified = new Bitfield(torrent.PieceCount);
            if (complete) verified.SetAll();
            var target = complete ? source : _folder.File("target.bin");
            var swarm = new Swarm(torrent, target, new Bitfield(torrent.PieceCount)) { Content = ContentFiles.OpenToDownload(torrent, target, truncate: !complete) };
            using var started = Events.Subscribe();
            Controller = new DownloadController(context, swarm, verified, DateTimeOffset.UtcNow);
            Controller.Start([]);
            while (started.Reader.TryRead(out var e)) Started.Add(e);
        }

        public DownloadEventHub Events { get; } = new();
        public ConcurrentDictionary<Id160, DownloadSnapshot> Snapshots { get; } = new();
        public DownloadController Controller { get; }
        public string StateFolder { get; }
        public DownloadStateStore Store { get; }
        public List<DownloadEvent> Started { get; } = [];
        public DownloadQueue Queue { get; private set; } = null!;

        /// <summary>One slot allowed, held by another (active) download.</summary>
        public IQueuedDownload TakeTheOnlySlot()
        {
            var other = new OtherDownload();
            Queue.MaxActive = 1;
            Queue.OnStateChanged(other, DownloadState.Downloading);
            return other;
        }

        private sealed class OtherDownload : IQueuedDownload
        {
            public DownloadState State => DownloadState.Downloading;

            public void StartFromQueue()
            {
            }
        }

        /// <summary>Moves the download into a state the way the engine would.</summary>
        public void Bring(DownloadState state)
        {
            switch (state)
            {
                case DownloadState.WaitingForPeers:
                    Controller.Tick(Environment.TickCount64); // nobody supplies pieces
                    break;
                case DownloadState.Paused:
                    Controller.Pause();
                    break;
                case DownloadState.Failed:
                    Controller.Fail("the disk is full");
                    break;
                case DownloadState.Cancelled:
                    Controller.Cancel();
                    break;
                case DownloadState.Queued:
                    Controller.Pause();
                    TakeTheOnlySlot();
                    Controller.Resume();
                    break;
            }
        }

        public void Dispose()
        {
            Controller.Swarm.Content?.Dispose();
            Store.Dispose();
            _writer.Dispose();
            _folder.Dispose();
        }
    }
}
