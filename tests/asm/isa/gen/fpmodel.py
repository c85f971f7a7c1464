"""An exact model of IEEE 754 binary32/binary64 arithmetic as the RISC-V F
and D extensions specify it, used to compute the expected values of the
generated checks in rv64f.S and rv64d.S.

Values are exact rationals (fractions.Fraction), rounded with one of the
five RISC-V rounding modes. Flags: NX inexact, UF underflow (tininess
detected after rounding, raised only when also inexact), OF overflow, DZ
divide by zero, NV invalid. Every NaN result is the canonical NaN.
"""
from fractions import Fraction as F
import math
NX,UF,OF,DZ,NV=1,2,4,8,16
RNE,RTZ,RDN,RUP,RMM=0,1,2,3,4
class Fmt:
    def __init__(s,e,m):
        s.e=e; s.m=m; s.bias=(1<<(e-1))-1; s.emin=1-s.bias; s.emax=s.bias
        s.nan=((1<<e)-1)<<m | 1<<(m-1); s.width=1+e+m
S=Fmt(8,23); D=Fmt(11,52)
def dec(bits,f):
    s=bits>>(f.width-1)&1; e=(bits>>f.m)&((1<<f.e)-1); m=bits&((1<<f.m)-1)
    if e==(1<<f.e)-1:
        if m==0: return ('inf',s)
        return ('snan' if not (m>>(f.m-1))&1 else 'qnan',s)
    if e==0: v=F(m,1)*F(2)**(f.emin-f.m)
    else: v=F((1<<f.m)|m)*F(2)**(e-f.bias-f.m)
    return ('num',s,v)
def isnan(x): return x[0] in('snan','qnan')
def val(x):  # signed value for num
    return -x[2] if x[1] else x[2]
def rnd_int(n,rm,sign):
    # round positive Fraction n to integer under rm, sign is the sign of the value
    fl=math.floor(n); fr=n-fl
    if fr==0: return fl
    if rm==RNE:
        if fr>F(1,2) or (fr==F(1,2) and fl%2==1): return fl+1
        return fl
    if rm==RMM: return fl+1 if fr>=F(1,2) else fl
    if rm==RTZ: return fl
    if rm==RDN: return fl+1 if sign else fl
    if rm==RUP: return fl if sign else fl+1
def log2floor(a):
    e=a.numerator.bit_length()-a.denominator.bit_length()
    while F(2)**e>a: e-=1
    while F(2)**(e+1)<=a: e+=1
    return e
def enc(sign,e,m,f): return (sign<<(f.width-1))|(e<<f.m)|m
def maxfin(f,sign): return enc(sign,(1<<f.e)-2,(1<<f.m)-1,f)
def inf(f,sign): return enc(sign,(1<<f.e)-1,0,f)
def round_val(v,f,rm,zero_sign=0):
    """v: Fraction (exact). returns bits, flags"""
    if v==0: return enc(zero_sign,0,0,f),0
    sign=1 if v<0 else 0; a=abs(v)
    E=log2floor(a)
    # tininess after rounding: round with unbounded exponent
    q=F(2)**(E-f.m); n=rnd_int(a/q,rm,sign); ub=n*q
    tiny= ub < F(2)**f.emin
    Ee=max(E,f.emin); q=F(2)**(Ee-f.m); n=rnd_int(a/q,rm,sign)
    inexact = n*q!=a
    if n==(1<<(f.m+1)): Ee+=1; n>>=1
    flags=NX if inexact else 0
    if tiny and inexact: flags|=UF
    if Ee>f.emax:
        flags|=OF|NX
        if rm==RTZ or (rm==RDN and not sign) or (rm==RUP and sign): return maxfin(f,sign),flags
        return inf(f,sign),flags
    if n < (1<<f.m): return enc(sign,0,n,f),flags
    return enc(sign,Ee+f.bias,n-(1<<f.m),f),flags
