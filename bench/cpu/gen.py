#!/usr/bin/env python3
"""Deterministic inputs for bench/cpu.sh (same bytes on every machine).

  gen.py text  OUT MIB    pseudo-English text (Zipf-distributed words from a
                          generated vocabulary, sentences, paragraphs): bzip2
  gen.py audio OUT SECS   44.1 kHz 16-bit stereo WAV, a synthetic piece
                          (notes with harmonics and envelopes, plus noise;
                          10 s of unique material, repeated): lame
  gen.py mem   OUT MIB    data made of short copies (256-2303 bytes) from
                          random earlier offsets up to 120 MiB back, with
                          a few literal bytes between them: compressed with
                          zstd --long=27, its decompression is a stream of
                          random-access match copies over a 128 MiB window

Only the standard library; random.Random(seed) (Mersenne Twister) gives
the same sequence on every Python 3.
"""
import math
import random
import struct
import sys

MIB = 1 << 20


def text(out, mib):
    rng = random.Random(5)
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    lw = [12.0, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4,
          2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
    vocab = set()
    while len(vocab) < 20000:
        n = min(1 + int(rng.expovariate(0.22)), 16)
        vocab.add("".join(rng.choices(letters, lw, k=n)))
    vocab = sorted(vocab)
    rng.shuffle(vocab)
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    size = int(mib * MIB)
    parts, n = [], 0
    while n < size:
        words = rng.choices(vocab, weights, k=4096)
        i, out_words = 0, []
        while i < len(words):
            k = rng.randint(4, 24)
            s = words[i:i + k]
            i += k
            if s:
                s[0] = s[0].capitalize()
                out_words.append(" ".join(s) + rng.choice(".......,;!?"))
        para = " ".join(out_words)
        # wrap at about 72 columns
        lines, line = [], ""
        for w in para.split(" "):
            if len(line) + len(w) + 1 > 72:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        lines.append(line)
        chunk = ("\n".join(lines) + "\n\n").encode()
        parts.append(chunk)
        n += len(chunk)
    data = b"".join(parts)[:size]
    with open(out, "wb") as f:
        f.write(data)


def audio(out, secs):
    rate = 44100
    rng = random.Random(7)
    uniq = 10 * rate
    left = [0.0] * uniq
    right = [0.0] * uniq
    t = 0
    while t < uniq:
        dur = int(rate * rng.choice((0.125, 0.25, 0.25, 0.5, 1.0)))
        freq = 110.0 * 2 ** (rng.randint(0, 36) / 12)
        amp = rng.uniform(0.05, 0.2)
        pan = rng.uniform(0.2, 0.8)
        harm = [(h, 1.0 / h ** rng.uniform(1, 2)) for h in range(1, 7)]
        w = 2 * math.pi * freq / rate
        for i in range(min(dur * 2, uniq - t)):
            env = math.exp(-4.0 * i / dur) * min(1.0, i / 200.0)
            v = amp * env * sum(a * math.sin(w * h * i) for h, a in harm)
            left[t + i] += v * (1 - pan)
            right[t + i] += v * pan
        t += dur
    frames = bytearray()
    for i in range(uniq):
        n = rng.gauss(0, 0.003)
        l = max(-1.0, min(1.0, left[i] + n))
        r = max(-1.0, min(1.0, right[i] - n))
        frames += struct.pack("<hh", int(l * 32767), int(r * 32767))
    total = int(secs * rate)
    reps, rest = divmod(total, uniq)
    body = bytes(frames) * reps + bytes(frames[:rest * 4])
    hdr = b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVE"
    hdr += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, rate, rate * 4, 4, 16)
    hdr += b"data" + struct.pack("<I", len(body))
    with open(out, "wb") as f:
        f.write(hdr)
        f.write(body)


def mem(out, mib):
    rng = random.Random(11)
    size = int(mib * MIB)
    window = 120 * MIB
    # A seed of 4 MiB of random bytes, then copies of earlier data.
    buf = bytearray(rng.randbytes(4 * MIB))
    rand = rng.random
    while len(buf) < size:
        n = len(buf)
        lo = max(0, n - window)
        for _ in range(4096):
            ln = 256 + int(rand() * 2048)
            src = lo + int(rand() * (n - lo - ln))
            buf += buf[src:src + ln]
            buf += rng.randbytes(1 + int(rand() * 4))
            n = len(buf)
    with open(out, "wb") as f:
        f.write(buf[:size])


if __name__ == "__main__":
    kind, out, amount = sys.argv[1], sys.argv[2], float(sys.argv[3])
    {"text": text, "audio": audio, "mem": mem}[kind](out, amount)
