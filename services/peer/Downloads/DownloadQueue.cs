namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Which downloads may fetch at once, on the engine thread. At most <see cref="MaxActive"/>
/// downloads are active (downloading or waiting for peers; 0 is no limit); a download that would
/// start (a new one, a resume, a retry, a finished recheck) while every slot is taken goes into
/// state <see cref="DownloadState.Queued"/> at the end of the queue instead. When an active one
/// completes, fails, is paused, cancelled or removed, or the limit is raised, the engine loop calls
/// <see cref="Promote"/> and the first queued ones start in queue order. The user can reorder the
/// queue; each queued download saves its position, so the order survives a restart. Lowering the
/// limit stops nothing that runs: it takes effect as active downloads end.
/// </summary>
internal sealed class DownloadQueue
{
    private readonly HashSet<IQueuedDownload> _active = new(ReferenceEqualityComparer.Instance);
    private readonly List<IQueuedDownload> _queued = [];
    private int _maxActive;

    /// <summary>Downloads allowed to fetch at once; 0 is no limit.</summary>
    public int MaxActive
    {
        get => _maxActive;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxActive = value;
        }
    }

    public int ActiveCount => _active.Count;

    /// <summary>The queued downloads, first to start first.</summary>
    public IReadOnlyList<IQueuedDownload> Queued => _queued;

    /// <summary>0 for the next to start; null for a download that is not queued.</summary>
    public int? PositionOf(IQueuedDownload download)
    {
        var index = _queued.IndexOf(download);
        return index < 0 ? null : index;
    }

    /// <summary>Whether <paramref name="download"/> may become active now (an active one always may stay).</summary>
    public bool HasSlot(IQueuedDownload download) =>
        _maxActive == 0 || _active.Contains(download) || _active.Count < _maxActive;

    /// <summary>Follows a download's state: active ones hold a slot, queued ones wait in order (appended, or at a saved position).</summary>
    public void OnStateChanged(IQueuedDownload download, DownloadState state, int? position = null)
    {
        if (state is DownloadState.Downloading or DownloadState.WaitingForPeers) _active.Add(download);
        else _active.Remove(download);
        if (state != DownloadState.Queued)
        {
            _queued.Remove(download);
            return;
        }
        if (_queued.Contains(download)) return;
        _queued.Insert(Math.Clamp(position ?? _queued.Count, 0, _queued.Count), download);
    }

    /// <summary>A download removed from the engine holds no slot and no place.</summary>
    public void Forget(IQueuedDownload download)
    {
        _active.Remove(download);
        _queued.Remove(download);
    }

    /// <summary>Starts queued downloads in order while slots are free; returns how many started.</summary>
    public int Promote()
    {
        var started = 0;
        while (_queued.Count > 0 && (_maxActive == 0 || _active.Count < _maxActive))
        {
            var next = _queued[0];
            next.StartFromQueue();
            if (next.State == DownloadState.Queued) break; // it could not start (cannot happen while a slot is free)
            started++;
        }
        return started;
    }

    /// <summary>Moves a queued download; false if it is not queued.</summary>
    public bool Move(IQueuedDownload download, QueueMove move)
    {
        var index = _queued.IndexOf(download);
        if (index < 0) return false;
        var target = move switch
        {
            QueueMove.Top => 0,
            QueueMove.Up => Math.Max(0, index - 1),
            QueueMove.Down => Math.Min(_queued.Count - 1, index + 1),
            _ => _queued.Count - 1,
        };
        _queued.RemoveAt(index);
        _queued.Insert(target, download);
        return true;
    }
}
