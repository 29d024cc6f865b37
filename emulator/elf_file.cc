#include "emulator/elf_file.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

namespace tml::emu {
namespace {

constexpr uintmax_t kMaxElfFileBytes = uintmax_t{64} << 20;
// Real firmware has thousands; a crafted file must not make millions of map nodes.
constexpr size_t kMaxSymbols = 1'000'000;

struct ElfCloser {
  void operator()(Elf* elf) const { elf_end(elf); }
};

void ClassifySection(const GElf_Shdr& shdr, std::string_view name, SectionSizes& sizes) {
  if (!(shdr.sh_flags & SHF_ALLOC) || shdr.sh_size == 0) return;
  const auto size = static_cast<uint32_t>(shdr.sh_size);
  if (name == ".stack") {
    sizes.stack += size;
  } else if (name == ".heap") {
    // Reserved, not used by the program image itself.
  } else if (shdr.sh_flags & SHF_EXECINSTR) {
    sizes.text += size;
  } else if (shdr.sh_type == SHT_NOBITS) {
    sizes.bss += size;
  } else if (shdr.sh_flags & SHF_WRITE) {
    sizes.data += size;
  } else {
    sizes.rodata += size;
  }
}

// The PT_LOAD segments, each checked against the file and the 32-bit address
// space before its bytes are copied.
StatusOr<std::vector<LoadSegment>> ReadLoadSegments(Elf* elf, const std::vector<char>& image,
                                                    const std::string& path) {
  std::vector<LoadSegment> segments;
  size_t phnum = 0;
  if (elf_getphdrnum(elf, &phnum) != 0) return InvalidInput("{}: {}", path, elf_errmsg(-1));
  constexpr uint64_t kAddressSpace = uint64_t{1} << 32;
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr phdr;
    if (!gelf_getphdr(elf, static_cast<int>(i), &phdr)) {
      return InvalidInput("{}: cannot read program header {}: {}", path, i, elf_errmsg(-1));
    }
    if (phdr.p_type != PT_LOAD || phdr.p_memsz == 0) continue;
    if (phdr.p_offset > image.size() || phdr.p_filesz > image.size() - phdr.p_offset) {
      return InvalidInput(
          "{}: segment {} ({} bytes at file offset {}) extends past the end of "
          "the file ({} bytes)",
          path, i, phdr.p_filesz, phdr.p_offset, image.size());
    }
    if (phdr.p_filesz > phdr.p_memsz) {
      return InvalidInput("{}: segment {} has more file bytes ({}) than memory bytes ({})", path, i,
                          phdr.p_filesz, phdr.p_memsz);
    }
    if (phdr.p_vaddr >= kAddressSpace || phdr.p_memsz > kAddressSpace - phdr.p_vaddr ||
        phdr.p_paddr >= kAddressSpace || phdr.p_filesz > kAddressSpace - phdr.p_paddr) {
      return InvalidInput(
          "{}: segment {} (0x{:x} bytes at 0x{:08x}) runs past the end of the "
          "32-bit address space",
          path, i, phdr.p_memsz, phdr.p_vaddr);
    }
    LoadSegment segment;
    segment.physical_address = static_cast<uint32_t>(phdr.p_paddr);
    segment.virtual_address = static_cast<uint32_t>(phdr.p_vaddr);
    segment.memory_size = static_cast<uint32_t>(phdr.p_memsz);
    segment.executable = (phdr.p_flags & PF_X) != 0;
    segment.bytes.assign(
        image.begin() + static_cast<std::ptrdiff_t>(phdr.p_offset),
        image.begin() + static_cast<std::ptrdiff_t>(phdr.p_offset + phdr.p_filesz));
    segments.push_back(std::move(segment));
  }
  return segments;
}

}  // namespace

StatusOr<ElfFile> ElfFile::Read(const std::string& path) {
  // A firmware image is at most a few MiB (flash is 1 MiB; debug sections add
  // more). Refuse devices, FIFOs and absurd sizes before reading anything.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return InvalidInput("{}: cannot open the firmware file", path);
  }
  if (!std::filesystem::is_regular_file(status)) {
    return InvalidInput("{}: not a regular file", path);
  }
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (!ec && file_size > kMaxElfFileBytes) {
    return InvalidInput("{}: {} bytes is larger than the {} MiB an ELF firmware file may have",
                        path, file_size, kMaxElfFileBytes >> 20);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("{}: cannot open the firmware file", path);
  // libelf works on an in-memory copy so segment bytes can be sliced freely.
  std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Parse(std::move(image), path);
}

