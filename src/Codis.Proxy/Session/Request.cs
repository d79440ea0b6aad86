using System.Buffers.Text;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Session;

/// <summary>
/// One request on its way through the proxy: the client's bytes (always as a RESP multibulk, inline
/// requests are re-encoded), the positions of its arguments, and later the backend's reply bytes or an
/// error. Sessions recycle these objects, so the buffers are reused and the steady state allocates nothing.
/// Internal requests (keep-alive, migration steps) have no session and a completion callback instead.
/// </summary>
internal sealed class Request
{
    private const int KeepBufferLimit = 64 * 1024;
    private int _remaining;
    private volatile bool _done;

    /// <summary>The request as a multibulk, bytes 0..<see cref="Length"/>.</summary>
    public byte[] Buffer = new byte[256];

    /// <summary>Bytes used in <see cref="Buffer"/>.</summary>
    public int Length;

    /// <summary>Start of argument i in <see cref="Buffer"/>.</summary>
    public int[] ArgOffsets = new int[8];

    /// <summary>Length of argument i.</summary>
    public int[] ArgLengths = new int[8];

    /// <summary>Number of arguments (the command name included).</summary>
    public int ArgCount;

    /// <summary>The resolved command.</summary>
    public OpInfo Op = null!;

    /// <summary>Session that waits for the reply; null for internal requests.</summary>
    public Session? Owner;

    /// <summary>The multi-key request this is one part of.</summary>
    public Request? Parent;

    /// <summary>Database of the session when the request arrived.</summary>
    public int Db;

    /// <summary>Slot the request is dispatched to; -1 before dispatch or when it has none.</summary>
    public int Slot = -1;

    /// <summary>Pseudo-random 16-bit value that spreads requests over parallel and replica connections.</summary>
    public int Seed;

    /// <summary>True when the routing key is present and non-empty (the migration step needs one).</summary>
    public bool HasKey;

    /// <summary>Timestamp (Stopwatch ticks) of decoding, for per-command latency.</summary>
    public long StartTicks;

    /// <summary>The reply bytes, 0..<see cref="ReplyLength"/>, when <see cref="Error"/> is null.</summary>
    public byte[] Reply = new byte[64];

    /// <summary>Bytes used in <see cref="Reply"/>.</summary>
    public int ReplyLength;

    /// <summary>Proxy-generated failure; written as <c>-ERR handle request, E</c> or <c>-ERR handle response, E</c>.</summary>
    public string? Error;

    /// <summary>True when <see cref="Error"/> arose while handling (dispatching) the request.</summary>
    public bool ErrorIsRequest;

    /// <summary>
    /// The slots whose in-flight counters this request holds, released on completion: one for a request
    /// forwarded to its slot, several for a part of a multi-key command that carries keys of several slots.
    /// </summary>
    public Routing.SlotState[] RefSlots = new Routing.SlotState[1];

    /// <summary>Entries used in <see cref="RefSlots"/>.</summary>
    public int RefSlotCount;

    /// <summary>Keys (MSET: pairs) this part of a split command carries.</summary>
    public int PartCount = 1;

    /// <summary>For a split command: the index in <see cref="Subs"/> of the part that carries key i (the merge keeps the client's order).</summary>
    public int[] PartGroup = [];

    /// <summary>Sub-requests of a split command.</summary>
    public Request[] Subs = [];

    /// <summary>Number of sub-requests in <see cref="Subs"/>.</summary>
    public int SubCount;

    /// <summary>Completion hook of internal requests (migration steps); runs instead of notifying a session.</summary>
    public Action<Request>? Callback;

    /// <summary>Any state the <see cref="Callback"/> needs.</summary>
    public object? CallbackState;

    /// <summary>Retries of a semi-async migration step so far.</summary>
    public int MigrationLoop;

    /// <summary>True while the router has the request (held or in a migration step); guarded by the session.</summary>
    public bool InRouter;

    /// <summary>True while the request is in its session's dispatch list; guarded by the session.</summary>
    public bool InDeferred;

    /// <summary>The writer is done with it but the dispatch list still holds it: recycle on removal.</summary>
    public bool ReturnPending;

    /// <summary>True once the reply (or error) is final.</summary>
    public bool IsDone => _done;

    /// <summary>Argument i.</summary>
    public ReadOnlySpan<byte> Arg(int i) => Buffer.AsSpan(ArgOffsets[i], ArgLengths[i]);

    /// <summary>The whole request.</summary>
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

