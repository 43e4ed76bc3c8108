namespace BitTorrent.Shared.Tracker;

/// <summary>
/// One client's announce or scrape inside a batch the gateway sends to a swarm's owner: the request's query string as
/// the client sent it, the client's address (what <c>X-Forwarded-For</c> would say) and, when the request is traced,
/// the W3C <c>traceparent</c> of the gateway's span for it, so the owner's span joins the client's trace.
/// </summary>
public readonly record struct TrackerBatchItem(TrackerRequestKind Kind, string Client, string? TraceParent, string Query);
