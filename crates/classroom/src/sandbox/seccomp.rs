//! The system calls a jailed program is refused: a seccomp filter.
//!
//! The other layers keep a program to its own files, processes and network;
//! this one keeps it away from the kernel's largest surfaces, which it has
//! no use for. Refused, each with `EPERM` (an error the program can report,
//! not a kill):
//! - new namespaces and mounts: `unshare`, `clone` with a namespace flag,
//!   `setns`, `mount` and its relatives, `pivot_root` (a user namespace
//!   would hand the program every capability over it);
//! - `io_uring_*`, `bpf`, `perf_event_open`, `userfaultfd`, keyrings;
//! - other processes' memory and descriptors: `ptrace`,
//!   `process_vm_readv`/`writev`, `pidfd_getfd`, `process_madvise`;
//! - the machine's own: `kexec_*`, kernel modules, `open_by_handle_at`;
//! - `personality` other than the default or a query (no turning ASLR off).
//!
//! `clone3` gets `ENOSYS` instead: its flags are in memory the filter can't
//! read, and `ENOSYS` makes glibc fall back to `clone`, whose flags it can
//! (as Docker and systemd do). On x86_64, x32 system calls (numbered from
//! `0x4000_0000`, with the same audit arch) are refused too, or they would
//! reach every call above under another number.
//!
//! Invariants: a [`Filter`] is compiled by the launcher before its first
//! fork ([`Filter::new`]); [`Filter::apply`] allocates nothing;
//! the filter is inherited by everything the program starts and can't be
//! removed.

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};
use std::collections::BTreeMap;
use std::io;

#[cfg(target_arch = "x86_64")]
const ARCH: Option<TargetArch> = Some(TargetArch::x86_64);
#[cfg(target_arch = "aarch64")]
const ARCH: Option<TargetArch> = Some(TargetArch::aarch64);
#[cfg(target_arch = "riscv64")]
const ARCH: Option<TargetArch> = Some(TargetArch::riscv64);
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
const ARCH: Option<TargetArch> = None;

/// Refused whatever their arguments.
const REFUSED: &[libc::c_long] = &[
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_bpf,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_pidfd_getfd,
    libc::SYS_process_madvise,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_open_by_handle_at,
];

/// The `clone` flags that make a namespace. `CLONE_NEWTIME` is not among
/// them: `clone` reads that bit as part of the exit signal, and a time
/// namespace can only come from `clone3` or `unshare`, both refused.
const NAMESPACES: &[libc::c_int] = &[
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWNS,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWCGROUP,
];

/// `personality` values a program may pass: the default (`PER_LINUX`) and
/// the query that changes nothing.
const PERSONALITIES: &[u64] = &[0, 0xffff_ffff];

/// The first x32 system call number (`__X32_SYSCALL_BIT`).
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// The filter, compiled: BPF programs installed one after the other (the
/// kernel runs them all and takes the strictest answer).
pub struct Filter {
    programs: Vec<BpfProgram>,
}

impl Filter {
    /// Compiles the filter for this machine's architecture.
    pub fn new() -> io::Result<Filter> {
        let arch = ARCH.ok_or_else(|| {
            io::Error::other(format!(
                "no seccomp filter for the {} architecture",
                std::env::consts::ARCH
            ))
        })?;
        let refused = compile(refused_rules()?, libc::EPERM, arch)?;
        let clone3 = compile(
            BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
            libc::ENOSYS,
            arch,
        )?;
        let programs = [refused, clone3].into_iter().chain(no_x32()).collect();
        Ok(Filter { programs })
    }

    /// Installs the filter on the calling thread (and so on everything it
    /// starts), setting `no_new_privs` as seccomp requires of an
    /// unprivileged caller. Allocates nothing: safe between fork and exec.
    pub fn apply(&self) -> io::Result<()> {
        for program in &self.programs {
            // `apply_filter` is two system calls, prctl and seccomp, with
            // the program's address passed on the stack.
            seccompiler::apply_filter(program).map_err(|e| match e {
                seccompiler::Error::Prctl(e) | seccompiler::Error::Seccomp(e) => e,
                _ => io::Error::from_raw_os_error(libc::EINVAL),
            })?;
        }
        Ok(())
    }
}

fn refused_rules() -> io::Result<BTreeMap<i64, Vec<SeccompRule>>> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        REFUSED.iter().map(|&call| (call, Vec::new())).collect();
    // One rule per flag: rules of a call match if any one does.
    let clone = NAMESPACES
        .iter()
        .map(|&flag| {
            let flag = u64::from(flag as u32);
            rule(vec![condition(0, SeccompCmpOp::MaskedEq(flag), flag)?])
        })
        .collect::<io::Result<_>>()?;
    rules.insert(libc::SYS_clone, clone);
    // One rule whose conditions must all hold: none of the allowed values.
    let personality = PERSONALITIES
        .iter()
        .map(|&value| condition(0, SeccompCmpOp::Ne, value))
        .collect::<io::Result<_>>()?;
    rules.insert(libc::SYS_personality, vec![rule(personality)?]);
    Ok(rules)
}

/// A condition on the low 32 bits of argument `arg`: the kernel reads only
/// those of `clone`'s flags and of `personality`'s argument.
fn condition(arg: u8, op: SeccompCmpOp, value: u64) -> io::Result<SeccompCondition> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(io::Error::other)
}

fn rule(conditions: Vec<SeccompCondition>) -> io::Result<SeccompRule> {
    SeccompRule::new(conditions).map_err(io::Error::other)
}

