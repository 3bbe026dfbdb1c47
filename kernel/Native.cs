using System.Runtime.InteropServices;

namespace NotifierSpec.Kernel;

/// <summary>The native part (native/kvmguest.c, built by gcc at build time as libkvmguest.so).</summary>
internal static unsafe partial class Native
{
    private const string Lib = "kvmguest";

    public const int Ok = 0, NoKvm = 1, NoPermission = 2, NoApi = 3, NoStats = 4;

    [LibraryImport(Lib, EntryPoint = "kg_open", StringMarshalling = StringMarshalling.Utf8)] public static partial int Open(ulong baseAddress, int pages, string device);
    [LibraryImport(Lib, EntryPoint = "kg_open_host")] public static partial int OpenHost(ulong baseAddress, int pages);
    [LibraryImport(Lib, EntryPoint = "kg_error")] public static partial IntPtr Error();
    [LibraryImport(Lib, EntryPoint = "kg_close")] public static partial void Close();
    [LibraryImport(Lib, EntryPoint = "kg_stats")] public static partial int Stats(out ulong insnEmulation, out ulong pfFixed, out ulong exits, out ulong mmio);
    [LibraryImport(Lib, EntryPoint = "kg_guest_access")] public static partial int GuestAccess(int page, int write, ulong value, out ulong result);
    [LibraryImport(Lib, EntryPoint = "kg_host_read")] public static partial int HostRead(int page, out ulong value);
    [LibraryImport(Lib, EntryPoint = "kg_host_write")] public static partial int HostWrite(int page, ulong value);
    [LibraryImport(Lib, EntryPoint = "kg_mmap")] public static partial int Mmap(int start, int end, int prot, int shared, int noReplace);
    [LibraryImport(Lib, EntryPoint = "kg_munmap")] public static partial int Munmap(int start, int end);
    [LibraryImport(Lib, EntryPoint = "kg_mprotect")] public static partial int Mprotect(int start, int end, int prot);
    [LibraryImport(Lib, EntryPoint = "kg_mremap")] public static partial int Mremap(int start, int end, int newStart);
    [LibraryImport(Lib, EntryPoint = "kg_mremap_dontunmap")] public static partial int MremapDontunmap(int start, int end, int newStart);
    [LibraryImport(Lib, EntryPoint = "kg_madvise")] public static partial int Madvise(int start, int end, int advice);
    [LibraryImport(Lib, EntryPoint = "kg_mlock")] public static partial int Mlock(int start, int end);
    [LibraryImport(Lib, EntryPoint = "kg_munlock")] public static partial int Munlock(int start, int end);
    [LibraryImport(Lib, EntryPoint = "kg_clear_refs")] public static partial int ClearRefs(int what);
    [LibraryImport(Lib, EntryPoint = "kg_pagemap")] public static partial int Pagemap(int child, int start, int end, ulong* entries);
    /// <summary>The shared zero page's pfn (0: not found); readFault: the pfn a read fault of a fresh private anonymous page mapped
    /// (0: pagemap shows no pfns). They differ where the kernel maps no zero page on a read fault.</summary>
    [LibraryImport(Lib, EntryPoint = "kg_zero_pfn")] public static partial ulong ZeroPfn(out ulong readFault);
    [LibraryImport(Lib, EntryPoint = "kg_fork")] public static partial int Fork();
    [LibraryImport(Lib, EntryPoint = "kg_child_pid")] public static partial int ChildPid(int child);
    [LibraryImport(Lib, EntryPoint = "kg_child_read")] public static partial int ChildRead(int child, int page, out ulong value);
    [LibraryImport(Lib, EntryPoint = "kg_child_write")] public static partial int ChildWrite(int child, int page, uint value);
    [LibraryImport(Lib, EntryPoint = "kg_reap_children")] public static partial void ReapChildren();

    [LibraryImport(Lib, EntryPoint = "kg_drain_lru")] public static partial int DrainLru(int page);
    [LibraryImport(Lib, EntryPoint = "kg_swapon", StringMarshalling = StringMarshalling.Utf8)] public static partial int Swapon(string path);
    [LibraryImport(Lib, EntryPoint = "kg_swapoff", StringMarshalling = StringMarshalling.Utf8)] public static partial int Swapoff(string path);
    [LibraryImport(Lib, EntryPoint = "kg_kpageflags")] public static partial ulong Kpageflags(ulong pfn);
    [LibraryImport(Lib, EntryPoint = "kg_uffd_open")] public static partial int UffdOpen(out ulong features);
    /// <summary>kind: 0 UFFDIO_REGISTER (MODE_WP), 1 UFFDIO_UNREGISTER, 2 UFFDIO_WRITEPROTECT (MODE_WP), 3 UFFDIO_WRITEPROTECT mode 0.</summary>
    [LibraryImport(Lib, EntryPoint = "kg_uffd_ioctl")] public static partial int UffdIoctl(int kind, int start, int end);
    public const int UffdRegister = 0, UffdUnregister = 1, UffdWriteProtect = 2, UffdUnprotect = 3;
    /// <summary>UFFDIO_MOVE mode 0 of pages [src, src + len) to [dst, dst + len): 0 or errno; moved: the ioctl's `move` (bytes, or -errno).</summary>
    [LibraryImport(Lib, EntryPoint = "kg_uffd_move")] public static partial int UffdMove(int src, int dst, int len, out long moved);
    [LibraryImport(Lib, EntryPoint = "kg_uffd_counts")] public static partial void UffdCounts(out ulong resolved, out ulong unexpected);

    [LibraryImport(Lib, EntryPoint = "kg_mount_tracefs", StringMarshalling = StringMarshalling.Utf8)] public static partial int MountTracefs(string path);
    [LibraryImport(Lib, EntryPoint = "kg_umount", StringMarshalling = StringMarshalling.Utf8)] public static partial int Umount(string path);

    [LibraryImport(Lib, EntryPoint = "kg_truncate", StringMarshalling = StringMarshalling.Utf8)] public static partial int Truncate(string path);

    [LibraryImport(Lib, EntryPoint = "kg_drain", StringMarshalling = StringMarshalling.Utf8)] public static partial int Drain(string path, byte* buffer, int length);

    public static string LastError => Marshal.PtrToStringUTF8(Error()) ?? "";

    // linux-7.2 include/uapi/asm-generic/mman-common.h
    public const int MADV_DONTNEED = 4, MADV_FREE = 8, MADV_PAGEOUT = 21, MADV_COLLAPSE = 25;
}
