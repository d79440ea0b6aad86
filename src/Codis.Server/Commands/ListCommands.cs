namespace Codis.Server.Commands;

/// <summary>The List command family (not yet implemented).</summary>
public static class ListCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
