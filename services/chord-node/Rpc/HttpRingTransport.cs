using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.Shared.Http;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Options;
using Refit;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>
/// Ring and storage RPC over HTTP/JSON: one Refit client per member over the factory's
/// <see cref="HttpClientName"/> client (the ring secret on every request), a timeout on every call,
/// and every failure (refused, timed out, 401, 5xx) reported as <see cref="NodeUnreachableException"/>
/// so the ring treats the member as dead for now.
/// </summary>
public sealed class HttpRingTransport(IHttpClientFactory httpClients, IOptions<ChordOptions> options) : IRingTransport, IStorageTransport
{
    /// <summary>The named client of ring RPC: <see cref="RingSecretHandler"/> over the shared handler settings.</summary>
    public const string HttpClientName = "ring-rpc";

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, IChordRpc> _clients = new(StringComparer.Ordinal);
    private readonly RefitSettings _settings = new(new SystemTextJsonContentSerializer(JsonOptions));
    private readonly TimeSpan _timeout = options.Value.RpcTimeout;

    /// <summary>
    /// The handler settings of ring RPC: a member that does not accept a connection within one RPC timeout
    /// is unreachable, and at most 64 connections to one member (a burst of replication waits, it does not
    /// open hundreds of sockets).
    /// </summary>
    public static HttpHandlerSettings HandlerSettings(ChordOptions options) =>
        HttpHandlerSettings.Default with { ConnectTimeout = options.RpcTimeout, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), MaxConnectionsPerServer = 64 };

    private IChordRpc Client(NodeRef target) =>
        _clients.GetOrAdd(target.Url, url =>
        {
            var http = httpClients.CreateClient(HttpClientName);
            http.BaseAddress = new Uri(url);
            http.Timeout = Timeout.InfiniteTimeSpan; // each call has its own timeout
            return RestService.For<IChordRpc>(http, _settings);
        });

    /// <summary>Calls a member with the RPC timeout; records the call's duration by <paramref name="method"/> (<see cref="RpcMethod"/>).</summary>
    private async Task<T> CallAsync<T>(NodeRef target, RpcMethod method, Func<IChordRpc, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        string? error = null;
        try
        {
            return await call(Client(target), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            error = "timeout";
            throw new NodeUnreachableException(target, "timed out", e);
        }
        catch (ApiException e)
        {
            error = RpcMethod.StatusError((int)e.StatusCode);
            throw new NodeUnreachableException(target, $"answered {(int)e.StatusCode}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Refused, reset, unreadable answer: to the ring it is all the same, the member is not there.
            error = "unreachable";
            throw new NodeUnreachableException(target, e.Message, e);
        }
        catch (OperationCanceledException)
        {
            error = "cancelled";
            throw;
        }
        finally
        {
            ChordTelemetry.RpcDuration.Record(ChordTelemetry.SecondsSince(started), method.Tags(error));
        }
    }

    private Task CallAsync(NodeRef target, RpcMethod method, Func<IChordRpc, CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync<bool>(target, method, async (client, ct) => { await call(client, ct).ConfigureAwait(false); return true; }, cancellationToken);

    public Task<NodeState> GetStateAsync(NodeRef target, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.GetState, (c, ct) => c.GetStateAsync(ct), cancellationToken);

    public Task<LookupStep> FindSuccessorStepAsync(NodeRef target, Id160 id, IReadOnlyCollection<Id160> exclude, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.FindSuccessorStep, (c, ct) => c.FindSuccessorStepAsync(new LookupStepRequest(id, exclude.Count == 0 ? null : exclude), ct), cancellationToken);

    public Task RectifyAsync(NodeRef target, NodeRef candidate, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.Rectify, (c, ct) => c.RectifyAsync(candidate, ct), cancellationToken);

    public Task PingAsync(NodeRef target, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.Ping, (c, ct) => c.PingAsync(ct), cancellationToken);

    /// <summary>
    /// Has the member apply the operation as the key's primary. A 503 from it means it is alive but the ring could not
    /// apply the operation there now (its counter's replicas kept refusing): <see cref="DhtUnavailableException"/>, and the
    /// member stays in the ring's view.
    /// </summary>
    public async Task<DhtResult> ApplyAsync(NodeRef target, DhtOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(target, RpcMethod.Apply, (c, ct) => c.ApplyAsync(operation, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (NodeUnreachableException e) when (e.InnerException is ApiException { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable })
        {
            throw new DhtUnavailableException(operation.Key, e);
        }
    }

    public Task MergeAsync(NodeRef target, IReadOnlyList<EntryData> entries, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.Merge, (c, ct) => c.MergeAsync(entries, ct), cancellationToken);

    public Task<CounterClaimReply> ClaimCounterAsync(NodeRef target, CounterClaim claim, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.ClaimCounter, (c, ct) => c.ClaimCounterAsync(claim, ct), cancellationToken);

    public Task<SyncReply> SyncAsync(NodeRef target, IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.Sync, (c, ct) => c.SyncAsync(digests, ct), cancellationToken);

    public Task<RangePage> RangeAsync(NodeRef target, Id160 from, Id160 to, string? after, CancellationToken cancellationToken) =>
        CallAsync(target, RpcMethod.Range, (c, ct) => c.RangeAsync(new RangeRequest(from, to, after), ct), cancellationToken);

}
