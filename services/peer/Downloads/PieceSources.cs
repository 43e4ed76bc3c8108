namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Which attendant served each verified piece of a download: one byte per piece (0: not verified
/// here this run, e.g. before a restart), numbering the attendants in the order they first served
/// one; the numbers' endpoints are kept beside. Recorded once per verified piece, on the engine thread.
/// </summary>
internal sealed class PieceSources(int pieceCount)
{
    /// <summary>Sources named by endpoint; attendants past them share the next number (the map shows them as "others").</summary>
    public const int MaxSources = 61;

    private readonly byte[] _sourceOf = new byte[pieceCount];
    private readonly List<string> _endPoints = [];

    /// <summary>The endpoint of each source, source n at index n - 1.</summary>
    public IReadOnlyList<string> EndPoints => _endPoints;

    public void Record(int piece, Attendant attendant)
    {
        if (attendant.SourceId == 0)
        {
            var endPoint = attendant.Connection.RemoteEndPoint.ToString();
            var known = _endPoints.IndexOf(endPoint);
            if (known < 0 && _endPoints.Count < MaxSources)
            {
                _endPoints.Add(endPoint);
                known = _endPoints.Count - 1;
            }
            attendant.SourceId = known < 0 ? MaxSources + 1 : known + 1;
        }
        _sourceOf[piece] = (byte)attendant.SourceId;
    }

    /// <summary>A piece fetched again (a recheck found it damaged) no longer has a source.</summary>
    public void Forget(int piece) => _sourceOf[piece] = 0;

    /// <summary>
    /// One character per piece: '.' for none, then '0'-'9', 'a'-'z', 'A'-'Z' for sources 1 to 62
    /// (the index into <see cref="EndPoints"/> in that alphabet).
    /// </summary>
    public string Encode() => string.Create(_sourceOf.Length, _sourceOf, static (chars, sources) =>
    {
        for (var i = 0; i < sources.Length; i++) chars[i] = sources[i] == 0 ? '.' : Alphabet[sources[i] - 1];
    });

    public const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
}
