namespace BitTorrent.Peer.Storage;

public enum LibraryOrigin { Published, Downloaded }
