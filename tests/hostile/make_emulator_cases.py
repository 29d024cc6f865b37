#!/usr/bin/env python3
"""Writes the crafted Cortex-M4 ELF files of tests/hostile/emulator.cmake.

  make_emulator_cases.py OUT_DIR

Every file is built byte by byte here (a few hand-encoded Thumb instructions,
a vector table, program headers, a symbol table), so the cases need neither a
toolchain nor a download and are the same on every run. Each case is one
reproducer of issue 19 (items 3 and 12):

  exit7.elf               main returns 7 at `bkpt #0`: `emulate` must exit 1
  runaway.elf             `b .` forever: ends at the instruction budget
  write_flood.elf         SYS_WRITE of 4 KiB, 2560 times (10 MiB), then exit 0
  write_forever.elf       SYS_WRITE of 1 MiB in an endless loop
  write_binary.elf        writes bytes 0x80..0xff; a function name is not UTF-8
  stack_overflow.elf      endless recursion, with __tml_stack_bottom/top symbols
  stack_overflow_nosym.elf  the same without the symbols (runs off SRAM's start)
  segment_wraps.elf       PT_LOAD at 0x20000010 with memsz 0xfffffff8
  segment_outside.elf     PT_LOAD of 512 bytes at 0x2003ff00 (past SRAM's end)
  segment_past_eof.elf    PT_LOAD whose file bytes lie past the end of the file
  filesz_over_memsz.elf   PT_LOAD with p_filesz > p_memsz
  stack_top_symbol.elf    __tml_stack_top = 0xfffffff0
  stack_inverted.elf      __tml_stack_bottom above __tml_stack_top
  huge_function.elf       a function symbol of size 0xfffffff8 (valid run)
  truncated.elf           a valid file cut inside its program headers
  fpu_without_cpacr.elf   vadd.f32 with CPACR still at its reset value 0 (issue 16):
                          a UsageFault (NOCP), as on silicon
"""
import os
import struct
import sys

FLASH = 0x08000000
SRAM = 0x20000000
SRAM_END = SRAM + 256 * 1024

SHN_ABS = 0xFFF1
STT_NOTYPE, STT_OBJECT, STT_FUNC = 0, 1, 2
STB_GLOBAL = 1


class Thumb:
    """Just enough of a Thumb-2 assembler for the cases below."""

    def __init__(self, base):
        self.base = base
        self.code = bytearray()
        self.labels = {}
        self.fixups = []  # (offset, kind, label)

    def here(self):
        return self.base + len(self.code)

    def label(self, name):
        self.labels[name] = self.here()

    def half(self, value):
        self.code += struct.pack("<H", value & 0xFFFF)

    def align4(self):
        while len(self.code) % 4:
            self.half(0xBF00)  # nop

    def word(self, value):
        self.code += struct.pack("<I", value & 0xFFFFFFFF)

    def address_of(self, label):
        """A literal word holding the address of `label`."""
        self.fixups.append((len(self.code), "abs", label))
        self.word(0)

    def movs(self, rd, imm):
        self.half(0x2000 | rd << 8 | imm)

    def subs(self, rd, imm):
        self.half(0x3800 | rd << 8 | imm)

    def bkpt(self, imm):
        self.half(0xBE00 | imm)

    def push_r4_lr(self):
        self.half(0xB510)

    def sub_sp(self, imm):
        self.half(0xB080 | imm >> 2)

    def ldr_literal(self, rd, label):
        self.fixups.append((len(self.code), "ldr", label))
        self.half(0x4800 | rd << 8)

    def b(self, label):
        self.fixups.append((len(self.code), "b", label))
        self.half(0xE000)

    def bne(self, label):
        self.fixups.append((len(self.code), "bne", label))
        self.half(0xD100)

    def bl(self, label):
        self.fixups.append((len(self.code), "bl", label))
        self.half(0xF000)
        self.half(0xD000)

    def resolve(self):
        for offset, kind, label in self.fixups:
            pc = self.base + offset
            target = self.labels[label]
            if kind == "abs":
                struct.pack_into("<I", self.code, offset, target)
                continue
            if kind == "ldr":
                delta = target - ((pc + 4) & ~3)
                assert delta >= 0 and delta % 4 == 0 and delta < 1024
                value = 0x4800 | (self.code[offset + 1] & 7) << 8 | delta >> 2
                struct.pack_into("<H", self.code, offset, value)
                continue
            delta = target - (pc + 4)
            if kind == "b":
                struct.pack_into("<H", self.code, offset, 0xE000 | (delta >> 1) & 0x7FF)
            elif kind == "bne":
                struct.pack_into("<H", self.code, offset, 0xD100 | (delta >> 1) & 0xFF)
            elif kind == "bl":
                s = (delta >> 24) & 1
                i1, i2 = (delta >> 23) & 1, (delta >> 22) & 1
                j1, j2 = (1 - i1) ^ s, (1 - i2) ^ s
                hi = 0xF000 | s << 10 | (delta >> 12) & 0x3FF
                lo = 0xD000 | j1 << 13 | j2 << 11 | (delta >> 1) & 0x7FF
                struct.pack_into("<HH", self.code, offset, hi, lo)
        return bytes(self.code)


