"""Expected values for the table-driven parts of ../rv64m.S and ../rv64a.S.
python3 gen_int_tables.py m    prints the m_table block of rv64m.S
python3 gen_int_tables.py amo  prints the AMO case list of rv64a.S
The models below are the M and A instruction definitions."""
import sys
M=(1<<64)-1
def s64(x): x&=M; return x-(1<<64) if x>>63 else x
def s32(x): x&=0xffffffff; return x-(1<<32) if x>>31 else x
def u(x): return x&M
def sext32(x): return u(s32(x))
def mul(a,b): return u(a*b)
def mulh(a,b): return u((s64(a)*s64(b))>>64)
def mulhsu(a,b): return u((s64(a)*u(b))>>64)
def mulhu(a,b): return u((u(a)*u(b))>>64)
def mulw(a,b): return sext32(a*b)
def tdiv(a,b):
    q=abs(a)//abs(b)
    return q if (a<0)==(b<0) else -q
def div(a,b):
    a,b=s64(a),s64(b)
    if b==0: return M
    if a==-(1<<63) and b==-1: return u(a)
    return u(tdiv(a,b))
def rem(a,b):
    a,b=s64(a),s64(b)
    if b==0: return u(a)
    if a==-(1<<63) and b==-1: return 0
    return u(a-b*tdiv(a,b))
def divu(a,b):
    a,b=u(a),u(b)
    return M if b==0 else a//b
def remu(a,b):
    a,b=u(a),u(b)
    return a if b==0 else a%b
def divw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return M
    if a==-(1<<31) and b==-1: return sext32(a)
    return sext32(tdiv(a,b))
def remw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return sext32(a)
    if a==-(1<<31) and b==-1: return 0
    return sext32(a-b*tdiv(a,b))
def divuw(a,b):
    a,b=a&0xffffffff,b&0xffffffff
    return M if b==0 else sext32(a//b)
def remuw(a,b):
    a,b=a&0xffffffff,b&0xffffffff
    return sext32(a) if b==0 else sext32(a%b)
ops=[mul,mulh,mulhsu,mulhu,mulw,div,divu,rem,remu,divw,divuw,remw,remuw]
pairs=[
 (0x0123456789abcdef,0xfedcba9876543210),
 (7,3),(-7,3),(7,-3),(-7,-3),
 (0x8000000000000000,-1),(0x8000000000000000,1),
 (12345,0),(-12345,0),(0,0),
 (-1,-1),(0xffffffff80000000,0xffffffffffffffff),
 (0x7fffffffffffffff,0x7fffffffffffffff),
 (0x8000000000000000,0x8000000000000000),
 (0x00000005_fffffff9,0x00000001_00000002),
 (0xffffffff_80000000, 0x12345678_ffffffff),
 (0x00000000_80000000, 0),
 (-1, 2),
 (0x123456789,0x1000),
]

def table():
    print("m_table:")
    for a,b in pairs:
        a,b=u(a),u(b)
        print(f"    .dword {a:#018x}, {b:#018x}")
        vals=[op(a,b) for op in ops]
        for i in range(0,13,4):
            print("    .dword "+", ".join(f"{v:#018x}" for v in vals[i:i+4]))
    print("m_table_end:")


# ---- A: AMO on the dword 0x800000017ffffff0 ----
def s(x, b):
    x &= (1 << b) - 1
    return x - (1 << b) if x >> (b - 1) else x

def uu(x, b):
    return x & ((1 << b) - 1)

AMO_OPS = {
    "swap": lambda a, b, w: b,
    "add": lambda a, b, w: a + b,
    "xor": lambda a, b, w: a ^ b,
    "and": lambda a, b, w: a & b,
    "or": lambda a, b, w: a | b,
    "min": lambda a, b, w: a if s(a, w) < s(b, w) else b,
    "max": lambda a, b, w: a if s(a, w) > s(b, w) else b,
    "minu": lambda a, b, w: a if uu(a, w) < uu(b, w) else b,
    "maxu": lambda a, b, w: a if uu(a, w) > uu(b, w) else b,
}
MEM = 0x800000017FFFFFF0
RS2 = [0x0000000000000011, 0xFFFFFFFF80000000, 0x00000001FFFFFFFE]

def amo_cases():
    n = 100
    for w in (32, 64):
        for off in ((0, 4) if w == 32 else (0,)):
            for rs2 in RS2:
                for op, f in AMO_OPS.items():
                    old = (MEM >> (8 * off)) & ((1 << w) - 1)
                    new = uu(f(old, rs2, w), w)
                    rd = uu(s(old, w), 64)
                    if w == 32:
                        mask = 0xFFFFFFFF << (8 * off)
                        newmem = (MEM & ~mask) | (new << (8 * off))
                    else:
                        newmem = new
                    sfx = "w" if w == 32 else "d"
                    print(f"    AMO amo{op}.{sfx}, {off}, {rs2:#x}, {rd:#x}, {newmem & M:#x}, {n}")
                    n += 2

if __name__ == "__main__":
    {"m": table, "amo": amo_cases}[sys.argv[1]]()
