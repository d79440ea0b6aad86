using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Keyspace;

namespace Codis.Server.Persistence;

/// <summary>
/// Commands as the AOF stores them: RESP arrays of bulk strings, with relative expiries turned into
/// absolute ones (PEXPIREAT, SET ... PXAT) as Redis does, so that replaying the file later gives keys
/// the deadline they had, not a new one.
/// </summary>
public static class AofCommand
{
    /// <summary>Encodes arguments as a RESP array of bulk strings.</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var b = new MemoryStream();
        WriteHeader(b, '*', args.Count);
        foreach (byte[] a in args)
        {
            WriteHeader(b, '$', a.Length);
            b.Write(a);
            b.Write("\r\n"u8);
        }
        return b.ToArray();
    }

    /// <summary>SELECT <paramref name="db"/>.</summary>
    public static byte[] Select(int db) => Encode([Ascii("SELECT"), Ascii(db.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>
    /// The AOF form of a write command just executed on database <paramref name="db"/> (called after
    /// the command, so the key's resulting expiry can be read).
    /// </summary>
    public static byte[] Translate(ServerContext server, int db, ArgList args)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(args);
        var list = new List<byte[]>(args.Count);
        for (int i = 0; i < args.Count; i++)
            list.Add(args.ToArray(i));
        string name = Encoding.ASCII.GetString(args[0]).ToUpperInvariant();
        Database database = server.Databases[db];
        switch (name)
        {
            case "EXPIRE" or "PEXPIRE" or "EXPIREAT" or "PEXPIREAT" when args.Count >= 3:
                return ExpiryOf(database, list[1]);
            case "SETEX" or "PSETEX" when args.Count == 4:
                {
                    long at = database.GetExpire(list[1]);
                    return at < 0
                        ? Encode([Ascii("SET"), list[1], list[3]])
                        : Encode([Ascii("SET"), list[1], list[3], Ascii("PXAT"), Ascii(at.ToString(CultureInfo.InvariantCulture))]);
                }
            case "SET" when args.Count > 3:
                return RewriteSetOptions(database, list);
            case "GETEX" when args.Count > 2:
                return ExpiryOf(database, list[1]);
        }
        return Encode(list);
    }

    private static byte[] ExpiryOf(Database db, byte[] key)
    {
        // The command's effect, whatever form it took: a deadline, none, or a key gone (past deadline).
        if (!db.ContainsRaw(key))
            return Encode([Ascii("DEL"), key]);
        long at = db.GetExpire(key);
        return at < 0
            ? Encode([Ascii("PERSIST"), key])
            : Encode([Ascii("PEXPIREAT"), key, Ascii(at.ToString(CultureInfo.InvariantCulture))]);
    }

    private static byte[] RewriteSetOptions(Database db, List<byte[]> list)
    {
        var output = new List<byte[]>(list.Count) { list[0], list[1], list[2] };
        bool hadExpiry = false;
        for (int i = 3; i < list.Count; i++)
        {
            string opt = Encoding.ASCII.GetString(list[i]).ToUpperInvariant();
            if (opt is "EX" or "PX" or "EXAT" or "PXAT" && i + 1 < list.Count)
            {
                hadExpiry = true;
                i++;
                continue;
            }
            // GET does not change the stored effect; NX/XX are kept (replaying them gives the same result).
            output.Add(list[i]);
        }
        if (hadExpiry)
        {
            long at = db.GetExpire(list[1]);
            if (at >= 0)
            {
                output.Add(Ascii("PXAT"));
                output.Add(Ascii(at.ToString(CultureInfo.InvariantCulture)));
            }
        }
        return Encode(output);
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static void WriteHeader(MemoryStream b, char kind, int n)
    {
        b.WriteByte((byte)kind);
        b.Write(Ascii(n.ToString(CultureInfo.InvariantCulture)));
        b.Write("\r\n"u8);
    }
}
