// kvmguest.c: a tiny KVM guest whose memory is a host mapping the harness controls, and the host
// operations run on that mapping (NotifierSpec.Kernel, `notifier kernel`). Built by gcc at build time
// (kernel/NotifierSpec.Kernel.csproj) and loaded through DllImport; no prebuilt binary.
//
// Layout. The region under test is KG_MAX_PAGES host pages at a fixed host address (kg_base), mapped by the
// harness with MAP_FIXED; KVM memslot 1 maps it at guest-physical KG_REGION_GPA. Memslot 0 (a private,
// MADV_DONTFORK mapping) holds the guest's page tables, GDT and code. The guest runs 64-bit at CPL3 (user
// segments, U=1 page tables) so its data accesses go natively through KVM's shadow MMU (PVM backend; see
// /work/shared/live-kernel.md). It talks to the host through MMIO on an unbacked guest-physical page:
// a read of CMD returns (address | write bit), a read of VAL the value to write, a write of RES the result.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define KG_MAX_PAGES 1024
#define KG_MAX_CHILDREN 8
#define SLOT0_SIZE (64 * 1024UL)
#define KG_REGION_GPA 0x400000UL // 2 MiB-aligned; the guest maps 4-8 MiB with two 2 MiB pages (PD[2], PD[3])
#define KG_MMIO_GPA 0x1f0000UL
#define GUEST_CODE_GPA 0x8000UL
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39 // include/uapi/linux/kvm.h (6.8+); older headers lack it
#endif

// result codes of kg_open
#define KG_OK 0
#define KG_NO_KVM 1      // /dev/kvm missing
#define KG_NO_PERM 2     // /dev/kvm not accessible
#define KG_NO_API 3      // KVM API unusable (version, VM/vCPU creation, 64-bit CPL3 set-up)
#define KG_NO_STATS 4    // no binary vCPU statistics (KVM_GET_STATS_FD) or no insn_emulation/pf_fixed

// The guest's code, assembled by gcc with this file: the command loop described above.
extern const unsigned char kg_guest_code[], kg_guest_code_end[];
__asm__(
    ".pushsection .rodata\n"
    ".globl kg_guest_code\n"
    ".globl kg_guest_code_end\n"
    "kg_guest_code:\n"
    "1: mov $0x1f0000, %esi\n"      // KG_MMIO_GPA
    "   mov (%rsi), %rbx\n"         // MMIO read: command
    "   mov %rbx, %rcx\n"
    "   and $1, %rcx\n"
    "   xor %rcx, %rbx\n"
    "   test %rcx, %rcx\n"
    "   jnz 2f\n"
    "   mov (%rbx), %rax\n"         // the data read (native, through the shadow MMU)
    "   mov %rax, 8(%rsi)\n"        // MMIO write: result
    "   jmp 1b\n"
    "2: mov 16(%rsi), %rax\n"       // MMIO read: value
    "   mov %rax, (%rbx)\n"         // the data write (native)
    "   mov %rax, 8(%rsi)\n"        // MMIO write: done
    "   jmp 1b\n"
    "kg_guest_code_end:\n"
    ".popsection\n");

static int kvm_fd = -1, vm_fd = -1, vcpu_fd = -1, stats_fd = -1;
static struct kvm_run *run;
static size_t run_size;
static unsigned char *slot0;
static uintptr_t kg_base;
static int kg_pages;
static uint64_t stat_off_insn = UINT64_MAX, stat_off_pf = UINT64_MAX, stat_off_exits = UINT64_MAX;
static uint64_t mmio_exits;
static pid_t children[KG_MAX_CHILDREN];
static int child_cmd[KG_MAX_CHILDREN], child_res[KG_MAX_CHILDREN];
static int nchildren;

static char errbuf[256];
const char *kg_error(void) { return errbuf; }
static int fail(int code, const char *what)
{
    snprintf(errbuf, sizeof errbuf, "%s: %s", what, errno ? strerror(errno) : "failed");
    return code;
}

// ------------------------------------------------------------------ guarded host loads and stores

// volatile: the stores around the access must not be moved or dropped by the compiler
static __thread sigjmp_buf *volatile guard_jmp;
static struct sigaction old_segv, old_bus;

static void guard_handler(int sig, siginfo_t *info, void *ctx)
{
    if (guard_jmp) siglongjmp(*guard_jmp, sig);
    struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
    if (old->sa_flags & SA_SIGINFO) old->sa_sigaction(sig, info, ctx);
    else if (old->sa_handler != SIG_IGN && old->sa_handler != SIG_DFL) old->sa_handler(sig);
    else { signal(sig, SIG_DFL); raise(sig); }
}

