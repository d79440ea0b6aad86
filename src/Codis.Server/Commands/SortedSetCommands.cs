namespace Codis.Server.Commands;

/// <summary>The SortedSet command family (not yet implemented).</summary>
public static class SortedSetCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
