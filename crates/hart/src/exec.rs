//! The interpreter: the semantics of every instruction, and the fast paths
//! for memory access through the TLB.

use crate::csr::{addr, envcfg, mstatus};
use crate::fpu;
use crate::mmu::TLB_ENTRIES;
use crate::trap::{cause, Access, Priv, Trap};
use crate::{Exit, Hart};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use vireo_isa::{Insn, Op};

/// Whether `op` ends a decoded block: jumps, and instructions that can
/// change privilege, translation or interrupt state. Conditional branches
/// do not: a block goes on with their fall-through, and the interpreter
/// leaves it where a branch is taken (fewer, longer blocks: a Debian boot
/// in the interpreter runs 125 M blocks instead of 205 M).
pub(crate) fn ends_block(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Jal | Jalr
            | Ecall
            | Ebreak
            | Csrrw
            | Csrrs
            | Csrrc
            | Csrrwi
            | Csrrsi
            | Csrrci
            | Mret
            | Sret
            | Wfi
            | SfenceVma
            | FenceI
            | Illegal
    )
}

#[inline(always)]
fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

fn clmul(a: u64, b: u64) -> u64 {
    let mut r = 0u64;
    for i in 0..64 {
        if (b >> i) & 1 != 0 {
            r ^= a << i;
        }
    }
    r
}

fn clmulh(a: u64, b: u64) -> u64 {
    let mut r = 0u64;
    for i in 1..64 {
        if (b >> i) & 1 != 0 {
            r ^= a >> (64 - i);
        }
    }
    r
}

fn clmulr(a: u64, b: u64) -> u64 {
    let mut r = 0u64;
    for i in 0..64 {
        if (b >> i) & 1 != 0 {
            r ^= a >> (63 - i);
        }
    }
    r
}

fn orc_b(v: u64) -> u64 {
    let mut r = 0u64;
    for i in 0..8 {
        if (v >> (8 * i)) & 0xff != 0 {
            r |= 0xff << (8 * i);
        }
    }
    r
}

// The block `cbo.*` work on (shared with translated code).
use vireo_jit::CBO_BLOCK;

impl Hart {
    // ---- memory access --------------------------------------------------

    /// Whether the data TLB holds the page of `vaddr` for `access` (a load
    /// or a store): the page is RAM the current data privilege may access
    /// that way.
    fn tlb_hit(&self, vaddr: u64, access: Access) -> bool {
        let idx = ((vaddr >> 12) as usize) & (TLB_ENTRIES - 1);
        let t = &self.mmu.tlbs[self.data_idx];
        let e = if access == Access::Store {
            &t.write[idx]
        } else {
            &t.read[idx]
        };
        e.tag == self.mmu.tag(vaddr)
    }

    /// Load `N` bytes (1, 2, 4, 8) from virtual `vaddr`, zero-extended.
    #[inline(always)]
    pub(crate) fn load<const N: u64>(&mut self, vaddr: u64) -> Result<u64, Trap> {
        let idx = ((vaddr >> 12) as usize) & (TLB_ENTRIES - 1);
        let e = &self.mmu.tlbs[self.data_idx].read[idx];
        if e.tag == self.mmu.tag(vaddr) && (vaddr & 0xfff) + N <= 0x1000 {
            let p = vaddr.wrapping_add(e.addend) as *const u8;
            // SAFETY: a TLB hit means the page is guest RAM mapped at
            // `addend`, and the access does not cross the page end.
            Ok(unsafe { vireo_memory::read_sized(p, N) })
        } else {
            self.load_slow(vaddr, N)
        }
    }

