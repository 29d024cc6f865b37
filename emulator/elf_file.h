// ElfFile: what the emulator needs from a 32-bit little-endian ARM ELF
// executable, read once with libelf.
//
//   - Load segments (PT_LOAD) with their physical (LMA) and virtual (VMA)
//     addresses. Flash contents are placed at the LMA, which is where a
//     debugger would program them; the .data initialisation image therefore
//     appears in flash and the startup code copies it to RAM.
//   - The symbol table: name -> address/size/kind, and address -> function
//     (for error messages and per-function attribution). Thumb function
//     addresses are stored with bit 0 cleared.
//   - Section sizes summarised the way an embedded engineer reads them:
//     flash = text + rodata + data (the init image), RAM = data + bss.
//     Sections named ".stack" and ".heap" are reported apart, not as bss.
//
// The emulator never looks inside the compiler's IR: symbols and bytes are
// the whole interface.
#ifndef TML_EMULATOR_ELF_FILE_H_
#define TML_EMULATOR_ELF_FILE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/status.h"

namespace tml::emu {

struct LoadSegment {
  uint32_t physical_address = 0;  // LMA: where the bytes live at reset
  uint32_t virtual_address = 0;   // VMA: where the program expects them
  uint32_t memory_size = 0;       // >= bytes.size(); the rest is zero-filled
  bool executable = false;
  std::vector<uint8_t> bytes;  // file contents (p_filesz bytes)
};

struct Symbol {
  std::string name;
  uint32_t address = 0;  // bit 0 cleared for Thumb functions
  uint32_t size = 0;
  bool is_function = false;
};

struct SectionSizes {
  uint32_t text = 0;    // executable sections (incl. the vector table)
  uint32_t rodata = 0;  // read-only data (incl. .ARM.exidx and friends)
  uint32_t data = 0;    // initialised RAM data (its image also lives in flash)
  uint32_t bss = 0;     // zero-initialised RAM data
  uint32_t stack = 0;   // a section named ".stack", if any
  uint32_t flash() const { return text + rodata + data; }
  uint32_t ram() const { return data + bss; }
};

class ElfFile {
 public:
  // Reads and validates `path` (must be ELF32, little-endian, EM_ARM,
  // ET_EXEC). Errors name the file and what is wrong with it.
  static StatusOr<ElfFile> Read(const std::string& path);
  // The same checks on the file's bytes already in memory; `path` names the
  // file in messages.
  static StatusOr<ElfFile> Parse(std::vector<char> image, const std::string& path);

  const std::string& path() const { return path_; }
  uint32_t entry() const { return entry_; }
  const std::vector<LoadSegment>& segments() const { return segments_; }
  const SectionSizes& sizes() const { return sizes_; }
  const std::vector<Symbol>& functions() const { return functions_; }  // sorted by address

  // The symbol called `name` (any kind), or nullptr.
  const Symbol* FindSymbol(std::string_view name) const;
  // The function whose [address, address+size) contains `address`; a
  // function of size 0 extends to the next function. nullptr if none.
  const Symbol* FunctionAt(uint32_t address) const;
  // Index of FunctionAt(address) in functions(), or -1.
  int FunctionIndexAt(uint32_t address) const;

 private:
  std::string path_;
  uint32_t entry_ = 0;
  std::vector<LoadSegment> segments_;
  SectionSizes sizes_;
  std::map<std::string, Symbol, std::less<>> symbols_;
  std::vector<Symbol> functions_;
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_ELF_FILE_H_
