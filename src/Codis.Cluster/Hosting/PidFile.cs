using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Codis.Cluster.Hosting;

/// <summary>The <c>--pidfile</c> of codis-proxy, codis-dashboard and codis-fe: written at start, removed at exit.</summary>
public static class PidFile
{
    /// <summary>
    /// Writes this process's id to <paramref name="path"/> (nothing when null) and returns the full path, or
    /// null when it could not be written: that is logged and start-up goes on, as Codis does.
    /// </summary>
    public static string? Write(string? path, ILogger logger)
    {
        if (path is null)
            return null;
        string full = Path.GetFullPath(path);
        try
        {
            File.WriteAllText(full, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("write pidfile = '{Path}' failed: {Error}", full, e.Message);
            return null;
        }
        logger.LogWarning("option --pidfile = {Path}", full);
        return full;
    }

    /// <summary>Removes the file <see cref="Write"/> wrote (nothing when null); a failure is logged.</summary>
    public static void Remove(string? full, ILogger logger)
    {
        if (full is null)
            return;
        try
        {
            File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("remove pidfile = '{Path}' failed: {Error}", full, e.Message);
        }
    }
}