    fn load_slow(&mut self, vaddr: u64, size: u64) -> Result<u64, Trap> {
        if (vaddr & 0xfff) + size > 0x1000 {
            // Misaligned across a page boundary: byte by byte.
            let mut v = 0u64;
            for i in 0..size {
                v |= self.load_slow(vaddr.wrapping_add(i), 1)? << (8 * i);
            }
            return Ok(v);
        }
        let paddr = self.translate(vaddr, Access::Load)?;
        if !self
            .mmu
            .pmp_allows(paddr, size, Access::Load, self.data_priv())
        {
            return Err(Trap::new(cause::LOAD_ACCESS, vaddr));
        }
        self.bus
            .read(paddr, size as u8)
            .map_err(|_| Trap::new(cause::LOAD_ACCESS, vaddr))
    }

    /// Store the low `N` bytes of `val` at virtual `vaddr`.
    #[inline(always)]
    pub(crate) fn store<const N: u64>(&mut self, vaddr: u64, val: u64) -> Result<(), Trap> {
        let idx = ((vaddr >> 12) as usize) & (TLB_ENTRIES - 1);
        let e = &self.mmu.tlbs[self.data_idx].write[idx];
        if e.tag == self.mmu.tag(vaddr) && (vaddr & 0xfff) + N <= 0x1000 {
            let p = vaddr.wrapping_add(e.addend) as *mut u8;
            // SAFETY: a TLB hit means the page is guest RAM mapped at
            // `addend`, and the access does not cross the page end.
            unsafe { vireo_memory::write_sized(p, N, val) };
            self.ram.note_store(e.ppage);
            Ok(())
        } else {
            self.store_slow(vaddr, N, val)
        }
    }

    fn store_slow(&mut self, vaddr: u64, size: u64, val: u64) -> Result<(), Trap> {
        if (vaddr & 0xfff) + size > 0x1000 {
            // Check both pages before writing anything, so a fault on the
            // second page leaves memory unchanged.
            let second = (vaddr | 0xfff).wrapping_add(1);
            self.translate(vaddr, Access::Store)?;
            self.translate(second, Access::Store)?;
            for i in 0..size {
                self.store_slow(vaddr.wrapping_add(i), 1, val >> (8 * i))?;
            }
            return Ok(());
        }
        let paddr = self.translate(vaddr, Access::Store)?;
        if !self
            .mmu
            .pmp_allows(paddr, size, Access::Store, self.data_priv())
        {
            return Err(Trap::new(cause::STORE_ACCESS, vaddr));
        }
        self.bus
            .write(paddr, size as u8, val)
            .map_err(|_| Trap::new(cause::STORE_ACCESS, vaddr))
    }

    /// Host pointer for an atomic access of `size` bytes at `vaddr`
    /// (aligned, RAM only), translated for writing.
    fn amo_ptr(&mut self, vaddr: u64, size: u64, access: Access) -> Result<(*mut u8, u64), Trap> {
        if vaddr & (size - 1) != 0 {
            let c = if access == Access::Load {
                cause::LOAD_MISALIGNED
            } else {
                cause::STORE_MISALIGNED
            };
            return Err(Trap::new(c, vaddr));
        }
        let paddr = self.translate(vaddr, access)?;
        match self.ram.host_ptr(paddr, size) {
            Some(p) => Ok((p, paddr)),
            None => Err(Trap::new(access.access_fault(), vaddr)),
        }
    }

