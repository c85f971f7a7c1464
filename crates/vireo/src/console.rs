//! The host console: raw terminal mode, the Ctrl-A escape keys, and the
//! thread that feeds keyboard (or piped) input to the guest UART.

use std::io::Read;
use std::sync::{Arc, Mutex};
use vireo_devices::{PowerControl, PowerEvent, Uart};
use vireo_virtio::console::ConsoleInput;

/// Escape key: Ctrl-A, as in QEMU.
const ESCAPE: u8 = 0x01;

const HELP: &str =
    "\r\nC-a h    print this help\r\nC-a x    exit vireo\r\nC-a C-a  send C-a to the guest\r\n";

/// Puts the terminal in raw mode and restores it when dropped.
pub struct RawTerminal {
    saved: Option<libc::termios>,
}

impl RawTerminal {
    /// Enter raw mode if standard input is a terminal.
    pub fn enter() -> RawTerminal {
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(0) } != 1 {
            return RawTerminal { saved: None };
        }
        // SAFETY: termios is plain data; tcgetattr fills it for fd 0.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to a termios struct.
        if unsafe { libc::tcgetattr(0, &mut t) } != 0 {
            return RawTerminal { saved: None };
        }
        let saved = t;
        // SAFETY: cfmakeraw modifies the struct in place.
        unsafe { libc::cfmakeraw(&mut t) };
        // Keep output post-processing so the guest's "\n" works as usual.
        t.c_oflag |= libc::OPOST;
        // SAFETY: valid pointer to a termios struct.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
        SAVED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(saved);
        let _ = SAVED_FOR_SIGNALS.set(saved);
        install_exit_restorers();
        RawTerminal { saved: Some(saved) }
    }
}

static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);
/// The same settings, readable without locking from a signal handler.
static SAVED_FOR_SIGNALS: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

extern "C" fn restore_and_exit(sig: libc::c_int) {
    if let Some(t) = SAVED_FOR_SIGNALS.get() {
        // SAFETY: tcsetattr and _exit are async-signal-safe; `t` points to
        // initialized, never-mutated static data.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, t) };
    }
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(128 + sig) };
}

/// The first SIGTERM/SIGHUP received (0 = none).
static STOP_SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

extern "C" fn on_stop_signal(sig: libc::c_int) {
    use std::sync::atomic::Ordering;
    // First signal: ask for an orderly power-off (disks flushed, images
    // closed cleanly). A second one: leave at once.
    if STOP_SIGNAL.swap(sig, Ordering::SeqCst) != 0 {
        restore_and_exit(sig);
    }
}

/// The signal that asked vireo to stop, if any.
pub fn stop_signal() -> Option<i32> {
    match STOP_SIGNAL.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// On SIGTERM or SIGHUP, power the machine off in an orderly way (so disk
/// images are flushed and closed) instead of dying mid-write.
pub fn install_stop_signals(target: Arc<ConsoleTarget>) {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only touches an atomic and, on a second
        // signal, calls async-signal-safe functions.
        unsafe { libc::signal(sig, on_stop_signal as *const () as libc::sighandler_t) };
    }
    let _ = std::thread::Builder::new()
        .name("stop-signal".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if stop_signal().is_some() {
                if let Some((_, power)) = target.get() {
                    power.request(PowerEvent::Poweroff);
                }
            }
        });
}

/// Restore the terminal when vireo is killed by SIGQUIT or panics, so a
/// raw-mode terminal is never left behind (SIGTERM/SIGHUP power the guest
/// off instead; see `install_stop_signals`).
fn install_exit_restorers() {
    // SAFETY: installs a handler that only calls async-signal-safe
    // functions.
    unsafe {
        libc::signal(
            libc::SIGQUIT,
            restore_and_exit as *const () as libc::sighandler_t,
        )
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// Restore the terminal saved by `RawTerminal::enter` (safe to call on any
/// exit path, more than once).
pub fn restore_terminal() {
    if let Some(t) = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take() {
        // SAFETY: valid pointer to a saved termios struct.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if self.saved.is_some() {
            restore_terminal();
        }
    }
}

/// Where input goes: the UART and power control of the machine currently
/// running (replaced on reboot), or its virtio console when that is on
/// the terminal.
#[derive(Default)]
pub struct ConsoleTarget {
    inner: Mutex<Option<(Arc<Uart>, Arc<PowerControl>)>>,
    virtio: Mutex<Option<ConsoleInput>>,
}

impl ConsoleTarget {
    /// Point input at a (new) machine.
    pub fn set(&self, uart: Arc<Uart>, power: Arc<PowerControl>) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = Some((uart, power));
    }

    fn get(&self) -> Option<(Arc<Uart>, Arc<PowerControl>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Send input to a virtio console (`hvc0`) instead of the UART.
    pub fn set_virtio(&self, input: Option<ConsoleInput>) {
        *self.virtio.lock().unwrap_or_else(|e| e.into_inner()) = input;
    }

    fn virtio(&self) -> Option<ConsoleInput> {
        self.virtio
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Start the input thread. With a terminal, Ctrl-A escapes are handled;
/// with a pipe, bytes are passed through as they are.
pub fn spawn_input(target: Arc<ConsoleTarget>, interactive: bool) {
    let _ = std::thread::Builder::new()
        .name("console-in".into())
        .spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 256];
            let mut escape = false;
            loop {
                let n = match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let mut out = Vec::with_capacity(n);
                for &b in &buf[..n] {
                    if !interactive {
                        out.push(b);
                    } else if escape {
                        escape = false;
                        match b {
                            b'x' | b'X' => {
                                if let Some((_, power)) = target.get() {
                                    eprint!("\r\nvireo: terminated by C-a x\r\n");
                                    power.request(PowerEvent::Poweroff);
                                }
                            }
                            b'h' | b'H' | b'?' => eprint!("{HELP}"),
                            ESCAPE => out.push(ESCAPE),
                            _ => {}
                        }
                    } else if b == ESCAPE {
                        escape = true;
                    } else {
                        out.push(b);
                    }
                }
                // Feed the UART (or hvc0), waiting while its buffer is full.
                let mut rest = &out[..];
                while !rest.is_empty() {
                    let Some((uart, _)) = target.get() else { break };
                    let taken = match target.virtio() {
                        Some(hvc) => hvc.push(rest),
                        None => uart.push_input(rest),
                    };
                    rest = &rest[taken..];
                    if !rest.is_empty() {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                }
            }
        });
}
