using System.Text;
using Codis.Core.Slots;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    /// <summary>
    /// EVAL/EVALSHA script numkeys key ... and FCALL/FCALL_RO function numkeys key ...: the script runs on the
    /// server of its first key's slot, so every key it names must hash to that slot. Codis routes by the first
    /// key and lets the others silently miss (quirks.md §1); here a script whose keys span slots is refused
    /// with the two keys that differ. A numkeys that is not a count is left to the server, which answers with
    /// Redis's own error. With numkeys 0 the request is routed by argument 3 (its first ARGV, or slot 0 when
    /// there is none), as Codis routes EVAL: a function that touches no key runs on that group.
    /// </summary>
    private static string? ScriptCrossSlot(Request r)
    {
        if (!r.Op.HasNumKeys || r.ArgCount < 5)
            return null;
        if (!RequestDecoder.TryParseInt(r.Arg(2), out var numKeys) || numKeys < 2)
            return null;
        var last = (int)Math.Min(numKeys + 2, r.ArgCount - 1);
        var slot = SlotHash.Slot(r.Arg(3));
        for (var i = 4; i <= last; i++)
        {
            if (SlotHash.Slot(r.Arg(i)) != slot)
            {
                var a = Encoding.UTF8.GetString(r.Arg(3));
                var b = Encoding.UTF8.GetString(r.Arg(i));
                var name = r.Op.Name;
                var what = name[0] == 'F' ? "a function's" : "a script's";
                return $"'{name}' keys '{a}' and '{b}' are in different slots: {what} keys must share one hash tag, e.g. {{tag}}{a} and {{tag}}{b}";
            }
        }
        return null;
    }
}
