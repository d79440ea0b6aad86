namespace Codis.Server;

/// <summary>Version strings the server reports.</summary>
public static class ServerInfo
{
    /// <summary>
    /// The Redis version whose behaviour this server follows (INFO redis_version, HELLO). Clients use it
    /// to decide which commands they may send.
    /// </summary>
    public const string RedisVersion = "7.0.15";

    /// <summary>This implementation's own version (INFO codis_version).</summary>
    public const string CodisVersion = "3.2.2-dotnet";

    /// <summary>The <c>--version</c> line, in redis-server's format.</summary>
    public static string VersionLine => $"Redis server v={RedisVersion} sha=00000000:0 malloc=libc bits=64 build=codis-dotnet-{CodisVersion}";

    /// <summary>
    /// A new 40-hex-character run id / replication id from the kernel's random source, as Redis takes it
    /// from /dev/urandom. Not through RandomNumberGenerator, which loads OpenSSL (5 MB resident) for it.
    /// </summary>
    public static string NewRunId()
    {
        Span<byte> bytes = stackalloc byte[20];
        try
        {
            using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            urandom.ReadExactly(bytes);
        }
        catch (IOException)
        {
            Random.Shared.NextBytes(bytes);
        }
        catch (UnauthorizedAccessException)
        {
            Random.Shared.NextBytes(bytes);
        }
        return Convert.ToHexStringLower(bytes);
    }
}
