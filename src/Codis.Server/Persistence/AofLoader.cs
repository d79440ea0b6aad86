using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Logging;

namespace Codis.Server.Persistence;

/// <summary>
/// Replays an append-only file at start-up as Redis does: an optional RDB preamble, then RESP commands
/// run by a fake client. A file cut short (a crash mid-write) is truncated at the last complete command
/// when <c>aof-load-truncated</c> is yes, and refused otherwise; an incomplete MULTI at the end is
/// dropped as a truncated tail.
/// </summary>
internal sealed class AofLoader(ServerContext server, string path, bool loadTruncated)
{
    private sealed class NoTransport : IClientTransport
    {
        public void RequestFlush()
        {
        }

        public void Close(bool now)
        {
        }
    }

    /// <summary>Loads the file; returns null, or the fatal error text (the caller exits).</summary>
    public string? Load()
    {
        var sw = Stopwatch.StartNew();
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Fatal error: can't open the append log file for reading: {e.Message}";
        }
        int pos = 0;
        if (RdbFile.HasHeader(data))
        {
            ServerLog.Notice("Reading RDB preamble from AOF file...");
            try
            {
                pos = RdbFile.Load(server, data, out long loaded, out _);
                ServerLog.Notice($"Reading the remaining AOF tail... ({loaded} keys from the preamble)");
            }
            catch (RdbLoadException e)
            {
                return $"Error reading the RDB preamble of the AOF file {Path.GetFileName(path)}, AOF loading aborted: {e.Message}";
            }
        }
        var client = new Client(new NoTransport(), "aof", "aof", server.Now) { Authenticated = true, IsMaster = true };
        var args = new ArgList();
        int lastGood = pos;
        int multiStart = -1;
        while (pos < data.Length)
        {
            int start = pos;
            Parse result = TryParse(data, ref pos, args);
            if (result == Parse.Truncated)
            {
                pos = start;
                break;
            }
            if (result == Parse.Bad)
                return $"Bad file format reading the append only file {Path.GetFileName(path)}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>";
            if (args.Count > 0 && args.Length(0) == 5 && System.Text.Ascii.EqualsIgnoreCase(args[0], "MULTI"u8))
                multiStart = start;
            else if (args.Count > 0 && args.Length(0) == 4 && System.Text.Ascii.EqualsIgnoreCase(args[0], "EXEC"u8))
                multiStart = -1;
            if (server.Commands.Find(args[0]) is null)
                return $"Unknown command '{System.Text.Encoding.UTF8.GetString(args[0])}' reading the append only file {Path.GetFileName(path)}";
            server.Execute(client, args);
            client.Output.Clear();
            if (multiStart < 0)
                lastGood = pos;
        }
        if (pos < data.Length || multiStart >= 0)
        {
            if (multiStart >= 0)
                ServerLog.Warning("Revert incomplete MULTI/EXEC transaction in AOF file");
            if (!loadTruncated)
                return $"Unexpected end of file reading the append only file {Path.GetFileName(path)}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.";
            ServerLog.Warning($"!!! Warning: short read while loading the AOF file {Path.GetFileName(path)}!!!");
            ServerLog.Warning($"!!! Truncating the AOF at offset {lastGood} !!!");
            try
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
                fs.SetLength(lastGood);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"Error truncating the AOF file: {e.Message}";
            }
            if (multiStart >= 0)
            {
                // The transaction's commands ran: start over without them.
                server.FlushAll();
                return Load();
            }
            ServerLog.Warning("AOF loaded anyway because aof-load-truncated is enabled");
        }
        ServerLog.Notice($"DB loaded from append only file: {sw.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} seconds");
        return null;
    }

    private enum Parse
    {
        Ok,
        Truncated,
        Bad,
    }

    private static Parse TryParse(byte[] data, ref int pos, ArgList args)
    {
        args.Reset(data);
        if (data[pos] != (byte)'*')
            return Parse.Bad;
        pos++;
        Parse p = ReadNumber(data, ref pos, out long count);
        if (p != Parse.Ok)
            return p;
        if (count < 1)
            return Parse.Bad;
        for (long i = 0; i < count; i++)
        {
            if (pos >= data.Length)
                return Parse.Truncated;
            if (data[pos] != (byte)'$')
                return Parse.Bad;
            pos++;
            p = ReadNumber(data, ref pos, out long len);
            if (p != Parse.Ok)
                return p;
            if (len < 0)
                return Parse.Bad;
            if (data.Length - pos < len + 2)
                return Parse.Truncated;
            args.Add(pos, (int)len);
            pos += (int)len + 2;
        }
        return Parse.Ok;
    }

    private static Parse ReadNumber(byte[] data, ref int pos, out long value)
    {
        value = 0;
        int end = Array.IndexOf(data, (byte)'\r', pos);
        if (end < 0 || end + 1 >= data.Length)
            return Parse.Truncated;
        if (data[end + 1] != (byte)'\n' || !Utf8Parser.TryParse(data.AsSpan(pos, end - pos), out value, out int used) || used != end - pos)
            return Parse.Bad;
        pos = end + 2;
        return Parse.Ok;
    }
}
