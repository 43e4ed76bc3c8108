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
