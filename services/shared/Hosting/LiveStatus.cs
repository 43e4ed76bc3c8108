namespace BitTorrent.Shared.Hosting;

/// <summary>The body of /healthz: <c>{"status":"live"}</c>.</summary>
public sealed record LiveStatus(string Status)
{
    public static LiveStatus Live { get; } = new("live");
}
