using System.Collections.Concurrent;
using System.Text.Json;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Options;
using Refit;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>
/// Ring and storage RPC over HTTP/JSON: one Refit client per member over one pooled handler, a
/// timeout on every call, and every failure (refused, timed out, 401, 5xx) reported as
/// <see cref="NodeUnreachableException"/> so the ring treats the member as dead for now.
/// </summary>
public sealed class HttpRingTransport : IRingTransport, IStorageTransport, IDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, IChordRpc> _clients = new(StringComparer.Ordinal);
    private readonly HttpMessageHandler _handler;
    private readonly RefitSettings _settings = new(new SystemTextJsonContentSerializer(JsonOptions));
    private readonly TimeSpan _timeout;

    public HttpRingTransport(IOptions<ChordOptions> options)
    {
        _timeout = TimeSpan.FromMilliseconds(options.Value.RpcTimeoutMs);
        var sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = _timeout,
            MaxConnectionsPerServer = 64,
        };
        _handler = new RingSecretHandler(options.Value.Secret) { InnerHandler = sockets };
    }

    private IChordRpc Client(NodeRef target) =>
        _clients.GetOrAdd(target.Url, url => RestService.For<IChordRpc>(
            new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan },
            _settings));

    private async Task<T> CallAsync<T>(NodeRef target, Func<IChordRpc, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await call(Client(target), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeUnreachableException(target, "timed out", e);
        }
        catch (ApiException e)
        {
            throw new NodeUnreachableException(target, $"answered {(int)e.StatusCode}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Refused, reset, unreadable answer: to the ring it is all the same, the member is not there.
            throw new NodeUnreachableException(target, e.Message, e);
        }
    }

    private Task CallAsync(NodeRef target, Func<IChordRpc, CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync<bool>(target, async (client, ct) => { await call(client, ct).ConfigureAwait(false); return true; }, cancellationToken);

    public Task<NodeState> GetStateAsync(NodeRef target, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.GetStateAsync(ct), cancellationToken);

    public Task<LookupStep> FindSuccessorStepAsync(NodeRef target, Id160 id, IReadOnlyCollection<Id160> exclude, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.FindSuccessorStepAsync(new LookupStepRequest(id, exclude.Count == 0 ? null : exclude), ct), cancellationToken);

    public Task RectifyAsync(NodeRef target, NodeRef candidate, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.RectifyAsync(candidate, ct), cancellationToken);

    public Task PingAsync(NodeRef target, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.PingAsync(ct), cancellationToken);

    public Task<DhtResult> ApplyAsync(NodeRef target, DhtOperation operation, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.ApplyAsync(operation, ct), cancellationToken);

    public Task MergeAsync(NodeRef target, IReadOnlyList<EntryData> entries, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.MergeAsync(entries, ct), cancellationToken);

    public Task<SyncReply> SyncAsync(NodeRef target, IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.SyncAsync(digests, ct), cancellationToken);

    public Task<RangePage> RangeAsync(NodeRef target, Id160 from, Id160 to, string? after, CancellationToken cancellationToken) =>
        CallAsync(target, (c, ct) => c.RangeAsync(new RangeRequest(from, to, after), ct), cancellationToken);

    public void Dispose() => _handler.Dispose();
}
