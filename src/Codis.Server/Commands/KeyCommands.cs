namespace Codis.Server.Commands;

/// <summary>The Key command family (not yet implemented).</summary>
public static class KeyCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
