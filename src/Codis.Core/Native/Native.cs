using System.Runtime.InteropServices;

namespace Codis.Core.Native;

/// <summary>
/// The few Linux system calls the event loops of codis-server and codis-proxy make directly (epoll, eventfd, read, write, accept4,
/// close, shutdown). Blittable signatures only, so each call is a plain native call with no marshalling.
/// </summary>
internal static partial class Native
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;

    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>True where <see cref="EpollEvent"/>'s layout is the kernel's (x86-64 packs it to 12 bytes).</summary>
    public static bool Supported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, ref EpollEvent ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, ref EpollEvent events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int fd, nint address, nint addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    /// <summary>The errno of the last failed call.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();
}

/// <summary>struct epoll_event as x86-64 Linux lays it out (packed: 4-byte events, 8-byte data).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
