using System.Runtime.CompilerServices;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;

namespace Codis.Server.Commands;

public static partial class StringCommands
{
    private static void Incr(CommandContext c) => IncrDecr(c, 1);

    private static void Decr(CommandContext c) => IncrDecr(c, -1);

    private static void IncrBy(CommandContext c) => IncrDecr(c, c.Long(2));

    private static void DecrBy(CommandContext c)
    {
        long by = c.Long(2);
        if (by == long.MinValue)
            Errors.Throw("ERR decrement would overflow");
        IncrDecr(c, -by);
    }

    private static void IncrDecr(CommandContext c, long increment)
    {
        long value = 0;
        // One table probe when the key exists: the new value is stored into the entry found here.
        ref DbEntry entry = ref c.Db.LookupWriteEntry(c[1]);
        bool exists = !Unsafe.IsNullRef(ref entry);
        if (exists)
        {
            if (!StringValue.TryGet(entry.Value, out ReadOnlySpan<byte> current))
                Errors.ThrowWrongType();
            if (!CommandContext.TryParseLong(current, out value))
                Errors.Throw(Errors.NotInteger);
        }
        if ((increment < 0 && value < 0 && increment < long.MinValue - value)
            || (increment > 0 && value > 0 && increment > long.MaxValue - value))
            Errors.Throw(Errors.Overflow);
        value += increment;
        // A byte[] keeps the key's expiry and reads back as "int", as Redis's result object does.
        byte[] stored = StringValue.FromInteger(value);
        if (exists)
            entry.Value = stored;
        else
            c.Db.Add(c[1], stored);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "incrby", c[1]);
        c.Reply.Integer(value);
    }

    private static void IncrByFloat(CommandContext c)
    {
        LongDouble value = default;
        bool exists = StringValue.TryReadForWrite(c, c[1], out ReadOnlySpan<byte> current);
        if (exists && !LongDouble.TryParse(current, out value))
            Errors.Throw(Errors.NotFloat);
        if (!LongDouble.TryParse(c[2], out LongDouble increment))
            Errors.Throw(Errors.NotFloat);
        LongDouble sum = value + increment;
        if (sum.IsInfinity)
            Errors.Throw("ERR increment would produce NaN or Infinity");
        string text = sum.ToHumanString();
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text);
        // Redis creates the result without trying the integer encoding: "embstr" even for "10".
        var stored = new MutableString(bytes, bytes.Length <= 44 ? "embstr" : "raw");
        if (exists)
            c.Db.Overwrite(c[1], stored);
        else
            c.Db.Add(c[1], stored);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "incrbyfloat", c[1]);
        c.Reply.Bulk(bytes);
    }
}