def elf(segments, symbols=(), entry=FLASH + 9, sections=True):
    """An ELF32 ARM executable.

    segments: [(vaddr, paddr, data, memsz, flags)]; symbols: [(name, value,
    size, type)]. The first segment's bytes also form the .text section.
    """
    ehdr_size, phdr_size, shdr_size = 52, 32, 40
    out = bytearray(ehdr_size + phdr_size * len(segments))
    offsets = []
    for vaddr, paddr, data, memsz, flags in segments:
        while len(out) % 4:
            out.append(0)
        offsets.append(len(out))
        out += data
    shdrs = []
    shstrndx = 0
    if sections:
        strtab = bytearray(b"\0")
        syms = bytearray(16)  # the null symbol
        for name, value, size, kind in symbols:
            if kind == STT_FUNC:
                value |= 1  # Thumb
            syms += struct.pack("<IIIBBH", len(strtab), value, size, STB_GLOBAL << 4 | kind, 0,
                                1 if kind == STT_FUNC else SHN_ABS)
            strtab += (name if isinstance(name, bytes) else name.encode()) + b"\0"
        shstrtab = bytearray(b"\0")

        def name(n):
            index = len(shstrtab)
            shstrtab.extend(n.encode() + b"\0")
            return index

        text_vaddr, _, text_data, _, _ = segments[0]
        # (name, type, flags, addr, offset, size, link, info, entsize)
        shdrs.append((0, 0, 0, 0, 0, 0, 0, 0, 0))
        shdrs.append((name(".text"), 1, 0x6, text_vaddr, offsets[0], len(text_data), 0, 0, 0))
        while len(out) % 4:
            out.append(0)
        symtab_offset = len(out)
        out += syms
        strtab_offset = len(out)
        out += strtab
        shdrs.append((name(".symtab"), 2, 0, 0, symtab_offset, len(syms), 3, 1, 16))
        shdrs.append((name(".strtab"), 3, 0, 0, strtab_offset, len(strtab), 0, 0, 0))
        shstrndx = len(shdrs)
        shdrs.append((name(".shstrtab"), 3, 0, 0, len(out) + 0, 0, 0, 0, 0))
        shstr_offset = len(out)
        out += shstrtab
        last = shdrs[-1]
        shdrs[-1] = (last[0], 3, 0, 0, shstr_offset, len(shstrtab), 0, 0, 0)
    while len(out) % 4:
        out.append(0)
    shoff = len(out) if shdrs else 0
    for n, t, fl, addr, off, size, link, info, entsize in shdrs:
        out += struct.pack("<IIIIIIIIII", n, t, fl, addr, off, size, link, info, 4, entsize)
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    struct.pack_into("<16sHHIIIIIHHHHHH", out, 0, ident, 2, 40, 1, entry, ehdr_size, shoff,
                     0x05000400, ehdr_size, phdr_size, len(segments), shdr_size, len(shdrs),
                     shstrndx)
    for i, (vaddr, paddr, data, memsz, flags) in enumerate(segments):
        struct.pack_into("<IIIIIIII", out, ehdr_size + phdr_size * i, 1, offsets[i], vaddr, paddr,
                         len(data), memsz, flags, 4)
    return bytes(out)


def program(body, initial_sp=SRAM + 0x1000):
    """Vector table + code at the start of flash; body(asm) emits the code."""
    asm = Thumb(FLASH)
    asm.word(initial_sp)
    asm.word(FLASH + 9)  # reset: the code right after the two vector words, Thumb
    asm.label("reset")
    body(asm)
    code = asm.resolve()
    return code, asm.labels


def flash_segment(code):
    return (FLASH, FLASH, code, len(code), 5)  # R+X


def exit7(asm):
    asm.movs(0, 7)
    asm.bkpt(0)


def fpu_without_cpacr(asm):
    asm.label("use_fpu")
    asm.half(0xEE30)  # vadd.f32 s0, s0, s1 (T2 encoding, first halfword)
    asm.half(0x0A20)
    asm.bkpt(0)


def runaway(asm):
    asm.label("spin")
    asm.b("spin")


