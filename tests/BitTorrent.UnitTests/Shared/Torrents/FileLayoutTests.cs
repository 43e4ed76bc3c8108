using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class FileLayoutTests
{
    // Pieces of 10 bytes over files of 4, 0, 3, 5, 0 and 9 bytes (21 bytes: pieces 0-9, 10-19, 20).
    private static readonly FileLayout Layout = new(new PieceGeometry(21, 10), [4, 0, 3, 5, 0, 9]);

    [Fact]
    public void A_piece_spanning_three_files_maps_to_the_first_and_last_non_empty_ones()
    {
        Assert.Equal((0, 3), Layout.FilesOfPiece(0)); // bytes 0-9: file 0 (0-3), file 2 (4-6), file 3 (7-11)
        Assert.Equal(4, Layout.Overlap(0, 0));
        Assert.Equal(0, Layout.Overlap(0, 1));
        Assert.Equal(3, Layout.Overlap(0, 2));
        Assert.Equal(3, Layout.Overlap(0, 3));
    }

    [Fact]
    public void Empty_files_hold_no_byte_and_touch_no_piece()
    {
        Assert.Null(Layout.PiecesOfFile(1));
        Assert.Null(Layout.PiecesOfFile(4));
        Assert.Equal(2, Layout.FileAt(4)); // the empty file 1 starts at 4 too, but holds nothing
        Assert.Equal(5, Layout.FileAt(12)); // the empty file 4 starts at 12 too
    }

    [Fact]
    public void The_last_short_piece_lies_in_the_last_file_only()
    {
        Assert.Equal((5, 5), Layout.FilesOfPiece(2));
        Assert.Equal(1, Layout.Overlap(2, 5));
        Assert.Equal((1, 2), Layout.PiecesOfFile(5)); // bytes 12-20
        Assert.Equal((0, 1), Layout.PiecesOfFile(3)); // bytes 7-11
    }

    [Fact]
    public void Offsets_outside_the_torrent_and_lengths_that_do_not_add_up_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Layout.FileAt(21));
        Assert.Throws<ArgumentOutOfRangeException>(() => Layout.FileAt(-1));
        Assert.Throws<ArgumentException>(() => new FileLayout(new PieceGeometry(21, 10), [4, 5]));
    }
}
