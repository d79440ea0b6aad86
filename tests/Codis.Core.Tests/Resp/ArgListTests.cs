using Codis.Core.Resp;

namespace Codis.Core.Tests.Resp;

public class ArgListTests
{
    [Fact]
    public void Add_MoreThanInitialCapacity_KeepsAll()
    {
        var buffer = new byte[100];
        for (int i = 0; i < buffer.Length; i++)
            buffer[i] = (byte)i;
        var args = new ArgList();
        args.Reset(buffer);
        for (int i = 0; i < 40; i++)
            args.Add(i, 2);
        Assert.Equal(40, args.Count);
        Assert.Equal(new byte[] { 39, 40 }, args.ToArray(39));
        Assert.Equal(2, args.Length(17));
        Assert.Equal(new byte[] { 17, 18 }, args.Memory(17).ToArray());
    }

    [Fact]
    public void Set_Arguments_CopiedIntoOwnBuffer()
    {
        var args = new ArgList();
        byte[] a = "GET"u8.ToArray();
        args.Set(a, "k"u8.ToArray(), []);
        a[0] = (byte)'X';
        Assert.Equal(3, args.Count);
        Assert.Equal("GET"u8.ToArray(), args.ToArray(0));
        Assert.Equal("k"u8.ToArray(), args.ToArray(1));
        Assert.Equal(0, args.Length(2));
    }

    [Fact]
    public void Detach_SourceBufferReused_CopyUnchanged()
    {
        byte[] buffer = "SET k v"u8.ToArray();
        var args = new ArgList();
        args.Reset(buffer);
        args.Add(0, 3);
        args.Add(4, 1);
        args.Add(6, 1);
        ArgList copy = args.Detach();
        buffer.AsSpan().Fill((byte)'!');
        Assert.NotSame(buffer, copy.Buffer);
        Assert.Equal(3, copy.Count);
        Assert.Equal("SET"u8.ToArray(), copy.ToArray(0));
        Assert.Equal("v"u8.ToArray(), copy.ToArray(2));
    }

    [Fact]
    public void Shift_BufferCompacted_ViewsFollow()
    {
        byte[] buffer = "xxGET"u8.ToArray();
        var args = new ArgList();
        args.Reset(buffer);
        args.Add(2, 3);
        Buffer.BlockCopy(buffer, 2, buffer, 0, 3);
        args.Shift(-2);
        Assert.Equal("GET"u8.ToArray(), args.ToArray(0));
    }

    [Fact]
    public void CopyFrom_OtherList_SameViews()
    {
        var source = new ArgList();
        source.Set("a"u8.ToArray(), "bc"u8.ToArray());
        var target = new ArgList();
        target.Set("zzz"u8.ToArray());
        target.CopyFrom(source);
        Assert.Same(source.Buffer, target.Buffer);
        Assert.Equal(2, target.Count);
        Assert.Equal("bc"u8.ToArray(), target.ToArray(1));
    }
}