// A plain CPU load or store of the first 8 bytes of a page; returns 0, or 1 on SIGSEGV / SIGBUS.
// The handler is installed only around the access and chains to the previous one otherwise.
static int guarded(volatile uint64_t *p, int write, uint64_t value, uint64_t *out)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = guard_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigjmp_buf jb;
    int faulted = 0;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    if (sigsetjmp(jb, 1) == 0)
    {
        guard_jmp = &jb;
        if (write) *p = value;
        else *out = *p;
    }
    else faulted = 1;
    guard_jmp = NULL;
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return faulted;
}

static volatile uint64_t *page_ptr(int page) { return (volatile uint64_t *)(kg_base + (uintptr_t)page * PAGE); }

int kg_host_read(int page, uint64_t *out) { *out = 0; return guarded(page_ptr(page), 0, 0, out); }
int kg_host_write(int page, uint64_t value) { return guarded(page_ptr(page), 1, value, NULL); }

// ------------------------------------------------------------------ the VM

static int read_stat(uint64_t off, uint64_t *v) { return pread(stats_fd, v, 8, (off_t)off) == 8 ? 0 : -1; }

int kg_stats(uint64_t *insn_emulation, uint64_t *pf_fixed, uint64_t *exits, uint64_t *mmio)
{
    if (read_stat(stat_off_insn, insn_emulation) || read_stat(stat_off_pf, pf_fixed)) return -1;
    if (stat_off_exits == UINT64_MAX || read_stat(stat_off_exits, exits)) *exits = 0;
    *mmio = mmio_exits;
    return 0;
}

static int open_stats(void)
{
    stats_fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);
    if (stats_fd < 0) return fail(KG_NO_STATS, "KVM_GET_STATS_FD");
    struct kvm_stats_header h;
    if (pread(stats_fd, &h, sizeof h, 0) != (ssize_t)sizeof h) return fail(KG_NO_STATS, "stats header");
    size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
    unsigned char *descs = malloc(dsz * h.num_desc);
    if (!descs || pread(stats_fd, descs, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc)) { free(descs); return fail(KG_NO_STATS, "stats descriptors"); }
    for (uint32_t i = 0; i < h.num_desc; i++)
    {
        struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsz);
        uint64_t off = h.data_offset + d->offset;
        if (!strcmp(d->name, "insn_emulation")) stat_off_insn = off;
        else if (!strcmp(d->name, "pf_fixed")) stat_off_pf = off;
        else if (!strcmp(d->name, "exits")) stat_off_exits = off;
    }
    free(descs);
    if (stat_off_insn == UINT64_MAX || stat_off_pf == UINT64_MAX) { errno = 0; return fail(KG_NO_STATS, "vCPU statistics insn_emulation/pf_fixed"); }
    return KG_OK;
}

static void reset_guest(void)
{
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = GUEST_CODE_GPA;
    regs.rflags = 2;
    regs.rsp = 0x7000;
    ioctl(vcpu_fd, KVM_SET_REGS, &regs);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
    memset(s, 0, sizeof *s);
    s->base = 0; s->limit = 0xffffffff; s->selector = sel; s->type = type; s->present = 1;
    s->dpl = 3; s->s = 1; s->l = code; s->db = code ? 0 : 1; s->g = 1;
}