StatusOr<ElfFile> ElfFile::Parse(std::vector<char> image, const std::string& path) {
  if (image.size() > kMaxElfFileBytes) {
    return InvalidInput("{}: {} bytes is larger than the {} MiB an ELF firmware file may have",
                        path, image.size(), kMaxElfFileBytes >> 20);
  }
  if (elf_version(EV_CURRENT) == EV_NONE) return Internal("libelf: {}", elf_errmsg(-1));
  std::unique_ptr<Elf, ElfCloser> elf(elf_memory(image.data(), image.size()));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
    return InvalidInput("{}: not an ELF file", path);
  }
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr)) return InvalidInput("{}: {}", path, elf_errmsg(-1));
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS32 || ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
      ehdr.e_machine != EM_ARM) {
    return InvalidInput("{}: not a 32-bit little-endian ARM ELF (build it for Cortex-M4)", path);
  }
  if (ehdr.e_type != ET_EXEC) {
    return InvalidInput("{}: not a linked executable (ELF type {})", path, ehdr.e_type);
  }

  ElfFile file;
  file.path_ = path;
  file.entry_ = static_cast<uint32_t>(ehdr.e_entry);

  // Everything below comes from the file and may be hostile: every size and
  // offset is checked before use, in 64-bit arithmetic that cannot wrap (the
  // fields of an ELF32 file are at most 32 bits wide).
  if (ehdr.e_phnum != PN_XNUM &&
      (ehdr.e_phoff > image.size() ||
       uint64_t{ehdr.e_phnum} * ehdr.e_phentsize > image.size() - ehdr.e_phoff)) {
    return InvalidInput(
        "{}: the program header table ({} entries at file offset {}) extends past "
        "the end of the file ({} bytes; truncated?)",
        path, ehdr.e_phnum, ehdr.e_phoff, image.size());
  }
  TML_ASSIGN_OR_RETURN(file.segments_, ReadLoadSegments(elf.get(), image, path));
  if (file.segments_.empty()) return InvalidInput("{}: no loadable segments", path);

  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf.get(), &shstrndx) != 0) shstrndx = 0;
  for (Elf_Scn* scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    const char* name = shstrndx != 0 ? elf_strptr(elf.get(), shstrndx, shdr.sh_name) : nullptr;
    ClassifySection(shdr, name ? name : "", file.sizes_);
    if (shdr.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || !data->d_buf || shdr.sh_entsize == 0) continue;
    // Count what libelf really holds (bounded by the file), not what sh_size claims.
    const size_t count = data->d_size / sizeof(Elf32_Sym);
    for (size_t k = 0; k < count && k <= static_cast<size_t>(INT32_MAX); ++k) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(k), &sym)) break;
      const int type = GELF_ST_TYPE(sym.st_info);
      if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
      if (sym.st_shndx == SHN_UNDEF) continue;
      const char* sym_name = elf_strptr(elf.get(), shdr.sh_link, sym.st_name);
      // "$t", "$d" and "$a" are ARM mapping symbols, not names.
      if (!sym_name || !*sym_name || sym_name[0] == '$') continue;
      Symbol symbol;
      symbol.name = sym_name;
      symbol.is_function = type == STT_FUNC;
      symbol.address = static_cast<uint32_t>(sym.st_value) & (symbol.is_function ? ~1u : ~0u);
      symbol.size = static_cast<uint32_t>(sym.st_size);
      if (file.symbols_.size() >= kMaxSymbols) {
        return InvalidInput("{}: more than {} symbols", path, kMaxSymbols);
      }
      // Prefer the global definition when a name appears twice (static + global).
      auto [it, inserted] = file.symbols_.emplace(symbol.name, symbol);
      if (!inserted && GELF_ST_BIND(sym.st_info) == STB_GLOBAL) it->second = symbol;
      if (symbol.is_function) file.functions_.push_back(symbol);
    }
  }
  std::sort(file.functions_.begin(), file.functions_.end(), [](const Symbol& a, const Symbol& b) {
    return a.address != b.address ? a.address < b.address : a.size > b.size;
  });
  // Keep one function per address (aliases such as memcpy/__aeabi_memcpy).
  file.functions_.erase(
      std::unique(file.functions_.begin(), file.functions_.end(),
                  [](const Symbol& a, const Symbol& b) { return a.address == b.address; }),
      file.functions_.end());
  return file;
}

const Symbol* ElfFile::FindSymbol(std::string_view name) const {
  auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : &it->second;
}

int ElfFile::FunctionIndexAt(uint32_t address) const {
  auto it = std::upper_bound(functions_.begin(), functions_.end(), address,
                             [](uint32_t a, const Symbol& f) { return a < f.address; });
  if (it == functions_.begin()) return -1;
  const auto index = static_cast<int>(std::distance(functions_.begin(), it) - 1);
  const Symbol& f = functions_[index];
  const bool inside = f.size != 0 ? address - f.address < f.size
                                  : (it == functions_.end() || address < it->address);
  return inside ? index : -1;
}

const Symbol* ElfFile::FunctionAt(uint32_t address) const {
  const int index = FunctionIndexAt(address);
  return index < 0 ? nullptr : &functions_[index];
}

}  // namespace tml::emu
