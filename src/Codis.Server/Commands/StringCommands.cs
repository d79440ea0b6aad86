using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>String commands (GET, SET, ... ).</summary>
public static class StringCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("get", 2, ReadOnly | Fast, 1, 1, 1, Get);
        t.Add("set", -3, Write | DenyOom, 1, 1, 1, Set);
    }

    private static void Get(CommandContext c)
    {
        byte[]? v = c.Get<byte[]>(c[1]);
        if (v is null)
            c.Reply.Null();
        else
            c.Reply.Bulk(v);
    }

    private static void Set(CommandContext c)
    {
        c.Db.Set(c[1], c.ArgArray(2));
        c.KeyModified(c[1]);
        c.Reply.Ok();
    }
}
