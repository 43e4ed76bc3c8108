using System.Security.Cryptography;
using System.Text;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>
/// The shared ring secret: sent by every ring RPC, required by every /chord and /dht endpoint, and the key that
/// signs discovery announcements. A node sends it only to members it learned from a signed announcement, from
/// its configuration (seeds) or from other members' answers to ring RPC.
/// </summary>
public static class RingSecret
{
    public const string Header = "X-Ring-Secret";

    /// <summary>The value a Development run uses when none is configured; refused everywhere else.</summary>
    public const string DevelopmentDefault = "dev-ring-secret";

    /// <summary>Shorter secrets are refused: the ring's whole trust rests on this one value.</summary>
    public const int MinLength = 16;

    /// <summary>Secrets that were ever shipped as defaults (here or in the chart): known to everyone, so refused.</summary>
    private static readonly string[] KnownDefaults = [DevelopmentDefault, "dev-ring-secret-CHANGE-ME", "change-me-please"];

    /// <summary>
    /// The configured secret (Chord:Secret). Outside Development a node without one, with a known default or with one
    /// shorter than <see cref="MinLength"/> writes one sentence saying how to set it and exits at once (code 78,
    /// a configuration error) instead of joining a ring anyone could join; in Development a missing one is
    /// <see cref="DevelopmentDefault"/>.
    /// </summary>
    public static string RequireConfigured(IConfiguration configuration, IHostEnvironment environment)
    {
        var secret = configuration[$"{Ring.ChordOptions.SectionName}:Secret"];
        if (environment.IsDevelopment()) return string.IsNullOrEmpty(secret) ? DevelopmentDefault : secret;
        if (Problem(secret) is { } problem)
        {
            Console.Error.WriteLine($"chord-node: {problem}; set the same random secret of at least {MinLength} characters on every node of the ring, " +
                "e.g. Chord__Secret=\"$(head -c 32 /dev/urandom | base64)\" (make run and the Helm chart generate one for you).");
            Console.Error.Flush();
            Environment.Exit(78);
        }
        return secret!;
    }

    /// <summary>What is wrong with a secret for use outside Development, or null when nothing is.</summary>
    public static string? Problem(string? secret) =>
        string.IsNullOrEmpty(secret) ? "no ring secret is configured (Chord:Secret)"
        : KnownDefaults.Contains(secret, StringComparer.Ordinal) ? "Chord:Secret is a published default that anyone can use"
        : secret.Length < MinLength ? $"Chord:Secret is shorter than {MinLength} characters"
        : null;

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
