/**
 * Seccomp profile for sandboxes: an allow-list, like Docker's default profile (moby
 * `profiles/seccomp`), for the capabilities Warren grants (no CAP_SYS_ADMIN, CAP_SYS_PTRACE,
 * CAP_SYS_NICE, CAP_SYS_TIME, …). Any syscall not listed fails with EPERM, so a syscall a new
 * kernel adds is refused until it is reviewed here. runc answers ENOSYS instead for syscall
 * numbers above the highest one this profile names (libc then falls back, e.g. from clone3 or
 * fchmodat2), and ignores names its libseccomp does not know (Debian 12's 2.5.4 stops at
 * futex_requeue; a newer libseccomp simply allows the newer names too).
 *
 * Beyond Docker, Warren keeps refusing what its earlier deny-list refused although Docker allows
 * it (adjtimex, clock_adjtime, name_to_handle_at, process_vm_readv/writev), checks socket families
 * so that high bits cannot smuggle AF_VSOCK past a "greater than" test, and closes the socketcall
 * back door that 32-bit x86 code (or `int 0x80` from 64-bit code) has around the family check.
 */
const ALLOWED = [
  'accept', 'accept4', 'access', 'alarm', 'arch_prctl', 'bind', 'brk', 'cachestat', 'capget', 'capset', 'chdir',
  'chmod', 'chown', 'chown32', 'chroot', 'clock_getres', 'clock_getres_time64', 'clock_gettime', 'clock_gettime64',
  'clock_nanosleep', 'clock_nanosleep_time64', 'close', 'close_range', 'connect', 'copy_file_range', 'creat', 'dup',
  'dup2', 'dup3', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2',
  'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2', 'execve', 'execveat', 'exit', 'exit_group', 'faccessat',
  'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fanotify_mark', 'fchdir', 'fchmod', 'fchmodat',
  'fchmodat2', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'fgetxattr', 'flistxattr', 'flock',
  'fork', 'fremovexattr', 'fsetxattr', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync', 'ftruncate',
  'ftruncate64', 'futex', 'futex_requeue', 'futex_time64', 'futex_wait', 'futex_waitv', 'futex_wake', 'futimesat',
  'getcpu', 'getcwd', 'getdents', 'getdents64', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32',
  'getgroups', 'getgroups32', 'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getpriority',
  'getrandom', 'getresgid', 'getresgid32', 'getresuid', 'getresuid32', 'getrlimit', 'get_robust_list', 'getrusage',
  'getsid', 'getsockname', 'getsockopt', 'get_thread_area', 'gettid', 'gettimeofday', 'getuid', 'getuid32',
  'getxattr', 'getxattrat', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'io_cancel',
  'ioctl', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'ioprio_get', 'ioprio_set',
  'io_setup', 'io_submit', 'ipc', 'kill', 'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self',
  'lchown', 'lchown32', 'lgetxattr', 'link', 'linkat', 'listen', 'listmount', 'listxattr', 'listxattrat', 'llistxattr',
  '_llseek', 'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64', 'madvise', 'map_shadow_stack', 'membarrier',
  'memfd_create', 'memfd_secret', 'mincore', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'mlock', 'mlock2', 'mlockall',
  'mmap', 'mmap2', 'modify_ldt', 'mprotect', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive',
  'mq_timedreceive_time64', 'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink', 'mremap', 'mseal', 'msgctl', 'msgget',
  'msgrcv', 'msgsnd', 'msync', 'munlock', 'munlockall', 'munmap', 'nanosleep', 'newfstatat', '_newselect', 'open',
  'openat', 'openat2', 'pause', 'pidfd_open', 'pidfd_send_signal', 'pipe', 'pipe2', 'pkey_alloc', 'pkey_free',
  'pkey_mprotect', 'poll', 'ppoll', 'ppoll_time64', 'prctl', 'pread64', 'preadv', 'preadv2', 'prlimit64',
  'process_mrelease', 'pselect6', 'pselect6_time64', 'ptrace', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readahead',
  'readlink', 'readlinkat', 'readv', 'recv', 'recvfrom', 'recvmmsg', 'recvmmsg_time64', 'recvmsg', 'remap_file_pages',
  'removexattr', 'removexattrat', 'rename', 'renameat', 'renameat2', 'restart_syscall', 'rmdir', 'rseq', 'rt_sigaction',
  'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait',
  'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sched_getaffinity', 'sched_getattr', 'sched_getparam',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_getscheduler', 'sched_rr_get_interval',
  'sched_rr_get_interval_time64', 'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler',
  'sched_yield', 'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'send',
  'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto', 'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32',
  'setgid', 'setgid32', 'setgroups', 'setgroups32', 'setitimer', 'setpgid', 'setpriority', 'setregid', 'setregid32',
  'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setreuid', 'setreuid32', 'setrlimit', 'set_robust_list',
  'setsid', 'setsockopt', 'set_thread_area', 'set_tid_address', 'setuid', 'setuid32', 'setxattr', 'setxattrat', 'shmat',
  'shmctl', 'shmdt', 'shmget', 'shutdown', 'sigaltstack', 'signalfd', 'signalfd4', 'sigprocmask', 'sigreturn',
  'socketpair', 'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statmount', 'statx', 'symlink', 'symlinkat', 'sync',
  'sync_file_range', 'syncfs', 'sysinfo', 'tee', 'tgkill', 'time', 'timer_create', 'timer_delete', 'timer_getoverrun',
  'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64', 'timerfd_create', 'timerfd_gettime',
  'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64', 'times', 'tkill', 'truncate', 'truncate64', 'ugetrlimit',
  'umask', 'uname', 'unlink', 'unlinkat', 'uretprobe', 'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vfork',
  'vmsplice', 'wait4', 'waitid', 'waitpid', 'write', 'writev',
  // aarch64 (and 32-bit arm) only; libseccomp skips names an architecture does not have.
  'arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls',
];

