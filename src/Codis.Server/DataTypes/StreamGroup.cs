namespace Codis.Server.DataTypes;

/// <summary>A pending (delivered, not acknowledged) entry of a consumer group (Redis's streamNACK).</summary>
public sealed class PendingEntry(StreamConsumer consumer, long deliveryTime, long deliveryCount)
{
    /// <summary>The consumer it was last delivered to.</summary>
    public StreamConsumer Consumer { get; set; } = consumer;

    /// <summary>Unix milliseconds of the last delivery.</summary>
    public long DeliveryTime { get; set; } = deliveryTime;

    /// <summary>How many times it was delivered.</summary>
    public long DeliveryCount { get; set; } = deliveryCount;
}

/// <summary>A consumer of a group (Redis 7.0's streamConsumer: a name, a seen time and its own PEL).</summary>
public sealed class StreamConsumer(byte[] name, long seenTime)
{
    /// <summary>The consumer's name.</summary>
    public byte[] Name { get; } = name;

    /// <summary>Unix milliseconds of its last activity.</summary>
    public long SeenTime { get; set; } = seenTime;

    /// <summary>The entries pending for this consumer, shared with the group's PEL.</summary>
    public SortedList<StreamId, PendingEntry> Pending { get; } = [];
}

/// <summary>A consumer group: its last delivered ID, its read counter, its PEL and its consumers.</summary>
public sealed class StreamGroup(StreamId lastId, long entriesRead)
{
    /// <summary>The value of <see cref="EntriesRead"/> when unknown (Redis's SCG_INVALID_ENTRIES_READ).</summary>
    public const long InvalidEntriesRead = -1;

    /// <summary>The last ID delivered to the group.</summary>
    public StreamId LastId { get; set; } = lastId;

    /// <summary>The logical read counter, or <see cref="InvalidEntriesRead"/>.</summary>
    public long EntriesRead { get; set; } = entriesRead;

    /// <summary>Every pending entry of the group, by ID.</summary>
    public SortedList<StreamId, PendingEntry> Pending { get; } = [];

    /// <summary>Consumers by name, in name order.</summary>
    public SortedDictionary<byte[], StreamConsumer> Consumers { get; } = new(ByteOrder.Instance);

    /// <summary>The consumer named <paramref name="name"/>, or null.</summary>
    public StreamConsumer? FindConsumer(byte[] name) => Consumers.TryGetValue(name, out StreamConsumer? c) ? c : null;

    /// <summary>Index in <paramref name="pel"/> of the first ID ≥ <paramref name="id"/>.</summary>
    public static int LowerBound(SortedList<StreamId, PendingEntry> pel, StreamId id)
    {
        IList<StreamId> keys = pel.Keys;
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>A deep copy (COPY): consumers and a PEL whose entries the consumers share again.</summary>
    public StreamGroup DeepCopy()
    {
        var copy = new StreamGroup(LastId, EntriesRead);
        foreach ((byte[] name, StreamConsumer c) in Consumers)
            copy.Consumers.Add(name, new StreamConsumer(name, c.SeenTime));
        foreach ((StreamId id, PendingEntry p) in Pending)
        {
            StreamConsumer owner = copy.Consumers[p.Consumer.Name];
            var nack = new PendingEntry(owner, p.DeliveryTime, p.DeliveryCount);
            copy.Pending.Add(id, nack);
            owner.Pending.Add(id, nack);
        }
        return copy;
    }

    /// <summary>Approximate bytes used.</summary>
    public long MemoryUsage()
    {
        long bytes = 64 + 48L * Pending.Count;
        foreach (StreamConsumer c in Consumers.Values)
            bytes += 64 + c.Name.Length + 16L * c.Pending.Count;
        return bytes;
    }
}
