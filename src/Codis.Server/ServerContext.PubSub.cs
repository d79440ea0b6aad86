using Codis.Core.Text;
using Codis.Server.Clients;
using Codis.Server.DataTypes;

namespace Codis.Server;

/// <summary>Pub/sub state: channel and pattern subscribers, and PUBLISH delivery.</summary>
public sealed partial class ServerContext
{
    private readonly Dictionary<byte[], List<Client>> _channels = new(ByteArrayComparer.Instance);
    private readonly List<(byte[] Pattern, Client Client)> _patterns = [];

    /// <summary>Channels with at least one subscriber.</summary>
    public IEnumerable<byte[]> ActiveChannels => _channels.Keys;

    /// <summary>Number of pattern subscriptions (PUBSUB NUMPAT counts unique patterns).</summary>
    public int PatternCount => _patterns.Select(p => p.Pattern).Distinct(ByteArrayComparer.Instance).Count();

    /// <summary>Number of channels with subscribers.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Number of subscribers of <paramref name="channel"/>.</summary>
    public int SubscriberCount(byte[] channel) => _channels.TryGetValue(channel, out List<Client>? l) ? l.Count : 0;

    /// <summary>Subscribes; false when already subscribed.</summary>
    public bool Subscribe(Client client, byte[] channel)
    {
        if (!client.Channels.Add(channel))
            return false;
        if (!_channels.TryGetValue(channel, out List<Client>? list))
            _channels[channel] = list = [];
        list.Add(client);
        return true;
    }

    /// <summary>Unsubscribes; false when not subscribed.</summary>
    public bool Unsubscribe(Client client, byte[] channel)
    {
        if (!client.Channels.Remove(channel))
            return false;
        if (_channels.TryGetValue(channel, out List<Client>? list))
        {
            list.Remove(client);
            if (list.Count == 0)
                _channels.Remove(channel);
        }
        return true;
    }

    /// <summary>Subscribes to a pattern; false when already subscribed.</summary>
    public bool PSubscribe(Client client, byte[] pattern)
    {
        if (!client.Patterns.Add(pattern))
            return false;
        _patterns.Add((pattern, client));
        return true;
    }

    /// <summary>Unsubscribes from a pattern; false when not subscribed.</summary>
    public bool PUnsubscribe(Client client, byte[] pattern)
    {
        if (!client.Patterns.Remove(pattern))
            return false;
        int i = _patterns.FindIndex(p => ReferenceEquals(p.Client, client) && p.Pattern.AsSpan().SequenceEqual(pattern));
        if (i >= 0)
            _patterns.RemoveAt(i);
        return true;
    }

    /// <summary>Delivers a message to channel and pattern subscribers; returns how many received it.</summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        int receivers = 0;
        if (_channels.Count > 0 && _channels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out List<Client>? list))
        {
            foreach (Client c in list)
            {
                PushTo(c, "message"u8, channel, message);
                receivers++;
            }
        }
        foreach ((byte[] pattern, Client c) in _patterns)
        {
            if (Glob.Match(pattern, channel))
            {
                PushTo(c, "pmessage"u8, pattern, channel, message, three: true);
                receivers++;
            }
        }
        return receivers;
    }
}
