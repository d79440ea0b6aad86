using System.Diagnostics;
using System.Globalization;
using Codis.Server.Logging;

namespace Codis.Server.Persistence;

/// <summary>
/// The server's persistence as Redis does it: RDB files (SAVE, BGSAVE, save points, load at start,
/// SHUTDOWN and DEBUG RELOAD) and the append-only file (Persister.Aof.cs). BGSAVE runs on
/// <see cref="RdbSnapshot"/> instead of a fork; its completion is noticed by the cron as Redis's
/// serverCron notices its child's exit. Everything here runs under the server lock unless noted.
/// </summary>
public sealed partial class Persister
{
    // Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long to retry.
    private const long BgsaveRetryDelayMs = 5000;

    private readonly ServerContext _server;
    private Task? _bgsave;
    private RdbSnapshot? _bgsaveSnapshot;
    private long _dirtyBeforeBgsave;
    private long _bgsaveStartMs;
    private long _lastBgsaveTryMs;
    private bool _bgsaveScheduled;

    private Persister(ServerContext server)
    {
        _server = server;
    }

    /// <summary>
    /// Creates the persistence layer of <paramref name="server"/> and hooks it to start-up (loading),
    /// shutdown (saving), the cron and the write propagation (AOF).
    /// </summary>
    public static Persister Attach(ServerContext server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var p = new Persister(server);
        server.Persister = p;
        server.Starting += p.LoadOnStart;
        server.ShuttingDown += p.OnShutdown;
        server.CronTick += p.Cron;
        server.Propagate += p.FeedAof;
        server.ExpiredKeyPropagate += p.FeedAofDelete;
        server.WriteGuard = p.WriteRefusal;
        server.ConfigChanged += p.OnConfigChanged;
        return p;
    }

    /// <summary>The full path of the RDB file (dir + dbfilename).</summary>
    public string RdbPath => Path.Combine(Path.GetFullPath(_server.Config.Dir), _server.Config.DbFilename);

    /// <summary>True while a BGSAVE runs.</summary>
    public bool BgsaveInProgress => _bgsave is not null;

    /// <summary>A passive config value (kept as text by the config table).</summary>
    private string Passive(string name, string fallback) => _server.ConfigTable?.Find(name)?.Get() ?? fallback;

    private bool IsYes(string name, bool fallback) =>
        string.Equals(Passive(name, fallback ? "yes" : "no"), "yes", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// SAVE: writes the dataset now, clients waiting (temp file, fsync, rename). False with the reason
    /// logged when it failed.
    /// </summary>
    public bool Save()
    {
        string path = RdbPath;
        string temp = Path.Combine(Path.GetFullPath(_server.Config.Dir), $"temp-{Environment.ProcessId}.rdb");
        try
        {
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                RdbSnapshot.WriteNow(_server, fs);
                fs.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ServerLog.Warning($"Failed opening the temp RDB file {Path.GetFileName(temp)} (in server root dir {Path.GetFullPath(_server.Config.Dir)}) for saving: {e.Message}");
            TryDelete(temp);
            _server.Persistence.LastBgsaveStatus = "err";
            return false;
        }
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ServerLog.Warning($"Error moving temp DB file {Path.GetFileName(temp)} on the final destination {path}: {e.Message}");
            TryDelete(temp);
            _server.Persistence.LastBgsaveStatus = "err";
            return false;
        }
        ServerLog.Notice("DB saved on disk");
        _server.Stats.Dirty = 0;
        _server.Persistence.LastSaveUnix = _server.Now / 1000;
        _server.Persistence.LastBgsaveStatus = "ok";
        _server.Persistence.RdbSaves++;
        return true;
    }

    /// <summary>
    /// BGSAVE: starts a background save of the dataset as it is now. Returns null when started, else
    /// the error reply.
    /// </summary>
    public string? StartBgsave()
    {
        if (_bgsave is not null)
            return "ERR Background save already in progress";
        _lastBgsaveTryMs = _server.Now;
        string path = RdbPath;
        string temp = Path.Combine(Path.GetFullPath(_server.Config.Dir), $"temp-bg-{Environment.ProcessId}.rdb");
        FileStream fs;
        try
        {
            fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ServerLog.Warning($"Failed opening the temp RDB file {Path.GetFileName(temp)} (in server root dir {Path.GetFullPath(_server.Config.Dir)}) for saving: {e.Message}");
            _server.Persistence.LastBgsaveStatus = "err";
            return "ERR";
        }
        _dirtyBeforeBgsave = _server.Stats.Dirty;
        _bgsaveStartMs = _server.Now;
        RdbSnapshot snapshot = RdbSnapshot.Start(_server, fs);
        _bgsaveSnapshot = snapshot;
        _bgsave = FinishFileAsync(snapshot, fs, temp, path);
        _server.Persistence.BgsaveInProgress = true;
        ServerLog.Notice($"Background saving started by pid {Environment.ProcessId}");
        return null;
    }

    /// <summary>BGSAVE SCHEDULE while another background job runs: the cron starts it later.</summary>
    public void ScheduleBgsave() => _bgsaveScheduled = true;

    // Off the lock: waits for the image, makes it durable and puts it in place.
    private static async Task FinishFileAsync(RdbSnapshot snapshot, FileStream fs, string temp, string path)
    {
        try
        {
            await snapshot.Completion.ConfigureAwait(false);
            fs.Flush(flushToDisk: true);
            await fs.DisposeAsync().ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            await fs.DisposeAsync().ConfigureAwait(false);
            TryDelete(temp);
            throw;
        }
    }

