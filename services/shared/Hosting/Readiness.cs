namespace BitTorrent.Shared.Hosting;

/// <summary>Whether a service is ready for traffic, and what it reports about itself either way.</summary>
public readonly record struct Readiness<TReport>(bool IsReady, TReport Report);
