using System.Collections.Concurrent;
using System.Net.Sockets;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Engine;

/// <summary>
/// How other threads reach the engine thread: commands (with a task for their result) and posted
/// actions (the block writer's results) go into a queue, and a loopback socket pair
/// (<see cref="LoopWaker"/>) wakes the select loop at once. After the loop ended, commands fail
/// with <see cref="ObjectDisposedException"/> instead of hanging, and posted actions are dropped.
/// </summary>
internal sealed class CommandQueue : IDisposable
{
    private readonly ConcurrentQueue<IEngineCommand> _queue = new();
    private readonly LoopWaker _waker = new();
    private volatile bool _closed;

    /// <summary>Readable when something was queued; the select loop watches it.</summary>
    public Socket WakeSocket => _waker.Reader;

    public Task<T> Invoke<T>(Func<T> body)
    {
        var command = new Command<T>(body);
        Enqueue(command);
        return command.Task;
    }

    /// <summary>Runs <paramref name="action"/> on the engine thread (dropped if the loop has ended).</summary>
    public void Post(Action action) => Enqueue(new Posted(action));

    public void Wake() => _waker.Wake();

    private void Enqueue(IEngineCommand command)
    {
        if (_closed)
        {
            command.Abort();
            return;
        }
        _queue.Enqueue(command);
        _waker.Wake();
        if (_closed) AbortAll(); // the loop ended between the check and the enqueue
    }

    /// <summary>On the engine thread: runs what is queued now (things queued meanwhile wake the loop again).</summary>
    public void RunPending(ILogger logger)
    {
        _waker.Reset();
        for (var n = _queue.Count; n > 0 && _queue.TryDequeue(out var command); n--)
        {
            try
            {
                command.Run();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EngineLog.LoopError(logger, e); // one failing action must not strand the rest of the batch
            }
        }
    }

    /// <summary>The loop has ended: whatever is queued, and whatever comes, fails.</summary>
    public void Close()
    {
        _closed = true;
        AbortAll();
    }

    private void AbortAll()
    {
        while (_queue.TryDequeue(out var command)) command.Abort();
    }

    public void Dispose() => _waker.Dispose();

    private interface IEngineCommand
    {
        void Run();
        void Abort();
    }

    private sealed class Command<T>(Func<T> body) : IEngineCommand
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<T> Task => _completion.Task;

        public void Run()
        {
            try
            {
                _completion.TrySetResult(body());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e); // the caller's task carries it
            }
        }

        public void Abort() => _completion.TrySetException(new ObjectDisposedException(nameof(TransferEngine)));
    }

    private sealed class Posted(Action action) : IEngineCommand
    {
        public void Run() => action();

        public void Abort()
        {
        }
    }
}
