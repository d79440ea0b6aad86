using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Logging;

namespace Codis.Server.Persistence;

public sealed partial class Persister
{
    private FileStream? _aof;
    private int _aofDb = -1;
    private long _aofBaseSize;
    private long _lastFsyncMs;
    private string _aofLastError = "";
    private bool _loadingAof;

    // The running rewrite: its snapshot's file, and the commands fed since it started (appended to the
    // new file when the snapshot is complete, under the lock, so that no write is lost).
    private Task? _rewrite;
    private RdbSnapshot? _rewriteSnapshot;
    private FileStream? _rewriteFile;
    private string _rewriteTemp = "";
    private MemoryStream? _rewriteBuffer;
    private int _rewriteDb = -1;
    private long _rewriteStartMs;

    /// <summary>The full path of the append-only file (dir + appendfilename).</summary>
    public string AofPath => Path.Combine(Path.GetFullPath(_server.Config.Dir), _server.Config.AppendFilename);

    /// <summary>True while BGREWRITEAOF runs.</summary>
    public bool AofRewriteRunning => _rewrite is not null;

    /// <summary>The current size of the AOF in bytes (INFO aof_current_size).</summary>
    public long AofCurrentSize => _aof?.Length ?? 0;

    /// <summary>The AOF size after the last rewrite or at start (INFO aof_base_size).</summary>
    public long AofBaseSize => _aofBaseSize;

