//! Child processes of a virtual display: their own process group (so a Ctrl-C on the terminal
//! reaches deskhand, which tears them down in order), killed if deskhand itself dies.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Puts the child in a process group of its own, and asks the kernel to send it SIGTERM if the
/// thread that started it dies (so `kill -9 deskhand` leaves no Xvfb behind).
pub(crate) fn own_group(cmd: &mut Command) {
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

/// Asks a child's process group to stop (SIGTERM), then kills what is left of the group
/// (SIGKILL) if it has not all exited by `grace`. The group is waited on, not only the child:
/// programs like LibreOffice exit their launcher and leave the real process in the group.
pub(crate) fn terminate(child: &mut Child, grace: Duration) {
    let Ok(pid) = i32::try_from(child.id()) else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    // SAFETY: plain syscall on a process group we created.
    unsafe {
        libc::kill(-pid, libc::SIGTERM);
    }
    let until = Instant::now() + grace;
    loop {
        // Reap the leader when it exits: a zombie would still count as a group member.
        let leader_gone = !matches!(child.try_wait(), Ok(None));
        // SAFETY: signal 0 only checks whether the group still has members.
        let group_alive = unsafe { libc::kill(-pid, 0) } == 0;
        if !group_alive {
            break;
        }
        if Instant::now() >= until {
            // SAFETY: as above.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            break;
        }
        if leader_gone {
            // Nothing to wait on but the group's other members: poll them.
            std::thread::sleep(Duration::from_millis(10));
        } else {
            wait_child_briefly(pid);
        }
    }
    let _ = child.wait();
}

/// Blocks until the child changes state or 20 ms pass, without reaping it.
fn wait_child_briefly(pid: i32) {
    let mut fds = libc::pollfd {
        fd: pidfd(pid),
        events: libc::POLLIN,
        revents: 0,
    };
    if fds.fd < 0 {
        std::thread::yield_now();
        return;
    }
    // SAFETY: fds is a valid pollfd for the duration of the call; the fd is closed after.
    unsafe {
        libc::poll(&mut fds, 1, 20);
        libc::close(fds.fd);
    }
}

fn pidfd(pid: i32) -> i32 {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    i32::try_from(fd).unwrap_or(-1)
}
