using BitTorrent.ChordNode.Rpc;

namespace BitTorrent.UnitTests.ChordNode.Telemetry;

public sealed class RpcMethodTests
{
    [Fact]
    public void A_calls_tags_name_system_service_and_method_and_carry_error_type_only_when_it_failed()
    {
        var ok = RpcMethod.Merge.Tags(null).ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(new Dictionary<string, object?> { ["rpc.system"] = "chord", ["rpc.service"] = "dht", ["rpc.method"] = "Merge" }, ok);

        var failed = RpcMethod.FindSuccessorStep.Tags("timeout").ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("chord", failed["rpc.service"]);
        Assert.Equal("timeout", failed["error.type"]);
        Assert.Equal("503", RpcMethod.StatusError(503));
    }
}