// Opens the KVM device (/dev/kvm), creates the VM and its vCPU, and sets the guest up (64-bit, CPL3). base: the host address of
// the region under test (page-aligned; the harness maps it), pages: its length. Returns KG_OK or a KG_* code.
int kg_open(uint64_t base, int pages, const char *device)
{
    errno = 0;
    if (pages <= 0 || pages > KG_MAX_PAGES || base % PAGE) { errno = EINVAL; return fail(KG_NO_API, "kg_open"); }
    kg_base = (uintptr_t)base; kg_pages = pages;
    if (access(device, F_OK) != 0) return fail(KG_NO_KVM, device);
    kvm_fd = open(device, O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) return fail(errno == EACCES || errno == EPERM ? KG_NO_PERM : KG_NO_API, device);
    if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) return fail(KG_NO_API, "KVM_GET_API_VERSION");
    vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm_fd < 0) return fail(KG_NO_API, "KVM_CREATE_VM");
    slot0 = mmap(NULL, SLOT0_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slot0 == MAP_FAILED) return fail(KG_NO_API, "mmap slot 0");
    madvise(slot0, SLOT0_SIZE, MADV_DONTFORK);
    struct kvm_userspace_memory_region r0 = { .slot = 0, .guest_phys_addr = 0, .memory_size = SLOT0_SIZE, .userspace_addr = (uintptr_t)slot0 };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r0) < 0) return fail(KG_NO_API, "KVM_SET_USER_MEMORY_REGION slot 0");
    struct kvm_userspace_memory_region r1 = { .slot = 1, .guest_phys_addr = KG_REGION_GPA, .memory_size = (uint64_t)pages * PAGE, .userspace_addr = kg_base };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r1) < 0) return fail(KG_NO_API, "KVM_SET_USER_MEMORY_REGION slot 1");
    vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
    if (vcpu_fd < 0) return fail(KG_NO_API, "KVM_CREATE_VCPU");
    int mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size <= 0) return fail(KG_NO_API, "KVM_GET_VCPU_MMAP_SIZE");
    run_size = (size_t)mmap_size;
    run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
    if (run == MAP_FAILED) return fail(KG_NO_API, "mmap kvm_run");

    // identity page tables for the first 2 MiB: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; P|W|U
    uint64_t *pml4 = (uint64_t *)(slot0 + 0x1000), *pdpt = (uint64_t *)(slot0 + 0x2000);
    uint64_t *pd = (uint64_t *)(slot0 + 0x3000), *pt = (uint64_t *)(slot0 + 0x4000);
    pml4[0] = 0x2000 | 7; pdpt[0] = 0x3000 | 7; pd[0] = 0x4000 | 7;
    for (int i = 1; i < 512; i++) pt[i] = ((uint64_t)i * PAGE) | 7; // page 0 stays unmapped
    pd[2] = KG_REGION_GPA | 0x87; pd[3] = (KG_REGION_GPA + 0x200000) | 0x87; // P|W|U|PS: the region, up to 1024 pages
    // GDT at 0x5000: null, kernel code, kernel data, user data (0x1b), user code 64 (0x23)
    uint64_t *gdt = (uint64_t *)(slot0 + 0x5000);
    gdt[1] = 0x00af9b000000ffffULL; gdt[2] = 0x00cf93000000ffffULL;
    gdt[3] = 0x00cff3000000ffffULL; gdt[4] = 0x00affb000000ffffULL;
    size_t code_len = (size_t)(kg_guest_code_end - kg_guest_code);
    memcpy(slot0 + GUEST_CODE_GPA, kg_guest_code, code_len);

    struct kvm_sregs sregs;
    if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) return fail(KG_NO_API, "KVM_GET_SREGS");
    sregs.cr3 = 0x1000;
    sregs.cr4 = 1u << 5;                         // PAE
    sregs.cr0 = 1u | (1u << 31) | (1u << 16);    // PE | PG | WP
    sregs.efer = (1u << 8) | (1u << 10);         // LME | LMA
    sregs.gdt.base = 0x5000; sregs.gdt.limit = 5 * 8 - 1;
    seg(&sregs.cs, 0x23, 11, 1);
    seg(&sregs.ds, 0x1b, 3, 0);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) return fail(KG_NO_API, "KVM_SET_SREGS (64-bit CPL3)");
    reset_guest();
    return open_stats();
}

// Host-only (`notifier kernel --host-only`): the region under test without a VM: base and pages as for kg_open, no KVM device
// opened, no vCPU (kg_guest_access and kg_stats are not used). Returns KG_OK, or KG_NO_API for a bad region.
int kg_open_host(uint64_t base, int pages)
{
    errno = 0;
    if (pages <= 0 || pages > KG_MAX_PAGES || base % PAGE) { errno = EINVAL; return fail(KG_NO_API, "kg_open_host"); }
    kg_base = (uintptr_t)base; kg_pages = pages;
    return KG_OK;
}

// Runs the vCPU until the guest asks for its next command. Returns 0, or 1 when KVM_RUN failed with EFAULT
// (the guest touched a guest-physical page whose host mapping KVM could not fault in), or -1 on another error.
// step: 0 = the guest is about to read CMD.
static int run_until_mmio(int *is_write, uint64_t *addr, uint64_t **data)
{
    for (;;)
    {
        if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
        {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == EFAULT) return 1;
            return -1;
        }
        switch (run->exit_reason)
        {
        case KVM_EXIT_MMIO:
            mmio_exits++;
            *is_write = run->mmio.is_write; *addr = run->mmio.phys_addr; *data = (uint64_t *)run->mmio.data;
            return 0;
        case KVM_EXIT_MEMORY_FAULT:
            return 1;
        case KVM_EXIT_INTR:
            continue;
        default:
            snprintf(errbuf, sizeof errbuf, "unexpected KVM exit %u", run->exit_reason);
            errno = 0;
            return -1;
        }
    }
}

static int guest_at_cmd;

// One guest access of the first 8 bytes of page `page` of the region. Returns 0 (value in *out), 1 when the
// access faulted to the host (EFAULT: no usable host mapping), -1 on a harness error (kg_error()).
int kg_guest_access(int page, int write, uint64_t value, uint64_t *out)
{
    int w; uint64_t a; uint64_t *d;
    *out = 0;
    if (!guest_at_cmd)
    {
        int r = run_until_mmio(&w, &a, &d);
        if (r != 0 || w || a != KG_MMIO_GPA) { if (r == 0) snprintf(errbuf, sizeof errbuf, "guest out of step (mmio %s 0x%lx)", w ? "write" : "read", (unsigned long)a); return -1; }
        guest_at_cmd = 1;
    }
    *d = KG_REGION_GPA + (uint64_t)page * PAGE + (write ? 1 : 0);
    guest_at_cmd = 0;
    int r = run_until_mmio(&w, &a, &d);
    if (r == 0 && write && !w && a == KG_MMIO_GPA + 16) { *d = value; r = run_until_mmio(&w, &a, &d); }
    if (r == 1) { reset_guest(); return 1; }
    if (r < 0) return -1;
    if (!w || a != KG_MMIO_GPA + 8) { snprintf(errbuf, sizeof errbuf, "guest out of step (mmio 0x%lx)", (unsigned long)a); return -1; }
    memcpy(out, d, 8);
    return 0;
}

