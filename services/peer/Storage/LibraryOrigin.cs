namespace BitTorrent.Peer.Storage;

/// <summary>How a file came here: published by the user, downloaded by the user, or fetched for the ring as a volunteer copy.</summary>
public enum LibraryOrigin { Published, Downloaded, Volunteered }
