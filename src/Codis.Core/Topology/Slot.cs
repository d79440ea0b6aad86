using System.Text.Json;
using System.Text.Json.Serialization;

namespace Codis.Core.Topology;

/// <summary>
/// The proxy's view of one slot (coordinator.md §4.6): computed by the dashboard, pushed to proxies with
/// <c>PUT /api/proxy/fillslots</c>, returned by <c>/proxy/slots</c> and read from <c>--fillslots=FILE</c>.
/// Serialised with Codis's key names; every field but <c>id</c> is omitted when zero, as Go's omitempty.
/// </summary>
[JsonConverter(typeof(SlotJsonConverter))]
public sealed record Slot
{
    /// <summary>Slot number, 0..1023 (validated by the router, not here: a bad id is an API error).</summary>
    public int Id { get; init; }

    /// <summary>The proxy must hold requests for this slot until a later fill unlocks it.</summary>
    public bool Locked { get; init; }

    /// <summary>Master that serves the slot, <c>host:port</c>; empty when the slot is offline.</summary>
    public string BackendAddr { get; init; } = "";

    /// <summary>Group of <see cref="BackendAddr"/>.</summary>
    public int BackendAddrGroupId { get; init; }

    /// <summary>Master the slot is being migrated from; empty when no migration is in progress.</summary>
    public string MigrateFrom { get; init; } = "";

    /// <summary>Group of <see cref="MigrateFrom"/>.</summary>
    public int MigrateFromGroupId { get; init; }

    /// <summary>How requests are forwarded while migrating: 0 = sync, 1 = semi-async (migration.md §7).</summary>
    public int ForwardMethod { get; init; }

    /// <summary>Read replicas in priority buckets (first bucket first); empty when reads go to the master.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ReplicaGroups { get; init; } = [];

    /// <summary>Value equality including the replica buckets (records compare lists by reference).</summary>
    public bool Equals(Slot? other)
    {
        if (other is null)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (Id != other.Id || Locked != other.Locked || BackendAddr != other.BackendAddr
            || BackendAddrGroupId != other.BackendAddrGroupId || MigrateFrom != other.MigrateFrom
            || MigrateFromGroupId != other.MigrateFromGroupId || ForwardMethod != other.ForwardMethod
            || ReplicaGroups.Count != other.ReplicaGroups.Count)
        {
            return false;
        }
        for (var i = 0; i < ReplicaGroups.Count; i++)
        {
            if (!ReplicaGroups[i].SequenceEqual(other.ReplicaGroups[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Hash consistent with <see cref="Equals(Slot?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Id, Locked, BackendAddr, MigrateFrom, ForwardMethod);
}

/// <summary>
/// JSON form of <see cref="Slot"/>: keys in Codis's order, zero fields omitted (omitempty); reading accepts
/// any key order, ignores unknown keys and treats missing or null keys as zero, as Go's decoder does.
/// </summary>
public sealed class SlotJsonConverter : JsonConverter<Slot>
{
    /// <inheritdoc />
    public override Slot Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a slot must be a JSON object, got {reader.TokenType}");
        }
        var id = 0;
        var locked = false;
        string backend = "", from = "";
        int backendGroup = 0, fromGroup = 0, method = 0;
        IReadOnlyList<IReadOnlyList<string>> replicas = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString();
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }
            switch (key)
            {
                case "id": id = reader.GetInt32(); break;
                case "locked": locked = reader.GetBoolean(); break;
                case "backend_addr": backend = reader.GetString() ?? ""; break;
                case "backend_addr_group_id": backendGroup = reader.GetInt32(); break;
                case "migrate_from": from = reader.GetString() ?? ""; break;
                case "migrate_from_group_id": fromGroup = reader.GetInt32(); break;
                case "forward_method": method = reader.GetInt32(); break;
                case "replica_groups": replicas = ReadGroups(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new Slot
        {
            Id = id,
            Locked = locked,
            BackendAddr = backend,
            BackendAddrGroupId = backendGroup,
            MigrateFrom = from,
            MigrateFromGroupId = fromGroup,
            ForwardMethod = method,
            ReplicaGroups = replicas,
        };
    }

    private static List<IReadOnlyList<string>> ReadGroups(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("replica_groups must be an array of arrays of strings");
        }
        var groups = new List<IReadOnlyList<string>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var group = new List<string>();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    group.Add(reader.GetString() ?? "");
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                throw new JsonException("replica_groups must be an array of arrays of strings");
            }
            groups.Add(group);
        }
        return groups;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Slot value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", value.Id);
        if (value.Locked)
        {
            writer.WriteBoolean("locked", true);
        }
        if (value.BackendAddr.Length > 0)
        {
            writer.WriteString("backend_addr", value.BackendAddr);
        }
        if (value.BackendAddrGroupId != 0)
        {
            writer.WriteNumber("backend_addr_group_id", value.BackendAddrGroupId);
        }
        if (value.MigrateFrom.Length > 0)
        {
            writer.WriteString("migrate_from", value.MigrateFrom);
        }
        if (value.MigrateFromGroupId != 0)
        {
            writer.WriteNumber("migrate_from_group_id", value.MigrateFromGroupId);
        }
        if (value.ForwardMethod != 0)
        {
            writer.WriteNumber("forward_method", value.ForwardMethod);
        }
        if (value.ReplicaGroups.Count > 0)
        {
            writer.WritePropertyName("replica_groups");
            writer.WriteStartArray();
            foreach (var group in value.ReplicaGroups)
            {
                writer.WriteStartArray();
                foreach (var addr in group)
                {
                    writer.WriteStringValue(addr);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