// ------------------------------------------------------------------ host operations on the region

static void *addr_of(int page) { return (void *)(kg_base + (uintptr_t)page * PAGE); }
static size_t len_of(int start, int end) { return (size_t)(end - start) * PAGE; }

// prot: 0 none, 1 read, 2 read-write. noreplace: MAP_FIXED_NOREPLACE (the range must be free). Every mapping is
// MADV_MERGEABLE (so that KSM may merge its pages while the harness runs ksmd) and MADV_NOHUGEPAGE, or with
// shared = 2 (THP) MADV_HUGEPAGE, private and not mergeable: ksmd, whoever runs it on the machine, splits a large folio
// of a mergeable VMA as soon as two of its subpages match (linux-7.2 mm/ksm.c try_to_merge_one_page -> split_huge_page),
// and the split maps its zero-filled subpages to the zero page, behind the harness's back.
int kg_mmap(int start, int end, int prot, int shared, int noreplace)
{
    int thp = shared == 2;
    if (thp) shared = 0;
    int p = prot == 0 ? PROT_NONE : prot == 1 ? PROT_READ : PROT_READ | PROT_WRITE;
    int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | (noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED);
    void *r = mmap(addr_of(start), len_of(start, end), p, flags, -1, 0);
    if (r == MAP_FAILED) return errno;
    if (r != addr_of(start)) { munmap(r, len_of(start, end)); return EEXIST; }
    if (madvise(r, len_of(start, end), thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) return errno;
    if (!thp && madvise(r, len_of(start, end), MADV_MERGEABLE)) return errno;
    return 0;
}
int kg_munmap(int start, int end) { return munmap(addr_of(start), len_of(start, end)) ? errno : 0; }
int kg_mprotect(int start, int end, int prot)
{
    int p = prot == 0 ? PROT_NONE : prot == 1 ? PROT_READ : PROT_READ | PROT_WRITE;
    return mprotect(addr_of(start), len_of(start, end), p) ? errno : 0;
}
int kg_mremap(int start, int end, int new_start)
{
    void *r = mremap(addr_of(start), len_of(start, end), len_of(start, end), MREMAP_MAYMOVE | MREMAP_FIXED, addr_of(new_start));
    return r == MAP_FAILED ? errno : 0;
}
// mremap with MREMAP_DONTUNMAP (linux-7.2 include/uapi/linux/mman.h: 4; the build host's header may predate it): the page
// tables move, the old range keeps its VMA, empty (mm/mremap.c move_vma -> dontunmap_complete). MREMAP_FIXED as kg_mremap.
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
int kg_mremap_dontunmap(int start, int end, int new_start)
{
    void *r = mremap(addr_of(start), len_of(start, end), len_of(start, end), MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, addr_of(new_start));
    return r == MAP_FAILED ? errno : 0;
}
int kg_madvise(int start, int end, int advice) { return madvise(addr_of(start), len_of(start, end), advice) ? errno : 0; }
// mlock(2) / munlock(2) of [start, end): VM_LOCKED on its VMAs, then mlock faults the range in (linux-7.2 mm/mlock.c do_mlock
// -> __mm_populate -> mm/gup.c populate_vma_page_range). Root has CAP_IPC_LOCK (no RLIMIT_MEMLOCK limit). Returns errno or 0.
int kg_mlock(int start, int end) { return mlock(addr_of(start), len_of(start, end)) ? errno : 0; }
int kg_munlock(int start, int end) { return munlock(addr_of(start), len_of(start, end)) ? errno : 0; }

// Drains every CPU's LRU batches: move_pages (nodes given) runs do_pages_move, which starts with lru_cache_disable()
// (linux-7.2 mm/migrate.c); the page asked for is on node 0 already, so nothing moves. MADV_PAGEOUT reclaims only
// folios on the LRU (mm/madvise.c madvise_cold_or_pageout_pte_range: !folio_test_lru -> skipped) and drains only
// its own CPU's batch (lru_add_drain), so a page faulted on another CPU would otherwise stay. Returns errno or 0.
int kg_drain_lru(int page)
{
    void *pages[1] = { addr_of(page) };
    int nodes[1] = { 0 }, status[1] = { 0 };
    return syscall(SYS_move_pages, 0, 1UL, pages, nodes, status, 0) < 0 ? errno : 0;
}

// swapon(2) / swapoff(2) of a swap file (errno or 0).
int kg_swapon(const char *path) { return syscall(SYS_swapon, path, 0) < 0 ? errno : 0; }
int kg_swapoff(const char *path) { return syscall(SYS_swapoff, path) < 0 ? errno : 0; }

// /proc/kpageflags of a pfn (0 when unreadable).
uint64_t kg_kpageflags(uint64_t pfn)
{
    uint64_t f = 0;
    int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    if (pread(fd, &f, 8, (off_t)(pfn * 8)) != 8) f = 0;
    close(fd);
    return f;
}

// /proc/self/clear_refs: 4 = soft-dirty.
int kg_clear_refs(int what)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char b[4]; int n = snprintf(b, sizeof b, "%d", what);
    int r = write(fd, b, (size_t)n) == n ? 0 : errno;
    close(fd);
    return r;
}

