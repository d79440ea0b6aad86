using System.Text;
using Codis.Core.Slots;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    /// <summary>
    /// GEOSEARCHSTORE and GEORADIUS / GEORADIUSBYMEMBER with STORE or STOREDIST read one key and write
    /// another. The request goes to the server of one slot, so a destination in another slot would be
    /// written on the wrong server (Codis 3.2 did so silently). Returns the error for such a request, or
    /// null when the keys share a slot or the command stores nothing.
    /// </summary>
    private static string? GeoStoreCrossSlot(Request r)
    {
        var name = r.Op.Name;
        int first;
        if (name == "GEOSEARCHSTORE")
        {
            if (r.ArgCount < 3)
                return null;
            return SlotHash.Slot(r.Arg(1)) == SlotHash.Slot(r.Arg(2)) ? null : CrossSlotError(name, r.Arg(2), r.Arg(1));
        }

        if (name == "GEORADIUS")
            first = 6;
        else if (name == "GEORADIUSBYMEMBER")
            first = 5;
        else
            return null;

        // Options follow the fixed arguments; the last STORE/STOREDIST wins on the server, check them all.
        for (var i = first; i + 1 < r.ArgCount; i++)
        {
            var arg = r.Arg(i);
            if (!Ascii.EqualsIgnoreCase(arg, "STORE"u8) && !Ascii.EqualsIgnoreCase(arg, "STOREDIST"u8))
                continue;
            if (SlotHash.Slot(r.Arg(i + 1)) != SlotHash.Slot(r.Arg(1)))
                return CrossSlotError(name, r.Arg(1), r.Arg(i + 1));
            i++;
        }

        return null;
    }

    private static string CrossSlotError(string command, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        $"'{command}' source key '{Encoding.UTF8.GetString(source)}' and destination key "
        + $"'{Encoding.UTF8.GetString(destination)}' are in different slots; use one hash tag, e.g. {{tag}}src and {{tag}}dst";
}
