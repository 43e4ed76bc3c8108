using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Api;

public static class InfoHashes
{
    public static bool TryParse(string text, out Id160 infoHash) => Id160.TryParse(text?.ToLowerInvariant(), out infoHash);

    public static IResult Invalid(string text) => TypedResults.Problem(
        title: "Bad info-hash", detail: $"'{text}' is not an info-hash: it is 40 hexadecimal digits.", statusCode: StatusCodes.Status400BadRequest);
}