// The pagemap entries of the region's pages, of this process (child < 0) or of forked child `child`.
int kg_pagemap(int child, int start, int end, uint64_t *out)
{
    char path[64];
    if (child < 0) snprintf(path, sizeof path, "/proc/self/pagemap");
    else if (child < nchildren) snprintf(path, sizeof path, "/proc/%d/pagemap", (int)children[child]);
    else return EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t want = (ssize_t)((end - start) * 8);
    ssize_t n = pread(fd, out, (size_t)want, (off_t)((kg_base / PAGE + (uintptr_t)start) * 8));
    int r = n == want ? 0 : (n < 0 ? errno : EIO);
    close(fd);
    return r;
}

// The pfn of the shared zero page (0 if not found). *read_fault: the pfn a read fault of a fresh private anonymous page
// mapped (0: pagemap shows no pfns, not root). Where that pfn is the zero page (/proc/kpageflags KPF_ZERO_PAGE, bit 24, without
// KPF_THP, bit 22: linux-7.2 fs/proc/page.c stable_page_flags, is_zero_pfn) it is the answer; on a kernel whose read fault maps
// no zero page (mm_forbids_zeropage, or this machine's pvm_no_zero_page=1) /proc/kpageflags is scanned from pfn 0 for the one
// frame with KPF_ZERO_PAGE and not KPF_THP (the huge zero page's frames have both).
uint64_t kg_zero_pfn(uint64_t *read_fault)
{
    *read_fault = 0;
    volatile uint64_t *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    uint64_t v = *p, e = 0, f = 0;
    (void)v;
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { if (pread(fd, &e, 8, (off_t)((uintptr_t)p / PAGE * 8)) != 8) e = 0; close(fd); }
    uint64_t pfn = (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
    if (pfn) f = kg_kpageflags(pfn); // while it is mapped
    munmap((void *)p, PAGE);
    *read_fault = pfn;
    if (!pfn) return 0;
    if ((f >> 24 & 1) && !(f >> 22 & 1)) return pfn;
    int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
    if (kf < 0) return 0;
    static uint64_t buf[8192];
    uint64_t found = 0;
    for (off_t at = 0; !found;)
    {
        ssize_t n = pread(kf, buf, sizeof buf, at);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n / 8; i++)
            if ((buf[i] >> 24 & 1) && !(buf[i] >> 22 & 1)) { found = (uint64_t)at / 8 + (uint64_t)i; break; }
        at += n;
    }
    close(kf);
    return found;
}

// tracefs: mount it where it is not (0 or errno), and unmount what we mounted.
int kg_mount_tracefs(const char *path) { return mount("nodev", path, "tracefs", 0, NULL) ? errno : 0; }
int kg_umount(const char *path) { return umount2(path, MNT_DETACH) ? errno : 0; } // lazy: also while a reader still holds a file
// A consuming, non-blocking read of a tracefs trace_pipe: up to len bytes of what is buffered (bytes, or -errno).
int kg_drain(const char *path, char *buf, int len)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    int n = 0;
    while (n < len)
    {
        ssize_t r = read(fd, buf + n, (size_t)(len - n));
        if (r <= 0) break;
        n += (int)r;
    }
    close(fd);
    return n;
}

// open(O_TRUNC) of a tracefs `trace` file empties the buffer (0 or errno)
int kg_truncate(const char *path)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

// ------------------------------------------------------------------ userfaultfd write-protect

// One userfaultfd (opened on first use, kept until kg_close) and a handler thread: a write to a uffd-wp page
// (mm/memory.c do_wp_page -> handle_userfault, also when KVM faults the page in for a guest write through
// GUP) blocks the faulting thread until the handler resolves it by un-protecting the page
// (UFFDIO_WRITEPROTECT, mode 0, which wakes the thread); the write is then retried and completes.
static int uffd = -1, uffd_stop[2] = { -1, -1 };
static pthread_t uffd_thread;
static volatile uint64_t uffd_resolved, uffd_unexpected;

