using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Volunteering;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

/// <summary>
/// <c>GET /api/events</c>: the downloads' events as server-sent events, for the UI instead of polling.
/// Each client reads its own bounded queue on the <see cref="DownloadEventHub"/>: a slow one has its
/// pending progress events of a download replaced by the newest, never holds the engine up, and is
/// ended (event <c>lagged</c>) if it leaves too many state changes unread; it then reads the downloads
/// again and reconnects. A <c>ping</c> event every <see cref="HeartbeatInterval"/> keeps idle proxies from
/// closing the stream. The key is needed as for every /api route (the page's session cookie serves).
/// Volunteer copies the peer fetches for the ring are left out, as they are from <c>api/downloads</c>: the user
/// did not ask for them, so their progress and completion are no notifications of the user's downloads.
/// </summary>
public static class EventsApi
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("api/events").WithTags("Events").MapGet("/", Stream)
            .WithName("GetEvents").WithSummary("Live download events")
            .WithDescription("A text/event-stream of the downloads' events: `progress` (bytes done, rate), `state` (a state change), `completed`, `removed`, each with the download's id, name, state, bytes done and total, rate and error as JSON data; `ping` every 15 s; `lagged` just before the stream ends when this client read too slowly (read `api/downloads` again and reconnect). Progress events of a download may be coalesced for a slow client; the others are delivered in order.");
        return app;
    }

    private static ServerSentEventsResult<DownloadEventView?> Stream(DownloadEventHub hub, VolunteerCopies volunteerCopies, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Read(hub, volunteerCopies, cancellationToken));

    /// <summary>Whether the user sees the event: not when it is about a volunteer copy (until the user adopts it).</summary>
    internal static bool IsShown(DownloadEvent e, VolunteerCopies volunteerCopies) => !volunteerCopies.Contains(e.InfoHash);

    private static async IAsyncEnumerable<SseItem<DownloadEventView?>> Read(DownloadEventHub hub, VolunteerCopies volunteerCopies,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = hub.Subscribe();
        var reader = subscription.Reader;
        yield return new SseItem<DownloadEventView?>(null, "hello"); // the stream is open: the client reads the downloads once, then follows events
        while (!cancellationToken.IsCancellationRequested)
        {
            var (more, lagged, idle) = await WaitAsync(reader, cancellationToken);
            if (lagged)
            {
                yield return new SseItem<DownloadEventView?>(null, "lagged");
                yield break;
            }
            if (idle)
            {
                yield return new SseItem<DownloadEventView?>(null, "ping");
                continue;
            }
            if (!more) yield break;
            while (reader.TryRead(out var e))
            {
                if (IsShown(e, volunteerCopies)) yield return new SseItem<DownloadEventView?>(DownloadEventView.Of(e), DownloadEventView.KindName(e.Kind));
            }
        }
    }

    /// <summary>Waits for events up to the heartbeat interval: (events to read, the subscription lagged, nothing came).</summary>
    private static async Task<(bool More, bool Lagged, bool Idle)> WaitAsync(System.Threading.Channels.ChannelReader<DownloadEvent> reader, CancellationToken cancellationToken)
    {
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        heartbeat.CancelAfter(HeartbeatInterval);
        try
        {
            return (await reader.WaitToReadAsync(heartbeat.Token), false, false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (true, false, true);
        }
        catch (OperationCanceledException)
        {
            return (false, false, false); // the client went away
        }
        catch (DownloadEventsLaggedException)
        {
            return (false, true, false);
        }
    }
}
