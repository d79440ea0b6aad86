namespace Codis.Server.Commands;

/// <summary>The Slots command family (not yet implemented).</summary>
public static class SlotsCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
