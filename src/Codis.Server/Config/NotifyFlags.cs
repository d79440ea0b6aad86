namespace Codis.Server.Config;

/// <summary>Keyspace notification classes (the <c>notify-keyspace-events</c> letters).</summary>
[Flags]
public enum NotifyFlags
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>K: <c>__keyspace@db__</c> channel.</summary>
    Keyspace = 1 << 0,

    /// <summary>E: <c>__keyevent@db__</c> channel.</summary>
    Keyevent = 1 << 1,

    /// <summary>g: generic commands.</summary>
    Generic = 1 << 2,

    /// <summary>$: strings.</summary>
    String = 1 << 3,

    /// <summary>l: lists.</summary>
    List = 1 << 4,

    /// <summary>s: sets.</summary>
    Set = 1 << 5,

    /// <summary>h: hashes.</summary>
    Hash = 1 << 6,

    /// <summary>z: sorted sets.</summary>
    ZSet = 1 << 7,

    /// <summary>x: expired.</summary>
    Expired = 1 << 8,

    /// <summary>e: evicted.</summary>
    Evicted = 1 << 9,

    /// <summary>t: streams.</summary>
    Stream = 1 << 10,

    /// <summary>m: key miss.</summary>
    KeyMiss = 1 << 11,

    /// <summary>d: module.</summary>
    Module = 1 << 12,

    /// <summary>n: new key.</summary>
    New = 1 << 13,

    /// <summary>A: alias for g$lshzxetd.</summary>
    All = Generic | String | List | Set | Hash | ZSet | Expired | Evicted | Stream | Module,
}

/// <summary>Text form of <see cref="NotifyFlags"/>, as Redis parses and prints it.</summary>
public static class NotifyFlagsText
{
    /// <summary>Parses the class letters; false on an unknown letter.</summary>
    public static bool TryParse(string text, out NotifyFlags flags)
    {
        flags = NotifyFlags.None;
        foreach (char ch in text)
        {
            NotifyFlags f = ch switch
            {
                'A' => NotifyFlags.All,
                'g' => NotifyFlags.Generic,
                '$' => NotifyFlags.String,
                'l' => NotifyFlags.List,
                's' => NotifyFlags.Set,
                'h' => NotifyFlags.Hash,
                'z' => NotifyFlags.ZSet,
                'x' => NotifyFlags.Expired,
                'e' => NotifyFlags.Evicted,
                'K' => NotifyFlags.Keyspace,
                'E' => NotifyFlags.Keyevent,
                't' => NotifyFlags.Stream,
                'm' => NotifyFlags.KeyMiss,
                'd' => NotifyFlags.Module,
                'n' => NotifyFlags.New,
                _ => (NotifyFlags)(-1),
            };
            if ((int)f == -1)
                return false;
            flags |= f;
        }
        return true;
    }

    /// <summary>Redis's keyspaceEventsFlagsToString.</summary>
    public static string Format(NotifyFlags flags)
    {
        var s = new System.Text.StringBuilder();
        if ((flags & NotifyFlags.All) == NotifyFlags.All)
        {
            s.Append('A');
        }
        else
        {
            if (flags.HasFlag(NotifyFlags.Generic)) s.Append('g');
            if (flags.HasFlag(NotifyFlags.String)) s.Append('$');
            if (flags.HasFlag(NotifyFlags.List)) s.Append('l');
            if (flags.HasFlag(NotifyFlags.Set)) s.Append('s');
            if (flags.HasFlag(NotifyFlags.Hash)) s.Append('h');
            if (flags.HasFlag(NotifyFlags.ZSet)) s.Append('z');
            if (flags.HasFlag(NotifyFlags.Expired)) s.Append('x');
            if (flags.HasFlag(NotifyFlags.Evicted)) s.Append('e');
            if (flags.HasFlag(NotifyFlags.Stream)) s.Append('t');
            if (flags.HasFlag(NotifyFlags.Module)) s.Append('d');
        }
        if (flags.HasFlag(NotifyFlags.Keyspace)) s.Append('K');
        if (flags.HasFlag(NotifyFlags.Keyevent)) s.Append('E');
        if (flags.HasFlag(NotifyFlags.KeyMiss)) s.Append('m');
        if (flags.HasFlag(NotifyFlags.New)) s.Append('n');
        return s.ToString();
    }
}
