using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Codis.Admin.Models;
using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Admin;

/// <summary>
/// The configuration files of the coordinator forms (admin-cli.md §5): the Codis 1/2 dump converted by
/// <c>--config-convert</c>, and the Codis 3 dump validated by <c>--config-restore</c>.
/// </summary>
internal static class ConfigFiles
{
    /// <summary>Largest group id, as Codis's <c>MaxGroupId</c>.</summary>
    public const int MaxGroupId = 9999;

    /// <summary>Reads a JSON file.</summary>
    /// <exception cref="AdminFailure">The file cannot be read or is not JSON.</exception>
    public static JsonNode? LoadJson(string file)
    {
        string text = ReadFile(file);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new AdminFailure("json unmarshal failed", e.Message, e);
        }
    }

    /// <summary>
    /// Converts a Codis 1/2 dump (<c>--config-dump -1</c>) to the Codis 3 layout: <c>slots</c> entries
    /// (<c>id</c>, <c>group_id</c>, <c>state.status</c>) that are <c>online</c> become mappings, <c>offline</c>
    /// ones are dropped; <c>servers</c> (per group, entries with <c>addr</c>, <c>group_id</c>, <c>type</c>)
    /// become groups with the master first. Slots and groups come out sorted by id.
    /// </summary>
    /// <exception cref="AdminFailure">A slot with another status, a duplicate slot, a group id outside
    /// 1..9999, or a dump whose shape is not Codis 2's (<c>convert config failed: ...</c>).</exception>
    public static ConfigV3 Convert(JsonNode? dump, Action<string> debug)
    {
        if (dump is not JsonObject root)
            throw Malformed("the dump is not a JSON object");
        var slots = new SortedDictionary<int, SlotMapping>();
        foreach (JsonNode? entry in Entries(root["slots"], "slots"))
        {
            int sid = Int(entry, "id");
            int gid = Int(entry, "group_id");
            string status = Str(entry?["state"], "status");
            debug($"found slot-{sid:D4} status = {status}");
            switch (status)
            {
                case "online":
                    break;
                case "offline":
                    continue;
                default:
                    throw new AdminFailure("invalid slot status", $"slot-{sid:D4} has status '{status}', expected online or offline");
            }
            if (!slots.TryAdd(sid, new SlotMapping { Id = sid, GroupId = gid }))
                throw new AdminFailure($"slot-{sid:D4} already exists");
        }
        var groups = new SortedDictionary<int, List<GroupServer>>();
        foreach (JsonNode? group in Entries(root["servers"], "servers"))
        {
            foreach (JsonNode? server in Entries(group, "servers/<group>"))
            {
                string addr = Str(server, "addr");
                int gid = Int(server, "group_id");
                bool master = Str(server, "type") == "master";
                debug($"found group-{gid:D4} {addr} is master = {(master ? "true" : "false")}");
                if (gid is <= 0 or > MaxGroupId)
                    throw new AdminFailure($"invalid group = {gid}");
                if (!groups.TryGetValue(gid, out List<GroupServer>? servers))
                    groups[gid] = servers = [];
                var gs = new GroupServer { Server = addr };
                if (master)
                    servers.Insert(0, gs);
                else
                    servers.Add(gs);
            }
        }
        return new ConfigV3
        {
            Slots = slots.Values.ToList(),
            Group = groups.Select(kv => new Group { Id = kv.Key, Servers = kv.Value }).ToList(),
        };
    }

    /// <summary>
    /// Reads and validates a Codis 3 dump for <c>--config-restore</c>: unique proxy tokens, group ids in
    /// 1..9999 and unique, no promoting group, each server in one group only, slot ids in 0..1023 and unique,
    /// no slot action, every slot's group present and not empty.
    /// </summary>
    /// <exception cref="AdminFailure">The first rule broken, with Codis's message.</exception>
    public static ConfigV3 LoadRestore(string file)
    {
        string text = ReadFile(file);
        ConfigV3 raw;
        try
        {
            raw = CodisJson.Decode<ConfigV3>(text) ?? new ConfigV3();
        }
        catch (JsonException e)
        {
            throw new AdminFailure("json unmarshal failed", e.Message, e);
        }
        // Go decodes "null" lists as empty; so do we, so that the checks below see lists only.
        var config = new ConfigV3
        {
            Slots = raw.Slots ?? [],
            Group = (raw.Group ?? []).Select(g => g with { Servers = g.Servers ?? [], Promoting = g.Promoting ?? new() }).ToList(),
            Proxy = raw.Proxy ?? [],
        };
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (ProxyModel p in config.Proxy)
        {
            if (!tokens.Add(p.Token))
                throw new AdminFailure($"proxy-{p.Token} already exists");
        }
        var groups = new Dictionary<int, Group>();
        var addrs = new HashSet<string>(StringComparer.Ordinal);
        foreach (Group g in config.Group)
        {
            if (g.Id is <= 0 or > MaxGroupId)
                throw new AdminFailure($"invalid group id = {g.Id}");
            if (!groups.TryAdd(g.Id, g))
                throw new AdminFailure($"group-{g.Id:D4} already exists");
            // "gorup" is Codis's spelling; scripts may match the message.
            if (g.Promoting.State != ActionState.Nothing)
                throw new AdminFailure($"gorup-{g.Id:D4} is promoting");
            foreach (GroupServer x in g.Servers)
            {
                if (!addrs.Add(x.Server))
                    throw new AdminFailure($"server {x.Server} already exists");
            }
        }
        var slots = new HashSet<int>();
        foreach (SlotMapping s in config.Slots)
        {
            if (s.Id is < 0 or >= CoordinatorCommands.MaxSlotNum)
                throw new AdminFailure($"invalid slot id = {s.Id}");
            if (!slots.Add(s.Id))
                throw new AdminFailure($"slot-{s.Id:D4} already exists");
            if ((s.Action?.State ?? "") != ActionState.Nothing)
                throw new AdminFailure($"slot-{s.Id:D4} action is not empty");
            if (!groups.TryGetValue(s.GroupId, out Group? g) || g.Servers.Count == 0)
                throw new AdminFailure($"slot-{s.Id:D4} with group-{s.GroupId:D4} doesn't exist or empty");
        }
        return config;
    }

    private static string ReadFile(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminFailure($"read file '{file}' failed", e.Message, e);
        }
    }

    /// <summary>The entries of a dump directory: an object's values (an array's items are accepted too); absent → none.</summary>
    private static IEnumerable<JsonNode?> Entries(JsonNode? node, string what) => node switch
    {
        null => [],
        JsonObject o => o.Select(kv => kv.Value).ToList(),
        JsonArray a => a.ToList(),
        _ => throw Malformed($"'{what}' is not a JSON object"),
    };

    private static int Int(JsonNode? entry, string key)
    {
        if (entry is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
            return (int)d;
        throw Malformed($"entry {Show(entry)} has no integer '{key}'");
    }

    private static string Str(JsonNode? entry, string key)
    {
        if (entry is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out string? s))
            return s;
        throw Malformed($"entry {Show(entry)} has no string '{key}'");
    }

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static AdminFailure Malformed(string detail) =>
        new(string.Create(CultureInfo.InvariantCulture, $"convert config failed: {detail}"));
}
