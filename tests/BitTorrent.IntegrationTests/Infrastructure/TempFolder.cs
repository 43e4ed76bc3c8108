using System.Security.Cryptography;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>A temporary folder for a test's Storage folders and files, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bt-test-").FullName;

    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public string RandomFile(string name, long length, int seed = 1)
    {
        var path = System.IO.Path.Combine(Path, name);
        var random = new Random(seed);
        using var stream = File.Create(path);
        var buffer = new byte[1 << 20];
        for (var left = length; left > 0; left -= buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, left));
        }
        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
