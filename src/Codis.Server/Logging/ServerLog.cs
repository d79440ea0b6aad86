using System.Globalization;

namespace Codis.Server.Logging;

/// <summary>Log levels of redis.conf's <c>loglevel</c>.</summary>
public enum LogLevel
{
    /// <summary>debug.</summary>
    Debug,

    /// <summary>verbose.</summary>
    Verbose,

    /// <summary>notice.</summary>
    Notice,

    /// <summary>warning.</summary>
    Warning,
}

/// <summary>
/// The server log in Redis's line format (<c>pid:M 25 Nov 2026 12:00:00.123 * message</c>), to standard
/// output or the configured log file. Thread-safe.
/// </summary>
public static class ServerLog
{
    private static readonly Lock s_lock = new();
    private static TextWriter s_out = Console.Out;

    /// <summary>The minimum level written.</summary>
    public static LogLevel Level { get; set; } = LogLevel.Notice;

    /// <summary>Sends the log to a file ("" = standard output).</summary>
    public static void SetFile(string path)
    {
        if (path.Length == 0)
            return;
        var w = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        lock (s_lock)
            s_out = w;
    }

    /// <summary>Parses a loglevel name.</summary>
    public static LogLevel Parse(string name) => name switch
    {
        "debug" => LogLevel.Debug,
        "verbose" => LogLevel.Verbose,
        "warning" => LogLevel.Warning,
        "nothing" => (LogLevel)99,
        _ => LogLevel.Notice,
    };

    /// <summary>Writes a notice.</summary>
    public static void Notice(string message) => Write(LogLevel.Notice, message);

    /// <summary>Writes a warning.</summary>
    public static void Warning(string message) => Write(LogLevel.Warning, message);

    /// <summary>Writes a verbose message.</summary>
    public static void Verbose(string message) => Write(LogLevel.Verbose, message);

    /// <summary>Writes a message at a level.</summary>
    public static void Write(LogLevel level, string message)
    {
        if (level < Level)
            return;
        char mark = level switch { LogLevel.Debug => '.', LogLevel.Verbose => '-', LogLevel.Notice => '*', _ => '#' };
        string time = DateTime.Now.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
        string line = $"{Environment.ProcessId}:M {time} {mark} {message}";
        lock (s_lock)
            s_out.WriteLine(line);
    }
}
