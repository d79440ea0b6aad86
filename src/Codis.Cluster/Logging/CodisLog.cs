using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Codis.Cluster.Logging;

/// <summary>Codis log levels (<c>--log-level</c>, <c>PUT /api/.../loglevel</c>).</summary>
public enum CodisLogLevel
{
    /// <summary>Nothing is written.</summary>
    None = 0,

    /// <summary>Errors only.</summary>
    Error = 1,

    /// <summary>Errors and warnings.</summary>
    Warn = 2,

    /// <summary>The default.</summary>
    Info = 3,

    /// <summary>Everything.</summary>
    Debug = 4,
}

/// <summary>
/// The process log in Codis's format (config.md §6): <c>YYYY/MM/DD HH:MM:SS &lt;source&gt;: [LEVEL] message</c>,
/// to standard error or to a daily file <c>FILE.YYYY-MM-DD</c>. The level can change at run time.
/// An <see cref="ILoggerProvider"/>, so library code logs through <see cref="ILogger"/>.
/// </summary>
public sealed class CodisLog : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly string? _path;
    private readonly TimeProvider _time;
    private TextWriter _writer;
    private string _day = "";
    private volatile CodisLogLevel _level = CodisLogLevel.Info;

    /// <summary>A log to standard error (<paramref name="path"/> null) or to the daily files of <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public CodisLog(string? path = null, TimeProvider? time = null)
    {
        _path = path is null ? null : Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        _writer = Console.Error;
        if (_path is not null)
            Roll(_time.GetLocalNow().DateTime);
    }

    /// <summary>The minimum level written.</summary>
    public CodisLogLevel Level
    {
        get => _level;
        set => _level = value;
    }

    /// <summary>The file currently written (null for standard error).</summary>
    public string? CurrentFile { get; private set; }

    /// <summary>
    /// Parses a level name, case-insensitively: ERROR, WARN/WARNING, INFO, DEBUG, NONE (Codis's
    /// <c>log.SetLevelString</c>).
    /// </summary>
    public static bool TryParseLevel(string text, out CodisLogLevel level)
    {
        switch (text.ToUpperInvariant())
        {
            case "ERROR": level = CodisLogLevel.Error; return true;
            case "WARN":
            case "WARNING": level = CodisLogLevel.Warn; return true;
            case "INFO": level = CodisLogLevel.Info; return true;
            case "DEBUG": level = CodisLogLevel.Debug; return true;
            case "NONE": level = CodisLogLevel.None; return true;
            default: level = CodisLogLevel.Info; return false;
        }
    }

    /// <summary>Writes a fatal entry (<c>[PANIC]</c>), whatever the level; the caller then exits with status 1.</summary>
    public void Panic(string source, string message) => WriteLine("PANIC", source, message, null);

    /// <summary>Writes one entry when <paramref name="level"/> is enabled.</summary>
    public void Write(CodisLogLevel level, string source, string message, Exception? error = null)
    {
        if (level > _level || level == CodisLogLevel.None)
            return;
        WriteLine(Name(level), source, message, error);
    }

    private void WriteLine(string levelName, string source, string message, Exception? error)
    {
        DateTime now = _time.GetLocalNow().DateTime;
        var sb = new StringBuilder(64 + message.Length);
        sb.Append(now.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ')
            .Append(source).Append(": [").Append(levelName).Append("] ").Append(message);
        if (error is not null)
            sb.Append("\n[error]: ").Append(error.GetType().Name).Append(": ").Append(error.Message);
        lock (_lock)
        {
            if (_path is not null)
                Roll(now);
            try
            {
                _writer.WriteLine(sb.ToString());
                _writer.Flush();
            }
            catch (IOException)
            {
                // A full disk must not take the process down; the entry is lost.
            }
        }
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName)
    {
        int dot = categoryName.LastIndexOf('.');
        return new Logger(this, dot >= 0 ? categoryName[(dot + 1)..] : categoryName);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_path is not null)
                _writer.Dispose();
        }
    }

    private static string Name(CodisLogLevel level) => level switch
    {
        CodisLogLevel.Error => "ERROR",
        CodisLogLevel.Warn => "WARN",
        CodisLogLevel.Debug => "DEBUG",
        _ => "INFO",
    };

    private void Roll(DateTime now)
    {
        string day = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (day == _day)
            return;
        string file = _path + "." + day;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var w = new StreamWriter(new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        if (_day.Length > 0)
            _writer.Dispose();
        _writer = w;
        _day = day;
        CurrentFile = file;
    }

    private sealed class Logger(CodisLog log, string source) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && Map(logLevel) <= log.Level;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            log.Write(Map(logLevel), source, formatter(state, exception), exception);
        }

        private static CodisLogLevel Map(LogLevel level) => level switch
        {
            LogLevel.Trace or LogLevel.Debug => CodisLogLevel.Debug,
            LogLevel.Information => CodisLogLevel.Info,
            LogLevel.Warning => CodisLogLevel.Warn,
            _ => CodisLogLevel.Error,
        };
    }
}