    private void CheckBgsaveDone()
    {
        if (_bgsave is not { IsCompleted: true } task)
            return;
        PersistenceStatus st = _server.Persistence;
        st.LastBgsaveTimeSec = (_server.Now - _bgsaveStartMs) / 1000;
        st.BgsaveInProgress = false;
        _bgsave = null;
        _bgsaveSnapshot = null;
        if (task.IsCompletedSuccessfully)
        {
            ServerLog.Notice("Background saving terminated with success");
            _server.Stats.Dirty -= _dirtyBeforeBgsave;
            st.LastSaveUnix = _bgsaveStartMs / 1000;
            st.LastBgsaveStatus = "ok";
            st.RdbSaves++;
        }
        else
        {
            ServerLog.Warning($"Background saving error: {task.Exception?.GetBaseException().Message ?? "cancelled"}");
            st.LastBgsaveStatus = "err";
        }
    }

    /// <summary>Stops a running BGSAVE (before SAVE at shutdown, FLUSHALL, DEBUG RELOAD).</summary>
    private void KillBgsave()
    {
        if (_bgsaveSnapshot is null)
            return;
        _bgsaveSnapshot.Cancel();
        // The writer needs the lock to finish its batch: release it while waiting.
        Task t = _bgsave!;
        _server.Lock.Exit();
        try
        {
            try
            {
                t.Wait();
            }
            catch (AggregateException)
            {
            }
        }
        finally
        {
            _server.Lock.Enter();
        }
        _bgsave = null;
        _bgsaveSnapshot = null;
        _server.Persistence.BgsaveInProgress = false;
    }

    private void Cron()
    {
        CheckBgsaveDone();
        AofCron();
        PersistenceStatus st = _server.Persistence;
        st.CurrentBgsaveTimeSec = _bgsave is null ? -1 : (_server.Now - _bgsaveStartMs) / 1000;
        if (_bgsave is not null || AofRewriteRunning)
            return;
        if (_bgsaveScheduled)
        {
            _bgsaveScheduled = false;
            StartBgsave();
            return;
        }
        long nowSec = _server.Now / 1000;
        foreach ((long seconds, long changes) in _server.Config.SavePoints)
        {
            // As Redis: a failed BGSAVE is retried only after a delay.
            if (_server.Stats.Dirty >= changes && nowSec - st.LastSaveUnix > seconds
                && (_server.Now - _lastBgsaveTryMs > BgsaveRetryDelayMs || st.LastBgsaveStatus == "ok"))
            {
                ServerLog.Notice($"{changes} changes in {seconds} seconds. Saving...");
                StartBgsave();
                return;
            }
        }
    }

    /// <summary>The MISCONF refusal of write commands after a failed save, or null.</summary>
    private string? WriteRefusal()
    {
        if (_server.Config.SavePoints.Count > 0 && _server.Persistence.LastBgsaveStatus == "err" && IsYes("stop-writes-on-bgsave-error", true))
            return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
        if (_server.Config.AppendOnly && _server.Persistence.AofLastWriteStatus == "err")
            return $"MISCONF Errors writing to the AOF file: {_aofLastError}";
        return null;
    }

    /// <summary>Loads the AOF (when appendonly) or the RDB file at start; exits like Redis when it cannot.</summary>
    private void LoadOnStart()
    {
        lock (_server.Lock)
        {
            string? error = null;
            _server.Persistence.Loading = true;
            try
            {
                if (_server.Config.AppendOnly)
                    error = LoadAofOnStart();
                else if (File.Exists(RdbPath))
                    error = LoadRdb(RdbPath);
            }
            finally
            {
                _server.Persistence.Loading = false;
            }
            if (error is not null)
            {
                ServerLog.Warning(error);
                Console.Error.WriteLine(error);
                Environment.Exit(1);
            }
            // Loading is not a change to save again (as Redis, which starts with dirty = 0).
            _server.Stats.Dirty = 0;
            if (_server.Config.AppendOnly)
                OpenAofForAppend();
        }
    }

    /// <summary>Loads an RDB file into the (empty) dataset; returns the fatal error text or null.</summary>
    private string? LoadRdb(string path)
    {
        var sw = Stopwatch.StartNew();
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Fatal error loading the DB: {e.Message}. Exiting.";
        }
        try
        {
            RdbFile.Load(_server, data, out long loaded, out long expired);
            _server.Persistence.LastLoadKeysLoaded = loaded;
            _server.Persistence.LastLoadKeysExpired = expired;
            ServerLog.Notice($"Done loading RDB, keys loaded: {loaded}, keys expired: {expired}.");
            ServerLog.Notice($"DB loaded from disk: {sw.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} seconds");
            return null;
        }
        catch (RdbLoadException e)
        {
            return $"Fatal error loading the DB ({path}): {e.Message}";
        }
    }

    private void OnShutdown()
    {
        bool save = _server.ShutdownSave ?? _server.Config.SavePoints.Count > 0;
        KillBgsave();
        KillAofRewrite();
        CloseAof();
        if (save)
        {
            ServerLog.Notice("Saving the final RDB snapshot before exiting.");
            if (!Save())
                ServerLog.Warning("Error trying to save the DB, can't exit.");
        }
    }

    /// <summary>
    /// DEBUG RELOAD: saves (unless <paramref name="noSave"/>), empties the dataset and loads the file
    /// back. Returns null or the error reply.
    /// </summary>
    public string? DebugReload(bool noSave)
    {
        KillBgsave();
        if (!noSave && !Save())
            return "ERR Error trying to save the DB";
        _server.FlushAll();
        string? error = LoadRdb(RdbPath);
        if (error is not null)
            return "ERR Error trying to load the RDB dump, check server logs.";
        ServerLog.Notice("DB reloaded by DEBUG RELOAD");
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
