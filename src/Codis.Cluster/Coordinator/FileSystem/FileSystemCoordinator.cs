using System.Globalization;
using System.Text;
using Codis.Cluster.Hosting;
using Codis.Core.Json;

namespace Codis.Cluster.Coordinator.FileSystem;

/// <summary>
/// The filesystem coordinator (coordinator.md §7.3), the embedded default. Node <c>/a/b</c> is the file
/// <c>ROOT/data/a/b</c>; directories are plain directories. Every operation holds an exclusive non-blocking
/// lock on <c>ROOT/data.lck</c> (which records the holder's pid while held), and writes go to
/// <c>ROOT/temp/</c> and are renamed over their target, so a reader never sees half a node.
/// </summary>
public sealed class FileSystemCoordinator : ICoordinator
{
    // How long an operation waits for another process's lock before it fails. Codis fails at once; a short
    // wait lets the dashboard, proxies and codis-admin share one folder without spurious errors.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _local = new(1, 1);
    private readonly string _lockFile;
    private readonly string _data;
    private readonly string _temp;
    private volatile bool _closed;

    /// <summary>A client over <paramref name="root"/> (made absolute; created on first use).</summary>
    /// <exception cref="CoordinatorException">An empty root.</exception>
    public FileSystemCoordinator(string root)
    {
        if (string.IsNullOrWhiteSpace(root))
            throw new CoordinatorException("invalid filesystem root: an empty path");
        Root = Path.GetFullPath(root);
        _lockFile = Path.Combine(Root, "data.lck");
        _data = Path.Combine(Root, "data");
        _temp = Path.Combine(Root, "temp");
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Name => "filesystem";

    /// <inheritdoc/>
    public string Address => Root;

    /// <inheritdoc/>
    public bool SupportsEphemeral => false;

    /// <inheritdoc/>
    public Task CreateAsync(string path, byte[] data, CancellationToken ct = default) =>
        WithLock("create", path, ct, file =>
        {
            if (File.Exists(file) || Directory.Exists(file))
                throw new NodeExistsException($"fs: create {path} failed: file already exists");
            Write(file, data);
            return true;
        });

    /// <inheritdoc/>
    public Task UpdateAsync(string path, byte[] data, CancellationToken ct = default) =>
        WithLock("update", path, ct, file =>
        {
            if (Directory.Exists(file))
                throw new CoordinatorException($"fs: update {path} failed: it is a directory");
            Write(file, data);
            return true;
        });

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken ct = default) =>
        WithLock("delete", path, ct, file =>
        {
            if (Directory.Exists(file))
                Directory.Delete(file, recursive: true);
            else if (File.Exists(file))
                File.Delete(file);
            return true;
        });

    /// <inheritdoc/>
    public Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default) =>
        WithLock<byte[]?>("read", path, ct, file =>
        {
            if (Directory.Exists(file))
                throw new CoordinatorException($"fs: read {path} failed: it is a directory");
            if (File.Exists(file))
                return File.ReadAllBytes(file);
            return must ? throw new NodeMissingException($"fs: read {path} failed: file does not exist") : null;
        });

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default) =>
        WithLock<IReadOnlyList<string>>("list", path, ct, dir =>
        {
            if (File.Exists(dir))
                throw new CoordinatorException($"fs: list {path} failed: not a directory");
            if (!Directory.Exists(dir))
                return must ? throw new NodeMissingException($"fs: list {path} failed: directory does not exist") : [];
            string prefix = path.TrimEnd('/');
            var names = new DirectoryInfo(dir).EnumerateFileSystemInfos().Select(i => i.Name).ToList();
            names.Sort(StringComparer.Ordinal);
            return names.Select(n => prefix + "/" + n).ToList();
        });

    /// <inheritdoc/>
    public Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default) =>
        throw new CoordinatorException("not supported");

    /// <inheritdoc/>
    public Task CloseAsync()
    {
        _closed = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    private async Task WithLock(string op, string path, CancellationToken ct, Func<string, bool> body) =>
        await WithLock<bool>(op, path, ct, body).ConfigureAwait(false);

    private async Task<T> WithLock<T>(string op, string path, CancellationToken ct, Func<string, T> body)
    {
        if (_closed)
            throw new CoordinatorException("use of closed fs client");
        string file = NodeFile(path);
        await _local.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using FileStream lck = await TakeFileLock(op, path, ct).ConfigureAwait(false);
            try
            {
                return body(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CoordinatorException($"fs: {op} {path} failed: {e.Message}", e);
            }
            finally
            {
                lck.SetLength(0);
            }
        }
        finally
        {
            _local.Release();
        }
    }

    /// <summary>
    /// On Unix, <see cref="FileShare.None"/> makes .NET take <c>flock(LOCK_EX | LOCK_NB)</c>, the lock Codis's fs
    /// client takes, so a Go Codis process and this one exclude each other.
    /// </summary>
    private async Task<FileStream> TakeFileLock(string op, string path, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                Directory.CreateDirectory(Root);
                var lck = new FileStream(_lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                byte[] note = Encoding.UTF8.GetBytes(CodisJson.Encode(new LockNote(Environment.ProcessId, GoTime.Now())));
                lck.SetLength(0);
                lck.Write(note);
                lck.Flush();
                return lck;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CoordinatorException(
                    $"fs: {op} {path} failed: {_lockFile} is locked by another process ({HolderOf()}) or cannot be opened: {e.Message}", e);
            }
        }
    }

    private string HolderOf()
    {
        try
        {
            using var fs = new FileStream(_lockFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(fs);
            string text = reader.ReadToEnd().Trim();
            return text.Length == 0 ? "holder unknown" : "holder " + string.Join(' ', text.Split('\n').Select(l => l.Trim()));
        }
        catch (IOException)
        {
            return "holder unknown";
        }
    }

    private void Write(string file, byte[] data)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        Directory.CreateDirectory(_temp);
        string unix = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string tmp = Path.Combine(_temp, unix + "." + Guid.NewGuid().ToString("N")[..12]);
        File.WriteAllBytes(tmp, data);
        File.Move(tmp, file, overwrite: true);
    }

    /// <exception cref="CoordinatorException">A path that is not absolute or leaves the data folder.</exception>
    private string NodeFile(string path)
    {
        if (!path.StartsWith('/'))
            throw new CoordinatorException($"fs: invalid path {path}: it must start with '/'");
        string file = Path.GetFullPath(Path.Combine(_data, path.TrimStart('/')));
        if (file != _data && !file.StartsWith(_data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new CoordinatorException($"fs: invalid path {path}: it leaves {_data}");
        return file;
    }

    private sealed record LockNote(
        [property: System.Text.Json.Serialization.JsonPropertyName("pid")] int Pid,
        [property: System.Text.Json.Serialization.JsonPropertyName("now")] string Now);
}
