using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class UncleanStopCheckTests
{
    private sealed class Setup : IDisposable
    {
        public TempFolder Folder { get; } = new();
        public string Target { get; }
        public TorrentMetainfo Torrent { get; }

        public Setup()
        {
            Target = Folder.WriteRandom("target.bin", 4L * TorrentMetainfo.MinPieceLength + 5);
            Torrent = TorrentMetainfo.CreateFromFile(Target, "http://127.0.0.1/announce");
        }

        public string State => Folder.File("state");

        /// <summary>A state record saved now, with every piece marked verified and the file's stamp.</summary>
        public (DownloadRecord Record, Bitfield Verified) Saved()
        {
            var verified = new Bitfield(Torrent.PieceCount);
            verified.SetAll();
            var stamp = UncleanStopCheck.Stamp(Target)!.Value;
            return (new DownloadRecord(Torrent.InfoHash, Target, DownloadState.Paused, null, verified.Bytes.ToArray(), Torrent.ToBytes(),
                DateTimeOffset.UnixEpoch, null, stamp.Length, stamp.ModifiedAt), verified);
        }

        /// <summary>Changes one byte of a piece and gives the file back the modification time it had.</summary>
        public void CorruptPiece(int index, bool keepModifiedTime)
        {
            var modified = File.GetLastWriteTimeUtc(Target);
            using (var file = File.OpenHandle(Target, FileMode.Open, FileAccess.ReadWrite))
            {
                var offset = Torrent.Geometry.PieceOffset(index) + 100;
                var one = new byte[1];
                RandomAccess.Read(file, one, offset);
                one[0] ^= 0xFF;
                RandomAccess.Write(file, one, offset);
            }
            if (keepModifiedTime) File.SetLastWriteTimeUtc(Target, modified);
        }

        public int Recheck(UncleanStopCheck check, DownloadRecord record, Bitfield verified)
        {
            using var content = ContentFiles.OpenToSeed(Torrent, Target);
            return check.Recheck(record, Torrent, content, verified);
        }

        public void Dispose() => Folder.Dispose();
    }

    [Fact]
    public void After_a_clean_stop_with_the_file_as_recorded_verified_pieces_are_trusted_without_hashing()
    {
        using var setup = new Setup();
        UncleanStopCheck.Begin(setup.State).MarkClean();
        var (record, verified) = setup.Saved();
        setup.CorruptPiece(2, keepModifiedTime: true); // invisible to the stamp: proves nothing was hashed

        var check = UncleanStopCheck.Begin(setup.State);

        Assert.True(check.LastStopWasClean);
        Assert.Equal(0, setup.Recheck(check, record, verified));
        Assert.True(verified.IsComplete);
    }

    [Fact]
    public void After_an_unclean_stop_a_verified_piece_that_no_longer_matches_is_cleared()
    {
        using var setup = new Setup();
        UncleanStopCheck.Begin(setup.State); // started, never stopped cleanly
        var (record, verified) = setup.Saved();
        setup.CorruptPiece(2, keepModifiedTime: true);

        var check = UncleanStopCheck.Begin(setup.State);

        Assert.False(check.LastStopWasClean);
        Assert.Equal(1, setup.Recheck(check, record, verified));
        Assert.False(verified[2]);
        Assert.Equal(setup.Torrent.PieceCount - 1, verified.SetCount);
    }

    [Fact]
    public void After_a_clean_stop_a_file_changed_on_disk_since_its_save_is_rechecked()
    {
        using var setup = new Setup();
        UncleanStopCheck.Begin(setup.State).MarkClean();
        var (record, verified) = setup.Saved();
        Thread.Sleep(20);
        setup.CorruptPiece(0, keepModifiedTime: false);

        var check = UncleanStopCheck.Begin(setup.State);

        Assert.True(check.LastStopWasClean);
        Assert.Equal(1, setup.Recheck(check, record, verified));
        Assert.False(verified[0]);
    }

    [Fact]
    public void The_clean_stop_marker_counts_for_one_start_only()
    {
        using var setup = new Setup();
        UncleanStopCheck.Begin(setup.State).MarkClean();
        Assert.True(UncleanStopCheck.Begin(setup.State).LastStopWasClean);
        Assert.False(UncleanStopCheck.Begin(setup.State).LastStopWasClean);
    }
}