static void *uffd_handler(void *arg)
{
    (void)arg;
    for (;;)
    {
        struct pollfd p[2] = { { .fd = uffd, .events = POLLIN }, { .fd = uffd_stop[0], .events = POLLIN } };
        if (poll(p, 2, -1) < 0) { if (errno == EINTR) continue; return NULL; }
        if (p[1].revents) return NULL;
        struct uffd_msg msg;
        ssize_t n = read(uffd, &msg, sizeof msg);
        if (n != (ssize_t)sizeof msg) continue; // EAGAIN: another wake-up took it
        if (msg.event == UFFD_EVENT_PAGEFAULT && (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
        {
            struct uffdio_writeprotect wp = { .range = { .start = msg.arg.pagefault.address & ~(PAGE - 1), .len = PAGE }, .mode = 0 };
            // counted before the ioctl, whose wake-up lets the writer go on: the harness reads the count after the write
            __atomic_add_fetch(&uffd_resolved, 1, __ATOMIC_SEQ_CST);
            if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp))
            {
                __atomic_sub_fetch(&uffd_resolved, 1, __ATOMIC_SEQ_CST);
                __atomic_add_fetch(&uffd_unexpected, 1, __ATOMIC_SEQ_CST);
            }
        }
        else __atomic_add_fetch(&uffd_unexpected, 1, __ATOMIC_SEQ_CST);
    }
}

// Opens the userfaultfd and starts the handler: 0, or errno (ENOSYS: no userfaultfd; EOPNOTSUPP: no
// UFFD_FEATURE_PAGEFAULT_FLAG_WP, i.e. no write-protect for anonymous memory on this kernel). features: what
// UFFDIO_API reported.
int kg_uffd_open(uint64_t *features)
{
    *features = 0;
    if (uffd >= 0) return 0;
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno;
    struct uffdio_api api = { .api = UFFD_API, .features = 0 };
    if (ioctl(fd, UFFDIO_API, &api)) { int e = errno; close(fd); return e; }
    *features = api.features;
    if (!(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) { close(fd); return EOPNOTSUPP; }
    if (pipe2(uffd_stop, O_CLOEXEC)) { int e = errno; close(fd); return e; }
    uffd = fd;
    int e = pthread_create(&uffd_thread, NULL, uffd_handler, NULL);
    if (e) { close(uffd); close(uffd_stop[0]); close(uffd_stop[1]); uffd = uffd_stop[0] = uffd_stop[1] = -1; return e; }
    return 0;
}

// One userfaultfd ioctl over [start, end): kind 0 UFFDIO_REGISTER (UFFDIO_REGISTER_MODE_WP), 1 UFFDIO_UNREGISTER,
// 2 UFFDIO_WRITEPROTECT (UFFDIO_WRITEPROTECT_MODE_WP), 3 UFFDIO_WRITEPROTECT mode 0. 0 or errno; a registration that
// does not offer UFFDIO_WRITEPROTECT (reg.ioctls) is EOPNOTSUPP.
int kg_uffd_ioctl(int kind, int start, int end)
{
    if (uffd < 0) return EBADF;
    struct uffdio_range range = { .start = (uintptr_t)addr_of(start), .len = len_of(start, end) };
    if (kind == 0)
    {
        struct uffdio_register reg = { .range = range, .mode = UFFDIO_REGISTER_MODE_WP };
        if (ioctl(uffd, UFFDIO_REGISTER, &reg)) return errno;
        return reg.ioctls & (1ULL << _UFFDIO_WRITEPROTECT) ? 0 : EOPNOTSUPP;
    }
    if (kind == 1) return ioctl(uffd, UFFDIO_UNREGISTER, &range) ? errno : 0;
    struct uffdio_writeprotect wp = { .range = range, .mode = kind == 2 ? UFFDIO_WRITEPROTECT_MODE_WP : 0 };
    return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) ? errno : 0;
}

// UFFDIO_MOVE (mode 0) of [src, src + len) to [dst, dst + len) pages: 0 or errno; *moved is the ioctl's `move` field
// (bytes moved, or a negative error). The struct and ioctl number are linux-7.2 include/uapi/linux/userfaultfd.h's
// (struct uffdio_move, _UFFDIO_MOVE 0x05), spelled here because the build host's header may predate them (6.8).
struct kg_uffdio_move { uint64_t dst, src, len, mode; int64_t move; };
#define KG_UFFDIO_MOVE _IOWR(0xAA, 0x05, struct kg_uffdio_move)
int kg_uffd_move(int src, int dst, int len, int64_t *moved)
{
    *moved = 0;
    if (uffd < 0) return EBADF;
    struct kg_uffdio_move m = { .dst = (uintptr_t)addr_of(dst), .src = (uintptr_t)addr_of(src), .len = len_of(0, len), .mode = 0, .move = 0 };
    int r = ioctl(uffd, KG_UFFDIO_MOVE, &m);
    int e = r ? errno : 0;
    *moved = m.move;
    return e;
}