def binop(op,a,b,f,rm):
    x=dec(a,f); y=dec(b,f)
    if isnan(x) or isnan(y):
        fl=NV if 'snan' in (x[0],y[0]) else 0
        return f.nan,fl
    if op=='add' or op=='sub':
        ys=y[1]^(1 if op=='sub' else 0)
        if x[0]=='inf' and y[0]=='inf':
            if x[1]!=ys: return f.nan,NV
            return inf(f,x[1]),0
        if x[0]=='inf': return inf(f,x[1]),0
        if y[0]=='inf': return inf(f,ys),0
        vx=val(x); vy=-y[2] if ys else y[2]
        r=vx+vy
        if r==0:
            if vx==0 and vy==0 and x[1]==ys: zs=x[1]
            else: zs=1 if rm==RDN else 0
            return round_val(r,f,rm,zs)
        return round_val(r,f,rm)
    if op=='mul':
        s=x[1]^y[1]
        if x[0]=='inf' or y[0]=='inf':
            if (x[0]=='num' and x[2]==0) or (y[0]=='num' and y[2]==0): return f.nan,NV
            return inf(f,s),0
        return round_val(x[2]*y[2]*(-1 if s else 1),f,rm,s)
    if op=='div':
        s=x[1]^y[1]
        if x[0]=='inf':
            if y[0]=='inf': return f.nan,NV
            return inf(f,s),0
        if y[0]=='inf': return enc(s,0,0,f),0
        if y[2]==0:
            if x[2]==0: return f.nan,NV
            return inf(f,s),DZ
        return round_val(x[2]/y[2]*(-1 if s else 1),f,rm,s)
def fma(a,b,c,f,rm,negprod=False,negc=False):
    x,y,z=dec(a,f),dec(b,f),dec(c,f)
    ps=x[1]^y[1]^(1 if negprod else 0); zs=z[1]^(1 if negc else 0)
    pinf = x[0]=='inf' or y[0]=='inf'
    pzero= (x[0]=='num' and x[2]==0) or (y[0]=='num' and y[2]==0)
    if (pinf and pzero) and not (isnan(x) or isnan(y)): return f.nan,NV
    if isnan(x) or isnan(y) or isnan(z):
        return f.nan, NV if 'snan' in (x[0],y[0],z[0]) else 0
    if pinf:
        if z[0]=='inf' and zs!=ps: return f.nan,NV
        return inf(f,ps),0
    if z[0]=='inf': return inf(f,zs),0
    p=x[2]*y[2]*(-1 if ps else 1); vz=-z[2] if zs else z[2]
    r=p+vz
    if r==0:
        if p==0 and vz==0 and ps==zs: s=ps
        else: s=1 if rm==RDN else 0
        return round_val(r,f,rm,s)
    return round_val(r,f,rm)
