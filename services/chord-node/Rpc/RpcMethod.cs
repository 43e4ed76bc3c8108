using System.Diagnostics;
using System.Globalization;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>
/// A ring RPC method as its duration is recorded (<c>rpc.client.duration</c>): <c>rpc.system</c> "chord",
/// <c>rpc.service</c> "chord" (ring maintenance and lookups) or "dht" (storage), <c>rpc.method</c>.
/// </summary>
public sealed class RpcMethod
{
    public static readonly RpcMethod GetState = new("chord", "GetState");
    public static readonly RpcMethod FindSuccessorStep = new("chord", "FindSuccessorStep");
    public static readonly RpcMethod Rectify = new("chord", "Rectify");
    public static readonly RpcMethod Ping = new("chord", "Ping");
    public static readonly RpcMethod Apply = new("dht", "Apply");
    public static readonly RpcMethod Merge = new("dht", "Merge");
    public static readonly RpcMethod ClaimCounter = new("dht", "ClaimCounter");
    public static readonly RpcMethod Sync = new("dht", "Sync");
    public static readonly RpcMethod Range = new("dht", "Range");

    private RpcMethod(string service, string name)
    {
        Service = service;
        Name = name;
    }

    public string Service { get; }
    public string Name { get; }

    /// <summary>The measurement's tags; <c>error.type</c> only for a failed call (as the conventions ask).</summary>
    public TagList Tags(string? error)
    {
        var tags = new TagList
        {
            { "rpc.system", "chord" },
            { "rpc.service", Service },
            { "rpc.method", Name },
        };
        if (error is not null) tags.Add("error.type", error);
        return tags;
    }

    /// <summary>The <c>error.type</c> of a call a member answered with an error status.</summary>
    public static string StatusError(int status) => status.ToString(CultureInfo.InvariantCulture);
}
