namespace Codis.Server.Commands;

/// <summary>The Bit command family (not yet implemented).</summary>
public static class BitCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