def isqrt_round(a,f,rm):
    # a positive Fraction; round sqrt(a)
    E=log2floor(a)//2 - 2
    # scale so that result has many bits: compute floor(sqrt(a)*2^k)
    k=f.m+10-E
    t=a*F(4)**k
    r=math.isqrt(t.numerator//t.denominator)
    exact = F(r*r)==t
    # sqrt(a) = (r + delta)/2^k, use r + 1/2 sticky if not exact
    approx=F(2*r+(0 if exact else 1),2)/F(2)**k
    return round_val(approx,f,rm)
def sqrt(a,f,rm):
    x=dec(a,f)
    if isnan(x): return f.nan, NV if x[0]=='snan' else 0
    if x[0]=='inf': return (f.nan,NV) if x[1] else (a,0)
    if x[2]==0: return a,0
    if x[1]: return f.nan,NV
    return isqrt_round(x[2],f,rm)
def cvt_to_int(a,f,rm,bits,signed):
    x=dec(a,f)
    lo= -(1<<(bits-1)) if signed else 0
    hi= (1<<(bits-1))-1 if signed else (1<<bits)-1
    if isnan(x): r,fl=hi,NV
    elif x[0]=='inf': r,fl=(lo if x[1] else hi),NV
    else:
        v=val(x); n=rnd_int(abs(v),rm,x[1]); n=-n if x[1] else n
        if n<lo: r,fl=lo,NV
        elif n>hi: r,fl=hi,NV
        else: r,fl=n,(NX if n!=v else 0)
    r&=(1<<bits)-1
    if bits==32: r = r | (0xffffffff00000000 if r>>31 else 0)
    return r,fl
def cvt_from_int(i,f,rm,bits,signed):
    i&=(1<<bits)-1
    if signed and i>>(bits-1): i-=1<<bits
    return round_val(F(i),f,rm)
def cvt_fmt(a,fa,fb,rm):
    x=dec(a,fa)
    if isnan(x): return fb.nan, NV if x[0]=='snan' else 0
    if x[0]=='inf': return inf(fb,x[1]),0
    return round_val(val(x),fb,rm,x[1])
def cmp(op,a,b,f):
    x,y=dec(a,f),dec(b,f)
    if isnan(x) or isnan(y):
        if op=='eq': return 0, NV if 'snan' in (x[0],y[0]) else 0
        return 0,NV
    vx = (F(-1) if x[1] else F(1))*F(10)**400 if x[0]=='inf' else val(x)
    vy = (F(-1) if y[1] else F(1))*F(10)**400 if y[0]=='inf' else val(y)
    return int({'eq':vx==vy,'lt':vx<vy,'le':vx<=vy}[op]),0
def minmax(op,a,b,f):
    x,y=dec(a,f),dec(b,f)
    fl=NV if 'snan' in (x[0],y[0]) else 0
    if isnan(x) and isnan(y): return f.nan,fl
    if isnan(x): return b,fl
    if isnan(y): return a,fl
    vx = (F(-1) if x[1] else F(1))*F(10)**400 if x[0]=='inf' else val(x)
    vy = (F(-1) if y[1] else F(1))*F(10)**400 if y[0]=='inf' else val(y)
    if vx==vy:  # +-0
        if op=='min': return (a if x[1] else b),fl
        return (b if x[1] else a),fl
    if op=='min': return (a if vx<vy else b),fl
    return (a if vx>vy else b),fl
def fclass(a,f):
    x=dec(a,f)
    if x[0]=='snan': return 1<<8
    if x[0]=='qnan': return 1<<9
    if x[0]=='inf': return 1 if x[1] else 1<<7
    v=x[2]; e=(a>>f.m)&((1<<f.e)-1)
    if v==0: return 1<<3 if x[1] else 1<<4
    if e==0: return 1<<2 if x[1] else 1<<5
    return 1<<1 if x[1] else 1<<6


# ---- emitting checks in the syntax of ../fp.h ----

RMN=['rne','rtz','rdn','rup','rmm']
FLN={NX:'FF_NX',UF:'FF_UF',OF:'FF_OF',DZ:'FF_DZ',NV:'FF_NV'}
def fls(fl):
    if fl==0: return '0'
    return '|'.join(FLN[b] for b in (NV,DZ,OF,UF,NX) if fl&b)
def desc(bits,f):
    x=dec(bits,f)
    sg='-' if x[1] else ''
    if x[0]=='num':
        v=x[2]
        if v==0: return sg+'0'
        return sg+('%.9g'%float(v) if f is S else '%.17g'%float(v))
    if x[0]=='inf': return sg+'inf'
    return sg+x[0]+('(%#x)'%bits if bits!=f.nan else '')
class G:
    def __init__(s,f,n):
        s.f=f; s.n=n; s.sfx='s' if f is S else 'd'; s.out=[]
    def p(s,t): s.out.append(t)
    def w(s,b): return f"{b:#010x}" if s.f is S else f"{b:#018x}"
    def op2(s,op,a,b,rms=range(5),sym=None):
        f=s.f
        sym=sym or {'add':'+','sub':'-','mul':'*','div':'/'}[op]
        s.p(f"    // {desc(a,f)} {sym} {desc(b,f)}")
        for rm in rms:
            r,fl=binop(op,a,b,f,rm)
            s.p(f"    FOP2{s.sfx.upper()} f{op}.{s.sfx}, {RMN[rm]}, {s.w(a)}, {s.w(b)}, {s.w(r)}, {fls(fl)}, {s.n}")
            s.n+=2
    def sqrt(s,a,rms=range(5)):
        f=s.f
        s.p(f"    // sqrt({desc(a,f)})")
        for rm in rms:
            r,fl=sqrt(a,f,rm)
            s.p(f"    FOP1{s.sfx.upper()} fsqrt.{s.sfx}, {RMN[rm]}, {s.w(a)}, {s.w(r)}, {fls(fl)}, {s.n}")
            s.n+=2
    def fma(s,which,a,b,c,rms=(0,)):
        f=s.f
        np,nc={'fmadd':(0,0),'fmsub':(0,1),'fnmsub':(1,0),'fnmadd':(1,1)}[which]
        s.p(f"    // {which}({desc(a,f)}, {desc(b,f)}, {desc(c,f)})")
        for rm in rms:
            r,fl=fma(a,b,c,f,rm,np,nc)
            s.p(f"    FOP3{s.sfx.upper()} {which}.{s.sfx}, {RMN[rm]}, {s.w(a)}, {s.w(b)}, {s.w(c)}, {s.w(r)}, {fls(fl)}, {s.n}")
            s.n+=2
    def mm(s,op,a,b):
        f=s.f
        r,fl=minmax(op,a,b,f)
        s.p(f"    FOPNR{s.sfx.upper()} f{op}.{s.sfx}, {s.w(a)}, {s.w(b)}, {s.w(r)}, {fls(fl)}, {s.n}   // {op}({desc(a,f)}, {desc(b,f)})")
        s.n+=2
    def sgn(s,op,a,b):
        f=s.f; sa=a>>(f.width-1); sb=b>>(f.width-1)
        ns={'j':sb,'jn':sb^1,'jx':sa^sb}[op]
        r=(a&((1<<(f.width-1))-1))|(ns<<(f.width-1))
        s.p(f"    FOPNR{s.sfx.upper()} fsgn{op}.{s.sfx}, {s.w(a)}, {s.w(b)}, {s.w(r)}, 0, {s.n}   // fsgn{op}({desc(a,f)}, {desc(b,f)})")
        s.n+=2
    def cmp(s,op,a,b):
        f=s.f
        r,fl=cmp(op,a,b,f)
        s.p(f"    FCMP{s.sfx.upper()} f{op}.{s.sfx}, {s.w(a)}, {s.w(b)}, {r}, {fls(fl)}, {s.n}   // {desc(a,f)} {op} {desc(b,f)}")
        s.n+=2
    def cls(s,a):
        f=s.f
        r=fclass(a,f)
        s.p(f"    FCLASS{s.sfx.upper()} {s.w(a)}, {r:#x}, {s.n}   // {desc(a,f)}")
        s.n+=1
    def toint(s,a,rms=range(5),kinds=('w','wu','l','lu')):
        f=s.f
        s.p(f"    // {desc(a,f)} to integer")
        for k in kinds:
            bits=32 if k[0]=='w' else 64; sg=not k.endswith('u')
            for rm in rms:
                r,fl=cvt_to_int(a,f,rm,bits,sg)
                s.p(f"    FCVTI{s.sfx.upper()} fcvt.{k}.{s.sfx}, {RMN[rm]}, {s.w(a)}, {r:#x}, {fls(fl)}, {s.n}")
                s.n+=2
    def fromint(s,i,kinds=('w','wu','l','lu'),rms=range(5)):
        f=s.f
        s.p(f"    // {i:#x} to {'single' if f is S else 'double'}")
        for k in kinds:
            bits=32 if k[0]=='w' else 64; sg=not k.endswith('u')
            if f is D and bits==32:   # exact: the assembler takes no rm
                r,fl=cvt_from_int(i,f,0,bits,sg)
                s.p(f"    FCVTF{s.sfx.upper()}X fcvt.{s.sfx}.{k}, {i:#x}, {s.w(r)}, {fls(fl)}, {s.n}")
                s.n+=2
                continue
            for rm in rms:
                r,fl=cvt_from_int(i,f,rm,bits,sg)
                s.p(f"    FCVTF{s.sfx.upper()} fcvt.{s.sfx}.{k}, {RMN[rm]}, {i:#x}, {s.w(r)}, {fls(fl)}, {s.n}")
                s.n+=2
