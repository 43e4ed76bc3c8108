namespace BitTorrent.Peer.Access;

/// <summary>
/// The CSRF check for cookie-authenticated requests: the browser's <c>Origin</c> (or, without one, its
/// <c>Referer</c>) must be this peer's own origin as the browser sees it: the gateway's when the request came
/// through it (it sends <c>X-Forwarded-Host</c> and <c>X-Forwarded-Proto</c>; a page cannot add those headers to a
/// cross-origin request without a preflight this peer never grants), else the request's own scheme and host. Behind
/// the gateway every peer shares one origin, so a <c>Referer</c>, when sent, must also be under this peer's path.
/// </summary>
public static class RequestOrigin
{
    public static string Scheme(HttpRequest request) =>
        request.Headers["X-Forwarded-Proto"].ToString() switch
        {
            "http" => "http",
            "https" => "https",
            _ => request.Scheme,
        };

    public static string Host(HttpRequest request) =>
        request.Headers["X-Forwarded-Host"].ToString() is { Length: > 0 } host && !host.Contains(',') ? host : request.Host.Value ?? "";

    /// <summary>Null when the request comes from this peer's page; otherwise why not.</summary>
    public static string? Refusal(HttpRequest request)
    {
        var expected = $"{Scheme(request)}://{Host(request)}";
        var origin = request.Headers.Origin.ToString();
        var referer = request.Headers.Referer.ToString();
        if (origin.Length == 0 && referer.Length == 0) return "neither Origin nor Referer was sent";
        if (origin.Length > 0 && !string.Equals(origin, expected, StringComparison.OrdinalIgnoreCase))
            return $"Origin {Shorten(origin)} is not {expected}";
        if (referer.Length > 0)
        {
            if (!Uri.TryCreate(referer, UriKind.Absolute, out var from)
                || !string.Equals(from.GetLeftPart(UriPartial.Authority), expected, StringComparison.OrdinalIgnoreCase))
                return $"Referer is not from {expected}";
            var prefix = PeerAccessMiddleware.ForwardedPrefix(request) + "/";
            if (!from.AbsolutePath.StartsWith(prefix, StringComparison.Ordinal)) return $"Referer is not under {prefix}";
        }
        return null;
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
