using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace BitTorrent.Bench;

/// <summary>The API key every peer a benchmark starts gets (<c>Peer__ApiKey</c>), random per run; clients send it.</summary>
internal static class BenchPeerKey
{
    public static readonly string Value = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Makes <paramref name="http"/> send the key with every request (chord nodes ignore it).</summary>
    public static HttpClient Authorized(HttpClient http)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Value);
        return http;
    }
}