/// A program that answers `errno` to the calls `rules` match and lets every
/// other call through.
fn compile(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    errno: i32,
    arch: TargetArch,
) -> io::Result<BpfProgram> {
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(errno as u32),
        arch,
    )
    .map_err(io::Error::other)?;
    BpfProgram::try_from(filter).map_err(io::Error::other)
}

/// Elsewhere than on x86_64, there are no x32 calls to refuse.
#[cfg(not(target_arch = "x86_64"))]
fn no_x32() -> Option<BpfProgram> {
    None
}

/// Refuses every x32 system call with `ENOSYS`, what a kernel without x32
/// answers. seccompiler matches exact numbers only, hence these four
/// instructions of our own.
#[cfg(target_arch = "x86_64")]
fn no_x32() -> Option<BpfProgram> {
    use seccompiler::sock_filter;
    // From linux/bpf_common.h: BPF_LD | BPF_W | BPF_ABS, BPF_JMP | BPF_JGE
    // | BPF_K, BPF_RET | BPF_K.
    const LD_W_ABS: u16 = 0x20;
    const JMP_JGE_K: u16 = 0x35;
    const RET_K: u16 = 0x06;
    let nr_offset = 0; // `struct seccomp_data` starts with the call's number
    Some(vec![
        sock_filter {
            code: LD_W_ABS,
            jt: 0,
            jf: 0,
            k: nr_offset,
        },
        sock_filter {
            code: JMP_JGE_K,
            jt: 0,
            jf: 1,
            k: X32_SYSCALL_BIT,
        },
        sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32,
        },
        sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ])
}

/// Whether this machine can install the filter, and it refuses what it
/// should: tried on a throwaway thread (a filter holds only the thread that
/// installs it and what that thread starts).
pub fn probe() -> Result<(), String> {
    let filter = Filter::new().map_err(|e| e.to_string())?;
    let tried = std::thread::spawn(move || -> Result<(), String> {
        filter
            .apply()
            .map_err(|e| format!("the kernel refused the seccomp filter ({e})"))?;
        // SAFETY: both fail with EINVAL should the filter let them through:
        // a process with threads can't unshare its user namespace, and
        // clone3 needs an argument block.
        let unshare = unsafe { libc::unshare(libc::CLONE_NEWUSER) };
        let unshare = (unshare, io::Error::last_os_error().raw_os_error());
        let clone3 = unsafe { libc::syscall(libc::SYS_clone3, 0usize, 0usize) };
        let clone3 = (clone3, io::Error::last_os_error().raw_os_error());
        match (unshare, clone3) {
            ((-1, Some(libc::EPERM)), (-1, Some(libc::ENOSYS))) => Ok(()),
            other => Err(format!(
                "the seccomp filter let through unshare or clone3 (results {other:?})"
            )),
        }
    });
    tried
        .join()
        .map_err(|_| "the seccomp probe panicked".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A system call's result, with errno when it failed.
    fn answer(result: libc::c_long) -> Result<libc::c_long, Option<i32>> {
        if result < 0 {
            Err(io::Error::last_os_error().raw_os_error())
        } else {
            Ok(result)
        }
    }

    #[test]
    fn the_filter_refuses_aslr_off_and_keeps_threads_and_processes() {
        let filter = Filter::new().unwrap();
        // Asserted on the filtered thread: a failure there fails the join.
        std::thread::spawn(move || {
            filter.apply().unwrap();
            const ADDR_NO_RANDOMIZE: libc::c_ulong = 0x0040000;
            // SAFETY: personality(2) changes only this process's
            // personality, if the filter let it.
            let off = answer(unsafe { libc::personality(ADDR_NO_RANDOMIZE).into() });
            assert_eq!(off, Err(Some(libc::EPERM)));
            let query = answer(unsafe { libc::personality(0xffff_ffff).into() });
            assert!(query.is_ok(), "a personality query was refused: {query:?}");
            // Both start with clone3, then clone when it is refused.
            assert_eq!(std::thread::spawn(|| 7).join().unwrap(), 7);
            let child = std::process::Command::new("true").status().unwrap();
            assert!(child.success(), "a child process failed under the filter");
        })
        .join()
        .unwrap();
    }

    /// `call` with every argument -1: arguments every one of these calls
    /// rejects, should one get past the filter.
    fn with_bad_arguments(call: libc::c_long) -> Result<libc::c_long, Option<i32>> {
        let bad = -1 as libc::c_long;
        // SAFETY: none of these calls acts on such arguments.
        answer(unsafe { libc::syscall(call, bad, bad, bad, bad, bad, bad) })
    }

    /// `clone` with namespace flag `flag`: CLONE_SIGHAND without CLONE_VM
    /// makes the kernel refuse it before it does anything.
    fn clone_with(flag: libc::c_int) -> Result<libc::c_long, Option<i32>> {
        let flags = (flag | libc::CLONE_SIGHAND) as libc::c_long;
        // SAFETY: as above.
        answer(unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) })
    }

    #[test]
    fn every_refused_call_gets_eperm_whatever_its_arguments() {
        let filter = Filter::new().unwrap();
        std::thread::spawn(move || {
            filter.apply().unwrap();
            for &call in REFUSED {
                let answer = with_bad_arguments(call);
                assert_eq!(answer, Err(Some(libc::EPERM)), "system call {call}");
            }
            for &flag in NAMESPACES {
                assert_eq!(clone_with(flag), Err(Some(libc::EPERM)), "flag {flag:#x}");
            }
        })
        .join()
        .unwrap();
        // Without the filter, the same clones fail otherwise.
        for &flag in NAMESPACES {
            assert_eq!(clone_with(flag), Err(Some(libc::EINVAL)), "flag {flag:#x}");
        }
    }

    #[test]
    fn this_machine_passes_the_probe() {
        assert_eq!(probe(), Ok(()));
    }
}
