using System.Net;
using System.Net.Http.Headers;
using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.Peer;

namespace BitTorrent.UnitTests.Gateway.Routing;

public class ContentRelayTests
{
    private const string Announce = "http://127.0.0.1:8080/announce";

    [Fact]
    public void A_single_file_answers_to_no_path_and_to_its_name_as_BEP_19_appends_it_and_to_nothing_else()
    {
        using var folder = new TempFolder();
        var torrent = TorrentMetainfo.CreateFromFile(folder.WriteRandom("song.mp3", 1000), Announce);

        Assert.Same(torrent.Files[0], ContentRelay.FindFile(torrent, null));
        Assert.Same(torrent.Files[0], ContentRelay.FindFile(torrent, "song.mp3"));
        Assert.Null(ContentRelay.FindFile(torrent, "other.mp3"));
        Assert.Null(ContentRelay.FindFile(torrent, "../song.mp3"));
    }

    [Fact]
    public void A_folders_file_answers_to_its_path_with_or_without_the_folder_name_and_the_folder_itself_to_nothing()
    {
        using var folder = new TempFolder();
        var torrent = TorrentMetainfo.CreateFromFiles("album",
            [(["a.bin"], folder.WriteRandom("a", 10, seed: 1)), (["sub", "b.bin"], folder.WriteRandom("b", 20, seed: 2))], Announce);

        Assert.Same(torrent.Files[1], ContentRelay.FindFile(torrent, "album/sub/b.bin"));
        Assert.Same(torrent.Files[1], ContentRelay.FindFile(torrent, "sub/b.bin"));
        Assert.Same(torrent.Files[0], ContentRelay.FindFile(torrent, "a.bin"));
        Assert.Null(ContentRelay.FindFile(torrent, null));
        Assert.Null(ContentRelay.FindFile(torrent, "album"));
        Assert.Null(ContentRelay.FindFile(torrent, "sub/../a.bin"));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, long length, ContentRangeHeaderValue? range = null)
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentLength = length;
        content.Headers.ContentRange = range;
        return new HttpResponseMessage(status) { Content = content };
    }

    [Fact]
    public void A_seeders_answer_must_be_exactly_the_bytes_asked_for()
    {
        using var exact = Answer(HttpStatusCode.PartialContent, 100, new ContentRangeHeaderValue(100, 199, 1000));
        using var shifted = Answer(HttpStatusCode.PartialContent, 100, new ContentRangeHeaderValue(0, 99, 1000));
        using var otherFile = Answer(HttpStatusCode.PartialContent, 100, new ContentRangeHeaderValue(100, 199, 999));
        using var shortBody = Answer(HttpStatusCode.PartialContent, 50, new ContentRangeHeaderValue(100, 199, 1000));
        using var whole = Answer(HttpStatusCode.OK, 1000);
        using var notFound = Answer(HttpStatusCode.NotFound, 10);

        Assert.Null(ContentRelay.Inconsistency(exact, 100, 199, 1000));
        Assert.NotNull(ContentRelay.Inconsistency(shifted, 100, 199, 1000));
        Assert.NotNull(ContentRelay.Inconsistency(otherFile, 100, 199, 1000));
        Assert.NotNull(ContentRelay.Inconsistency(shortBody, 100, 199, 1000));
        Assert.Null(ContentRelay.Inconsistency(whole, 0, 999, 1000));
        Assert.NotNull(ContentRelay.Inconsistency(whole, 100, 999, 1000)); // the whole file where a range was asked for
        Assert.NotNull(ContentRelay.Inconsistency(notFound, 0, 999, 1000));
    }
}