// How many write faults the handler resolved, and how many messages it could not handle.
void kg_uffd_counts(uint64_t *resolved, uint64_t *unexpected)
{
    *resolved = __atomic_load_n(&uffd_resolved, __ATOMIC_SEQ_CST);
    *unexpected = __atomic_load_n(&uffd_unexpected, __ATOMIC_SEQ_CST);
}

static void uffd_close(void)
{
    if (uffd < 0) return;
    char c = 0;
    if (write(uffd_stop[1], &c, 1) == 1) pthread_join(uffd_thread, NULL);
    close(uffd); close(uffd_stop[0]); close(uffd_stop[1]);
    uffd = uffd_stop[0] = uffd_stop[1] = -1;
}

// ------------------------------------------------------------------ fork: children run only this C code

// The child's loop: commands (op, page, value) on a socket; op 1 = read page -> (faulted, value); op 2 = store value
// (zero-extended, as kg_host_write stores) at the page's start -> (faulted, value); op 0 = exit.
static void child_loop(int cmd, int res)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = guard_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    for (;;)
    {
        int c[3];
        if (read(cmd, c, sizeof c) != (ssize_t)sizeof c || c[0] == 0) _exit(0);
        volatile uint64_t v = 0; volatile int faulted = 0;
        sigjmp_buf jb;
        if (sigsetjmp(jb, 1) == 0)
        {
            guard_jmp = &jb;
            if (c[0] == 2) { v = (uint64_t)(uint32_t)c[2]; *page_ptr(c[1]) = v; }
            else v = *page_ptr(c[1]);
        }
        else faulted = 1;
        guard_jmp = NULL;
        uint64_t out[2] = { (uint64_t)faulted, v };
        if (write(res, out, sizeof out) != (ssize_t)sizeof out) _exit(1);
    }
}

// fork(): returns the child's index, or -errno. The child runs child_loop only (no managed code after fork).
int kg_fork(void)
{
    if (nchildren >= KG_MAX_CHILDREN) return -EAGAIN;
    int cp[2], rp[2]; // socket pairs, so that a send to a dead child fails with EPIPE instead of raising SIGPIPE
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rp)) return -errno;
    pid_t pid = (pid_t)syscall(SYS_fork);
    if (pid < 0) { int e = errno; close(cp[0]); close(cp[1]); close(rp[0]); close(rp[1]); return -e; }
    if (pid == 0) { close(cp[1]); close(rp[0]); child_loop(cp[0], rp[1]); _exit(0); }
    close(cp[0]); close(rp[1]);
    children[nchildren] = pid; child_cmd[nchildren] = cp[1]; child_res[nchildren] = rp[0];
    return nchildren++;
}

// The pid of child `child`, or -EINVAL.
int kg_child_pid(int child) { return child < 0 || child >= nchildren ? -EINVAL : (int)children[child]; }

// A read of page `page` by child `child`: 0 (value in *out) or 1 (SIGSEGV), -errno on a harness error.
int kg_child_read(int child, int page, uint64_t *out)
{
    if (child < 0 || child >= nchildren) return -EINVAL;
    int c[3] = { 1, page, 0 };
    uint64_t r[2];
    if (send(child_cmd[child], c, sizeof c, MSG_NOSIGNAL) != (ssize_t)sizeof c) return -errno;
    if (read(child_res[child], r, sizeof r) != (ssize_t)sizeof r) return -EIO;
    *out = r[1];
    return (int)r[0];
}

// A store of `value` (zero-extended to 64 bits) at page `page` by child `child`: 0 (done) or 1 (SIGSEGV), -errno on a
// harness error.
int kg_child_write(int child, int page, uint32_t value)
{
    if (child < 0 || child >= nchildren) return -EINVAL;
    int c[3] = { 2, page, (int)value };
    uint64_t r[2];
    if (send(child_cmd[child], c, sizeof c, MSG_NOSIGNAL) != (ssize_t)sizeof c) return -errno;
    if (read(child_res[child], r, sizeof r) != (ssize_t)sizeof r) return -EIO;
    return (int)r[0];
}

int kg_children(void) { return nchildren; }

// Ends every child (command 0, then waitpid).
void kg_reap_children(void)
{
    for (int i = 0; i < nchildren; i++)
    {
        int c[3] = { 0, 0, 0 };
        if (send(child_cmd[i], c, sizeof c, MSG_NOSIGNAL) < 0) kill(children[i], SIGKILL);
        close(child_cmd[i]); close(child_res[i]);
        waitpid(children[i], NULL, 0);
    }
    nchildren = 0;
}

