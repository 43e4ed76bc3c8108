using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace BitTorrent.Shared.Http;

/// <summary>
/// Published files are anyone's bytes, served on origins that hold a user's session (a peer's API, the gateway's
/// page): nothing served there may run script. Every response it is applied to gets <c>X-Content-Type-Options: nosniff</c> and
/// <c>Content-Security-Policy: sandbox</c>; one whose type is not on a short list of types browsers only display
/// (images other than SVG, audio, video, PDF, plain text, JSON) is sent as an attachment, so HTML, SVG, XML,
/// JavaScript and unknown types are saved, never rendered. Applied as the headers go out: by the peer to every API
/// route and its public content route, by the gateway to the content it relays.
/// </summary>
public static class SafeContentHeaders
{
    private static readonly HashSet<string> Inline = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon",
        "application/pdf", "text/plain", "application/json", "application/problem+json",
    };

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox";
        if (response.StatusCode is < 200 or >= 300 || string.IsNullOrEmpty(response.ContentType)) return;
        if (!MediaTypeHeaderValue.TryParse(response.ContentType, out var type)) type = new MediaTypeHeaderValue("application/octet-stream");
        var media = type.MediaType.Value ?? "";
        if (Inline.Contains(media) || media.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) || media.StartsWith("video/", StringComparison.OrdinalIgnoreCase))
            return;
        // Keep the file name the endpoint gave; only the disposition changes.
        var disposition = ContentDispositionHeaderValue.TryParse(headers.ContentDisposition.ToString(), out var given) ? given : new ContentDispositionHeaderValue("attachment");
        disposition.DispositionType = "attachment";
        headers.ContentDisposition = disposition.ToString();
    }
}