/**
 * What the earlier deny-list refused: none of it may come back. Docker allows the last five
 * (adjtimex and clock_adjtime only read the clock without CAP_SYS_TIME; process_vm_* need what
 * ptrace needs), Warren keeps them refused because nothing in a sandbox needs them.
 */
export const REFUSED_BEFORE = [
  'acct', 'add_key', 'bpf', 'clock_settime', 'create_module', 'delete_module', 'finit_module', 'fsconfig', 'fsmount',
  'fsopen', 'fspick', 'get_kernel_syms', 'init_module', 'io_uring_enter', 'io_uring_register', 'io_uring_setup',
  'ioperm', 'iopl', 'kcmp', 'kexec_file_load', 'kexec_load', 'keyctl', 'lookup_dcookie', 'mount', 'mount_setattr',
  'move_mount', 'move_pages', 'nfsservctl', 'open_by_handle_at', 'open_tree', 'perf_event_open', 'pivot_root',
  'query_module', 'quotactl', 'quotactl_fd', 'reboot', 'request_key', 'setns', 'settimeofday', 'stime', 'swapoff',
  'swapon', 'sysfs', '_sysctl', 'umount', 'umount2', 'unshare', 'uselib', 'userfaultfd', 'ustat', 'vm86', 'vm86old',
  'syslog', 'fanotify_init', 'lsm_set_self_attr', 'pidfd_getfd',
  'adjtimex', 'clock_adjtime', 'clock_adjtime64', 'name_to_handle_at', 'process_vm_readv', 'process_vm_writev',
];

const EPERM = 1;
const ENOSYS = 38;

// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
const NAMESPACE_FLAGS = 0x20000 | 0x2000000 | 0x4000000 | 0x8000000 | 0x10000000 | 0x20000000 | 0x40000000;

// Address families a sandbox may open: everything up to AF_MCTP (45, the last one this kernel
// has) except AF_ALG (38, the kernel crypto API) and AF_VSOCK (40: the hypervisor, or the VM's
// own services, which no network namespace separates). Each family is tested for equality: the
// kernel keeps only the low 32 bits, so "family > AF_VSOCK" would also let 2^32 + AF_VSOCK in.
const AF_ALG = 38;
const AF_VSOCK = 40;
const AF_LAST = 45;
const SOCKET_FAMILIES = Array.from({ length: AF_LAST + 1 }, (_, af) => af).filter((af) => af !== AF_ALG && af !== AF_VSOCK);

// socketcall(2) multiplexes the socket calls on 32-bit x86 (also reachable from 64-bit code by
// `int 0x80`), with the arguments in memory seccomp cannot read: libseccomp turns every socket
// rule into "socketcall(SYS_SOCKET) allowed", whatever the family. So socketcall answers ENOSYS
// (an unconditional rule replaces those, in any order) and 32-bit code uses the direct socket
// syscalls (Linux 4.3+), which the family rules do check.

// personality(2): Linux and its 32-bit variant, with or without UNAME26, and the query.
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

type Rule = {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
};

/**
 * The names gVisor's 2022 Sentry (runsc --oci-seccomp) knows some allowed syscalls by, where they
 * differ from libseccomp's: runsc skips a name it does not know ("OCI seccomp: ignoring syscall"),
 * so `pselect6` alone left pselect6 refused with EPERM inside gVisor, and bash's readline (which
 * waits for a key in pselect6) read that as EOF: every terminal logged out at its first key.
 * runc's libseccomp does not know these names, so they go only into gVisor sandboxes' profile.
 */
export const GVISOR_SYSCALL_ALIASES = ['pselect'];

export function seccompProfile(opts: { gvisor?: boolean } = {}) {
  const eq = (index: number, value: number) => ({ index, value, op: 'SCMP_CMP_EQ' });
  const syscalls: Rule[] = [
    { names: ALLOWED, action: 'SCMP_ACT_ALLOW' },
    ...SOCKET_FAMILIES.map((af): Rule => ({ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [eq(0, af)] })),
    { names: ['socketcall'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    ...PERSONALITIES.map((p): Rule => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [eq(0, p)] })),
    // clone only without namespace flags (clone's flags are a full register, so the mask sees all bits).
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    },
    // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone.
    // runsc ignores a rule's errno (EPERM, and glibc's pthread_create does not fall back on
    // that: no thread could start), but its 2022 Sentry has no clone3 and answers ENOSYS itself.
    opts.gvisor ? { names: ['clone3'], action: 'SCMP_ACT_ALLOW' } : { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    ...(opts.gvisor ? [{ names: GVISOR_SYSCALL_ALIASES, action: 'SCMP_ACT_ALLOW' } satisfies Rule] : []),
  ];
  return {
    defaultAction: 'SCMP_ACT_ERRNO' as const,
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'],
    syscalls,
  };
}

/** The syscall names a sandbox may call in some form (for tests and reviews). */
export const allowedSyscallNames = (): Set<string> =>
  new Set(seccompProfile().syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
