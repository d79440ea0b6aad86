namespace Codis.TestSupport.Tests;

/// <summary>One Debian redis-server (with DEBUG enabled) shared by the tests of a class.</summary>
public sealed class RedisFixture : IDisposable
{
    public RedisFixture() => Server = ServerProcess.StartRedis("--enable-debug-command", "yes");

    public ServerProcess Server { get; }

    public void Dispose() => Server.Dispose();
}
