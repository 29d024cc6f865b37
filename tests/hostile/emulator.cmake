# Emulator reproducers of issue 19 (items 3 and 12): crafted ELF files, made
# byte by byte by make_emulator_cases.py (no toolchain, no download) in a
# fixture test, run through `tinyml-compile emulate`.
set(EMU_CASES ${HOSTILE_OUT}/emulator_cases)
add_test(NAME hostile.emulator.make_cases
  COMMAND ${TML_HOSTILE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/make_emulator_cases.py ${EMU_CASES})
set_tests_properties(hostile.emulator.make_cases PROPERTIES FIXTURES_SETUP hostile_emulator_cases)

# tml_hostile_emulator_test(NAME EXIT code [MATCH re] [MATCH2 re] ARGS elf-and-flags...)
function(tml_hostile_emulator_test name)
  cmake_parse_arguments(E "" "EXIT;MATCH;MATCH2" "ARGS" ${ARGN})
  tml_hostile_test(emulator.${name} EXIT ${E_EXIT} MATCH "${E_MATCH}" MATCH2 "${E_MATCH2}"
    COMMAND ${TOOL} emulate ${E_ARGS})
  set_tests_properties(hostile.emulator.${name} PROPERTIES
    FIXTURES_REQUIRED hostile_emulator_cases TIMEOUT 120)
endfunction()

# Item 3: the image loader checks every segment and symbol against the memory
# map, overflow-safe; a bad ELF is exit 2 naming the file and what is wrong.
tml_hostile_emulator_test(segment_wraps EXIT 2
  MATCH "segment_wraps.elf: segment 1 .*runs past the end of the 32-bit address space"
  ARGS ${EMU_CASES}/segment_wraps.elf)
tml_hostile_emulator_test(segment_outside_sram EXIT 2
  MATCH "segment_outside.elf: segment 1: its zero-initialised part .0x200 bytes at 0x2003ff00. does not fit"
  ARGS ${EMU_CASES}/segment_outside.elf)
tml_hostile_emulator_test(segment_past_eof EXIT 2
  MATCH "segment_past_eof.elf: segment 0 .*extends past the end of the file"
  ARGS ${EMU_CASES}/segment_past_eof.elf)
tml_hostile_emulator_test(filesz_over_memsz EXIT 2
  MATCH "filesz_over_memsz.elf: segment 1 has more file bytes .64. than memory bytes .16."
  ARGS ${EMU_CASES}/filesz_over_memsz.elf)
tml_hostile_emulator_test(stack_top_symbol EXIT 2
  MATCH "stack_top_symbol.elf: __tml_stack_top = 0xfffffff0 is outside SRAM"
  ARGS ${EMU_CASES}/stack_top_symbol.elf)
tml_hostile_emulator_test(stack_inverted EXIT 2
  MATCH "stack_inverted.elf: the stack region is empty or inverted"
  ARGS ${EMU_CASES}/stack_inverted.elf)
tml_hostile_emulator_test(truncated EXIT 2
  MATCH "truncated.elf: the program header table .1 entries at file offset 52. extends past the end of the file"
  ARGS ${EMU_CASES}/truncated.elf)
# A function symbol whose size covers 4 GiB: a valid run (exit code 7).
tml_hostile_emulator_test(huge_function_symbol EXIT 1 MATCH "stopped by bkpt #0, exit code 7"
  ARGS ${EMU_CASES}/huge_function.elf)

# Item 12: semihosting output is capped (the first 64 KiB kept, the rest
# counted and said), a write loop that never ends stops at the budget.
tml_hostile_emulator_test(write_flood EXIT 0
  MATCH "firmware output truncated: the first 65536 bytes are shown, 10420224 more"
  ARGS ${EMU_CASES}/write_flood.elf)
tml_hostile_emulator_test(write_flood_json EXIT 0 MATCH "\"stdout_dropped_bytes\": 10420224"
  ARGS ${EMU_CASES}/write_flood.elf --json)
tml_hostile_emulator_test(write_forever EXIT 2
  MATCH "write_forever.elf: firmware did not finish within 2000000 instructions"
  MATCH2 "in function flood"
  ARGS ${EMU_CASES}/write_forever.elf --max-instructions 2000000)
# Non-UTF-8 firmware output and symbol names in the JSON report.
tml_hostile_emulator_test(binary_output_json EXIT 0 MATCH "\"stdout\": "
  ARGS ${EMU_CASES}/write_binary.elf --json)
# A stack overflow is named as such, with the function, whether the ELF has
# the linker script's stack symbols or not.
tml_hostile_emulator_test(stack_overflow EXIT 2
  MATCH "stack_overflow.elf: firmware fault: stack overflow: SP 0x2000.... is .* below the 1024-byte stack region"
  MATCH2 "in function recurse"
  ARGS ${EMU_CASES}/stack_overflow.elf)
tml_hostile_emulator_test(stack_overflow_without_symbols EXIT 2
  MATCH "stack overflow: the stack ran through all of SRAM"
  MATCH2 "in function recurse"
  ARGS ${EMU_CASES}/stack_overflow_nosym.elf)
# The budget: an endless loop ends at it; 0 is not "unlimited" but an error.
tml_hostile_emulator_test(runaway_loop EXIT 2
  MATCH "runaway.elf: firmware did not finish within 5000000 instructions .runaway loop.. at PC 0x08000008 in function spin"
  ARGS ${EMU_CASES}/runaway.elf --max-instructions 5000000)
tml_hostile_emulator_test(zero_budget EXIT 2
  MATCH "--max-instructions 0: the instruction budget must be at least 1"
  ARGS ${EMU_CASES}/runaway.elf --max-instructions 0)
# A firmware exit code other than 0 is exit 1, and said.
# Issue 16: the FPU used before the start-up code enabled it in CPACR is a
# UsageFault (NOCP) named as such, one line, like every firmware fault (exit 2).
tml_hostile_emulator_test(fpu_without_cpacr EXIT 2
  MATCH "fpu_without_cpacr.elf: firmware fault: UsageFault .NOCP.: an FPU instruction ran while CPACR"
  MATCH2 "in function use_fpu: vadd.f32 s0, s0, s1"
  ARGS ${EMU_CASES}/fpu_without_cpacr.elf)
tml_hostile_emulator_test(exit_code EXIT 1
  MATCH "exit7.elf: the firmware exited with code 7" MATCH2 "stopped by bkpt #0, exit code 7"
  ARGS ${EMU_CASES}/exit7.elf)
tml_hostile_emulator_test(exit_code_json EXIT 1
  MATCH "\"exit_code\": 7" MATCH2 "the firmware exited with code 7"
  ARGS ${EMU_CASES}/exit7.elf --json)
