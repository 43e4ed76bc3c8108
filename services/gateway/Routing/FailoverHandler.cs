using System.Net;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// Retries an idempotent request (GET, HEAD without a body) on another chord node when the chosen
/// one cannot be reached, so a node that dies between health checks costs the user nothing.
/// </summary>
public sealed class FailoverHandler(RingMembership membership) : DelegatingHandler
{
    private const int MaxAttempts = 3;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var idempotent = (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head) && request.Content is null or { Headers.ContentLength: 0 };
        var tried = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var origin = request.RequestUri!.GetLeftPart(UriPartial.Authority);
            tried.Add(origin);
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (!idempotent || attempt >= MaxAttempts || response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable))
                    return response;
                response.Dispose();
            }
            catch (HttpRequestException) when (idempotent && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // Fall through to another member.
            }
            var next = membership.Members.FirstOrDefault(m => !tried.Contains(new Uri(m).GetLeftPart(UriPartial.Authority)));
            if (next is null) return await base.SendAsync(request, cancellationToken);
            var target = new Uri(next);
            request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
        }
    }
}
