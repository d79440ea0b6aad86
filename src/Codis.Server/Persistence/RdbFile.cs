using System.Buffers.Binary;
using System.Text;
using Codis.Server.Keyspace;

namespace Codis.Server.Persistence;

/// <summary>
/// The file level of the RDB format: header <c>REDIS000N</c>, opcodes (aux fields, SELECTDB, RESIZEDB,
/// expiry times, idle/frequency hints), key/value pairs in the value codec's encodings, EOF and the
/// CRC-64 of everything before it (0 = not computed). Writing lives in <see cref="RdbSnapshot"/>.
/// </summary>
public static class RdbFile
{
    /// <summary>A function library (Redis 7.0): a string, the library's code with its shebang line.</summary>
    public const byte OpFunction2 = 245;

    /// <summary>A function library as Redis 7.0-rc wrote it: name, engine, optional description, body.</summary>
    public const byte OpFunction = 246;

    /// <summary>Module aux data (Redis 4); not supported.</summary>
    public const byte OpModuleAux = 247;

    /// <summary>LRU idle time of the next key, in seconds (a length).</summary>
    public const byte OpIdle = 248;

    /// <summary>LFU counter of the next key (one byte).</summary>
    public const byte OpFreq = 249;

    /// <summary>An aux field: two strings.</summary>
    public const byte OpAux = 250;

    /// <summary>Size hints of the database that follows: two lengths.</summary>
    public const byte OpResizeDb = 251;

    /// <summary>Absolute expiry of the next key, unix ms, 8 bytes little-endian.</summary>
    public const byte OpExpireTimeMs = 252;

    /// <summary>Absolute expiry of the next key, unix seconds, 4 bytes little-endian (old files).</summary>
    public const byte OpExpireTime = 253;

    /// <summary>The database of the keys that follow: a length.</summary>
    public const byte OpSelectDb = 254;

    /// <summary>End of file; the 8-byte CRC follows (RDB 5 and newer).</summary>
    public const byte OpEof = 255;

    /// <summary>Appends an aux field.</summary>
    public static void WriteAux(RdbWriter w, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteByte(OpAux);
        w.WriteString(Encoding.ASCII.GetBytes(name));
        w.WriteString(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>True when <paramref name="data"/> starts with an RDB header (an AOF's RDB preamble).</summary>
    public static bool HasHeader(ReadOnlySpan<byte> data) => data.Length >= 9 && data[..5].SequenceEqual("REDIS"u8);

    /// <summary>
    /// Loads an RDB image into <paramref name="server"/>'s (empty) databases: keys already expired are
    /// skipped as a master does. Returns the number of bytes the image took (an AOF may follow it).
    /// </summary>
    /// <exception cref="RdbLoadException">The data is not a valid RDB image; the message says why.</exception>
    public static int Load(ServerContext server, ReadOnlySpan<byte> data, out long loaded, out long expired)
    {
        ArgumentNullException.ThrowIfNull(server);
        loaded = 0;
        expired = 0;
        if (!HasHeader(data))
            throw new RdbLoadException("Wrong signature trying to load DB from file");
        if (!int.TryParse(Encoding.ASCII.GetString(data[5..9]), out int version) || version < 1 || version > DumpPayload.MaxReadVersion)
            throw new RdbLoadException($"Can't handle RDB format version {Encoding.ASCII.GetString(data[5..9])}");
        var r = new RdbReader(data);
        for (int i = 0; i < 9; i++)
            r.TryReadByte(out _);
        // The image's libraries replace the server's, as its keys replace the emptied databases.
        server.ScriptsIfStarted?.ClearLibraries();
        Database db = server.Databases[0];
        long expireAt = -1;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (true)
        {
            if (!r.TryReadByte(out byte type))
                throw Short();
            switch (type)
            {
                case OpExpireTimeMs:
                    if (r.Remaining < 8)
                        throw Short();
                    expireAt = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(r.Position, 8));
                    Skip(ref r, 8);
                    continue;
                case OpExpireTime:
                    if (r.Remaining < 4)
                        throw Short();
                    expireAt = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(r.Position, 4)) * 1000L;
                    Skip(ref r, 4);
                    continue;
                case OpIdle:
                    if (!r.TryReadCount(out _))
                        throw Short();
                    continue;
                case OpFreq:
                    if (!r.TryReadByte(out _))
                        throw Short();
                    continue;
                case OpAux:
                    if (!r.TryReadString(out _) || !r.TryReadString(out _))
                        throw Short();
                    continue;
                case OpResizeDb:
                    if (!r.TryReadCount(out _) || !r.TryReadCount(out _))
                        throw Short();
                    continue;
                case OpSelectDb:
                    if (!r.TryReadCount(out ulong id))
                        throw Short();
                    if (id >= (ulong)server.Databases.Length)
                        throw new RdbLoadException($"FATAL: Data file was created with a Redis server configured to handle more than {server.Databases.Length} databases. Exiting");
                    db = server.Databases[(int)id];
                    continue;
                case OpEof:
                    if (version >= 5)
                    {
                        if (r.Remaining < 8)
                            throw Short();
                        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(r.Position, 8));
                        if (expected != 0 && Crc64.Compute(data[..r.Position]) != expected)
                            throw new RdbLoadException("Wrong RDB checksum. Aborting now.");
                        Skip(ref r, 8);
                    }
                    return r.Position;
                case OpFunction2:
                case OpFunction:
                    LoadLibrary(server, ref r, type);
                    continue;
                case OpModuleAux:
                    throw new RdbLoadException($"The RDB file holds module data (opcode {type}), which this server does not support.");
            }
            if (!r.TryReadString(out byte[] key))
                throw Short();
            if (!r.TryReadObject((RdbType)type, out RdbValue? value))
                throw new RdbLoadException($"Bad data format loading key '{Encoding.UTF8.GetString(key)}' (object type {type}): unknown or corrupt value.");
            if (expireAt >= 0 && expireAt <= now && !server.IsReplica)
            {
                expired++;
            }
            else
            {
                db.Set(key, StoredValue.FromRdb(value, server.Config, (RdbType)type));
                if (expireAt >= 0)
                    db.SetExpire(key, expireAt);
                loaded++;
            }
            expireAt = -1;
        }
    }

    // A function record: the library is created as FUNCTION LOAD would (without its time limit).
    private static void LoadLibrary(ServerContext server, ref RdbReader r, byte type)
    {
        byte[]? code = Scripting.ScriptEngine.ReadFunctionRecord(ref r, type, out string? error);
        if (code is not null)
            error = server.Scripts.LoadLibraryFromRdb(code);
        if (error is not null)
            throw new RdbLoadException($"Failed loading library, {(error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error)}");
    }

    private static void Skip(ref RdbReader r, int n)
    {
        for (int i = 0; i < n; i++)
            r.TryReadByte(out _);
    }

    private static RdbLoadException Short() => new("Short read or OOM loading DB. Unrecoverable error, aborting now.");
}

/// <summary>An RDB image that cannot be loaded; the message is the reason as Redis logs it.</summary>
public sealed class RdbLoadException(string message) : Exception(message);