    fn amo(&mut self, i: &Insn, vaddr: u64, src: u64) -> Result<u64, Trap> {
        use Op::*;
        let size = vireo_isa::atomic_size(i.op).unwrap_or(8);
        let word = size == 4;
        let (p, paddr) = self.amo_ptr(vaddr, size, Access::Store)?;
        self.ram.note_store(paddr);
        if word {
            // SAFETY: p is 4-byte aligned (checked) and inside guest RAM.
            let a = unsafe { AtomicU32::from_ptr(p as *mut u32) };
            let s = src as u32;
            let old = match i.op {
                AmoswapW => a.swap(s, Ordering::SeqCst),
                AmoaddW => a.fetch_add(s, Ordering::SeqCst),
                AmoxorW => a.fetch_xor(s, Ordering::SeqCst),
                AmoandW => a.fetch_and(s, Ordering::SeqCst),
                AmoorW => a.fetch_or(s, Ordering::SeqCst),
                AmominW => a
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                        Some((o as i32).min(s as i32) as u32)
                    })
                    .unwrap_or(0),
                AmomaxW => a
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                        Some((o as i32).max(s as i32) as u32)
                    })
                    .unwrap_or(0),
                AmominuW => a.fetch_min(s, Ordering::SeqCst),
                _ => a.fetch_max(s, Ordering::SeqCst),
            };
            Ok(old as i32 as i64 as u64)
        } else {
            // SAFETY: p is 8-byte aligned (checked) and inside guest RAM.
            let a = unsafe { AtomicU64::from_ptr(p as *mut u64) };
            let old = match i.op {
                AmoswapD => a.swap(src, Ordering::SeqCst),
                AmoaddD => a.fetch_add(src, Ordering::SeqCst),
                AmoxorD => a.fetch_xor(src, Ordering::SeqCst),
                AmoandD => a.fetch_and(src, Ordering::SeqCst),
                AmoorD => a.fetch_or(src, Ordering::SeqCst),
                AmominD => a
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                        Some((o as i64).min(src as i64) as u64)
                    })
                    .unwrap_or(0),
                AmomaxD => a
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                        Some((o as i64).max(src as i64) as u64)
                    })
                    .unwrap_or(0),
                AmominuD => a.fetch_min(src, Ordering::SeqCst),
                _ => a.fetch_max(src, Ordering::SeqCst),
            };
            Ok(old)
        }
    }

    fn load_reserved(&mut self, vaddr: u64, size: u64) -> Result<u64, Trap> {
        let (p, _) = self.amo_ptr(vaddr, size, Access::Load)?;
        let v = if size == 4 {
            // SAFETY: aligned (checked) and inside guest RAM.
            unsafe { AtomicU32::from_ptr(p as *mut u32) }.load(Ordering::SeqCst) as i32 as i64
                as u64
        } else {
            // SAFETY: aligned (checked) and inside guest RAM.
            unsafe { AtomicU64::from_ptr(p as *mut u64) }.load(Ordering::SeqCst)
        };
        self.reservation = [p as u64, v];
        Ok(v)
    }

    /// Returns 0 on success, 1 on failure (the value of rd).
    fn store_conditional(&mut self, vaddr: u64, size: u64, val: u64) -> Result<u64, Trap> {
        let (p, paddr) = self.amo_ptr(vaddr, size, Access::Store)?;
        let [raddr, expected] = self.reservation;
        self.reservation[0] = 0;
        if raddr != p as u64 {
            return Ok(1);
        }
        // The reservation holds while memory still has the value LR saw
        // (a compare-and-swap: concurrent writers of a different value make
        // SC fail, which is what LR/SC loops rely on).
        let ok = if size == 4 {
            // SAFETY: aligned (checked) and inside guest RAM.
            unsafe { AtomicU32::from_ptr(p as *mut u32) }
                .compare_exchange(
                    expected as u32,
                    val as u32,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
        } else {
            // SAFETY: aligned (checked) and inside guest RAM.
            unsafe { AtomicU64::from_ptr(p as *mut u64) }
                .compare_exchange(expected, val, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        };
        if ok {
            self.ram.note_store(paddr);
            Ok(0)
        } else {
            Ok(1)
        }
    }

    // ---- cache-block operations ------------------------------------------

    /// Whether the `cbo.*` instructions of envcfg bit `mask` may run at
    /// the current privilege (translated code reads the `cbo.zero` answer
    /// once per call, see `JitCtx::cbo_zero`).
    pub(crate) fn cbo_allowed(&self, mask: u64) -> bool {
        match self.prv {
            Priv::M => true,
            Priv::S => self.csr.menvcfg & mask != 0,
            Priv::U => self.csr.menvcfg & self.csr.senvcfg & mask != 0,
        }
    }

    fn cbo(&mut self, i: &Insn, vaddr: u64) -> Result<(), Trap> {
        let ill = Trap::illegal(i.raw);
        let enabled = |mask: u64| self.cbo_allowed(mask);
        let base = vaddr & !(CBO_BLOCK - 1);
        match i.op {
            Op::CboZero => {
                if !enabled(envcfg::CBZE) {
                    return Err(ill);
                }
                // Translate first so a fault leaves memory untouched;
                // a write-TLB hit already proves the whole page writable
                // RAM (the Linux kernel clears every new page this way).
                if !self.tlb_hit(base, Access::Store) {
                    self.translate(base, Access::Store)?;
                }
                for k in 0..CBO_BLOCK / 8 {
                    self.store::<8>(base + 8 * k, 0)?;
                }
                Ok(())
            }
            _ => {
                let mask = if i.op == Op::CboInval {
                    envcfg::CBIE
                } else {
                    envcfg::CBCFE
                };
                if !enabled(mask) {
                    return Err(ill);
                }
                // No caches to maintain: check the address is accessible,
                // reporting faults as store/AMO faults as the spec says.
                if self.tlb_hit(base, Access::Load) {
                    return Ok(());
                }
                self.translate(base, Access::Load).map(|_| ()).map_err(|t| {
                    let c = match t.cause {
                        cause::LOAD_PAGE_FAULT => cause::STORE_PAGE_FAULT,
                        cause::LOAD_ACCESS => cause::STORE_ACCESS,
                        c => c,
                    };
                    Trap::new(c, vaddr)
                })
            }
        }
    }

    // ---- system instructions ----------------------------------------------

    /// The source operand of CSR instruction `i` (rs1's value, or the
    /// immediate of the `i` forms), and whether it always writes (`csrrw`,
    /// `csrrwi`; the others write only with a non-zero rs1 field).
    pub(crate) fn csr_source(&self, i: &Insn) -> (u64, bool) {
        match i.op {
            Op::Csrrw => (self.x[(i.rs1 & 31) as usize], true),
            Op::Csrrwi => (i.rs1 as u64 & 31, true),
            Op::Csrrs | Op::Csrrc => (self.x[(i.rs1 & 31) as usize], false),
            _ => (i.rs1 as u64 & 31, false),
        }
    }

    pub(crate) fn exec_csr(&mut self, i: &Insn) -> Result<(), Trap> {
        let csr = (i.imm as u64 & 0xfff) as u16;
        let rd = (i.rd & 31) as usize;
        let (src, write_always) = self.csr_source(i);
        let writes = write_always || i.rs1 != 0;
        if writes {
            self.csr_check_write(csr, i.raw)?;
        }
        let old = if rd != 0 || !write_always {
            self.csr_read(csr, i.raw)?
        } else {
            0
        };
        if writes {
            // Read-modify-write of mip works on the software-writable bits.
            let base = if csr == addr::MIP { self.csr.mip } else { old };
            self.csr_write(csr, csr_written(i.op, base, src), i.raw)?;
        }
        self.x[rd] = old;
        self.x[0] = 0;
        Ok(())
    }

    fn exec_mret(&mut self, raw: u32) -> Result<u64, Trap> {
        if self.prv != Priv::M {
            return Err(Trap::illegal(raw));
        }
        let s = self.csr.mstatus;
        let mpp = Priv::from_bits(s >> mstatus::MPP_SHIFT).unwrap_or(Priv::U);
        let mut n = if s & mstatus::MPIE != 0 {
            s | mstatus::MIE
        } else {
            s & !mstatus::MIE
        };
        n |= mstatus::MPIE;
        n &= !mstatus::MPP;
        if mpp != Priv::M {
            n &= !mstatus::MPRV;
        }
        self.csr.mstatus = n;
        self.reservation[0] = 0;
        self.set_priv(mpp);
        Ok(self.csr.mepc)
    }

    fn exec_sret(&mut self, raw: u32) -> Result<u64, Trap> {
        if self.prv < Priv::S || (self.prv == Priv::S && self.csr.mstatus & mstatus::TSR != 0) {
            return Err(Trap::illegal(raw));
        }
        let s = self.csr.mstatus;
        let spp = if s & mstatus::SPP != 0 {
            Priv::S
        } else {
            Priv::U
        };
        let mut n = if s & mstatus::SPIE != 0 {
            s | mstatus::SIE
        } else {
            s & !mstatus::SIE
        };
        n |= mstatus::SPIE;
        n &= !mstatus::SPP;
        n &= !mstatus::MPRV;
        self.csr.mstatus = n;
        self.reservation[0] = 0;
        self.set_priv(spp);
        Ok(self.csr.sepc)
    }

    // ---- floating point -------------------------------------------------------

    #[inline(always)]
    fn fp_check(&self, raw: u32) -> Result<(), Trap> {
        if self.csr.mstatus & mstatus::FS == 0 {
            Err(Trap::illegal(raw))
        } else {
            Ok(())
        }
    }

    pub(crate) fn exec_fp(&mut self, i: &Insn) -> Result<(), Trap> {
        self.fp_check(i.raw)?;
        let rm = if i.rm == 7 {
            ((self.csr.fcsr >> 5) & 7) as u8
        } else {
            i.rm
        };
        if fpu::uses_rm(i.op) && rm > 4 {
            return Err(Trap::illegal(i.raw));
        }
        let a = if fpu::reads_int_rs1(i.op) {
            self.x[(i.rs1 & 31) as usize]
        } else {
            self.f[(i.rs1 & 31) as usize]
        };
        let (b, c) = (self.f[(i.rs2 & 31) as usize], self.f[(i.rs3 & 31) as usize]);
        // Round-to-nearest with NX already set: the host FPU's result is
        // SoftFloat's wherever `execute_fast` answers (see there).
        let fast = if rm == 0 && self.csr.fcsr & fpu::NX as u64 != 0 {
            fpu::execute_fast(i.op, a, b, c)
        } else {
            None
        };
        let (v, flags) = match fast {
            Some(v) => (v, 0),
            None => fpu::execute(i.op, a, b, c, rm),
        };
        self.csr.fcsr |= flags as u64;
        if fpu::writes_int_rd(i.op) {
            self.x[(i.rd & 31) as usize] = v;
            self.x[0] = 0;
        } else {
            self.f[(i.rd & 31) as usize] = v;
        }
        self.csr.mstatus |= mstatus::FS;
        Ok(())
    }

    // ---- the instruction switch ------------------------------------------------

    /// Execute one instruction at `pc`; returns the next pc.
    #[inline(always)]
    pub(crate) fn execute(&mut self, i: &Insn, pc: u64) -> Result<u64, Trap> {
        let rd = (i.rd & 31) as usize;
        let x1 = self.x[(i.rs1 & 31) as usize];
        let x2 = self.x[(i.rs2 & 31) as usize];
        let imm = i.imm as u64;
        let next = pc.wrapping_add(i.len as u64);
        macro_rules! wr {
            ($v:expr) => {{
                let v = $v;
                self.x[rd] = v;
                self.x[0] = 0;
            }};
        }
        macro_rules! branch {
            ($c:expr) => {{
                if $c {
                    return Ok(pc.wrapping_add(imm));
                }
            }};
        }
        use Op::*;
        match i.op {
            Lui => wr!(imm),
            Auipc => wr!(pc.wrapping_add(imm)),
            Jal => {
                wr!(next);
                return Ok(pc.wrapping_add(imm));
            }
            Jalr => {
                let t = x1.wrapping_add(imm) & !1;
                wr!(next);
                return Ok(t);
            }
            Beq => branch!(x1 == x2),
            Bne => branch!(x1 != x2),
            Blt => branch!((x1 as i64) < (x2 as i64)),
            Bge => branch!((x1 as i64) >= (x2 as i64)),
            Bltu => branch!(x1 < x2),
            Bgeu => branch!(x1 >= x2),
            Lb => wr!(self.load::<1>(x1.wrapping_add(imm))? as i8 as i64 as u64),
            Lh => wr!(self.load::<2>(x1.wrapping_add(imm))? as i16 as i64 as u64),
            Lw => wr!(self.load::<4>(x1.wrapping_add(imm))? as i32 as i64 as u64),
            Ld => wr!(self.load::<8>(x1.wrapping_add(imm))?),
            Lbu => wr!(self.load::<1>(x1.wrapping_add(imm))?),
            Lhu => wr!(self.load::<2>(x1.wrapping_add(imm))?),
            Lwu => wr!(self.load::<4>(x1.wrapping_add(imm))?),
            Sb => self.store::<1>(x1.wrapping_add(imm), x2)?,
            Sh => self.store::<2>(x1.wrapping_add(imm), x2)?,
            Sw => self.store::<4>(x1.wrapping_add(imm), x2)?,
            Sd => self.store::<8>(x1.wrapping_add(imm), x2)?,
            Addi => wr!(x1.wrapping_add(imm)),
            Slti => wr!(((x1 as i64) < (imm as i64)) as u64),
            Sltiu => wr!((x1 < imm) as u64),
            Xori => wr!(x1 ^ imm),
            Ori => wr!(x1 | imm),
            Andi => wr!(x1 & imm),
            Slli => wr!(x1 << (imm & 63)),
            Srli => wr!(x1 >> (imm & 63)),
            Srai => wr!(((x1 as i64) >> (imm & 63)) as u64),
            Add => wr!(x1.wrapping_add(x2)),
            Sub => wr!(x1.wrapping_sub(x2)),
            Sll => wr!(x1 << (x2 & 63)),
            Slt => wr!(((x1 as i64) < (x2 as i64)) as u64),
            Sltu => wr!((x1 < x2) as u64),
            Xor => wr!(x1 ^ x2),
            Srl => wr!(x1 >> (x2 & 63)),
            Sra => wr!(((x1 as i64) >> (x2 & 63)) as u64),
            Or => wr!(x1 | x2),
            And => wr!(x1 & x2),
            Addiw => wr!(sext32(x1.wrapping_add(imm))),
            Slliw => wr!(sext32(((x1 as u32) << (imm & 31)) as u64)),
            Srliw => wr!(sext32(((x1 as u32) >> (imm & 31)) as u64)),
            Sraiw => wr!(((x1 as i32) >> (imm & 31)) as i64 as u64),
            Addw => wr!(sext32(x1.wrapping_add(x2))),
            Subw => wr!(sext32(x1.wrapping_sub(x2))),
            Sllw => wr!(sext32(((x1 as u32) << (x2 & 31)) as u64)),
            Srlw => wr!(sext32(((x1 as u32) >> (x2 & 31)) as u64)),
            Sraw => wr!(((x1 as i32) >> (x2 & 31)) as i64 as u64),
            Fence => std::sync::atomic::fence(Ordering::SeqCst),
            FenceI => {
                // Nothing to drop: the decode cache and translations are
                // kept coherent eagerly. Every store into a page holding
                // decoded code (this hart's, another hart's, device DMA)
                // bumps the RAM code epoch, and the run loop compares the
                // epoch before every block, so code written before this
                // fence.i is what the next block fetch decodes.
                std::sync::atomic::fence(Ordering::SeqCst);
            }
            Ecall => {
                let c = match self.prv {
                    Priv::U => cause::ECALL_U,
                    Priv::S => {
                        if self.config.host_sbi {
                            self.pending_exit = Some(Exit::SbiCall);
                            return Ok(pc);
                        }
                        cause::ECALL_S
                    }
                    Priv::M => cause::ECALL_M,
                };
                return Err(Trap::new(c, 0));
            }
            Ebreak => return Err(Trap::new(cause::BREAKPOINT, pc)),
            Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => self.exec_csr(i)?,
            Mret => return self.exec_mret(i.raw),
            Sret => return self.exec_sret(i.raw),
            Wfi => {
                let tw = self.csr.mstatus & mstatus::TW != 0;
                if self.prv == Priv::U || (self.prv == Priv::S && tw) {
                    return Err(Trap::illegal(i.raw));
                }
                self.refresh_timer();
                if self.mip() & self.csr.mie == 0 {
                    self.pending_exit = Some(Exit::Wfi);
                }
            }
            SfenceVma => {
                if self.prv == Priv::U
                    || (self.prv == Priv::S && self.csr.mstatus & mstatus::TVM != 0)
                {
                    return Err(Trap::illegal(i.raw));
                }
                if i.rs1 == 0 {
                    self.mmu.flush_all();
                } else {
                    self.mmu.flush_page(x1);
                }
            }
            Mul => wr!(x1.wrapping_mul(x2)),
            Mulh => wr!(((x1 as i64 as i128 * x2 as i64 as i128) >> 64) as u64),
            Mulhsu => wr!(((x1 as i64 as i128).wrapping_mul(x2 as i128) >> 64) as u64),
            Mulhu => wr!(((x1 as u128 * x2 as u128) >> 64) as u64),
            Div => wr!(if x2 == 0 {
                u64::MAX
            } else {
                (x1 as i64).wrapping_div(x2 as i64) as u64
            }),
            Divu => wr!(x1.checked_div(x2).unwrap_or(u64::MAX)),
            Rem => wr!(if x2 == 0 {
                x1
            } else {
                (x1 as i64).wrapping_rem(x2 as i64) as u64
            }),
            Remu => wr!(if x2 == 0 { x1 } else { x1 % x2 }),
            Mulw => wr!(sext32((x1 as u32).wrapping_mul(x2 as u32) as u64)),
            Divw => {
                let (a, b) = (x1 as i32, x2 as i32);
                wr!(if b == 0 {
                    u64::MAX
                } else {
                    a.wrapping_div(b) as i64 as u64
                })
            }
            Divuw => {
                let (a, b) = (x1 as u32, x2 as u32);
                wr!(a.checked_div(b).map_or(u64::MAX, |q| sext32(q as u64)))
            }
            Remw => {
                let (a, b) = (x1 as i32, x2 as i32);
                wr!(if b == 0 {
                    a as i64 as u64
                } else {
                    a.wrapping_rem(b) as i64 as u64
                })
            }
            Remuw => {
                let (a, b) = (x1 as u32, x2 as u32);
                wr!(if b == 0 {
                    sext32(a as u64)
                } else {
                    sext32((a % b) as u64)
                })
            }
            LrW => wr!(self.load_reserved(x1, 4)?),
            LrD => wr!(self.load_reserved(x1, 8)?),
            ScW => wr!(self.store_conditional(x1, 4, x2)?),
            ScD => wr!(self.store_conditional(x1, 8, x2)?),
            AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW | AmominuW
            | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD | AmomaxD
            | AmominuD | AmomaxuD => wr!(self.amo(i, x1, x2)?),
            Flw => {
                self.fp_check(i.raw)?;
                let v = self.load::<4>(x1.wrapping_add(imm))?;
                self.f[rd] = fpu::nan_box(v as u32);
                self.csr.mstatus |= mstatus::FS;
            }
            Fld => {
                self.fp_check(i.raw)?;
                let v = self.load::<8>(x1.wrapping_add(imm))?;
                self.f[rd] = v;
                self.csr.mstatus |= mstatus::FS;
            }
            Fsw => {
                self.fp_check(i.raw)?;
                let v = self.f[(i.rs2 & 31) as usize];
                self.store::<4>(x1.wrapping_add(imm), v)?;
            }
            Fsd => {
                self.fp_check(i.raw)?;
                let v = self.f[(i.rs2 & 31) as usize];
                self.store::<8>(x1.wrapping_add(imm), v)?;
            }
            Sh1add => wr!((x1 << 1).wrapping_add(x2)),
            Sh2add => wr!((x1 << 2).wrapping_add(x2)),
            Sh3add => wr!((x1 << 3).wrapping_add(x2)),
            AddUw => wr!((x1 as u32 as u64).wrapping_add(x2)),
            Sh1addUw => wr!(((x1 as u32 as u64) << 1).wrapping_add(x2)),
            Sh2addUw => wr!(((x1 as u32 as u64) << 2).wrapping_add(x2)),
            Sh3addUw => wr!(((x1 as u32 as u64) << 3).wrapping_add(x2)),
            SlliUw => wr!((x1 as u32 as u64) << (imm & 63)),
            Andn => wr!(x1 & !x2),
            Orn => wr!(x1 | !x2),
            Xnor => wr!(!(x1 ^ x2)),
            Clz => wr!(x1.leading_zeros() as u64),
            Clzw => wr!((x1 as u32).leading_zeros() as u64),
            Ctz => wr!(x1.trailing_zeros() as u64),
            Ctzw => wr!((x1 as u32).trailing_zeros() as u64),
            Cpop => wr!(x1.count_ones() as u64),
            Cpopw => wr!((x1 as u32).count_ones() as u64),
            Max => wr!((x1 as i64).max(x2 as i64) as u64),
            Maxu => wr!(x1.max(x2)),
            Min => wr!((x1 as i64).min(x2 as i64) as u64),
            Minu => wr!(x1.min(x2)),
            SextB => wr!(x1 as i8 as i64 as u64),
            SextH => wr!(x1 as i16 as i64 as u64),
            ZextH => wr!(x1 as u16 as u64),
            Rol => wr!(x1.rotate_left((x2 & 63) as u32)),
            Rolw => wr!(sext32((x1 as u32).rotate_left((x2 & 31) as u32) as u64)),
            Ror => wr!(x1.rotate_right((x2 & 63) as u32)),
            Rori => wr!(x1.rotate_right((imm & 63) as u32)),
            Roriw => wr!(sext32((x1 as u32).rotate_right((imm & 31) as u32) as u64)),
            Rorw => wr!(sext32((x1 as u32).rotate_right((x2 & 31) as u32) as u64)),
            OrcB => wr!(orc_b(x1)),
            Rev8 => wr!(x1.swap_bytes()),
            Clmul => wr!(clmul(x1, x2)),
            Clmulh => wr!(clmulh(x1, x2)),
            Clmulr => wr!(clmulr(x1, x2)),
            Bclr => wr!(x1 & !(1u64 << (x2 & 63))),
            Bclri => wr!(x1 & !(1u64 << (imm & 63))),
            Bext => wr!((x1 >> (x2 & 63)) & 1),
            Bexti => wr!((x1 >> (imm & 63)) & 1),
            Binv => wr!(x1 ^ (1u64 << (x2 & 63))),
            Binvi => wr!(x1 ^ (1u64 << (imm & 63))),
            Bset => wr!(x1 | (1u64 << (x2 & 63))),
            Bseti => wr!(x1 | (1u64 << (imm & 63))),
            CzeroEqz => wr!(if x2 == 0 { 0 } else { x1 }),
            CzeroNez => wr!(if x2 != 0 { 0 } else { x1 }),
            CboClean | CboFlush | CboInval | CboZero => self.cbo(i, x1)?,
            Illegal => return Err(Trap::illegal(i.raw)),
            _ => self.exec_fp(i)?,
        }
        Ok(next)
    }
}

/// The value CSR instruction `op` writes over `base` with source `src`.
pub(crate) fn csr_written(op: Op, base: u64, src: u64) -> u64 {
    match op {
        Op::Csrrw | Op::Csrrwi => src,
        Op::Csrrs | Op::Csrrsi => base | src,
        _ => base & !src,
    }
}