void kg_close(void)
{
    kg_reap_children();
    uffd_close();
    if (stats_fd >= 0) close(stats_fd);
    if (run && run != MAP_FAILED) munmap(run, run_size);
    if (vcpu_fd >= 0) close(vcpu_fd);
    if (vm_fd >= 0) close(vm_fd);
    if (kvm_fd >= 0) close(kvm_fd);
    if (slot0 && slot0 != MAP_FAILED) munmap(slot0, SLOT0_SIZE);
    stats_fd = vcpu_fd = vm_fd = kvm_fd = -1; run = NULL; slot0 = NULL; guest_at_cmd = 0; mmio_exits = 0;
    stat_off_insn = stat_off_pf = stat_off_exits = UINT64_MAX;
}

#ifdef KG_MAIN
// A probe of the facts (gcc -DKG_MAIN): guest read/write through the shadow MMU, statistics, EFAULT on munmap.
int main(void)
{
    uint64_t base = 0x200000000000ULL;
    int r = kg_open(base, 16, "/dev/kvm");
    if (r) { printf("open: %d %s\n", r, kg_error()); return 1; }
    printf("mmap %d\n", kg_mmap(0, 16, 2, 0, 1));
    uint64_t v, i0, p0, e0, m0, i1, p1, e1, m1;
    kg_stats(&i0, &p0, &e0, &m0);
    printf("host write %d\n", kg_host_write(3, 0x1234));
    r = kg_guest_access(3, 0, 0, &v); printf("guest read %d %lx\n", r, (unsigned long)v);
    kg_stats(&i1, &p1, &e1, &m1);
    printf("insn_emulation +%lu pf_fixed +%lu mmio +%lu\n", (unsigned long)(i1 - i0), (unsigned long)(p1 - p0), (unsigned long)(m1 - m0));
    for (int k = 0; k < 100; k++) kg_guest_access(3, 0, 0, &v);
    kg_stats(&i0, &p0, &e0, &m0);
    printf("100 reads: insn_emulation +%lu pf_fixed +%lu mmio +%lu\n", (unsigned long)(i0 - i1), (unsigned long)(p0 - p1), (unsigned long)(m0 - m1));
    r = kg_guest_access(4, 1, 0x77, &v); printf("guest write %d; host read %d ", r, kg_host_read(4, &v)); printf("%lx\n", (unsigned long)v);
    uint64_t pm[16]; kg_pagemap(-1, 0, 16, pm);
    for (int k = 0; k < 6; k++) printf("pm[%d]=%016lx\n", k, (unsigned long)pm[k]);
    r = kg_guest_access(5, 0, 0, &v); printf("guest read unpopulated %d %lx\n", r, (unsigned long)v);
    kg_pagemap(-1, 0, 16, pm); printf("pm[5]=%016lx\n", (unsigned long)pm[5]);
    kg_stats(&i1, &p1, &e1, &m1);
    printf("munmap %d\n", kg_munmap(3, 4));
    r = kg_guest_access(3, 0, 0, &v); printf("guest read after munmap %d %lx ; host read %d\n", r, (unsigned long)v, kg_host_read(3, &v));
    printf("mmap again %d\n", kg_mmap(3, 4, 2, 0, 1));
    kg_host_write(3, 0x99);
    r = kg_guest_access(3, 0, 0, &v); printf("guest read after remap %d %lx\n", r, (unsigned long)v);
    kg_stats(&i0, &p0, &e0, &m0);
    printf("insn_emulation +%lu pf_fixed +%lu mmio +%lu\n", (unsigned long)(i0 - i1), (unsigned long)(p0 - p1), (unsigned long)(m0 - m1));
    printf("mprotect ro %d\n", kg_mprotect(4, 5, 1));
    r = kg_guest_access(4, 1, 5, &v); printf("guest write to ro %d\n", r);
    r = kg_guest_access(4, 0, 0, &v); printf("guest read ro %d %lx\n", r, (unsigned long)v);
    printf("host write ro %d\n", kg_host_write(4, 1));
    int c = kg_fork(); printf("fork %d\n", c);
    kg_guest_access(6, 1, 0x66, &v);
    printf("child read 6: %d ", kg_child_read(c, 6, &v)); printf("%lx\n", (unsigned long)v);
    kg_guest_access(6, 1, 0x67, &v);
    printf("child read 6 after parent guest write: %d ", kg_child_read(c, 6, &v)); printf("%lx\n", (unsigned long)v);
    kg_host_read(6, &v); printf("parent host read 6 %lx\n", (unsigned long)v);
    uint64_t cm[16]; kg_pagemap(c, 0, 16, cm); kg_pagemap(-1, 0, 16, pm);
    printf("parent pm6 %016lx child pm6 %016lx\n", (unsigned long)pm[6], (unsigned long)cm[6]);
    printf("clear_refs %d\n", kg_clear_refs(4));
    kg_close();
    return 0;
}
#endif
