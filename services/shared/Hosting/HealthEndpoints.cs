using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BitTorrent.Shared.Hosting;

/// <summary>
/// The health probes every service has: <c>/healthz</c> (live: 200 while the process serves requests)
/// and <c>/readyz</c> (ready: 200 with the service's report once it can do its job, 503 with the same
/// report before). Both are in the service's OpenAPI document under the tag "Health".
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string Tag = "Health";

    /// <summary>Maps both probes.</summary>
    /// <param name="app">Where to map them.</param>
    /// <param name="service">Prefix of the operation names ("Gateway" gives GatewayLive and GatewayReady).</param>
    /// <param name="readyWhen">When the service is ready, for the description ("once it has joined the ring").</param>
    /// <param name="readiness">Reads readiness from the request's services; called on every probe, so it must be cheap.</param>
    public static IEndpointRouteBuilder MapHealthEndpoints<TReport>(
        this IEndpointRouteBuilder app, string service, string readyWhen, Func<IServiceProvider, Readiness<TReport>> readiness)
    {
        ArgumentNullException.ThrowIfNull(readiness);
        // Plain request delegates: a handler with parameters would be compiled by the request delegate factory at
        // start (expression trees: System.Linq.Expressions loaded, about 3 MB of a peer's memory) for two fixed
        // answers. The OpenAPI document describes an endpoint from its handler's MethodInfo (an HttpContext parameter
        // is not an input) and the responses it declares, so both are given here.
        RequestDelegate live = context => Live().ExecuteAsync(context);
        app.MapGet(LivePath, live)
            .WithMetadata(live.Method, Json(StatusCodes.Status200OK, typeof(LiveStatus)))
            .WithTags(Tag).WithName(service + "Live").WithSummary("Liveness probe")
            .WithDescription("200 while the process serves requests.");
        RequestDelegate ready = context => Ready(readiness(context.RequestServices)).Result.ExecuteAsync(context);
        app.MapGet(ReadyPath, ready)
            .WithMetadata(ready.Method, Json(StatusCodes.Status200OK, typeof(TReport)), Json(StatusCodes.Status503ServiceUnavailable, typeof(TReport)))
            .WithTags(Tag).WithName(service + "Ready").WithSummary("Readiness probe")
            .WithDescription($"200 {readyWhen}; 503 before. Either way the body reports the service's state.");
        return app;
    }

    private static ProducesResponseTypeMetadata Json(int statusCode, Type type) => new(statusCode, type, ["application/json"]);

    public static Ok<LiveStatus> Live() => TypedResults.Ok(LiveStatus.Live);

    /// <summary>200 with the report when ready, else 503 with it.</summary>
    public static Results<Ok<TReport>, JsonHttpResult<TReport>> Ready<TReport>(Readiness<TReport> readiness) =>
        readiness.IsReady
            ? TypedResults.Ok(readiness.Report)
            : TypedResults.Json(readiness.Report, statusCode: StatusCodes.Status503ServiceUnavailable);
}
