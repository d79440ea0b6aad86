using System.Text.Json;
using Codis.Core.Topology;

namespace Codis.Core.Tests.Topology;

public sealed class SlotJsonTests
{
    [Fact]
    public void Serialize_ZeroFields_OnlyId()
    {
        Assert.Equal("""{"id":7}""", JsonSerializer.Serialize(new Slot { Id = 7 }));
    }

    [Fact]
    public void Serialize_AllFields_CodisKeyOrder()
    {
        var slot = new Slot
        {
            Id = 3,
            Locked = true,
            BackendAddr = "192.0.2.12:7380",
            BackendAddrGroupId = 2,
            MigrateFrom = "192.0.2.11:7379",
            MigrateFromGroupId = 1,
            ForwardMethod = 1,
            ReplicaGroups = [["a:1", "b:2"], ["c:3"]],
        };
        Assert.Equal(
            """{"id":3,"locked":true,"backend_addr":"192.0.2.12:7380","backend_addr_group_id":2,"migrate_from":"192.0.2.11:7379","migrate_from_group_id":1,"forward_method":1,"replica_groups":[["a:1","b:2"],["c:3"]]}""",
            JsonSerializer.Serialize(slot));
    }

    [Fact]
    public void Deserialize_AnyOrderUnknownKeysNulls_Accepted()
    {
        var slot = JsonSerializer.Deserialize<Slot>(
            """{"backend_addr":"h:1","extra":{"x":[1,2]},"id":12,"migrate_from":null,"replica_groups":[["r:1"]],"locked":false}""");
        Assert.Equal(new Slot { Id = 12, BackendAddr = "h:1", ReplicaGroups = [["r:1"]] }, slot);
    }

    [Fact]
    public void RoundTrip_List_EqualValues()
    {
        Slot[] slots = [new Slot { Id = 0 }, new Slot { Id = 1, BackendAddr = "h:2", ForwardMethod = 1, ReplicaGroups = [["x:1"]] }];
        var back = JsonSerializer.Deserialize<List<Slot>>(JsonSerializer.Serialize(slots));
        Assert.Equal(slots, back);
    }

    [Fact]
    public void Deserialize_NotAnObject_JsonException()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Slot>("[1]"));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Slot>("""{"replica_groups":"x"}"""));
    }
}
