namespace Codis.Server.Commands;

/// <summary>The HyperLogLog command family (not yet implemented).</summary>
public static class HyperLogLogCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }
}
