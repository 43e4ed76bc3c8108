using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace BitTorrent.Shared.Torrents;

/// <summary>
/// The one rule for file names that arrive from torrents, the network or uploads, all untrusted. A
/// safe name is a single path segment that stays one file inside its folder on Linux and Windows:
/// no separators, no "." / "..", no control characters, none of Windows' reserved characters
/// (<c>: * ? " &lt; &gt; |</c>, which include drive and stream syntax), no reserved device names,
/// no leading or trailing white space, no trailing dot, at most 255 UTF-8 bytes. The tracker
/// refuses a torrent whose name breaks it; the peer renames uploads and downloads to fit it
/// (<see cref="Sanitize"/>) and checks every path it builds (<see cref="ResolveInside"/>).
/// </summary>
public static class SafeName
{
    public const int MaxUtf8Length = 255;

    private static readonly string[] ReservedDeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>Characters Windows does not allow in a file name (besides separators and control characters).</summary>
    private static readonly SearchValues<char> ReservedCharacters = SearchValues.Create(":*?\"<>|");

    /// <summary>Checks a name strictly; nothing is rewritten.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? reason)
    {
        reason = Check(name);
        return reason is null;
    }

    /// <summary>
    /// Makes an untrusted name usable: keeps the last path segment (what a browser upload of
    /// "C:\dir\a.txt" means), drops control characters and trailing dots/spaces, and prefixes
    /// reserved device names. Returns null when nothing usable is left.
    /// </summary>
    public static string? Sanitize(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        var segment = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var builder = new StringBuilder(segment.Length);
        foreach (var c in segment)
            if (!char.IsControl(c) && !ReservedCharacters.Contains(c)) builder.Append(c);
        var cleaned = builder.ToString().Trim().TrimEnd('.');
        if (cleaned.Length == 0 || cleaned == "..") return null;
        if (IsReservedDeviceName(cleaned)) cleaned = "_" + cleaned;
        while (Encoding.UTF8.GetByteCount(cleaned) > MaxUtf8Length) cleaned = cleaned[..^1];
        return Check(cleaned) is null ? cleaned : null;
    }

    /// <summary>The full path of <paramref name="name"/> inside <paramref name="folder"/>; throws if the name is unsafe.</summary>
    public static string ResolveInside(string folder, string name)
    {
        if (!IsValid(name, out var reason)) throw new ArgumentException($"Unsafe file name: {reason}.", nameof(name));
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, name));
        // Belt and braces: whatever the checks above missed, the result must sit directly in the folder.
        if (!string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal))
            throw new ArgumentException("Unsafe file name: it leaves the storage folder.", nameof(name));
        return path;
    }

    /// <summary>
    /// Why a relative path (the segments of a file inside a torrent's folder) is unsafe, or null: at least one
    /// segment, at most <see cref="TorrentMetainfo.MaxPathDepth"/>, each a valid name (so no "..", no empty or
    /// absolute segment, no separators, no reserved names).
    /// </summary>
    public static string? PathRefusal(IReadOnlyList<string>? segments)
    {
        if (segments is null || segments.Count == 0) return "empty path";
        if (segments.Count > TorrentMetainfo.MaxPathDepth) return $"nested deeper than {TorrentMetainfo.MaxPathDepth} folders";
        foreach (var segment in segments)
            if (Check(segment) is { } reason) return $"'{segment}': {reason}";
        return null;
    }

    /// <summary>
    /// Makes every segment of an untrusted relative path usable, as <see cref="Sanitize"/> does for one name.
    /// Null when a segment climbs ("." or ".."), is empty, or has nothing usable left: such a path is refused, not repaired.
    /// </summary>
    public static string[]? SanitizePath(IReadOnlyList<string> segments)
    {
        if (segments.Count == 0 || segments.Count > TorrentMetainfo.MaxPathDepth) return null;
        var result = new string[segments.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var segment = segments[i];
            if (segment is "" or "." or ".." || segment.Contains('/') || segment.Contains('\\')) return null;
            if (Sanitize(segment) is not { } clean) return null;
            result[i] = clean;
        }
        return result;
    }

    /// <summary>The full path of a relative path (its segments) inside <paramref name="folder"/>; throws if any segment is unsafe.</summary>
    public static string ResolvePathInside(string folder, IReadOnlyList<string> segments)
    {
        if (PathRefusal(segments) is { } reason) throw new ArgumentException($"Unsafe path: {reason}.", nameof(segments));
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var path = Path.GetFullPath(Path.Combine([root, .. segments]));
        // Belt and braces: whatever the checks above missed, the result must sit below the folder.
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException("Unsafe path: it leaves the storage folder.", nameof(segments));
        return path;
    }

    private static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "empty";
        if (name is "." or "..") return "'.' and '..' are not file names";
        if (Path.IsPathRooted(name)) return "absolute paths are not allowed";
        foreach (var c in name)
        {
            if (c is '/' or '\\') return "path separators are not allowed";
            if (char.IsControl(c)) return "control characters are not allowed";
            if (c == ':') return "':' is not allowed (drive or stream syntax)";
            if (ReservedCharacters.Contains(c)) return $"'{c}' is not allowed in a file name";
        }
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1])) return "leading or trailing white space";
        if (name[^1] == '.') return "a trailing '.' is not allowed";
        if (IsReservedDeviceName(name)) return "reserved device name";
        if (Encoding.UTF8.GetByteCount(name) > MaxUtf8Length) return $"longer than {MaxUtf8Length} bytes";
        return null;
    }

    private static bool IsReservedDeviceName(string name)
    {
        var dot = name.IndexOf('.');
        var stem = dot < 0 ? name : name[..dot];
        return ReservedDeviceNames.Contains(stem.TrimEnd(), StringComparer.OrdinalIgnoreCase);
    }
}
