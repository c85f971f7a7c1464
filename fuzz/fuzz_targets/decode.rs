//! Decode arbitrary bytes as an instruction stream (and as isolated 16- and
//! 32-bit words), format every result, and check the decoder's invariants.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use vireo_isa::{decode, decode_compressed, insn_len, Insn, Op};

fn check(word: u32, insn: &Insn, text: &mut String) {
    let parcel = word as u16;
    assert_eq!(insn.len, insn_len(parcel));
    if insn.len == 2 {
        assert_eq!(insn.raw, u32::from(parcel));
    } else {
        assert_eq!(insn.raw, word);
    }
    assert!(insn.rd < 32 && insn.rs1 < 32 && insn.rs2 < 32 && insn.rs3 < 32 && insn.rm < 8);
    if insn.op == Op::Illegal {
        assert_eq!(*insn, Insn::illegal(insn.raw, insn.len));
    }
    text.clear();
    write!(text, "{insn}").expect("formatting into a String cannot fail");
    assert!(!text.is_empty());
}

fuzz_target!(|data: &[u8]| {
    let mut text = String::new();

    // As an instruction stream, the way a hart fetches it.
    let mut pc = 0;
    while let Some(lo) = data.get(pc..pc + 2) {
        let parcel = u16::from_le_bytes([lo[0], lo[1]]);
        let len = usize::from(insn_len(parcel));
        let word = match data.get(pc + 2..pc + 4) {
            Some(hi) if len == 4 => u32::from_le_bytes([lo[0], lo[1], hi[0], hi[1]]),
            _ => u32::from(parcel),
        };
        let insn = decode(word);
        check(word, &insn, &mut text);
        if len == 2 {
            assert_eq!(decode_compressed(parcel), insn);
        }
        pc += len;
    }

    // Every aligned 32-bit word, and every 16-bit parcel as compressed.
    for c in data.chunks_exact(4) {
        let word = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        check(word, &decode(word), &mut text);
    }
    for c in data.chunks_exact(2) {
        let parcel = u16::from_le_bytes([c[0], c[1]]);
        let insn = decode_compressed(parcel);
        text.clear();
        write!(text, "{insn}").expect("formatting into a String cannot fail");
    }
});