    /// <summary>Prepares a recycled request for new content.</summary>
    public void Reset()
    {
        if (Buffer.Length > KeepBufferLimit)
        {
            Buffer = new byte[256];
        }
        if (Reply.Length > KeepBufferLimit)
        {
            Reply = new byte[64];
        }
        if (ArgOffsets.Length > 1024)
        {
            ArgOffsets = new int[8];
            ArgLengths = new int[8];
        }
        Length = 0;
        ArgCount = 0;
        Parent = null;
        Slot = -1;
        HasKey = false;
        ReplyLength = 0;
        Error = null;
        ErrorIsRequest = false;
        RefSlotCount = 0;
        PartCount = 1;
        SubCount = 0;
        Callback = null;
        CallbackState = null;
        MigrationLoop = 0;
        InRouter = false;
        InDeferred = false;
        ReturnPending = false;
        _remaining = 0;
        _done = false;
    }

    /// <summary>Makes room for <paramref name="count"/> arguments.</summary>
    public void EnsureArgs(int count)
    {
        if (ArgOffsets.Length < count)
        {
            var n = Math.Max(count, ArgOffsets.Length * 2);
            ArgOffsets = new int[n];
            ArgLengths = new int[n];
        }
    }

    /// <summary>Makes room for <paramref name="bytes"/> request bytes, keeping the current ones.</summary>
    public void EnsureBuffer(int bytes)
    {
        if (Buffer.Length < bytes)
        {
            Array.Resize(ref Buffer, Math.Max(bytes, Buffer.Length * 2));
        }
    }

    /// <summary>Records one more slot whose in-flight counter this request holds.</summary>
    public void AddRefSlot(Routing.SlotState slot)
    {
        if (RefSlotCount == RefSlots.Length)
        {
            Array.Resize(ref RefSlots, Math.Max(4, RefSlots.Length * 2));
        }
        RefSlots[RefSlotCount++] = slot;
    }

    /// <summary>Appends raw bytes to the request.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureBuffer(Length + bytes.Length);
        bytes.CopyTo(Buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends a multibulk or bulk header: <paramref name="kind"/> n CRLF.</summary>
    public void AppendHeader(byte kind, long n)
    {
        EnsureBuffer(Length + 24);
        Buffer[Length++] = kind;
        Utf8Formatter.TryFormat(n, Buffer.AsSpan(Length), out var w);
        Length += w;
        Buffer[Length++] = (byte)'\r';
        Buffer[Length++] = (byte)'\n';
    }

    /// <summary>Appends one bulk string and records it as the next argument.</summary>
    public void AppendArg(ReadOnlySpan<byte> value)
    {
        AppendHeader((byte)'$', value.Length);
        EnsureArgs(ArgCount + 1);
        ArgOffsets[ArgCount] = Length;
        ArgLengths[ArgCount] = value.Length;
        ArgCount++;
        Append(value);
        Append("\r\n"u8);
    }

    /// <summary>Stores the backend's reply (called once, by the connection that answered).</summary>
    public void SetReply(ReadOnlySpan<byte> reply)
    {
        if (Reply.Length < reply.Length)
        {
            Reply = new byte[Math.Max(reply.Length, Reply.Length * 2)];
        }
        reply.CopyTo(Reply);
        ReplyLength = reply.Length;
    }

    /// <summary>The reply so far.</summary>
    public ReadOnlySpan<byte> ReplySpan => Reply.AsSpan(0, ReplyLength);

    /// <summary>Sets the number of parts that must finish before a split request is complete.</summary>
    public void SetPending(int parts) => Volatile.Write(ref _remaining, parts);

    /// <summary>Completes the request with the reply stored by <see cref="SetReply"/>.</summary>
    public void Complete() => Finish();

    /// <summary>Completes with a transport error (<c>-ERR handle response, E</c>).</summary>
    public void FailResponse(string error)
    {
        Error = error;
        ErrorIsRequest = false;
        Finish();
    }

    /// <summary>Completes with a handling error (<c>-ERR handle request, E</c>).</summary>
    public void FailRequest(string error)
    {
        Error = error;
        ErrorIsRequest = true;
        Finish();
    }

    /// <summary>One part of a split request (or the split itself) finished.</summary>
    public void PartDone()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            MarkDone();
        }
    }

    private void Finish()
    {
        for (var i = 0; i < RefSlotCount; i++)
        {
            RefSlots[i].Release();
        }
        RefSlotCount = 0;
        if (Callback is not null)
        {
            Callback(this);
            return;
        }
        if (Parent is not null)
        {
            Parent.PartDone();
            return;
        }
        MarkDone();
    }

    private void MarkDone()
    {
        _done = true;
        Owner?.OnRequestDone();
    }
}
