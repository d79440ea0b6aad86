using System.Text;

namespace Codis.TestSupport;

/// <summary>Thrown when the reference server and ours answer differently.</summary>
public sealed class DifferentialMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DifferentialMismatchException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Sends the same commands to Debian's redis-server and to our server and asserts that the replies are
/// byte-for-byte equal; on a difference the message shows the command and both replies, rendered like
/// redis-cli and as raw protocol.
/// </summary>
public sealed class DifferentialAssert
{
    /// <summary>Compares replies of <paramref name="redis"/> (the reference) and <paramref name="codis"/>.</summary>
    public DifferentialAssert(RespConnection redis, RespConnection codis)
    {
        Redis = redis;
        Codis = codis;
    }

    /// <summary>The reference connection.</summary>
    public RespConnection Redis { get; }

    /// <summary>The connection under test.</summary>
    public RespConnection Codis { get; }

    /// <summary>Sends <paramref name="command"/> to both; asserts equal raw replies; returns the reply.</summary>
    public byte[] Same(params string[] command) => SameBytes(ToBytes(command));

    /// <summary>Binary-argument form of <see cref="Same"/>.</summary>
    public byte[] SameBytes(params byte[][] command)
    {
        (byte[] expected, byte[] actual) = Both(command);
        if (!expected.AsSpan().SequenceEqual(actual))
            throw Mismatch("Replies differ", command, expected, actual);
        return expected;
    }

    /// <summary>Runs <see cref="Same"/> for each command in order; stops at the first difference.</summary>
    public void SameSequence(params string[][] commands) => SameSequence((IEnumerable<string[]>)commands);

    /// <summary>Runs <see cref="Same"/> for each command in order; stops at the first difference.</summary>
    public void SameSequence(IEnumerable<string[]> commands)
    {
        int index = 0;
        foreach (string[] command in commands)
        {
            try
            {
                Same(command);
            }
            catch (DifferentialMismatchException e)
            {
                throw new DifferentialMismatchException($"Command #{index} of the sequence: {e.Message}", e);
            }
            index++;
        }
    }

    /// <summary>
    /// Like <see cref="Same"/> for replies whose order is unspecified (SMEMBERS, HGETALL, KEYS): the
    /// top-level elements (pairs, for a RESP3 map) are compared as sorted raw bytes; any other reply must
    /// be equal as is. Returns Redis's reply.
    /// </summary>
    public byte[] SameUnordered(params string[] command)
    {
        byte[][] args = ToBytes(command);
        (byte[] expected, byte[] actual) = Both(args);
        if (!Canonical(expected).AsSpan().SequenceEqual(Canonical(actual)))
            throw Mismatch("Replies differ (compared unordered)", args, expected, actual);
        return expected;
    }

    /// <summary>
    /// Sends the same raw bytes (pipelines, inline or malformed requests) to both, reads
    /// <paramref name="replies"/> replies from each and asserts they are equal; with
    /// <paramref name="thenClosed"/> also asserts whether both servers closed the connection afterwards.
    /// </summary>
    public void SameRaw(byte[] payload, int replies, bool? thenClosed = null)
    {
        Redis.SendRaw(payload);
        Codis.SendRaw(payload);
        byte[][] label = [Encoding.Latin1.GetBytes("<raw>"), payload];
        for (int i = 0; i < replies; i++)
        {
            (byte[] expected, byte[] actual) = ReadBoth(label);
            if (!expected.AsSpan().SequenceEqual(actual))
                throw Mismatch($"Reply #{i} differs", label, expected, actual);
        }
        if (thenClosed is bool closed)
        {
            bool redisClosed = Redis.IsClosedByServer(TimeSpan.FromSeconds(closed ? 2 : 0.2));
            bool codisClosed = Codis.IsClosedByServer(TimeSpan.FromSeconds(closed ? 2 : 0.2));
            if (redisClosed != closed || codisClosed != closed)
            {
                throw new DifferentialMismatchException(
                    $"After {RespRender.Escape(payload)}: expected closed={closed}; redis closed={redisClosed}, codis closed={codisClosed}");
            }
        }
    }

    private (byte[] Expected, byte[] Actual) Both(byte[][] command)
    {
        Redis.SendRaw(RespConnection.Encode(command));
        Codis.SendRaw(RespConnection.Encode(command));
        return ReadBoth(command);
    }

    private (byte[] Expected, byte[] Actual) ReadBoth(byte[][] command)
    {
        byte[]? expected = null;
        byte[]? actual = null;
        Exception? redisError = null;
        Exception? codisError = null;
        try
        {
            expected = Redis.ReadReply();
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException)
        {
            redisError = e;
        }
        try
        {
            actual = Codis.ReadReply();
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException)
        {
            codisError = e;
        }
        if (redisError is not null || codisError is not null)
        {
            throw new DifferentialMismatchException(
                $"No reply to compare for {RespRender.Command(command)}\n"
                + $"  redis: {(redisError is null ? Describe(expected!, 9) : "<" + redisError.Message + ">")}\n"
                + $"  codis: {(codisError is null ? Describe(actual!, 9) : "<" + codisError.Message + ">")}",
                codisError ?? redisError);
        }
        return (expected!, actual!);
    }

    private static byte[] Canonical(byte[] reply)
    {
        List<byte[]>? elements = RespReader.SplitAggregate(reply, out byte[] header);
        if (elements is null)
            return reply;
        List<byte[]> units = elements;
        if (header[header.Length - 3 - CountDigits(header)] == (byte)'%')
            units = [.. Enumerable.Range(0, elements.Count / 2).Select(i => (byte[])[.. elements[2 * i], .. elements[(2 * i) + 1]])];
        units.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var ms = new MemoryStream();
        ms.Write(header);
        foreach (byte[] u in units)
            ms.Write(u);
        return ms.ToArray();
    }

    // Digits of the count at the end of an aggregate header "...%12\r\n".
    private static int CountDigits(byte[] header)
    {
        int n = 0;
        for (int i = header.Length - 3; i >= 0 && header[i] is >= (byte)'0' and <= (byte)'9'; i--)
            n++;
        return n;
    }

    private static DifferentialMismatchException Mismatch(string what, byte[][] command, byte[] expected, byte[] actual)
        => new($"{what} for {RespRender.Command(command)}\n  redis: {Describe(expected, 9)}\n  codis: {Describe(actual, 9)}");

    private static string Describe(byte[] reply, int indent)
    {
        string rendered = RespRender.Render(reply).Replace("\n", "\n" + new string(' ', indent), StringComparison.Ordinal);
        string raw = RespRender.Escape(reply.Length > 400 ? reply.AsSpan(0, 400) : reply);
        return $"{rendered}\n{new string(' ', indent)}raw {raw}{(reply.Length > 400 ? "..." : "")}";
    }

    private static byte[][] ToBytes(string[] args) => [.. args.Select(Encoding.UTF8.GetBytes)];
}