    /// <summary>
    /// BGREWRITEAOF: starts rewriting the AOF from a snapshot (an RDB preamble) plus the writes made
    /// meanwhile. Returns null when started, else the error reply.
    /// </summary>
    public string? StartAofRewrite()
    {
        if (_rewrite is not null)
            return "ERR Background append only file rewriting already in progress";
        if (_bgsave is not null)
        {
            _server.Persistence.AofRewriteScheduled = true;
            return null;
        }
        string dir = Path.GetFullPath(_server.Config.Dir);
        _rewriteTemp = Path.Combine(dir, $"temp-rewriteaof-bg-{Environment.ProcessId}.aof");
        try
        {
            _rewriteFile = new FileStream(_rewriteTemp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ServerLog.Warning($"Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {e.Message}");
            _server.Persistence.AofLastBgrewriteStatus = "err";
            return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
        }
        _rewriteBuffer = new MemoryStream();
        _rewriteDb = -1;
        _rewriteStartMs = _server.Now;
        _rewriteSnapshot = RdbSnapshot.Start(_server, _rewriteFile);
        _rewrite = _rewriteSnapshot.Completion;
        _server.Persistence.AofRewriteInProgress = true;
        _server.Persistence.AofRewriteScheduled = false;
        ServerLog.Notice($"Background append only file rewriting started by pid {Environment.ProcessId}");
        return null;
    }

    private void CheckRewriteDone()
    {
        if (_rewrite is not { IsCompleted: true } task)
            return;
        PersistenceStatus st = _server.Persistence;
        FileStream file = _rewriteFile!;
        _rewrite = null;
        _rewriteSnapshot = null;
        _rewriteFile = null;
        MemoryStream buffer = _rewriteBuffer!;
        _rewriteBuffer = null;
        st.AofRewriteInProgress = false;
        st.AofLastRewriteTimeSec = (_server.Now - _rewriteStartMs) / 1000;
        try
        {
            if (!task.IsCompletedSuccessfully)
                throw new IOException(task.Exception?.GetBaseException().Message ?? "cancelled");
            // Under the lock: the writes made during the rewrite go to the end of the new file, which
            // then replaces the old one; later writes go to the new file.
            buffer.Position = 0;
            buffer.CopyTo(file);
            file.Flush(flushToDisk: true);
            if (_server.Config.AppendOnly)
            {
                File.Move(_rewriteTemp, AofPath, overwrite: true);
                _aof?.Dispose();
                file.Position = file.Length;
                _aof = file;
                _aofDb = _rewriteDb;
                _aofBaseSize = file.Length;
            }
            else
            {
                file.Dispose();
                TryDelete(_rewriteTemp);
            }
            st.AofLastBgrewriteStatus = "ok";
            st.AofRewrites++;
            ServerLog.Notice("Background AOF rewrite terminated with success");
            ServerLog.Notice("Background AOF rewrite finished successfully");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            TryDelete(_rewriteTemp);
            st.AofLastBgrewriteStatus = "err";
            ServerLog.Warning($"Background AOF rewrite failed: {e.Message}");
        }
    }

    private void KillAofRewrite()
    {
        if (_rewriteSnapshot is null)
            return;
        _rewriteSnapshot.Cancel();
        Task t = _rewrite!;
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
        _rewriteFile?.Dispose();
        TryDelete(_rewriteTemp);
        _rewrite = null;
        _rewriteSnapshot = null;
        _rewriteFile = null;
        _rewriteBuffer = null;
        _server.Persistence.AofRewriteInProgress = false;
    }

    private void AofCron()
    {
        CheckRewriteDone();
        PersistenceStatus st = _server.Persistence;
        st.AofCurrentRewriteTimeSec = _rewrite is null ? -1 : (_server.Now - _rewriteStartMs) / 1000;
        if (_aof is not null && _server.Config.AppendFsync == "everysec" && _server.Now - _lastFsyncMs >= 1000)
        {
            _lastFsyncMs = _server.Now;
            try
            {
                _aof.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                AofWriteFailed(e);
            }
        }
        if (_rewrite is null && _bgsave is null && st.AofRewriteScheduled)
        {
            StartAofRewrite();
            return;
        }
        if (_aof is null || _rewrite is not null || _bgsave is not null)
            return;
        long percent = long.TryParse(Passive("auto-aof-rewrite-percentage", "100"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long p) ? p : 100;
        long minSize = long.TryParse(Passive("auto-aof-rewrite-min-size", "67108864"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long m) ? m : 67108864;
        long size = _aof.Length;
        if (percent > 0 && size > minSize)
        {
            long baseSize = Math.Max(1, _aofBaseSize);
            long growth = ((size * 100) / baseSize) - 100;
            if (growth >= percent)
            {
                ServerLog.Notice($"Starting automatic rewriting of AOF on {growth}% growth");
                StartAofRewrite();
            }
        }
    }

    /// <summary>The Propagate subscriber: appends a write command to the AOF (and the rewrite buffer).</summary>
    private void FeedAof(int db, ArgList args)
    {
        if (_loadingAof || !_server.Config.AppendOnly || (_aof is null && _rewriteBuffer is null))
            return;
        byte[] command = AofCommand.Translate(_server, db, args);
        Append(db, command);
    }

    /// <summary>Expired and evicted keys reach the AOF as DEL, as in Redis.</summary>
    private void FeedAofDelete(int db, byte[] key)
    {
        if (_loadingAof || !_server.Config.AppendOnly || (_aof is null && _rewriteBuffer is null))
            return;
        Append(db, AofCommand.Encode([Encoding.ASCII.GetBytes("DEL"), key]));
    }

    private void Append(int db, byte[] command)
    {
        if (_rewriteBuffer is not null)
        {
            if (db != _rewriteDb)
            {
                _rewriteBuffer.Write(AofCommand.Select(db));
                _rewriteDb = db;
            }
            _rewriteBuffer.Write(command);
        }
        if (_aof is null)
            return;
        try
        {
            if (db != _aofDb)
            {
                _aof.Write(AofCommand.Select(db));
                _aofDb = db;
            }
            _aof.Write(command);
            // appendfsync always: durable before the command's reply is even written.
            _aof.Flush(flushToDisk: _server.Config.AppendFsync == "always");
            _server.Persistence.AofLastWriteStatus = "ok";
        }
        catch (IOException e)
        {
            AofWriteFailed(e);
        }
    }

    private void AofWriteFailed(IOException e)
    {
        _aofLastError = e.Message;
        _server.Persistence.AofLastWriteStatus = "err";
        ServerLog.Warning($"Error writing to the AOF file: {e.Message}");
    }

    private void OpenAofForAppend()
    {
        try
        {
            _aof = new FileStream(AofPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
            _aofBaseSize = _aof.Length;
            _aofDb = -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string message = $"Can't open the append-only file: {e.Message}";
            ServerLog.Warning(message);
            Console.Error.WriteLine(message);
            Environment.Exit(1);
        }
    }

    private void CloseAof()
    {
        if (_aof is null)
            return;
        try
        {
            _aof.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            ServerLog.Warning($"Error flushing the AOF at shutdown: {e.Message}");
        }
        _aof.Dispose();
        _aof = null;
    }

    private void OnConfigChanged(string[] names)
    {
        if (!names.Contains("appendonly"))
            return;
        if (_server.Config.AppendOnly && _aof is null && _rewrite is null)
        {
            // As Redis: turning the AOF on writes the whole dataset first, then appends.
            _ = StartAofRewrite();
        }
        else if (!_server.Config.AppendOnly)
        {
            KillAofRewrite();
            CloseAof();
        }
    }

    /// <summary>Loads the AOF at start (a missing file is an empty dataset); returns the fatal error or null.</summary>
    private string? LoadAofOnStart()
    {
        string path = AofPath;
        if (!File.Exists(path))
            return null;
        _loadingAof = true;
        try
        {
            return new AofLoader(_server, path, IsYes("aof-load-truncated", true)).Load();
        }
        finally
        {
            _loadingAof = false;
        }
    }
}
