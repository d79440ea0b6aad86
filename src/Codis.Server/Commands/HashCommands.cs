namespace Codis.Server.Commands;

/// <summary>The Hash command family (not yet implemented).</summary>
public static class HashCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
