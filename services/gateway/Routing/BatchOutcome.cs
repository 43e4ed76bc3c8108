namespace BitTorrent.Gateway.Routing;

/// <summary>How an announce or scrape sent in a batch came back.</summary>
public enum BatchOutcome
{
    /// <summary>The node answered it: the body is what the client gets.</summary>
    Answered,

    /// <summary>The node did not answer (refused connection, timeout, a malformed reply).</summary>
    Unreachable,

    /// <summary>The node answered the batch 502 or 503: it cannot serve now; try the next member.</summary>
    Unavailable,

    /// <summary>The node takes no batches from us (not trusted as our proxy, or too old to know them): send it one request per announce.</summary>
    Refused,
}
