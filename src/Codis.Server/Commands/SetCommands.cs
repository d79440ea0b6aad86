namespace Codis.Server.Commands;

/// <summary>The Set command family (not yet implemented).</summary>
public static class SetCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
