namespace Codis.TestSupport;

/// <summary>Temporary directories a test makes (for servers that share one across restarts), deleted on Dispose.</summary>
public sealed class TempDirectories : IDisposable
{
    private readonly List<string> _dirs = [];

    /// <summary>A new empty directory, deleted with the others.</summary>
    public string New()
    {
        string dir = ServerProcess.NewTempDirectory();
        _dirs.Add(dir);
        return dir;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (string d in _dirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
                // A process still writing there: the OS cleans /tmp.
            }
        }
        _dirs.Clear();
    }
}