def write_loop(length, iterations):
    def body(asm):
        if iterations:
            asm.ldr_literal(4, "count")
        asm.label("loop")
        asm.movs(0, 5)  # SYS_WRITE
        asm.ldr_literal(1, "param_address")
        asm.bkpt(0xAB)
        if iterations:
            asm.subs(4, 1)
            asm.bne("loop")
            asm.movs(0, 0)
            asm.bkpt(0)
        else:
            asm.b("loop")
        asm.align4()
        asm.label("count")
        asm.word(iterations)
        asm.label("param_address")
        asm.address_of("param")
        asm.label("param")
        asm.word(1)  # stdout
        asm.word(FLASH + 0x400)  # the text below
        asm.word(length)
        while asm.here() < FLASH + 0x400:
            asm.half(0)
        line = b"flood flood flood flood flood flood flood flood flood flood flood flood flood\n"
        text = (line * (4096 // len(line) + 1))[:4096]
        asm.code += text
    return body


def write_binary(asm):
    asm.movs(0, 5)  # SYS_WRITE
    asm.ldr_literal(1, "param_address")
    asm.bkpt(0xAB)
    asm.movs(0, 0)
    asm.bkpt(0)
    asm.align4()
    asm.label("param_address")
    asm.address_of("param")
    asm.label("param")
    asm.word(1)
    asm.word(asm.here() + 8)
    asm.word(128)
    asm.code += bytes(range(0x80, 0x100))


def recursion(asm):
    asm.bl("recurse")
    asm.bkpt(0)
    asm.label("recurse")
    asm.push_r4_lr()
    asm.sub_sp(64)
    asm.bl("recurse")
    asm.b("recurse")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    cases = {}

    code, _ = program(exit7)
    cases["exit7"] = elf([flash_segment(code)], [("main", FLASH + 8, len(code) - 8, STT_FUNC)])

    code, _ = program(fpu_without_cpacr)
    cases["fpu_without_cpacr"] = elf([flash_segment(code)],
                                     [("use_fpu", FLASH + 8, len(code) - 8, STT_FUNC)])

    code, _ = program(runaway)
    cases["runaway"] = elf([flash_segment(code)], [("spin", FLASH + 8, 2, STT_FUNC)])

    code, _ = program(write_loop(4096, 2560))
    cases["write_flood"] = elf([flash_segment(code)], [("flood", FLASH + 8, 32, STT_FUNC)])
    code, _ = program(write_loop(1 << 20, 0))
    cases["write_forever"] = elf([flash_segment(code)], [("flood", FLASH + 8, 32, STT_FUNC)])

    code, _ = program(write_binary)
    cases["write_binary"] = elf([flash_segment(code)],
                                [(b"bin\xff\xfe\xc3(", FLASH + 8, 12, STT_FUNC)])

    # The stack region the harness's linker script would reserve: 1 KiB
    # between 0x20000400 and 0x20000800, with .bss below it.
    code, labels = program(recursion, initial_sp=SRAM + 0x800)
    functions = [("main", FLASH + 8, labels["recurse"] - FLASH - 8, STT_FUNC),
                 ("recurse", labels["recurse"], FLASH + len(code) - labels["recurse"], STT_FUNC)]
    stack = [("__tml_stack_bottom", SRAM + 0x400, 0, STT_NOTYPE),
             ("__tml_stack_top", SRAM + 0x800, 0, STT_NOTYPE)]
    bss = (SRAM, SRAM, b"", 0x400, 6)
    cases["stack_overflow"] = elf([flash_segment(code), bss], functions + stack)
    cases["stack_overflow_nosym"] = elf([flash_segment(code), bss], functions)

    code, _ = program(exit7)
    main_sym = [("main", FLASH + 8, len(code) - 8, STT_FUNC)]
    cases["segment_wraps"] = elf([flash_segment(code), (SRAM + 0x10, SRAM + 0x10, b"", 0xFFFFFFF8, 6)],
                                 main_sym)
    cases["segment_outside"] = elf([flash_segment(code), (SRAM_END - 0x100, SRAM_END - 0x100, b"",
                                                          0x200, 6)], main_sym)
    past_eof = bytearray(elf([flash_segment(code)], main_sym))
    struct.pack_into("<I", past_eof, 52 + 16, 0x10000)  # p_filesz of segment 0
    struct.pack_into("<I", past_eof, 52 + 20, 0x10000)  # p_memsz
    cases["segment_past_eof"] = bytes(past_eof)
    cases["filesz_over_memsz"] = elf([flash_segment(code), (SRAM, SRAM, b"\1" * 64, 16, 6)],
                                     main_sym)
    cases["stack_top_symbol"] = elf(
        [flash_segment(code)],
        main_sym + [("__tml_stack_bottom", SRAM + 0x400, 0, STT_NOTYPE),
                    ("__tml_stack_top", 0xFFFFFFF0, 0, STT_NOTYPE)])
    cases["stack_inverted"] = elf(
        [flash_segment(code)],
        main_sym + [("__tml_stack_bottom", SRAM + 0x800, 0, STT_NOTYPE),
                    ("__tml_stack_top", SRAM + 0x400, 0, STT_NOTYPE)])
    cases["huge_function"] = elf([flash_segment(code)],
                                 [("main", FLASH + 8, 0xFFFFFFF8, STT_FUNC)])
    cases["truncated"] = cases["exit7"][:60]

    for name, data in cases.items():
        write(os.path.join(out_dir, name + ".elf"), data)


if __name__ == "__main__":
    main()
