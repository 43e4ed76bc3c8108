using System.Security.Cryptography;
using System.Text;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>The shared ring secret: sent by every ring RPC, required by every /chord and /dht endpoint.</summary>
public static class RingSecret
{
    public const string Header = "X-Ring-Secret";

    public static bool Matches(string? presented, string expected) =>
        presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}

/// <summary>Adds the ring secret to outgoing ring RPC.</summary>
public sealed class RingSecretHandler(string secret) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(RingSecret.Header, secret);
        return base.SendAsync(request, cancellationToken);
    }
}
